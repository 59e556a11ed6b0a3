//! The `evidence_blobs` table: the blob each completed upload became and the verdict on it.
//! Append-only.

use rusqlite::{Connection, Row, params};

use fieldcase_core::upload::VerdictOutcome;
use fieldcase_storage::columns::{conversion_error, instant, instant_text, parsed};

use crate::blobs::BlobKey;
use crate::store::{EvidenceBlob, Result, StoreError};

fn outcome_text(outcome: VerdictOutcome) -> &'static str {
    match outcome {
        VerdictOutcome::Verified => "verified",
        VerdictOutcome::Mismatch => "mismatch",
    }
}

fn row(r: &Row<'_>) -> rusqlite::Result<EvidenceBlob> {
    let key: String = r.get(2)?;
    let key =
        BlobKey::parse(&key).ok_or_else(|| conversion_error(2, StoreError::Corrupt(format!("blob key '{key}'"))))?;
    let outcome = match r.get::<_, String>(5)?.as_str() {
        "verified" => VerdictOutcome::Verified,
        "mismatch" => VerdictOutcome::Mismatch,
        other => return Err(conversion_error(5, StoreError::Corrupt(format!("verdict '{other}'")))),
    };
    Ok(EvidenceBlob {
        upload_id: r.get(0)?,
        evidence_id: parsed(r, 1)?,
        key,
        sha256: parsed(r, 3)?,
        bytes: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
        outcome,
        decided_at: instant(r, 6)?,
    })
}

pub fn insert(conn: &Connection, blob: &EvidenceBlob) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO evidence_blobs (upload_id, evidence_id, blob_key, sha256, bytes, outcome, decided_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        blob.upload_id,
        blob.evidence_id.to_string(),
        blob.key.as_str(),
        blob.sha256.to_hex(),
        i64::try_from(blob.bytes).unwrap_or(i64::MAX),
        outcome_text(blob.outcome),
        instant_text(blob.decided_at),
    ])?;
    Ok(())
}

/// Every decided file, oldest first.
pub fn all(conn: &Connection) -> Result<Vec<EvidenceBlob>> {
    let mut stmt = conn.prepare_cached(
        "SELECT upload_id, evidence_id, blob_key, sha256, bytes, outcome, decided_at FROM evidence_blobs
         ORDER BY decided_at, upload_id",
    )?;
    let rows = stmt.query_map([], row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
