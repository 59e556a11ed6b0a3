//! The `device` table: this device's identity, made at first start.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::ids::DeviceId;
use fieldcase_core::signing::PublicKey;

use fieldcase_storage::columns::{instant, instant_text, parsed};

use super::Result;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub device_id: DeviceId,
    pub public_key: PublicKey,
    pub created_at: DateTime<Utc>,
}

pub fn get(conn: &Connection) -> Result<Option<DeviceRow>> {
    Ok(conn
        .prepare_cached("SELECT device_id, public_key, created_at FROM device WHERE singleton = 1")?
        .query_row([], |r| {
            Ok(DeviceRow { device_id: parsed(r, 0)?, public_key: parsed(r, 1)?, created_at: instant(r, 2)? })
        })
        .optional()?)
}

pub fn insert(conn: &Connection, row: &DeviceRow) -> Result<()> {
    conn.prepare_cached("INSERT INTO device (singleton, device_id, public_key, created_at) VALUES (1, ?1, ?2, ?3)")?
        .execute(params![row.device_id.to_string(), row.public_key.to_string(), instant_text(row.created_at)])?;
    Ok(())
}
