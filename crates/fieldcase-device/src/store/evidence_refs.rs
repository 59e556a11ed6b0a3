//! The `evidence_refs` table: append-only references to evidence files, in the vault or
//! recorded where they lie. One reference per inspection and content hash.

use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::evidence::EvidenceRef;
use fieldcase_core::ids::{EvidenceId, InspectionId};

use fieldcase_storage::columns::{instant_text, record_text};

use super::Result;

pub fn insert(conn: &Connection, evidence: &EvidenceRef) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO evidence_refs (id, inspection_id, sha256, size, original_path, in_place, capture_start, imported_at, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        evidence.id.to_string(),
        evidence.inspection_id.to_string(),
        evidence.sha256.to_hex(),
        i64::try_from(evidence.size).unwrap_or(i64::MAX),
        evidence.original_path,
        evidence.in_place,
        evidence.capture_start.map(instant_text),
        instant_text(evidence.imported_at),
        record_text(evidence)?,
    ])?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<EvidenceRef>> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM evidence_refs WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
}

/// The reference an inspection already holds to these bytes, if any.
pub fn by_hash(conn: &Connection, inspection: InspectionId, sha256: &str) -> Result<Option<EvidenceId>> {
    let id: Option<String> = conn
        .prepare_cached("SELECT id FROM evidence_refs WHERE inspection_id = ?1 AND sha256 = ?2")?
        .query_row(params![inspection.to_string(), sha256], |r| r.get(0))
        .optional()?;
    Ok(id.and_then(|id| id.parse().ok()))
}

/// The references of any of these inspections (none given: every one), by capture time and
/// then by import.
pub fn list(conn: &Connection, inspections: Option<&[InspectionId]>) -> Result<Vec<EvidenceRef>> {
    let mut out = Vec::new();
    let order = "ORDER BY capture_start IS NULL, capture_start, imported_at, id";
    match inspections {
        None => {
            let mut stmt = conn.prepare(&format!("SELECT body FROM evidence_refs {order}"))?;
            for body in stmt.query_map([], |r| r.get::<_, String>(0))? {
                out.push(serde_json::from_str(&body?)?);
            }
        }
        Some(ids) => {
            let mut stmt = conn.prepare(&format!("SELECT body FROM evidence_refs WHERE inspection_id = ?1 {order}"))?;
            for id in ids {
                for body in stmt.query_map([id.to_string()], |r| r.get::<_, String>(0))? {
                    out.push(serde_json::from_str(&body?)?);
                }
            }
        }
    }
    Ok(out)
}
