//! The `reviews` table: pushed items that wait for a person at the bureau.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::codes::RecordKind;
use fieldcase_core::ids::DeviceId;
use fieldcase_storage::columns::{conversion_error, instant, instant_opt, instant_text, json, parsed, record_text};

use crate::push::NewReview;
use crate::store::{Result, ReviewItem, ReviewReason, ReviewScope, StoreError};

fn record_kind(r: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<RecordKind> {
    let text: String = r.get(column)?;
    RecordKind::parse(&text)
        .ok_or_else(|| conversion_error(column, StoreError::Corrupt(format!("unknown record kind '{text}'"))))
}

/// Keeps an item for review; the same item, version and reason again counts up and is open
/// again.
pub fn keep(conn: &Connection, review: &NewReview<'_>) -> Result<()> {
    let at = instant_text(review.at);
    conn.prepare_cached("INSERT INTO reviews (device_id, kind, item_id, content_hash, record_hash, reason, detail, record, first_received_at, last_received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
         ON CONFLICT (device_id, kind, item_id, record_hash, reason) DO UPDATE SET
             times = times + 1, detail = excluded.detail, last_received_at = excluded.last_received_at,
             resolved_at = NULL, resolution = NULL")?.execute(params![
            review.device.to_string(),
            review.item.kind().as_str(),
            review.item.id(),
            review.content_hash.to_hex(),
            ContentHash::of(review.item).to_hex(),
            review.reason.as_str(),
            review.detail,
            record_text(review.item)?,
            at,
        ],
    )?;
    Ok(())
}

/// Rewrites the detail of the open reviews of an item for a reason.
pub fn refresh(
    conn: &Connection,
    device: DeviceId,
    kind: RecordKind,
    id: &str,
    reason: ReviewReason,
    detail: &str,
) -> Result<()> {
    conn.prepare_cached("UPDATE reviews SET detail = ?5 WHERE device_id = ?1 AND kind = ?2 AND item_id = ?3 AND reason = ?4 AND resolved_at IS NULL")?.execute(params![device.to_string(), kind.as_str(), id, reason.as_str(), detail],
    )?;
    Ok(())
}

/// Whether any review of the device's items is still open.
pub fn any_open(conn: &Connection, device: DeviceId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM reviews WHERE device_id = ?1 AND resolved_at IS NULL)")?
        .query_row([device.to_string()], |r| r.get(0))?)
}

/// Settles the rejected audit runs (`first-last`) of a device that end at or before `through`.
pub fn resolve_audit_rejections(conn: &Connection, device: DeviceId, through: u64, at: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "UPDATE reviews SET resolved_at = ?3, resolution = 'the chain was accepted through these entries when pushed again'
         WHERE device_id = ?1 AND kind = 'audit' AND reason = 'rejected' AND resolved_at IS NULL
           AND CAST(substr(item_id, instr(item_id, '-') + 1) AS INTEGER) <= ?2",
    )?
    .execute(params![device.to_string(), i64::try_from(through).unwrap_or(i64::MAX), instant_text(at)])?;
    Ok(())
}

pub fn resolve(
    conn: &Connection,
    device: DeviceId,
    kind: RecordKind,
    id: &str,
    reason: ReviewReason,
    resolution: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE reviews SET resolved_at = ?5, resolution = ?6
         WHERE device_id = ?1 AND kind = ?2 AND item_id = ?3 AND reason = ?4 AND resolved_at IS NULL",
    )?
    .execute(params![device.to_string(), kind.as_str(), id, reason.as_str(), instant_text(at), resolution])?;
    Ok(())
}

/// Open items first, then the newest.
pub fn list(conn: &Connection, scope: ReviewScope) -> Result<Vec<ReviewItem>> {
    let filter = match scope {
        ReviewScope::Open => "WHERE resolved_at IS NULL",
        ReviewScope::All => "",
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT id, device_id, kind, item_id, reason, detail, content_hash, first_received_at, last_received_at, times,
                resolved_at, resolution, record
         FROM reviews {filter} ORDER BY resolved_at IS NOT NULL, last_received_at DESC, id DESC"
    ))?;
    let rows = stmt
        .query_map([], |r| {
            let reason: String = r.get(4)?;
            Ok((
                reason,
                ReviewItem {
                    id: r.get(0)?,
                    device_id: parsed(r, 1)?,
                    kind: record_kind(r, 2)?,
                    item_id: r.get(3)?,
                    reason: ReviewReason::Flagged,
                    detail: r.get(5)?,
                    content_hash: parsed(r, 6)?,
                    first_received_at: instant(r, 7)?,
                    last_received_at: instant(r, 8)?,
                    times: r.get(9)?,
                    resolved_at: instant_opt(r, 10)?,
                    resolution: r.get(11)?,
                    record: json(r, 12)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(reason, mut item)| {
            item.reason = ReviewReason::parse(&reason)
                .ok_or_else(|| StoreError::Corrupt(format!("review {} has an unknown reason '{reason}'", item.id)))?;
            Ok(item)
        })
        .collect()
}
