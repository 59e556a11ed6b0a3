//! The `templates` table: checklist templates the bureau publishes in its feed.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use fieldcase_core::checklist::ChecklistTemplate;

use super::changes;
use crate::store::Result;
use fieldcase_storage::columns::record_text;

/// Publishes a template version unless it is already there. True when added.
pub fn insert_if_missing(conn: &Connection, template: &ChecklistTemplate, at: DateTime<Utc>) -> Result<bool> {
    let record = record_text(template)?;
    let added = conn
        .prepare_cached("INSERT OR IGNORE INTO templates (id, version, record) VALUES (?1, ?2, ?3)")?
        .execute(params![template.id.0, template.version, record])?;
    if added == 1 {
        changes::append(
            conn,
            changes::Kind::Template,
            &format!("{}@{}", template.id.0, template.version),
            &record,
            at,
        )?;
    }
    Ok(added == 1)
}
