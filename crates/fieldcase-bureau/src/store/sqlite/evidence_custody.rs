//! The `evidence_custody` table: the bureau's side of each evidence file's chain of custody.
//! Append-only.

use rusqlite::{Connection, Row, params};

use fieldcase_core::ids::EvidenceId;
use fieldcase_storage::columns::{conversion_error, instant, instant_text, parsed};

use crate::store::{CustodyEntry, CustodyEvent, Result, StoreError};

fn row(r: &Row<'_>) -> rusqlite::Result<CustodyEntry> {
    let event: String = r.get(4)?;
    let event = CustodyEvent::parse(&event)
        .ok_or_else(|| conversion_error(4, StoreError::Corrupt(format!("custody event '{event}'"))))?;
    Ok(CustodyEntry {
        evidence_id: parsed(r, 0)?,
        upload_id: r.get(1)?,
        at: instant(r, 2)?,
        actor: r.get(3)?,
        event,
        detail: r.get(5)?,
    })
}

pub fn append(conn: &Connection, entry: &CustodyEntry) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO evidence_custody (evidence_id, upload_id, at, actor, event, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        entry.evidence_id.to_string(),
        entry.upload_id,
        instant_text(entry.at),
        entry.actor,
        entry.event.as_str(),
        entry.detail,
    ])?;
    Ok(())
}

/// One file's entries, in the order they were made.
pub fn of_evidence(conn: &Connection, evidence: EvidenceId) -> Result<Vec<CustodyEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT evidence_id, upload_id, at, actor, event, detail FROM evidence_custody WHERE evidence_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([evidence.to_string()], row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
