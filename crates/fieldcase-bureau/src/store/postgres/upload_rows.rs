//! The `evidence`, `recorder_checks`, `uploads`, `evidence_blobs` and `evidence_custody`
//! tables: what devices say of their evidence files, and how the bureau received the bytes.

use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::evidence::{EvidenceRef, RecorderCheck};
use fieldcase_core::ids::{DeviceId, EvidenceId, InspectionId, RecorderCheckId};
use fieldcase_core::upload::VerdictOutcome;
use fieldcase_storage::columns::record_text;

use super::ledger::{Write, owned};
use super::rows::{Tx, big, exec, get, json, parsed, row_opt, rows, unsigned};
use crate::blobs::{BlobKey, StagedState};
use crate::store::{
    CustodyEntry, CustodyEvent, EvidenceBlob, HeldEvidence, Lease, Progress, Result, StoreError, UploadRecord,
    UploadState,
};

pub(super) async fn evidence_hash(tx: &Tx<'_>, id: EvidenceId) -> Result<Option<ContentHash>> {
    let found = row_opt(tx, "SELECT content_hash FROM evidence WHERE id = $1", &[&id.to_string()]).await?;
    found.map(|r| parsed(&r, 0)).transpose()
}

/// The reference an upload names, as uploads need it.
pub(super) async fn held_evidence(tx: &Tx<'_>, id: EvidenceId) -> Result<Option<HeldEvidence>> {
    let found =
        row_opt(tx, "SELECT id, device_id, sha256, size FROM evidence WHERE id = $1", &[&id.to_string()]).await?;
    found
        .map(|r| {
            Ok(HeldEvidence {
                evidence_id: parsed(&r, 0)?,
                device_id: parsed(&r, 1)?,
                sha256: parsed(&r, 2)?,
                size: unsigned(&r, 3)?,
            })
        })
        .transpose()
}

pub(super) fn evidence_write(e: &EvidenceRef, from: DeviceId, at: DateTime<Utc>) -> Result<Write> {
    Ok(Write::new(
        "INSERT INTO evidence (id, inspection_id, sha256, size, device_id, record, content_hash, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        owned![
            e.id.to_string(),
            e.inspection_id.to_string(),
            e.sha256.to_hex(),
            big(e.size),
            from.to_string(),
            record_text(e)?,
            ContentHash::of(e).to_hex(),
            at,
        ],
    ))
}

/// The references held for an inspection, by id.
pub(super) async fn evidence_of(tx: &Tx<'_>, inspection: InspectionId) -> Result<Vec<EvidenceRef>> {
    let found =
        rows(tx, "SELECT record FROM evidence WHERE inspection_id = $1 ORDER BY id", &[&inspection.to_string()])
            .await?;
    found.iter().map(|r| json(r, 0)).collect()
}

pub(super) async fn recorder_check_hash(tx: &Tx<'_>, id: RecorderCheckId) -> Result<Option<ContentHash>> {
    let found = row_opt(tx, "SELECT content_hash FROM recorder_checks WHERE id = $1", &[&id.to_string()]).await?;
    found.map(|r| parsed(&r, 0)).transpose()
}

pub(super) fn recorder_check_write(c: &RecorderCheck, from: DeviceId, at: DateTime<Utc>) -> Result<Write> {
    Ok(Write::new(
        "INSERT INTO recorder_checks (id, inspection_id, recorder_id, device_id, record, content_hash, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        owned![
            c.id.to_string(),
            c.inspection_id.to_string(),
            c.recorder_id.clone(),
            from.to_string(),
            record_text(c)?,
            ContentHash::of(c).to_hex(),
            at,
        ],
    ))
}

/// The checks held for an inspection, oldest first.
pub(super) async fn recorder_checks_of(tx: &Tx<'_>, inspection: InspectionId) -> Result<Vec<RecorderCheck>> {
    let found = rows(
        tx,
        "SELECT record FROM recorder_checks WHERE inspection_id = $1 ORDER BY received_at, id",
        &[&inspection.to_string()],
    )
    .await?;
    found.iter().map(|r| json(r, 0)).collect()
}

