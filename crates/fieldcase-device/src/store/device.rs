//! The `device` table: this device's identity, made at first start.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::ids::DeviceId;
use fieldcase_core::signing::PublicKey;

use super::{Result, instant_text, parse_column, parse_instant};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub device_id: DeviceId,
    pub public_key: PublicKey,
    pub created_at: DateTime<Utc>,
}

pub fn get(conn: &Connection) -> Result<Option<DeviceRow>> {
    let row = conn
        .prepare_cached("SELECT device_id, public_key, created_at FROM device WHERE singleton = 1")?
        .query_row([], |r| Ok((parse_column(r.get(0)?, 0)?, parse_column(r.get(1)?, 1)?, r.get::<_, String>(2)?)))
        .optional()?;
    row.map(|(device_id, public_key, created_at)| {
        Ok(DeviceRow { device_id, public_key, created_at: parse_instant(&created_at)? })
    })
    .transpose()
}

pub fn insert(conn: &Connection, row: &DeviceRow) -> Result<()> {
    conn.prepare_cached("INSERT INTO device (singleton, device_id, public_key, created_at) VALUES (1, ?1, ?2, ?3)")?
        .execute(params![row.device_id.to_string(), row.public_key.to_string(), instant_text(row.created_at)])?;
    Ok(())
}
