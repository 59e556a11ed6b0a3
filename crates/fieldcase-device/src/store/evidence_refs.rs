//! The `evidence_refs` table: append-only references to evidence files in the vault.

use rusqlite::{Connection, OptionalExtension};

use fieldcase_core::evidence::EvidenceRef;

use super::Result;

pub fn get(conn: &Connection, id: &str) -> Result<Option<EvidenceRef>> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM evidence_refs WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
}
