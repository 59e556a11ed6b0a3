//! The `recorder_checks` table: the body-cam checks devices made before their inspections.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::evidence::RecorderCheck;
use fieldcase_core::ids::{DeviceId, InspectionId, RecorderCheckId};

use crate::store::Result;
use fieldcase_storage::columns::{instant_text, json, parsed, record_text};

pub fn stored_hash(conn: &Connection, id: RecorderCheckId) -> Result<Option<ContentHash>> {
    Ok(conn
        .prepare_cached("SELECT content_hash FROM recorder_checks WHERE id = ?1")?
        .query_row([id.to_string()], |r| parsed(r, 0))
        .optional()?)
}

pub fn insert(conn: &Connection, check: &RecorderCheck, from: DeviceId, at: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO recorder_checks (id, inspection_id, recorder_id, device_id, record, content_hash, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        check.id.to_string(),
        check.inspection_id.to_string(),
        check.recorder_id,
        from.to_string(),
        record_text(check)?,
        ContentHash::of(check).to_hex(),
        instant_text(at),
    ])?;
    Ok(())
}

/// The checks held for an inspection, oldest first.
pub fn of_inspection(conn: &Connection, inspection: InspectionId) -> Result<Vec<RecorderCheck>> {
    let mut stmt =
        conn.prepare_cached("SELECT record FROM recorder_checks WHERE inspection_id = ?1 ORDER BY received_at, id")?;
    let rows = stmt.query_map([inspection.to_string()], |r| json(r, 0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
