//! The `reviews` and `audit_entries` tables: pushed items that wait for a person at the
//! bureau, and each device's audit chain as far as it holds (hashes as their 32 bytes).

use chrono::{DateTime, Utc};

use fieldcase_core::audit::AuditRun;
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::codes::RecordKind;
use fieldcase_core::ids::DeviceId;
use fieldcase_storage::columns::record_text;

use super::ledger::{Write, owned};
use super::rows::{Tx, big, exec, get, json, one, parsed, row_opt, rows, unsigned};
use crate::push::NewReview;
use crate::store::{Result, ReviewItem, ReviewReason, ReviewScope, StoreError};

/// Keeps an item for review; the same item, version and reason again counts up and is open
/// again.
pub(super) async fn keep(tx: &Tx<'_>, review: &NewReview<'_>) -> Result<()> {
    exec(
        tx,
        "INSERT INTO reviews (device_id, kind, item_id, content_hash, record_hash, reason, detail, record,
                              first_received_at, last_received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
         ON CONFLICT (device_id, kind, item_id, record_hash, reason) DO UPDATE SET
             times = reviews.times + 1, detail = EXCLUDED.detail, last_received_at = EXCLUDED.last_received_at,
             resolved_at = NULL, resolution = NULL",
        &[
            &review.device.to_string(),
            &review.item.kind().as_str(),
            &review.item.id(),
            &review.content_hash.to_hex(),
            &ContentHash::of(review.item).to_hex(),
            &review.reason.as_str(),
            &review.detail,
            &record_text(review.item)?,
            &review.at,
        ],
    )
    .await?;
    Ok(())
}

/// Rewrites the detail of the open reviews of an item for a reason.
pub(super) async fn refresh(
    tx: &Tx<'_>,
    device: DeviceId,
    kind: RecordKind,
    id: &str,
    reason: ReviewReason,
    detail: &str,
) -> Result<()> {
    exec(
        tx,
        "UPDATE reviews SET detail = $5
         WHERE device_id = $1 AND kind = $2 AND item_id = $3 AND reason = $4 AND resolved_at IS NULL",
        &[&device.to_string(), &kind.as_str(), &id, &reason.as_str(), &detail],
    )
    .await?;
    Ok(())
}

/// Whether any review of the device's items is still open.
pub(super) async fn any_open(tx: &Tx<'_>, device: DeviceId) -> Result<bool> {
    let row = one(
        tx,
        "SELECT EXISTS (SELECT 1 FROM reviews WHERE device_id = $1 AND resolved_at IS NULL)",
        &[&device.to_string()],
    )
    .await?;
    get(&row, 0)
}

/// Settles the rejected audit runs (`first-last`) of a device that end at or before `through`.
pub(super) async fn resolve_audit_rejections(
    tx: &Tx<'_>,
    device: DeviceId,
    through: u64,
    at: DateTime<Utc>,
) -> Result<()> {
    exec(
        tx,
        "UPDATE reviews SET resolved_at = $3,
                resolution = 'the chain was accepted through these entries when pushed again'
         WHERE device_id = $1 AND kind = 'audit' AND reason = 'rejected' AND resolved_at IS NULL
           AND item_id ~ '^[0-9]+-[0-9]{1,18}$'
           AND substring(item_id FROM position('-' IN item_id) + 1)::bigint <= $2",
        &[&device.to_string(), &big(through), &at],
    )
    .await?;
    Ok(())
}

pub(super) async fn resolve(
    tx: &Tx<'_>,
    device: DeviceId,
    kind: RecordKind,
    id: &str,
    reason: ReviewReason,
    resolution: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    exec(
        tx,
        "UPDATE reviews SET resolved_at = $5, resolution = $6
         WHERE device_id = $1 AND kind = $2 AND item_id = $3 AND reason = $4 AND resolved_at IS NULL",
        &[&device.to_string(), &kind.as_str(), &id, &reason.as_str(), &at, &resolution],
    )
    .await?;
    Ok(())
}

