//! The `audit_entries` table: each device's audit chain, as far as it holds. Hashes are
//! kept as their 32 bytes.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::audit::{AuditRun, AuditStep};
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::DeviceId;

use crate::store::Result;
use fieldcase_storage::columns::instant_text;

fn hash_column(r: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<ContentHash> {
    r.get::<_, [u8; 32]>(column).map(ContentHash::from_digest)
}

const COLUMNS: &str = "seq, prev_hash, at, actor, action, subject, payload_hash, hash";

pub fn stored_hash(conn: &Connection, device: DeviceId, seq: u64) -> Result<Option<ContentHash>> {
    Ok(conn
        .prepare_cached("SELECT hash FROM audit_entries WHERE device_id = ?1 AND seq = ?2")?
        .query_row(params![device.to_string(), i64::try_from(seq).unwrap_or(i64::MAX)], |r| hash_column(r, 0))
        .optional()?)
}

/// The number and hash of the device's last entry held.
pub fn head(conn: &Connection, device: DeviceId) -> Result<Option<(u64, ContentHash)>> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM audit_entries WHERE device_id = ?1 ORDER BY seq DESC LIMIT 1")?
        .query_row([device.to_string()], |r| Ok((r.get::<_, i64>(0)? as u64, hash_column(r, 1)?)))
        .optional()?)
}

/// Entries stored by one statement: a statement's setup and its trip through the VM cost
/// about as much as writing a row, so a run is stored this many rows at a time.
const ROWS_PER_INSERT: usize = 32;

/// Stores the entries of `run` from its `skip`-th on, each with its hash from `hashes`.
pub fn insert_run(
    conn: &Connection,
    device: DeviceId,
    run: &AuditRun,
    hashes: &[ContentHash],
    skip: usize,
    at: DateTime<Utc>,
) -> Result<()> {
    let (device, received_at) = (device.to_string(), instant_text(at));
    let mut prev_hash = if skip == 0 { run.prev_hash } else { hashes[skip - 1] };
    // Each row's own values; the device and the time received are the same for all.
    let mut rows = Vec::with_capacity(run.steps.len().saturating_sub(skip));
    for ((step, hash), seq) in run.steps.iter().zip(hashes).zip(run.first_seq..).skip(skip) {
        rows.push((
            i64::try_from(seq).unwrap_or(i64::MAX),
            prev_hash,
            // The entry's own instant exactly as the device wrote it: its hash covers it.
            step.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            step,
            *hash,
        ));
        prev_hash = *hash;
    }
    let mut chunks = rows.chunks_exact(ROWS_PER_INSERT);
    for chunk in chunks.by_ref() {
        insert_rows(conn, &device, &received_at, chunk)?;
    }
    for row in chunks.remainder() {
        insert_rows(conn, &device, &received_at, std::slice::from_ref(row))?;
    }
    Ok(())
}

/// An entry's sequence number, the hash before it, its instant as written, its step and its hash.
type Row<'a> = (i64, ContentHash, String, &'a AuditStep, ContentHash);

/// The parameters of each row after the two all rows share (`?1` the device, `?2` the time
/// received): the eight of [`COLUMNS`].
const PER_ROW: usize = 8;

/// The INSERT of `rows` rows (one or [`ROWS_PER_INSERT`]), written once.
fn insert_sql(rows: usize) -> &'static str {
    debug_assert!(rows == 1 || rows == ROWS_PER_INSERT, "{rows} rows: no statement is written for them");
    static ONE: OnceLock<String> = OnceLock::new();
    static MANY: OnceLock<String> = OnceLock::new();
    let sql = |rows: usize| {
        let values: Vec<String> = (0..rows)
            .map(|i| {
                let own: Vec<String> = (0..PER_ROW).map(|k| format!("?{}", 3 + i * PER_ROW + k)).collect();
                format!("(?1, {}, ?2)", own.join(", "))
            })
            .collect();
        format!("INSERT INTO audit_entries (device_id, {COLUMNS}, received_at) VALUES {}", values.join(", "))
    };
    if rows == 1 { ONE.get_or_init(|| sql(1)) } else { MANY.get_or_init(|| sql(ROWS_PER_INSERT)) }
}

/// One INSERT of `rows` (one or [`ROWS_PER_INSERT`] of them: two statements kept prepared).
fn insert_rows(conn: &Connection, device: &str, received_at: &str, rows: &[Row<'_>]) -> Result<()> {
    let mut stmt = conn.prepare_cached(insert_sql(rows.len()))?;
    stmt.raw_bind_parameter(1, device)?;
    stmt.raw_bind_parameter(2, received_at)?;
    for (i, (seq, prev_hash, at, step, hash)) in rows.iter().enumerate() {
        let first = 3 + i * PER_ROW;
        stmt.raw_bind_parameter(first, seq)?;
        stmt.raw_bind_parameter(first + 1, prev_hash.as_bytes())?;
        stmt.raw_bind_parameter(first + 2, at)?;
        stmt.raw_bind_parameter(first + 3, &step.actor)?;
        stmt.raw_bind_parameter(first + 4, &step.action)?;
        stmt.raw_bind_parameter(first + 5, &step.subject)?;
        stmt.raw_bind_parameter(first + 6, step.payload_hash.as_bytes())?;
        stmt.raw_bind_parameter(first + 7, hash.as_bytes())?;
    }
    stmt.raw_execute()?;
    Ok(())
}
