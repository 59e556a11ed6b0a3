//! The `evidence_uploads` table: how each evidence file's upload to the bureau stands (see
//! `crate::uploads`). A reference without a row has not been touched by the upload agent.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use fieldcase_core::evidence::EvidenceRef;
use fieldcase_storage::columns::{conversion_error, instant_opt, instant_text, json};

use super::{Result, StoreError};

/// The stored states; "imported" and "queued" without a row are derived by the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    Queued,
    Uploading,
    Uploaded,
    Verified,
    Damaged,
    Mismatch,
}

impl Stored {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Uploading => "uploading",
            Self::Uploaded => "uploaded",
            Self::Verified => "verified",
            Self::Damaged => "damaged",
            Self::Mismatch => "mismatch",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Queued, Self::Uploading, Self::Uploaded, Self::Verified, Self::Damaged, Self::Mismatch]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// One evidence reference with its upload row, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadRow {
    pub reference: EvidenceRef,
    /// The bureau does not have the reference yet (its inspection is a draft, or it waits in
    /// the outbox).
    pub reference_waiting: bool,
    pub state: Option<Stored>,
    pub paused: bool,
    pub upload_url: Option<String>,
    pub sent_bytes: u64,
    pub problem: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
}

/// A reference reaches the bureau after the seal that covers it: its inspection is no longer
/// a draft, and the outbox no longer holds it.
const WAITING: &str = "(EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'evidence' AND o.record_id = r.id)
        OR EXISTS (SELECT 1 FROM inspections i WHERE i.id = r.inspection_id AND i.status = 'draft'))";

fn select() -> String {
    format!(
        "SELECT r.body, {WAITING}, u.state, COALESCE(u.paused, 0), u.upload_url, COALESCE(u.sent_bytes, 0), u.problem, u.verified_at
         FROM evidence_refs r LEFT JOIN evidence_uploads u ON u.evidence_id = r.id"
    )
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<UploadRow> {
    let state = r
        .get::<_, Option<String>>(2)?
        .map(|s| {
            Stored::parse(&s)
                .ok_or_else(|| conversion_error(2, StoreError::Corrupt(format!("unknown upload state '{s}'"))))
        })
        .transpose()?;
    Ok(UploadRow {
        reference: json(r, 0)?,
        reference_waiting: r.get(1)?,
        state,
        paused: r.get(3)?,
        upload_url: r.get(4)?,
        sent_bytes: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
        problem: r.get(6)?,
        verified_at: instant_opt(r, 7)?,
    })
}

/// Every evidence file with its upload, in import order.
pub fn list(conn: &Connection) -> Result<Vec<UploadRow>> {
    let mut stmt = conn.prepare_cached(&format!("{} ORDER BY r.imported_at, r.id", select()))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn get(conn: &Connection, evidence_id: &str) -> Result<Option<UploadRow>> {
    Ok(conn.prepare_cached(&format!("{} WHERE r.id = ?1", select()))?.query_row([evidence_id], from_row).optional()?)
}

/// The next file the agent should send: its reference is at the bureau, it is not paused,
/// and it is neither finished nor refused for good; oldest first.
pub fn next_to_send(conn: &Connection, skip: &[String]) -> Result<Option<UploadRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{} WHERE COALESCE(u.state, 'queued') IN ('queued', 'uploading') AND COALESCE(u.paused, 0) = 0 AND NOT {WAITING}
         ORDER BY r.imported_at, r.id",
        select()
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let row = from_row(row)?;
        if !skip.contains(&row.reference.id.to_string()) {
            return Ok(Some(row));
        }
    }
    Ok(None)
}

/// Makes sure the file has a row (queued when new).
fn ensure(conn: &Connection, evidence_id: &str, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO evidence_uploads (evidence_id, state, updated_at) VALUES (?1, 'queued', ?2)",
    )?
    .execute(params![evidence_id, instant_text(now)])?;
    Ok(())
}

/// Sets the state and its problem (None clears it).
pub fn set_state(
    conn: &Connection,
    evidence_id: &str,
    state: Stored,
    problem: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    ensure(conn, evidence_id, now)?;
    let verified_at = (state == Stored::Verified).then(|| instant_text(now));
    conn.prepare_cached(
        "UPDATE evidence_uploads SET state = ?2, problem = ?3, verified_at = COALESCE(?4, verified_at), updated_at = ?5
         WHERE evidence_id = ?1",
    )?
    .execute(params![evidence_id, state.as_str(), problem, verified_at, instant_text(now)])?;
    Ok(())
}

/// Notes the open upload's address and the bytes the bureau holds.
pub fn set_progress(
    conn: &Connection,
    evidence_id: &str,
    upload_url: Option<&str>,
    sent_bytes: u64,
    now: DateTime<Utc>,
) -> Result<()> {
    ensure(conn, evidence_id, now)?;
    conn.prepare_cached(
        "UPDATE evidence_uploads SET upload_url = ?2, sent_bytes = ?3, updated_at = ?4 WHERE evidence_id = ?1",
    )?
    .execute(params![
        evidence_id,
        upload_url,
        i64::try_from(sent_bytes).unwrap_or(i64::MAX),
        instant_text(now)
    ])?;
    Ok(())
}

/// Notes a failure that leaves the file queued (to be tried again), in plain words.
pub fn set_problem(conn: &Connection, evidence_id: &str, problem: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    ensure(conn, evidence_id, now)?;
    conn.prepare_cached("UPDATE evidence_uploads SET problem = ?2, updated_at = ?3 WHERE evidence_id = ?1")?
        .execute(params![evidence_id, problem, instant_text(now)])?;
    Ok(())
}

/// Pauses or resumes one file; returns whether it changed.
pub fn set_paused(conn: &Connection, evidence_id: &str, paused: bool, now: DateTime<Utc>) -> Result<bool> {
    ensure(conn, evidence_id, now)?;
    let changed = conn
        .prepare_cached(
            "UPDATE evidence_uploads SET paused = ?2, updated_at = ?3 WHERE evidence_id = ?1 AND paused <> ?2",
        )?
        .execute(params![evidence_id, paused, instant_text(now)])?;
    Ok(changed > 0)
}

/// Whether the officer paused this file (read between chunks, so a pause from another
/// process takes effect within one chunk).
pub fn is_paused(conn: &Connection, evidence_id: &str) -> Result<bool> {
    let paused: Option<bool> = conn
        .prepare_cached("SELECT paused FROM evidence_uploads WHERE evidence_id = ?1")?
        .query_row([evidence_id], |r| r.get(0))
        .optional()?;
    Ok(paused.unwrap_or(false))
}
