//! The `gap_reasons` table: why nothing was recorded in a gap of a draft's recordings.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use fieldcase_core::ids::InspectionId;

use fieldcase_storage::columns::instant_text;

use super::Result;

/// Writes (or rewrites) the reason for one gap.
pub fn set(
    conn: &Connection,
    inspection: InspectionId,
    gap_id: &str,
    reason: &str,
    at: DateTime<Utc>,
    by: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO gap_reasons (inspection_id, gap_id, reason, written_at, written_by) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (inspection_id, gap_id) DO UPDATE SET reason = excluded.reason, written_at = excluded.written_at, written_by = excluded.written_by",
    )?
    .execute(params![inspection.to_string(), gap_id, reason, instant_text(at), by])?;
    Ok(())
}

/// The reasons written for an inspection's gaps, by gap id.
pub fn of(conn: &Connection, inspection: InspectionId) -> Result<BTreeMap<String, String>> {
    let mut stmt = conn.prepare_cached("SELECT gap_id, reason FROM gap_reasons WHERE inspection_id = ?1")?;
    let rows = stmt.query_map([inspection.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
