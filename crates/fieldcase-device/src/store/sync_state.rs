//! The `sync_state` table: the pull cursor, how far the audit chain was pushed, whether the
//! registry copy waits for a snapshot, and what the last attempt learned. Kept in SQLite so a
//! restart resumes where it stopped and a second process (`fieldcase device status`) can read it.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use fieldcase_core::ErrorCode;
use fieldcase_storage::columns::{instant_opt, instant_text, parsed_opt};

use super::Result;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncRow {
    pub pull_cursor: u64,
    pub pushed_audit_seq: u64,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub bureau_time: Option<DateTime<Utc>>,
    pub local_time: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_code: Option<ErrorCode>,
    /// The latest laptop time seen, to notice a clock set back.
    pub max_local_time: Option<DateTime<Utc>>,
    /// A pull showed the registry copy cannot follow the feed; a whole snapshot is owed.
    pub registry_snapshot_owed: bool,
}

pub fn get(conn: &Connection) -> Result<SyncRow> {
    Ok(conn
        .prepare_cached(
            "SELECT pull_cursor, pushed_audit_seq, last_attempt_at, last_success_at, bureau_time, local_time,
                    last_error, last_error_code, max_local_time, registry_snapshot_owed
             FROM sync_state WHERE singleton = 1",
        )?
        .query_row([], |r| {
            Ok(SyncRow {
                pull_cursor: r.get::<_, i64>(0)? as u64,
                pushed_audit_seq: r.get::<_, i64>(1)? as u64,
                last_attempt_at: instant_opt(r, 2)?,
                last_success_at: instant_opt(r, 3)?,
                bureau_time: instant_opt(r, 4)?,
                local_time: instant_opt(r, 5)?,
                last_error: r.get(6)?,
                last_error_code: parsed_opt(r, 7)?,
                max_local_time: instant_opt(r, 8)?,
                registry_snapshot_owed: r.get(9)?,
            })
        })?)
}

pub fn set_pushed_audit_seq(conn: &Connection, seq: u64) -> Result<()> {
    conn.prepare_cached("UPDATE sync_state SET pushed_audit_seq = MAX(pushed_audit_seq, ?1)")?.execute([seq as i64])?;
    Ok(())
}

pub fn set_pull_cursor(conn: &Connection, cursor: u64) -> Result<()> {
    conn.prepare_cached("UPDATE sync_state SET pull_cursor = ?1")?.execute([cursor as i64])?;
    Ok(())
}

/// Owes the registry a whole snapshot, or settles the debt.
pub fn set_registry_snapshot_owed(conn: &Connection, owed: bool) -> Result<()> {
    conn.prepare_cached("UPDATE sync_state SET registry_snapshot_owed = ?1")?.execute([owed])?;
    Ok(())
}

/// Re-enrolling starts the conversation with the bureau afresh (its feed starts with a snapshot).
pub fn reset(conn: &Connection) -> Result<()> {
    conn.prepare_cached(
        "UPDATE sync_state SET pull_cursor = 0, pushed_audit_seq = 0, registry_snapshot_owed = 0, feed_epoch = NULL,
         last_error = NULL, last_error_code = NULL",
    )?
    .execute([])?;
    Ok(())
}

/// A sync that ended at `at`, with the bureau's clock and the laptop's read at one exchange.
/// The bureau's clock against the laptop's at one exchange (enrolling is one): what the
/// trusted time is reckoned from until the next sync.
pub fn note_bureau_clock(conn: &Connection, bureau_time: DateTime<Utc>, local_time: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "UPDATE sync_state SET bureau_time = ?1, local_time = ?2,
         max_local_time = CASE WHEN max_local_time IS NULL OR max_local_time < ?2 THEN ?2 ELSE max_local_time END",
    )?
    .execute(params![instant_text(bureau_time), instant_text(local_time)])?;
    Ok(())
}

pub fn record_success(
    conn: &Connection,
    at: DateTime<Utc>,
    bureau_time: DateTime<Utc>,
    local_time: DateTime<Utc>,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE sync_state SET last_attempt_at = ?1, last_success_at = ?1, bureau_time = ?2, local_time = ?3,
         last_error = NULL, last_error_code = NULL,
         max_local_time = CASE WHEN max_local_time IS NULL OR max_local_time < ?1 THEN ?1 ELSE max_local_time END",
    )?
    .execute(params![instant_text(at), instant_text(bureau_time), instant_text(local_time)])?;
    Ok(())
}

pub fn record_failure(conn: &Connection, at: DateTime<Utc>, code: ErrorCode, message: &str) -> Result<()> {
    conn.prepare_cached("UPDATE sync_state SET last_attempt_at = ?1, last_error = ?2, last_error_code = ?3")?
        .execute(params![instant_text(at), message, code.as_str()])?;
    Ok(())
}

/// Raises the latest laptop time seen to `now` (never lowers it).
pub fn note_local_time(conn: &Connection, now: DateTime<Utc>) -> Result<()> {
    let text = instant_text(now);
    conn.prepare_cached(
        "UPDATE sync_state SET max_local_time = ?1 WHERE max_local_time IS NULL OR max_local_time < ?1",
    )?
    .execute([text])?;
    Ok(())
}

/// The feed epoch the pull cursor counts in; None before the first pull from a bureau that
/// names one.
pub fn feed_epoch(conn: &Connection) -> Result<Option<String>> {
    Ok(conn.prepare_cached("SELECT feed_epoch FROM sync_state WHERE singleton = 1")?.query_row([], |r| r.get(0))?)
}

/// Pulls from now on count in `epoch`, from `cursor`.
pub fn set_feed_epoch(conn: &Connection, epoch: &str, cursor: u64) -> Result<()> {
    conn.prepare_cached("UPDATE sync_state SET feed_epoch = ?1, pull_cursor = ?2")?
        .execute(params![epoch, cursor as i64])?;
    Ok(())
}
