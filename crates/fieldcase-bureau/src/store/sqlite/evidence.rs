//! The `evidence` table: what devices know of their body-cam files and photos. The bytes
//! come separately (resumable uploads); this is the reference.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::evidence::EvidenceRef;
use fieldcase_core::ids::{DeviceId, EvidenceId, InspectionId};

use crate::store::{HeldEvidence, Result};
use fieldcase_storage::columns::{instant_text, json, parsed, record_text};

pub fn stored_hash(conn: &Connection, id: EvidenceId) -> Result<Option<ContentHash>> {
    Ok(conn
        .prepare_cached("SELECT content_hash FROM evidence WHERE id = ?1")?
        .query_row([id.to_string()], |r| parsed(r, 0))
        .optional()?)
}

/// The reference an upload names, as uploads need it.
pub fn held(conn: &Connection, id: EvidenceId) -> Result<Option<HeldEvidence>> {
    Ok(conn
        .prepare_cached("SELECT id, device_id, sha256, size FROM evidence WHERE id = ?1")?
        .query_row([id.to_string()], |r| {
            Ok(HeldEvidence {
                evidence_id: parsed(r, 0)?,
                device_id: parsed(r, 1)?,
                sha256: parsed(r, 2)?,
                size: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
            })
        })
        .optional()?)
}

pub fn insert(conn: &Connection, evidence: &EvidenceRef, from: DeviceId, at: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO evidence (id, inspection_id, sha256, size, device_id, record, content_hash, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        evidence.id.to_string(),
        evidence.inspection_id.to_string(),
        evidence.sha256.to_hex(),
        i64::try_from(evidence.size).unwrap_or(i64::MAX),
        from.to_string(),
        record_text(evidence)?,
        ContentHash::of(evidence).to_hex(),
        instant_text(at),
    ])?;
    Ok(())
}

/// The references held for an inspection, by id.
pub fn of_inspection(conn: &Connection, inspection: InspectionId) -> Result<Vec<EvidenceRef>> {
    let mut stmt = conn.prepare_cached("SELECT record FROM evidence WHERE inspection_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([inspection.to_string()], |r| json(r, 0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
