//! The `changes` table: the feed devices pull, typed records in the order they changed.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use fieldcase_core::wire::{Change, ChangeRecord};

use crate::store::{ChangePage, Result, StoreError};
use fieldcase_storage::columns::instant_text;

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Site,
    Template,
    Registry,
    KeyRotation,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Site => "site",
            Kind::Template => "template",
            Kind::Registry => "registry",
            Kind::KeyRotation => "key_rotation",
        }
    }
}

pub fn append(conn: &Connection, kind: Kind, record_id: &str, record: &str, at: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached("INSERT INTO changes (kind, record_id, record, at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![kind.as_str(), record_id, record, instant_text(at)])?;
    Ok(())
}

/// The changes after `after`, oldest first, at most `limit` (at least one).
pub fn page(conn: &Connection, after: u64, limit: usize) -> Result<ChangePage> {
    let limit = limit.max(1);
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let mut stmt =
        conn.prepare("SELECT cursor, kind, record FROM changes WHERE cursor > ?1 ORDER BY cursor LIMIT ?2")?;
    let rows = stmt
        .query_map(params![after, i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let more = rows.len() > limit;
    let changes = rows
        .into_iter()
        .take(limit)
        .map(|(cursor, kind, record)| {
            let record = match kind.as_str() {
                "site" => ChangeRecord::Site(serde_json::from_str(&record)?),
                "template" => ChangeRecord::Template(serde_json::from_str(&record)?),
                "registry" => ChangeRecord::Registry(serde_json::from_str(&record)?),
                "key_rotation" => ChangeRecord::KeyRotation(serde_json::from_str(&record)?),
                other => return Err(StoreError::Corrupt(format!("change {cursor} has an unknown kind '{other}'"))),
            };
            Ok(Change::new(cursor as u64, record))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ChangePage { changes, more })
}
