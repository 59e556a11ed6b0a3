//! The `outbox` table: references to records the bureau does not have yet, oldest first, and
//! those it would not take, kept with why.

use rusqlite::{Connection, Row, params};
use serde::Serialize;

use fieldcase_core::RecordKind;
use fieldcase_storage::columns::conversion_error;

use super::{Result, StoreError};

/// A queued record reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub seq: i64,
    pub kind: RecordKind,
    pub record_id: String,
}

/// Why the bureau did not take a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotTaken {
    /// The bureau holds another version under the same id.
    Conflict,
    /// The bureau refused it (a broken seal, say).
    Rejected,
}

impl NotTaken {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Conflict => "conflict",
            Self::Rejected => "rejected",
        }
    }
}

/// A record the bureau did not take: kept here, marked, not resent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    pub kind: RecordKind,
    pub record_id: String,
    pub state: NotTaken,
    /// The bureau's words.
    pub reason: String,
}

fn kind(r: &Row<'_>, column: usize) -> rusqlite::Result<RecordKind> {
    let text: String = r.get(column)?;
    RecordKind::parse(&text)
        .ok_or_else(|| conversion_error(column, StoreError::Corrupt(format!("unknown record kind '{text}'"))))
}

pub fn enqueue(conn: &Connection, kind: RecordKind, record_id: &str) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO outbox (kind, record_id) VALUES (?1, ?2)")?
        .execute(params![kind.as_str(), record_id])?;
    Ok(())
}

/// The oldest pending references after position `after` (0: from the start), at most `limit`.
pub fn pending_after(conn: &Connection, after: i64, limit: usize) -> Result<Vec<Queued>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, kind, record_id FROM outbox WHERE state = 'pending' AND seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt
        .query_map(params![after, limit as i64], |r| {
            Ok(Queued { seq: r.get(0)?, kind: kind(r, 1)?, record_id: r.get(2)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The bureau has the record: it leaves the queue.
pub fn remove(conn: &Connection, kind: RecordKind, record_id: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM outbox WHERE kind = ?1 AND record_id = ?2")?
        .execute(params![kind.as_str(), record_id])?;
    Ok(())
}

/// The bureau refused the record or holds another version: kept, marked, not resent.
pub fn mark(conn: &Connection, kind: RecordKind, record_id: &str, state: NotTaken, reason: &str) -> Result<()> {
    conn.prepare_cached("UPDATE outbox SET state = ?3, reason = ?4 WHERE kind = ?1 AND record_id = ?2")?
        .execute(params![kind.as_str(), record_id, state.as_str(), reason])?;
    Ok(())
}

/// Pending references by kind, and how many need attention (conflicts and rejections).
pub fn counts(conn: &Connection) -> Result<(Vec<(RecordKind, u32)>, u32)> {
    let mut stmt = conn.prepare("SELECT kind, COUNT(*) FROM outbox WHERE state = 'pending' GROUP BY kind")?;
    let by_kind = stmt.query_map([], |r| Ok((kind(r, 0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    let attention =
        conn.prepare_cached("SELECT COUNT(*) FROM outbox WHERE state != 'pending'")?.query_row([], |r| r.get(0))?;
    Ok((by_kind, attention))
}

/// The references the bureau did not take, with why, oldest first.
pub fn needing_attention(conn: &Connection) -> Result<Vec<Refused>> {
    let mut stmt = conn.prepare(
        "SELECT kind, record_id, state, COALESCE(reason, '') FROM outbox WHERE state != 'pending' ORDER BY seq",
    )?;
    let rows = stmt
        .query_map([], |r| {
            let state: String = r.get(2)?;
            let state = match state.as_str() {
                "conflict" => NotTaken::Conflict,
                "rejected" => NotTaken::Rejected,
                other => {
                    return Err(conversion_error(2, StoreError::Corrupt(format!("unknown outbox state '{other}'"))));
                }
            };
            Ok(Refused { kind: kind(r, 0)?, record_id: r.get(1)?, state, reason: r.get(3)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