const UPLOAD_COLUMNS: &str = "id, device_id, evidence_id, upload_length, upload_offset, hasher, staged, state, \
                              created_at, expires_at, lease_holder, lease_until";

fn upload(r: &Row) -> Result<UploadRecord> {
    let state: &str = get(r, 7)?;
    let state = UploadState::parse(state).ok_or_else(|| StoreError::Corrupt(format!("upload state '{state}'")))?;
    let lease = match (get::<Option<String>>(r, 10)?, get::<Option<DateTime<Utc>>>(r, 11)?) {
        (Some(holder), Some(until)) => Some(Lease { holder, until }),
        _ => None,
    };
    Ok(UploadRecord {
        id: get(r, 0)?,
        device_id: parsed(r, 1)?,
        evidence_id: parsed(r, 2)?,
        length: unsigned(r, 3)?,
        offset: unsigned(r, 4)?,
        hasher: get(r, 5)?,
        staged: StagedState(get(r, 6)?),
        state,
        created_at: get(r, 8)?,
        expires_at: get(r, 9)?,
        lease,
    })
}

pub(super) async fn insert_upload(tx: &Tx<'_>, u: &UploadRecord) -> Result<()> {
    let sql =
        format!("INSERT INTO uploads ({UPLOAD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
    exec(
        tx,
        &sql,
        &[
            &u.id,
            &u.device_id.to_string(),
            &u.evidence_id.to_string(),
            &big(u.length),
            &big(u.offset),
            &u.hasher,
            &u.staged.0,
            &u.state.as_str(),
            &u.created_at,
            &u.expires_at,
            &u.lease.as_ref().map(|l| l.holder.clone()),
            &u.lease.as_ref().map(|l| l.until),
        ],
    )
    .await?;
    Ok(())
}

/// The upload; with `lock`, its row stays locked until the transaction ends (to take its
/// lease, deciding on what no other process can change meanwhile).
pub(super) async fn upload_row(tx: &Tx<'_>, id: &str, lock: bool) -> Result<Option<UploadRecord>> {
    let sql = format!("SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = $1{}", if lock { " FOR UPDATE" } else { "" });
    row_opt(tx, &sql, &[&id]).await?.as_ref().map(upload).transpose()
}

pub(super) async fn set_lease(tx: &Tx<'_>, id: &str, lease: &Lease) -> Result<()> {
    exec(
        tx,
        "UPDATE uploads SET lease_holder = $2, lease_until = $3 WHERE id = $1",
        &[&id, &lease.holder, &lease.until],
    )
    .await?;
    Ok(())
}

/// Moves `holder`'s lease on; false if `holder` does not hold it.
pub(super) async fn renew_lease(tx: &Tx<'_>, id: &str, holder: &str, until: DateTime<Utc>) -> Result<bool> {
    let changed =
        exec(tx, "UPDATE uploads SET lease_until = $3 WHERE id = $1 AND lease_holder = $2", &[&id, &holder, &until])
            .await?;
    Ok(changed == 1)
}

/// Gives up `holder`'s lease, if it still holds it.
pub(super) async fn release_lease(tx: &Tx<'_>, id: &str, holder: &str) -> Result<()> {
    exec(
        tx,
        "UPDATE uploads SET lease_holder = NULL, lease_until = NULL WHERE id = $1 AND lease_holder = $2",
        &[&id, &holder],
    )
    .await?;
    Ok(())
}

/// Records a chunk under `holder`'s lease; false if `holder` does not hold it.
pub(super) async fn advance(tx: &Tx<'_>, id: &str, holder: &str, p: &Progress) -> Result<bool> {
    let changed = exec(
        tx,
        "UPDATE uploads SET upload_offset = $3, hasher = $4, staged = $5, expires_at = $6
         WHERE id = $1 AND lease_holder = $2 AND state = 'open'",
        &[&id, &holder, &big(p.offset), &p.hasher, &p.staged.0, &p.expires_at],
    )
    .await?;
    Ok(changed == 1)
}

/// Moves an open upload to `state` (and frees its lease); false if it was not open.
pub(super) async fn close(tx: &Tx<'_>, id: &str, state: UploadState) -> Result<bool> {
    let changed = exec(
        tx,
        "UPDATE uploads SET state = $2, lease_holder = NULL, lease_until = NULL WHERE id = $1 AND state = 'open'",
        &[&id, &state.as_str()],
    )
    .await?;
    Ok(changed == 1)
}

fn outcome_text(outcome: VerdictOutcome) -> &'static str {
    match outcome {
        VerdictOutcome::Verified => "verified",
        VerdictOutcome::Mismatch => "mismatch",
    }
}

