//! The `certificate_checks` table: append-only.

use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::certificate::CertificateCheck;
use fieldcase_core::ids::InspectionId;

use fieldcase_storage::columns::instant_text;

use super::Result;

pub fn insert(conn: &Connection, check: &CertificateCheck) -> Result<()> {
    conn.prepare_cached("INSERT INTO certificate_checks (id, inspection_id, officer_id, result, checked_at, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(params![
            check.id.to_string(),
            check.inspection_id.to_string(),
            check.officer_id.as_str(),
            serde_json::to_value(check.result)?.as_str().unwrap_or_default(),
            instant_text(check.checked_at),
            serde_json::to_string(check)?,
        ],
    )?;
    Ok(())
}

/// The checks recorded for any of the given inspection versions, oldest first.
pub fn for_inspections(conn: &Connection, ids: &[InspectionId]) -> Result<Vec<CertificateCheck>> {
    let mut stmt =
        conn.prepare("SELECT body FROM certificate_checks WHERE inspection_id = ?1 ORDER BY checked_at, id")?;
    let mut out = Vec::new();
    for id in ids {
        let bodies =
            stmt.query_map([id.to_string()], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        for body in bodies {
            out.push(serde_json::from_str(&body)?);
        }
    }
    Ok(out)
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<CertificateCheck>> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM certificate_checks WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
}
