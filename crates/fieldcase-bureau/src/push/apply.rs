//! Applying one page, item by item, against what the bureau holds: idempotency, conflicts,
//! the audit chain, and what is kept for review.

use chrono::{DateTime, Utc};

use fieldcase_core::ErrorCode;
use fieldcase_core::audit::ChainBreak;
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::DeviceId;
use fieldcase_core::wire::{Fate, ItemResult, PushItem};

use super::evidence::{check_evidence, check_recorder_check};
use super::officers::{inspection_flag, settle_officer_flags};
use super::{Defect, Examined, ExaminedItems, NewReview, PushLedger};
use crate::store::{DeviceRecord, Result, ReviewReason};

/// Applies one page in order as its items are examined, and names the fate of every item.
/// `ledger` is one transaction, committed by the caller only if this returns Ok.
pub fn apply_page(
    ledger: &mut dyn PushLedger,
    device: &DeviceRecord,
    items: ExaminedItems,
    now: DateTime<Utc>,
) -> Result<Vec<ItemResult>> {
    let mut results = Vec::new();
    for examined in items {
        let examined = examined?;
        let fate = apply_item(ledger, device, &examined, now)?;
        results.push(ItemResult { kind: examined.item.kind(), id: examined.item.id(), fate });
    }
    Ok(results)
}

fn apply_item(
    ledger: &mut dyn PushLedger,
    device: &DeviceRecord,
    examined: &Examined,
    now: DateTime<Utc>,
) -> Result<Fate> {
    let from = device.device_id;
    let Examined { item, content_hash: hash, defect, audit_hashes } = examined;
    let hash = *hash;

    // What the record says of itself is checked first, so a tampered record is refused
    // rather than taken for a copy of the one it claims to be.
    match defect {
        Some(Defect::ForReview(reason)) => return reject(ledger, from, item, hash, reason.clone(), now),
        Some(Defect::TooLong(reason)) => {
            tracing::warn!(device = %from, kind = %item.kind(), id = %item.id(), %reason, "pushed item over a text limit, not stored");
            return Ok(Fate::rejected(reason.clone()));
        }
        None => {}
    }

    match ledger.stored_hash(from, item)? {
        Some(existing) if existing == hash => return Ok(Fate::Duplicate),
        Some(existing) => {
            let detail = format!(
                "the bureau already holds {} {} with content hash {existing}; this version ({hash}) was kept for review and the first stays",
                item.kind(),
                item.id()
            );
            ledger.keep_for_review(&NewReview {
                device: from,
                item,
                content_hash: hash,
                reason: ReviewReason::Conflict,
                detail,
                at: now,
            })?;
            return Ok(Fate::Conflict { existing_hash: existing.to_hex() });
        }
        None => {}
    }

    match item {
        PushItem::Site(site) => match ledger.site_by_uscc(&site.uscc)? {
            Some(known) => ledger.insert_site_alias(site, known, from, now)?,
            None => ledger.insert_site(site, from, now)?,
        },
        PushItem::Inspection(inspection) => {
            ledger.insert_inspection(inspection, hash, from, now)?;
            if let Some(detail) = inspection_flag(ledger, inspection, now)? {
                ledger.keep_for_review(&NewReview {
                    device: from,
                    item,
                    content_hash: hash,
                    reason: ReviewReason::Flagged,
                    detail,
                    at: now,
                })?;
            }
        }
        PushItem::CertificateCheck(check) => {
            ledger.insert_check(check, hash, from, now)?;
            settle_officer_flags(ledger, check.id, now)?;
        }
        PushItem::Evidence(evidence) => match check_evidence(ledger, evidence)? {
            None => ledger.insert_evidence(evidence, from, now)?,
            Some((code, reason)) => return reject_with(ledger, from, item, hash, (Some(code), reason), now),
        },
        PushItem::RecorderCheck(check) => match check_recorder_check(ledger, check)? {
            None => ledger.insert_recorder_check(check, from, now)?,
            Some((code, reason)) => return reject_with(ledger, from, item, hash, (Some(code), reason), now),
        },
        PushItem::Audit(run) => {
            // The run reaches past the chain held (a run wholly held was a duplicate or a
            // conflict above). It must start no later than the entry after the last held,
            // and agree with the chain held where they meet.
            let head = ledger.audit_head(from)?;
            let (held_seq, held_hash) = head.unwrap_or((0, ContentHash::ZERO));
            let chain_break = if run.first_seq > held_seq + 1 {
                Some(ChainBreak::Gap { expected: held_seq + 1, found: run.first_seq })
            } else {
                let skip = (held_seq + 1 - run.first_seq) as usize;
                let before = if skip == 0 { run.prev_hash } else { audit_hashes[skip - 1] };
                if before == held_hash {
                    ledger.insert_audit_entries(from, run, audit_hashes, skip, now)?;
                    None
                } else {
                    Some(ChainBreak::BrokenLink { seq: held_seq + 1, previous: held_seq })
                }
            };
            if let Some(chain_break) = chain_break {
                let held = head.map_or_else(|| "none yet".to_owned(), |(seq, _)| format!("up to entry {seq}"));
                let reason = format!(
                    "{chain_break}; the bureau holds this device's audit chain {held}. Push the entries in order from the one after the last held; these entries are kept for review"
                );
                return reject(ledger, from, item, hash, reason, now);
            }
            ledger.resolve_audit_rejections(from, run.last_seq(), now)?;
            return Ok(Fate::Accepted);
        }
    }
    ledger.resolve_reviews(from, item.kind(), &item.id(), ReviewReason::Rejected, "accepted when pushed again", now)?;
    Ok(Fate::Accepted)
}

fn reject(
    ledger: &mut dyn PushLedger,
    device: DeviceId,
    item: &PushItem,
    hash: ContentHash,
    reason: String,
    now: DateTime<Utc>,
) -> Result<Fate> {
    reject_with(ledger, device, item, hash, (None, reason), now)
}

/// [`reject`], with the code programs tell the refusal by, if it has one.
fn reject_with(
    ledger: &mut dyn PushLedger,
    device: DeviceId,
    item: &PushItem,
    hash: ContentHash,
    (code, reason): (Option<ErrorCode>, String),
    now: DateTime<Utc>,
) -> Result<Fate> {
    ledger.keep_for_review(&NewReview {
        device,
        item,
        content_hash: hash,
        reason: ReviewReason::Rejected,
        detail: reason.clone(),
        at: now,
    })?;
    Ok(Fate::Rejected { reason, code })
}