pub(super) async fn insert_blob(tx: &Tx<'_>, b: &EvidenceBlob) -> Result<()> {
    exec(
        tx,
        "INSERT INTO evidence_blobs (upload_id, evidence_id, blob_key, sha256, bytes, outcome, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &b.upload_id,
            &b.evidence_id.to_string(),
            &b.key.as_str(),
            &b.sha256.to_hex(),
            &big(b.bytes),
            &outcome_text(b.outcome),
            &b.decided_at,
        ],
    )
    .await?;
    Ok(())
}

/// Every decided file, oldest first.
pub(super) async fn blobs(tx: &Tx<'_>) -> Result<Vec<EvidenceBlob>> {
    let found = rows(
        tx,
        "SELECT upload_id, evidence_id, blob_key, sha256, bytes, outcome, decided_at FROM evidence_blobs
         ORDER BY decided_at, upload_id",
        &[],
    )
    .await?;
    found
        .iter()
        .map(|r| {
            let key: &str = get(r, 2)?;
            let outcome = match get::<&str>(r, 5)? {
                "verified" => VerdictOutcome::Verified,
                "mismatch" => VerdictOutcome::Mismatch,
                other => return Err(StoreError::Corrupt(format!("verdict '{other}'"))),
            };
            Ok(EvidenceBlob {
                upload_id: get(r, 0)?,
                evidence_id: parsed(r, 1)?,
                key: BlobKey::parse(key).ok_or_else(|| StoreError::Corrupt(format!("blob key '{key}'")))?,
                sha256: parsed(r, 3)?,
                bytes: unsigned(r, 4)?,
                outcome,
                decided_at: get(r, 6)?,
            })
        })
        .collect()
}

pub(super) async fn append_custody(tx: &Tx<'_>, e: &CustodyEntry) -> Result<()> {
    exec(
        tx,
        "INSERT INTO evidence_custody (evidence_id, upload_id, at, actor, event, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&e.evidence_id.to_string(), &e.upload_id, &e.at, &e.actor, &e.event.as_str(), &e.detail],
    )
    .await?;
    Ok(())
}

/// One file's entries, in the order they were made.
pub(super) async fn custody_of(tx: &Tx<'_>, evidence: EvidenceId) -> Result<Vec<CustodyEntry>> {
    let found = rows(
        tx,
        "SELECT evidence_id, upload_id, at, actor, event, detail FROM evidence_custody WHERE evidence_id = $1 ORDER BY seq",
        &[&evidence.to_string()],
    )
    .await?;
    found
        .iter()
        .map(|r| {
            let event: &str = get(r, 4)?;
            Ok(CustodyEntry {
                evidence_id: parsed(r, 0)?,
                upload_id: get(r, 1)?,
                at: get(r, 2)?,
                actor: get(r, 3)?,
                event: CustodyEvent::parse(event)
                    .ok_or_else(|| StoreError::Corrupt(format!("custody event '{event}'")))?,
                detail: get(r, 5)?,
            })
        })
        .collect()
}
