//! The `recorder_checks` table: append-only checks of body-cams before inspections.

use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::evidence::RecorderCheck;
use fieldcase_core::ids::InspectionId;

use fieldcase_storage::columns::{instant_text, record_text};

use super::Result;

pub fn insert(conn: &Connection, check: &RecorderCheck) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO recorder_checks (id, inspection_id, recorder_id, trusted_time, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        check.id.to_string(),
        check.inspection_id.to_string(),
        check.recorder_id,
        instant_text(check.trusted_time),
        record_text(check)?,
    ])?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<RecorderCheck>> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM recorder_checks WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
}

/// The checks of any of these inspection versions, oldest first.
pub fn for_inspections(conn: &Connection, ids: &[InspectionId]) -> Result<Vec<RecorderCheck>> {
    let mut stmt =
        conn.prepare("SELECT body FROM recorder_checks WHERE inspection_id = ?1 ORDER BY trusted_time, id")?;
    let mut out = Vec::new();
    for id in ids {
        for body in stmt.query_map([id.to_string()], |r| r.get::<_, String>(0))? {
            out.push(serde_json::from_str(&body?)?);
        }
    }
    Ok(out)
}
