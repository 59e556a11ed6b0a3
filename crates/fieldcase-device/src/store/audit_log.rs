//! The `audit_log` table: the device's hash chain, append-only.

use rusqlite::{Connection, OptionalExtension, Row, params};

use fieldcase_core::audit::AuditEntry;

use fieldcase_storage::columns::{instant, instant_text, parsed};

use super::{Result, StoreError};

const COLUMNS: &str = "seq, prev_hash, at, actor, action, subject, payload_hash, hash";

fn from_row(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get::<_, i64>(0)? as u64,
        prev_hash: parsed(r, 1)?,
        at: instant(r, 2)?,
        actor: r.get(3)?,
        action: r.get(4)?,
        subject: r.get(5)?,
        payload_hash: parsed(r, 6)?,
        hash: parsed(r, 7)?,
    })
}

pub fn last(conn: &Connection) -> Result<Option<AuditEntry>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1"))?
        .query_row([], from_row)
        .optional()?)
}

pub fn insert(conn: &Connection, entry: &AuditEntry) -> Result<()> {
    conn.prepare_cached(&format!("INSERT INTO audit_log ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"))?
        .execute(params![
            entry.seq as i64,
            entry.prev_hash.to_hex(),
            instant_text(entry.at),
            entry.actor,
            entry.action,
            entry.subject,
            entry.payload_hash.to_hex(),
            entry.hash.to_hex(),
        ])?;
    Ok(())
}

/// Calls `f` with each entry in order, without holding the whole chain in memory.
/// A row that cannot even be read (a hash that is not hex, say) is reported as altered.
pub fn for_each(conn: &Connection, mut f: impl FnMut(Result<AuditEntry, (u64, StoreError)>) -> bool) -> Result<()> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let seq = row.get::<_, i64>(0)? as u64;
        let entry = from_row(row).map_err(|e| (seq, StoreError::from(e)));
        if !f(entry) {
            break;
        }
    }
    Ok(())
}

/// The entries after `seq`, at most `limit`, in order.
pub fn after(conn: &Connection, seq: u64, limit: usize) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2"))?;
    Ok(stmt.query_map(params![seq as i64, limit as i64], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The sequence number of the newest entry (0 for an empty chain).
pub fn last_seq(conn: &Connection) -> Result<u64> {
    Ok(conn.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM audit_log")?.query_row([], |r| r.get::<_, i64>(0))?
        as u64)
}

/// Every entry about one subject (a record's id), in order: a record's whole history.
pub fn about(conn: &Connection, subject: &str) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log WHERE subject = ?1 ORDER BY seq"))?;
    Ok(stmt.query_map([subject], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?)
}
