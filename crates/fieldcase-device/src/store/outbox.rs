//! The `outbox` table: references to records the bureau does not have yet, oldest first.

use rusqlite::{Connection, params};

/// A queued record reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub seq: i64,
    pub kind: String,
    pub record_id: String,
}

pub fn enqueue(conn: &Connection, kind: &str, record_id: &str) -> super::Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO outbox (kind, record_id) VALUES (?1, ?2)")?
        .execute(params![kind, record_id])?;
    Ok(())
}

/// The oldest pending references after position `after` (0: from the start), at most `limit`.
pub fn pending_after(conn: &Connection, after: i64, limit: usize) -> super::Result<Vec<Queued>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, kind, record_id FROM outbox WHERE state = 'pending' AND seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt
        .query_map(params![after, limit as i64], |r| {
            Ok(Queued { seq: r.get(0)?, kind: r.get(1)?, record_id: r.get(2)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The bureau has the record: it leaves the queue.
pub fn remove(conn: &Connection, kind: &str, record_id: &str) -> super::Result<()> {
    conn.prepare_cached("DELETE FROM outbox WHERE kind = ?1 AND record_id = ?2")?.execute(params![kind, record_id])?;
    Ok(())
}

/// The bureau refused the record or holds another version: kept, marked, not resent.
pub fn mark(conn: &Connection, kind: &str, record_id: &str, state: &str, reason: &str) -> super::Result<()> {
    conn.prepare_cached("UPDATE outbox SET state = ?3, reason = ?4 WHERE kind = ?1 AND record_id = ?2")?
        .execute(params![kind, record_id, state, reason])?;
    Ok(())
}

/// Pending references by kind, and how many need attention (conflicts and rejections).
pub fn counts(conn: &Connection) -> super::Result<(Vec<(String, u32)>, u32)> {
    let mut stmt = conn.prepare("SELECT kind, COUNT(*) FROM outbox WHERE state = 'pending' GROUP BY kind")?;
    let by_kind = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    let attention =
        conn.prepare_cached("SELECT COUNT(*) FROM outbox WHERE state != 'pending'")?.query_row([], |r| r.get(0))?;
    Ok((by_kind, attention))
}

/// The references the bureau did not take, with why.
pub fn needing_attention(conn: &Connection) -> super::Result<Vec<(String, String, String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT kind, record_id, state, COALESCE(reason, '') FROM outbox WHERE state != 'pending' ORDER BY seq",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
