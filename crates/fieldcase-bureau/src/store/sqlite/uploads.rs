//! The `uploads` table: one row per evidence upload, with its offset, whole-file hasher state,
//! staged state and lease.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use fieldcase_storage::columns::{conversion_error, instant, instant_opt, instant_text, parsed};

use crate::blobs::StagedState;
use crate::store::{Lease, Progress, Result, UploadRecord, UploadState};

const COLUMNS: &str = "id, device_id, evidence_id, upload_length, upload_offset, hasher, staged, state, created_at, \
                       expires_at, lease_holder, lease_until";

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn row(r: &Row<'_>) -> rusqlite::Result<UploadRecord> {
    let state: String = r.get(7)?;
    let state = UploadState::parse(&state)
        .ok_or_else(|| conversion_error(7, crate::store::StoreError::Corrupt(format!("upload state '{state}'"))))?;
    let lease = match (r.get::<_, Option<String>>(10)?, instant_opt(r, 11)?) {
        (Some(holder), Some(until)) => Some(Lease { holder, until }),
        _ => None,
    };
    Ok(UploadRecord {
        id: r.get(0)?,
        device_id: parsed(r, 1)?,
        evidence_id: parsed(r, 2)?,
        length: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
        offset: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
        hasher: r.get(5)?,
        staged: StagedState(r.get(6)?),
        state,
        created_at: instant(r, 8)?,
        expires_at: instant(r, 9)?,
        lease,
    })
}

pub fn insert(conn: &Connection, upload: &UploadRecord) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO uploads ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    ))?
    .execute(params![
        upload.id,
        upload.device_id.to_string(),
        upload.evidence_id.to_string(),
        count(upload.length),
        count(upload.offset),
        upload.hasher,
        upload.staged.0,
        upload.state.as_str(),
        instant_text(upload.created_at),
        instant_text(upload.expires_at),
        upload.lease.as_ref().map(|l| l.holder.clone()),
        upload.lease.as_ref().map(|l| instant_text(l.until)),
    ])?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<UploadRecord>> {
    Ok(conn.prepare_cached(&format!("SELECT {COLUMNS} FROM uploads WHERE id = ?1"))?.query_row([id], row).optional()?)
}

pub fn set_lease(conn: &Connection, id: &str, lease: Option<&Lease>) -> Result<()> {
    conn.prepare_cached("UPDATE uploads SET lease_holder = ?2, lease_until = ?3 WHERE id = ?1")?.execute(params![
        id,
        lease.map(|l| l.holder.clone()),
        lease.map(|l| instant_text(l.until)),
    ])?;
    Ok(())
}

/// Moves `holder`'s lease on; false if `holder` does not hold it.
pub fn renew_lease(conn: &Connection, id: &str, holder: &str, until: DateTime<Utc>) -> Result<bool> {
    let changed = conn
        .prepare_cached("UPDATE uploads SET lease_until = ?3 WHERE id = ?1 AND lease_holder = ?2")?
        .execute(params![id, holder, instant_text(until)])?;
    Ok(changed == 1)
}

/// Gives up `holder`'s lease, if it still holds it.
pub fn release_lease(conn: &Connection, id: &str, holder: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE uploads SET lease_holder = NULL, lease_until = NULL WHERE id = ?1 AND lease_holder = ?2",
    )?
    .execute(params![id, holder])?;
    Ok(())
}

/// Records a chunk under `holder`'s lease; false if `holder` does not hold it.
pub fn advance(conn: &Connection, id: &str, holder: &str, progress: &Progress) -> Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE uploads SET upload_offset = ?3, hasher = ?4, staged = ?5, expires_at = ?6
             WHERE id = ?1 AND lease_holder = ?2 AND state = 'open'",
        )?
        .execute(params![
            id,
            holder,
            count(progress.offset),
            progress.hasher,
            progress.staged.0,
            instant_text(progress.expires_at)
        ])?;
    Ok(changed == 1)
}

/// Moves an open upload to `state` (and frees its lease); false if it was not open.
pub fn close(conn: &Connection, id: &str, state: UploadState) -> Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE uploads SET state = ?2, lease_holder = NULL, lease_until = NULL WHERE id = ?1 AND state = 'open'",
        )?
        .execute(params![id, state.as_str()])?;
    Ok(changed == 1)
}