/// Open items first, then the newest.
pub(super) async fn list(tx: &Tx<'_>, scope: ReviewScope) -> Result<Vec<ReviewItem>> {
    let filter = match scope {
        ReviewScope::Open => "WHERE resolved_at IS NULL",
        ReviewScope::All => "",
    };
    let sql = format!(
        "SELECT id, device_id, kind, item_id, reason, detail, content_hash, first_received_at, last_received_at, times,
                resolved_at, resolution, record
         FROM reviews {filter} ORDER BY resolved_at IS NOT NULL, last_received_at DESC, id DESC"
    );
    rows(tx, &sql, &[])
        .await?
        .iter()
        .map(|r| {
            let id: i64 = get(r, 0)?;
            let (kind, reason): (&str, &str) = (get(r, 2)?, get(r, 4)?);
            let times: i32 = get(r, 9)?;
            Ok(ReviewItem {
                id,
                device_id: parsed(r, 1)?,
                kind: RecordKind::parse(kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("review {id} has an unknown record kind '{kind}'")))?,
                item_id: get(r, 3)?,
                reason: ReviewReason::parse(reason)
                    .ok_or_else(|| StoreError::Corrupt(format!("review {id} has an unknown reason '{reason}'")))?,
                detail: get(r, 5)?,
                content_hash: parsed(r, 6)?,
                first_received_at: get(r, 7)?,
                last_received_at: get(r, 8)?,
                times: u32::try_from(times).unwrap_or(0),
                resolved_at: get(r, 10)?,
                resolution: get(r, 11)?,
                record: json(r, 12)?,
            })
        })
        .collect()
}

fn hash_column(row: &tokio_postgres::Row, i: usize) -> Result<ContentHash> {
    let bytes: &[u8] = get(row, i)?;
    let digest: [u8; 32] =
        bytes.try_into().map_err(|_| StoreError::Corrupt(format!("an audit hash of {} bytes", bytes.len())))?;
    Ok(ContentHash::from_digest(digest))
}

pub(super) async fn audit_hash(tx: &Tx<'_>, device: DeviceId, seq: u64) -> Result<Option<ContentHash>> {
    let found = row_opt(
        tx,
        "SELECT hash FROM audit_entries WHERE device_id = $1 AND seq = $2",
        &[&device.to_string(), &big(seq)],
    )
    .await?;
    found.map(|r| hash_column(&r, 0)).transpose()
}

/// The number and hash of the device's last entry held.
pub(super) async fn audit_head(tx: &Tx<'_>, device: DeviceId) -> Result<Option<(u64, ContentHash)>> {
    let found = row_opt(
        tx,
        "SELECT seq, hash FROM audit_entries WHERE device_id = $1 ORDER BY seq DESC LIMIT 1",
        &[&device.to_string()],
    )
    .await?;
    found.map(|r| Ok((unsigned(&r, 0)?, hash_column(&r, 1)?))).transpose()
}

/// Stores the entries of `run` from its `skip`-th on, each with its hash from `hashes`, in
/// one statement (a run may hold thousands); None when there are none.
pub(super) fn run_write(
    device: DeviceId,
    run: &AuditRun,
    hashes: &[ContentHash],
    skip: usize,
    at: DateTime<Utc>,
) -> Option<Write> {
    let mut prev_hash = if skip == 0 { run.prev_hash } else { hashes[skip - 1] };
    let (mut seqs, mut prevs, mut ats, mut actors, mut actions, mut subjects, mut payloads, mut own) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for ((step, hash), seq) in run.steps.iter().zip(hashes).zip(run.first_seq..).skip(skip) {
        seqs.push(big(seq));
        prevs.push(prev_hash.as_bytes().to_vec());
        // The entry's own instant exactly as the device wrote it: its hash covers it.
        ats.push(step.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
        actors.push(step.actor.clone());
        actions.push(step.action.clone());
        subjects.push(step.subject.clone());
        payloads.push(step.payload_hash.as_bytes().to_vec());
        own.push(hash.as_bytes().to_vec());
        prev_hash = *hash;
    }
    if seqs.is_empty() {
        return None;
    }
    Some(Write::new(
        "INSERT INTO audit_entries (device_id, seq, prev_hash, at, actor, action, subject, payload_hash, hash, received_at)
         SELECT $1::text, *, $10::timestamptz FROM unnest($2::bigint[], $3::bytea[], $4::text[], $5::text[],
                                                           $6::text[], $7::text[], $8::bytea[], $9::bytea[])",
        owned![device.to_string(), seqs, prevs, ats, actors, actions, subjects, payloads, own, at],
    ))
}
