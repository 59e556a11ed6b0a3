//! The `audit_entries` table: each device's audit chain, as far as it holds. Hashes are
//! kept as their 32 bytes.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::audit::AuditRun;
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

/// Stores the entries of `run` from its `skip`-th on, each with its hash from `hashes`.
pub fn insert_run(
    conn: &Connection,
    device: DeviceId,
    run: &AuditRun,
    hashes: &[ContentHash],
    skip: usize,
    at: DateTime<Utc>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(&format!(
        "INSERT INTO audit_entries (device_id, {COLUMNS}, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    ))?;
    let (device, received_at) = (device.to_string(), instant_text(at));
    let mut prev_hash = if skip == 0 { run.prev_hash } else { hashes[skip - 1] };
    for ((step, hash), seq) in run.steps.iter().zip(hashes).zip(run.first_seq..).skip(skip) {
        stmt.execute(params![
            device,
            i64::try_from(seq).unwrap_or(i64::MAX),
            prev_hash.as_bytes(),
            // The entry's own instant exactly as the device wrote it: its hash covers it.
            step.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            step.actor,
            step.action,
            step.subject,
            step.payload_hash.as_bytes(),
            hash.as_bytes(),
            received_at,
        ])?;
        prev_hash = *hash;
    }
    Ok(())
}
