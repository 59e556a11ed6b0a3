//! The records list: one compact row per inspection version, read from the columns beside
//! each record (never its JSON body), joined with its site and its place in the outbox.
//! Only the conditions asked for are put in the query, so SQLite walks the index that fits
//! (site, status or day, each in date order) rather than testing every row.

use rusqlite::{Connection, Row, ToSql};

use fieldcase_storage::columns::{conversion_error, parsed};

use super::inspections::status_at;
use super::{Result, StoreError};
use crate::records::{RecordRow, RecordSync};

/// The conditions of one query; `None` is "any".
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RecordQuery {
    /// Started at or after this instant (`instant_text` form).
    pub from: Option<String>,
    /// Started before this instant.
    pub until: Option<String>,
    pub site_id: Option<String>,
    /// `draft` or `finalized`.
    pub status: Option<String>,
    /// One of the words [`RecordSync::as_str`] gives.
    pub sync: Option<String>,
}

/// Where an inspection stands with the bureau, from the outbox: a draft is not sent; a
/// finalized record is waiting while queued, refused once the bureau would not take it,
/// and synced once its outbox row is gone.
const SYNC_STATE: &str = "CASE WHEN i.status = 'draft' THEN 'draft'
     WHEN o.state IS NULL THEN 'synced'
     WHEN o.state = 'pending' THEN 'waiting'
     ELSE 'refused' END";

fn from_row(r: &Row<'_>) -> rusqlite::Result<RecordRow> {
    let sync_text: String = r.get(6)?;
    let sync = RecordSync::parse(&sync_text)
        .ok_or_else(|| conversion_error(6, StoreError::Corrupt(format!("unknown sync state '{sync_text}'"))))?;
    Ok(RecordRow {
        id: parsed(r, 0)?,
        site_id: parsed(r, 1)?,
        site_name: r.get(2)?,
        project_name: r.get(3)?,
        status: status_at(r, 4)?,
        started_at: r.get(5)?,
        sync,
        corrected: r.get(7)?,
    })
}

/// Every inspection version matching `q`, newest first.
pub fn list(conn: &Connection, q: &RecordQuery) -> Result<Vec<RecordRow>> {
    let mut conditions: Vec<String> = Vec::new();
    let mut params: Vec<&dyn ToSql> = Vec::new();
    let wanted = [
        ("i.started_at >=".to_owned(), &q.from),
        ("i.started_at <".to_owned(), &q.until),
        ("i.site_id =".to_owned(), &q.site_id),
        ("i.status =".to_owned(), &q.status),
        (format!("({SYNC_STATE}) ="), &q.sync),
    ];
    for (test, value) in &wanted {
        if let Some(value) = value {
            params.push(value as &dyn ToSql);
            conditions.push(format!("{test} ?{}", params.len()));
        }
    }
    let filter = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    let sql = format!(
        "SELECT i.id, i.site_id, s.name, s.project_name, i.status, i.started_at, {SYNC_STATE},
                EXISTS (SELECT 1 FROM inspections c WHERE c.supersedes = i.id)
         FROM inspections i
         JOIN sites s ON s.id = i.site_id
         LEFT JOIN outbox o ON o.kind = 'inspection' AND o.record_id = i.id
         {filter}
         ORDER BY i.started_at DESC, i.id DESC"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    Ok(stmt.query_map(params.as_slice(), from_row)?.collect::<rusqlite::Result<Vec<_>>>()?)
}
