//! The `devices` table: enrolled laptops, their public keys and the hash of their token.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use fieldcase_core::ids::DeviceId;

use crate::store::{DeviceRecord, Enrollment, Result, StoreError, TokenHash};
use fieldcase_storage::columns::{instant, instant_opt, instant_text, parsed};

const COLUMNS: &str = "device_id, public_key, label, enrolled_at, last_seen, revoked_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<DeviceRecord> {
    Ok(DeviceRecord {
        device_id: parsed(r, 0)?,
        public_key: parsed(r, 1)?,
        label: r.get(2)?,
        enrolled_at: instant(r, 3)?,
        last_seen: instant_opt(r, 4)?,
        revoked_at: instant_opt(r, 5)?,
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

pub fn insert(conn: &Connection, e: &Enrollment, now: DateTime<Utc>) -> Result<DeviceRecord> {
    conn.prepare_cached(
        "INSERT INTO devices (device_id, public_key, label, token_hash, enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        e.device_id.to_string(),
        e.public_key.to_string(),
        e.label,
        e.token_hash.to_hex(),
        instant_text(now)
    ])?;
    enrolled(conn, e.device_id)
}

/// A known device enrolls again: the new token replaces the old, a revocation is lifted.
pub fn reenroll(conn: &Connection, e: &Enrollment, now: DateTime<Utc>) -> Result<DeviceRecord> {
    conn.prepare_cached("UPDATE devices SET token_hash = ?2, label = COALESCE(?3, label), enrolled_at = ?4, revoked_at = NULL WHERE device_id = ?1")?.execute(params![e.device_id.to_string(), e.token_hash.to_hex(), e.label, instant_text(now)],
    )?;
    enrolled(conn, e.device_id)
}

fn enrolled(conn: &Connection, id: DeviceId) -> Result<DeviceRecord> {
    get(conn, id)?.ok_or_else(|| StoreError::Other(format!("device {id} vanished while enrolling")))
}

pub fn touch(conn: &Connection, id: DeviceId, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached("UPDATE devices SET last_seen = ?2 WHERE device_id = ?1")?
        .execute(params![id.to_string(), instant_text(now)])?;
    Ok(())
}

pub fn revoke(conn: &Connection, id: DeviceId, now: DateTime<Utc>) -> Result<()> {
    let changed = conn
        .prepare_cached("UPDATE devices SET revoked_at = COALESCE(revoked_at, ?2) WHERE device_id = ?1")?
        .execute(params![id.to_string(), instant_text(now)])?;
    if changed == 0 {
        return Err(StoreError::NotFound { what: "device", id: id.to_string() });
    }
    Ok(())
}

pub fn list(conn: &Connection) -> Result<Vec<DeviceRecord>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM devices ORDER BY enrolled_at, device_id"))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
