//! The `templates` table: checklist templates by id and version.

use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::checklist::ChecklistTemplate;

use super::Result;

/// Stores a template unless that id and version are already there (templates are immutable
/// once published: a change is a new version).
pub fn insert_if_missing(conn: &Connection, template: &ChecklistTemplate) -> Result<bool> {
    let n = conn
        .prepare_cached("INSERT OR IGNORE INTO templates (id, version, body) VALUES (?1, ?2, ?3)")?
        .execute(params![template.id.0, template.version, serde_json::to_string(template)?])?;
    Ok(n == 1)
}

pub fn get(conn: &Connection, id: &str, version: u32) -> Result<Option<ChecklistTemplate>> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM templates WHERE id = ?1 AND version = ?2")?
        .query_row(params![id, version], |r| r.get(0))
        .optional()?;
    Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
}

/// The newest version of each template.
pub fn latest(conn: &Connection) -> Result<Vec<ChecklistTemplate>> {
    let mut stmt = conn.prepare(
        "SELECT body FROM templates t WHERE version = (SELECT MAX(version) FROM templates WHERE id = t.id) ORDER BY id",
    )?;
    let bodies = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(bodies.iter().map(|b| serde_json::from_str(b)).collect::<Result<_, _>>()?)
}
