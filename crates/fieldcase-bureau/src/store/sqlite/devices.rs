//! The `devices` table: enrolled laptops, their public keys, the hash of their token, and the
//! units they serve.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use fieldcase_core::ids::DeviceId;

use crate::enrollment::UsableCode;
use crate::store::{DeviceRecord, Enrollment, Result, TokenHash};
use fieldcase_storage::columns::{instant, instant_opt, instant_text, json, parsed, record_text};

const COLUMNS: &str = "device_id, public_key, label, host_label, enrolled_at, last_seen, revoked_at, units";

fn from_row(r: &Row<'_>) -> rusqlite::Result<DeviceRecord> {
    Ok(DeviceRecord {
        device_id: parsed(r, 0)?,
        public_key: parsed(r, 1)?,
        label: r.get(2)?,
        host_label: r.get(3)?,
        enrolled_at: instant(r, 4)?,
        last_seen: instant_opt(r, 5)?,
        revoked_at: instant_opt(r, 6)?,
        units: json(r, 7)?,
    })
}

pub fn get(conn: &Connection, id: DeviceId) -> Result<Option<DeviceRecord>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM devices WHERE device_id = ?1"))?
        .query_row([id.to_string()], from_row)
        .optional()?)
}

pub fn by_token(conn: &Connection, token: TokenHash) -> Result<Option<DeviceRecord>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM devices WHERE token_hash = ?1"))?
        .query_row([token.to_hex()], from_row)
        .optional()?)
}

pub fn insert(conn: &Connection, e: &Enrollment, code: &UsableCode, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO devices (device_id, public_key, label, host_label, token_hash, enrolled_at, units)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        e.device_id.to_string(),
        e.public_key.to_string(),
        code.label,
        e.host_label,
        e.token_hash.to_hex(),
        instant_text(now),
        record_text(&code.units)?
    ])?;
    Ok(())
}

/// A known device enrolls again: the new token replaces the old; the code's label and units,
/// if it has them, replace the device's.
pub fn renew(conn: &Connection, e: &Enrollment, code: &UsableCode, now: DateTime<Utc>) -> Result<()> {
    let units = if code.units.is_empty() { None } else { Some(record_text(&code.units)?) };
    conn.prepare_cached(
        "UPDATE devices SET token_hash = ?2, label = COALESCE(?3, label), host_label = COALESCE(?4, host_label),
                enrolled_at = ?5, units = COALESCE(?6, units)
         WHERE device_id = ?1",
    )?
    .execute(params![
        e.device_id.to_string(),
        e.token_hash.to_hex(),
        code.label,
        e.host_label,
        instant_text(now),
        units
    ])?;
    Ok(())
}

/// Sets the units a device serves; false when there is no such device.
pub fn set_units(conn: &Connection, id: DeviceId, units: &[String]) -> Result<bool> {
    let changed = conn
        .prepare_cached("UPDATE devices SET units = ?2 WHERE device_id = ?1")?
        .execute(params![id.to_string(), record_text(units)?])?;
    Ok(changed == 1)
}

pub fn touch(conn: &Connection, id: DeviceId, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached("UPDATE devices SET last_seen = ?2 WHERE device_id = ?1")?
        .execute(params![id.to_string(), instant_text(now)])?;
    Ok(())
}

/// Sets or clears the revocation; false when there is no such device.
pub fn set_revoked(conn: &Connection, id: DeviceId, at: Option<DateTime<Utc>>) -> Result<bool> {
    let changed = conn
        .prepare_cached("UPDATE devices SET revoked_at = ?2 WHERE device_id = ?1")?
        .execute(params![id.to_string(), at.map(instant_text)])?;
    Ok(changed == 1)
}

pub fn list(conn: &Connection) -> Result<Vec<DeviceRecord>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM devices ORDER BY enrolled_at, device_id"))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
