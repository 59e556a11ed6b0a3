//! The `changes` table: the feed devices pull, typed records in the order they changed.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use fieldcase_core::ids::DeviceId;
use fieldcase_core::wire::{Change, ChangeRecord};

use crate::store::{ChangePage, PageBound, Result, StoreError};
use fieldcase_storage::columns::instant_text;

pub use crate::store::feed::ChangeKind as Kind;

/// Appends a change for every device.
pub fn append(conn: &Connection, kind: Kind, record_id: &str, record: &str, at: DateTime<Utc>) -> Result<()> {
    append_for(conn, kind, record_id, record, at, None)
}

/// Appends a change for one device only (`reader`), or for every device (None).
pub fn append_for(
    conn: &Connection,
    kind: Kind,
    record_id: &str,
    record: &str,
    at: DateTime<Utc>,
    reader: Option<DeviceId>,
) -> Result<()> {
    conn.prepare_cached("INSERT INTO changes (kind, record_id, record, at, device_id) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![kind.as_str(), record_id, record, instant_text(at), reader.map(|d| d.to_string())])?;
    Ok(())
}

/// The changes after `after` for every device and for `reader`, oldest first, as many as
/// fit in `bound` (at least one).
///
/// Each record's size is read before the record: a change that does not fit is left in the
/// database, and only tells that more remain.
pub fn page(conn: &Connection, after: u64, bound: PageBound, reader: Option<DeviceId>) -> Result<ChangePage> {
    let limit = bound.changes.max(1);
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(
        "SELECT cursor, kind, length(CAST(record AS BLOB)), record FROM changes
         WHERE cursor > ?1 AND (device_id IS NULL OR device_id = ?3) ORDER BY cursor LIMIT ?2",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
    let mut rows = stmt.query(params![after, limit, reader.map(|d| d.to_string())])?;
    let (mut changes, mut bytes, mut more) = (Vec::new(), 0usize, false);
    while let Some(row) = rows.next()? {
        let record_bytes = usize::try_from(row.get::<_, i64>(2)?).unwrap_or(usize::MAX);
        if !bound.admits(changes.len(), bytes, record_bytes) {
            more = true;
            break;
        }
        bytes = bytes.saturating_add(PageBound::size_of(record_bytes));
        let (cursor, kind, record) = (row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(3)?);
        let record = match kind.as_str() {
            "site" => ChangeRecord::Site(serde_json::from_str(&record)?),
            "template" => ChangeRecord::Template(serde_json::from_str(&record)?),
            "registry" => ChangeRecord::Registry(serde_json::from_str(&record)?),
            "key_rotation" => ChangeRecord::KeyRotation(serde_json::from_str(&record)?),
            "evidence_verdict" => ChangeRecord::EvidenceVerdict(serde_json::from_str(&record)?),
            other => return Err(StoreError::Corrupt(format!("change {cursor} has an unknown kind '{other}'"))),
        };
        changes.push(Change::new(cursor as u64, record));
    }
    Ok(ChangePage { changes, more })
}
