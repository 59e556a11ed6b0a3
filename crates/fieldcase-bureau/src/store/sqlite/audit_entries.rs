//! The `audit_entries` table: each device's audit chain, as far as it holds.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use fieldcase_core::audit::AuditEntry;
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::DeviceId;

use super::{instant, instant_text, parsed};
use crate::store::Result;

const COLUMNS: &str = "seq, prev_hash, at, actor, action, subject, payload_hash, hash";

fn from_row(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get::<_, i64>(0)? as u64,
        prev_hash: parsed(r, 1)?,
        at: instant(r, 2)?,
        actor: r.get(3)?,
        action: r.get(4)?,
        subject: r.get(5)?,
        payload_hash: parsed(r, 6)?,
        hash: parsed(r, 7)?,
    })
}

pub fn stored_hash(conn: &Connection, device: DeviceId, seq: u64) -> Result<Option<ContentHash>> {
    Ok(conn
        .prepare_cached("SELECT hash FROM audit_entries WHERE device_id = ?1 AND seq = ?2")?
        .query_row(params![device.to_string(), i64::try_from(seq).unwrap_or(i64::MAX)], |r| parsed(r, 0))
        .optional()?)
}

pub fn last(conn: &Connection, device: DeviceId) -> Result<Option<AuditEntry>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM audit_entries WHERE device_id = ?1 ORDER BY seq DESC LIMIT 1"))?
        .query_row([device.to_string()], from_row)
        .optional()?)
}

pub fn insert(conn: &Connection, device: DeviceId, e: &AuditEntry, at: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO audit_entries (device_id, {COLUMNS}, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    ))?
    .execute(params![
        device.to_string(),
        i64::try_from(e.seq).unwrap_or(i64::MAX),
        e.prev_hash.to_hex(),
        // The entry's own instant exactly as the device wrote it: its hash covers it.
        e.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        e.actor,
        e.action,
        e.subject,
        e.payload_hash.to_hex(),
        e.hash.to_hex(),
        instant_text(at),
    ])?;
    Ok(())
}
