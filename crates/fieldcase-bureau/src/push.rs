//! What becomes of each record a device pushes: the bureau's decisions, written once for
//! every storage backend.
//!
//! An [`Examiner`] first checks what each item says of itself (hashes, seals), outside any
//! transaction. A backend then opens one transaction per page and hands [`apply_page`] a
//! [`PushLedger`] over it; the ledger only reads and writes rows, the decisions are made here:
//!
//! - idempotency by `(kind, id, content hash)`: the same pair again is a duplicate, the same
//!   id with another hash a conflict (the first version stays, the pushed one is kept for
//!   review);
//! - an inspection must be finalized with a seal over its content, signed by the pushing
//!   device; one resting on fewer than two distinct officers whose certificates were valid
//!   at its start — by the checks the bureau holds, re-checked against the registry's history
//!   at that instant — is stored and flagged for review (the flag is settled when the
//!   missing checks arrive, and its reason kept up to date);
//! - audit entries come in runs that must hash to the hash they claim to end on, and continue
//!   (or overlap, agreeing with) the chain the bureau holds for that device;
//! - a site whose unified social credit code the bureau knows joins that site.

use std::collections::BTreeSet;
use std::ops::Range;

use chrono::{DateTime, Utc};
use serde_json::value::RawValue;

use fieldcase_core::audit::{AuditRun, ChainBreak};
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::certificate::{AREA_LABOR_INSPECTION, CertificateCheck, CheckResult};
use fieldcase_core::evidence::EvidenceRef;
use fieldcase_core::ids::{CheckId, DeviceId, OfficerId, SiteId};
use fieldcase_core::inspection::{Inspection, InspectionStatus};
use fieldcase_core::rules::MIN_CHECKED_OFFICERS;
use fieldcase_core::signing::{SignatureError, Signed, Verifier};
use fieldcase_core::site::Site;
use fieldcase_core::time::{beijing, format_beijing};
use fieldcase_core::uscc::Uscc;
use fieldcase_core::wire::{Fate, ItemResult, MAX_PUSH_PAGE, PushItem};

use crate::certificates::CertificateEvent;
use crate::store::{DeviceRecord, Result, ReviewReason};

/// Something to keep for a person at the bureau.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReview<'a> {
    pub device: DeviceId,
    pub item: &'a PushItem,
    pub content_hash: ContentHash,
    pub reason: ReviewReason,
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// The reads and writes a push needs, inside one transaction of a backend.
pub trait PushLedger {
    /// The hash stored under this item's id (for an audit run: the hash of the pushing
    /// device's entry with the run's last number; for sites: a bureau site or a device site
    /// that joined one).
    fn stored_hash(&mut self, device: DeviceId, item: &PushItem) -> Result<Option<ContentHash>>;

    fn site_by_uscc(&mut self, uscc: &Uscc) -> Result<Option<SiteId>>;
    /// A new site of the directory; it also goes into the change feed.
    fn insert_site(&mut self, site: &Site, from: DeviceId, at: DateTime<Utc>) -> Result<()>;
    /// A device's site that is the bureau site `joins` under another id.
    fn insert_site_alias(&mut self, pushed: &Site, joins: SiteId, from: DeviceId, at: DateTime<Utc>) -> Result<()>;

    /// `content_hash` is the hash its seal covers, checked already.
    fn insert_inspection(
        &mut self,
        inspection: &Inspection,
        content_hash: ContentHash,
        from: DeviceId,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// The checks among `checks` that the bureau holds.
    fn held_checks(&mut self, checks: &[CheckId]) -> Result<Vec<CertificateCheck>>;
    /// The registry's record of a certificate at `at`: its last history row at or before
    /// `at`, or, if the registry recorded it only later, its first. None: never recorded.
    fn certificate_at(&mut self, number: &str, at: DateTime<Utc>) -> Result<Option<CertificateEvent>>;
    /// Stored inspections that name this check among their officer checks, with the device
    /// that pushed each.
    fn inspections_citing(&mut self, check: CheckId) -> Result<Vec<(DeviceId, Inspection)>>;

    fn insert_check(
        &mut self,
        check: &CertificateCheck,
        content_hash: ContentHash,
        from: DeviceId,
        at: DateTime<Utc>,
    ) -> Result<()>;
    fn insert_evidence(&mut self, evidence: &EvidenceRef, from: DeviceId, at: DateTime<Utc>) -> Result<()>;

    /// The number and hash of the last entry of the device's chain the bureau holds.
    fn audit_head(&mut self, device: DeviceId) -> Result<Option<(u64, ContentHash)>>;
    /// Stores the entries of `run` from its `skip`-th on; `hashes` are every entry's hash.
    fn insert_audit_entries(
        &mut self,
        device: DeviceId,
        run: &AuditRun,
        hashes: &[ContentHash],
        skip: usize,
        at: DateTime<Utc>,
    ) -> Result<()>;

    /// Keeps an item for review; the same item for the same reason again only counts up.
    fn keep_for_review(&mut self, review: &NewReview<'_>) -> Result<()>;
    /// Rewrites what the open reviews of `(device, kind, id)` for `reason` say is wrong.
    fn refresh_reviews(
        &mut self,
        device: DeviceId,
        kind: &str,
        id: &str,
        reason: ReviewReason,
        detail: &str,
    ) -> Result<()>;
    /// Settles the open rejections of the device's audit runs that end at or before `through`
    /// (its chain is now held that far).
    fn resolve_audit_rejections(&mut self, device: DeviceId, through: u64, at: DateTime<Utc>) -> Result<()>;
    /// Settles the open reviews of `(device, kind, id)` for `reason`.
    fn resolve_reviews(
        &mut self,
        device: DeviceId,
        kind: &str,
        id: &str,
        reason: ReviewReason,
        resolution: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
}

/// A pushed item with what can be told of it without the store: its content hash, and why
/// it is refused on its own (a broken seal, an altered audit entry), if it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Examined {
    pub item: PushItem,
    pub content_hash: ContentHash,
    pub defect: Option<String>,
    /// For an audit run: the hash of each of its entries, recomputed.
    pub audit_hashes: Vec<ContentHash>,
}

/// Why a page was not taken at all: an item that is not a push record. Nothing of the page
/// is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PageRefused(pub String);

/// A page's items as they are examined, in order. The store takes them one by one, so that
/// examining the next (parsing it, hashing it, verifying its seal: the expensive part) runs
/// beside storing the last, on another core, and never inside the store's transaction.
/// An `Err` ends the page, and the page's transaction is rolled back.
pub type ExaminedItems = Box<dyn Iterator<Item = Result<Examined, PageRefused>> + Send>;

/// Examines the items of one device's pages, whose signatures the caller has verified.
#[derive(Debug, Clone)]
pub struct Examiner {
    device: DeviceRecord,
    /// The device key, decoded once for all the seals of a page.
    verifier: Result<Verifier, SignatureError>,
}

impl Examiner {
    pub fn new(device: DeviceRecord) -> Self {
        let verifier = device.public_key.verifier();
        Examiner { device, verifier }
    }

    pub fn examine(&self, item: PushItem) -> Examined {
        let content_hash = item.content_hash();
        let (defect, audit_hashes) = match &item {
            PushItem::Audit(run) => match run.hashes() {
                Ok(hashes) => (None, hashes),
                Err(chain_break) => (Some(format!("{chain_break}; these entries are kept for review")), Vec::new()),
            },
            other => (self.intrinsic_check(other).err(), Vec::new()),
        };
        Examined { item, content_hash, defect, audit_hashes }
    }

    /// The items of a page examined here, all before the first is stored.
    pub fn examined(&self, items: Vec<PushItem>) -> ExaminedItems {
        let examined: Vec<_> = items.into_iter().map(|item| Ok(self.examine(item))).collect();
        Box::new(examined.into_iter())
    }

    /// The items of a signed page parsed and examined on a blocking thread while the store
    /// takes them. `items` is the JSON array text the signature covers; `spans` the byte
    /// range of each element in it (see [`item_spans`]).
    ///
    /// Should that thread stop before the end, the store sees an `Err`, never a shorter page.
    pub fn in_background(self, items: Box<RawValue>, spans: Vec<Range<usize>>) -> ExaminedItems {
        // Handed over in batches, so the two threads do not wake each other for every item.
        // Room for a whole page: a page waiting for the one it follows (see `PageOrder`) is
        // examined meanwhile; a page is at most MAX_PUSH_PAGE items, so memory stays bounded.
        const BATCH: usize = 32;
        let count = spans.len();
        let room = MAX_PUSH_PAGE.div_ceil(BATCH) + 1;
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Result<Examined, PageRefused>>>(room);
        tokio::task::spawn_blocking(move || {
            let mut batch = Vec::with_capacity(BATCH);
            for (index, span) in spans.into_iter().enumerate() {
                let text = items.get().get(span).unwrap_or_default();
                let next = parse_item(index, text).map(|item| self.examine(item));
                let failed = next.is_err();
                // A run of audit entries is work enough on its own for the store to start on.
                let heavy = matches!(&next, Ok(Examined { item: PushItem::Audit(_), .. }));
                batch.push(next);
                if batch.len() == BATCH || failed || heavy {
                    // An Err from send: the store gave up on the page (an error of its own).
                    if send.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))).is_err() || failed {
                        return;
                    }
                }
            }
            if !batch.is_empty() {
                let _ = send.send(batch);
            }
        });
        let mut received = 0;
        let mut batches = receive.into_iter();
        let mut batch = Vec::new().into_iter();
        Box::new(std::iter::from_fn(move || {
            if received == count {
                return None;
            }
            received += 1;
            if let Some(next) = batch.next() {
                return Some(next);
            }
            match batches.next() {
                Some(next) => {
                    batch = next.into_iter();
                    batch.next()
                }
                None => None,
            }
            .or_else(|| {
                Some(Err(PageRefused(format!(
                    "examining the page stopped after {} of its {count} items",
                    received - 1
                ))))
            })
        }))
    }

    /// The checks a record needs no stored state for.
    fn intrinsic_check(&self, item: &PushItem) -> Result<(), String> {
        match item {
            PushItem::Inspection(inspection) => self.check_seal(inspection),
            PushItem::Site(site) if site.name.trim().is_empty() => {
                Err("a site needs a name: the employer's registered name".into())
            }
            _ => Ok(()),
        }
    }

    fn check_seal(&self, inspection: &Inspection) -> Result<(), String> {
        let id = inspection.id;
        let seal = match (&inspection.status, &inspection.seal) {
            (InspectionStatus::Finalized, Some(seal)) => seal,
            _ => {
                return Err(format!(
                    "inspection {id} is not finalized and sealed; only finalized inspections are sent to the bureau"
                ));
            }
        };
        let content_hash = inspection.content_hash();
        if seal.content_hash != content_hash {
            return Err(format!(
                "the seal of inspection {id} covers content hash {} but the record's content hashes to {content_hash}: the record was changed after it was sealed",
                seal.content_hash
            ));
        }
        self.verifier
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|key| key.verify(Signed::Inspection, &seal.content_hash, &seal.signature))
            .map_err(|e| {
                format!(
                    "the seal of inspection {id} does not verify with the key of device {}: {e}",
                    self.device.device_id
                )
            })
    }
}

/// The `index`-th item of a page, from its JSON text. Parsed plainly; only an item that
/// fails is parsed again, tracking where, to name the field at fault.
fn parse_item(index: usize, text: &str) -> Result<PushItem, PageRefused> {
    serde_json::from_str(text).map_err(|_| {
        let mut de = serde_json::Deserializer::from_str(text);
        let Err(e) = serde_path_to_error::deserialize::<_, PushItem>(&mut de) else {
            return PageRefused(format!("items[{index}] is not a push record"));
        };
        let path = e.path().to_string();
        let at = if path == "." { String::new() } else { format!(".{path}") };
        PageRefused(format!("items[{index}]{at} is not a push record: {}", e.inner()))
    })
}

/// Where each element of a JSON array lies in its text: one quick pass that checks the
/// array's shape and counts the items, so that the examiner need not scan it again.
pub fn item_spans(items: &RawValue) -> Result<Vec<Range<usize>>, serde_json::Error> {
    let text = items.get();
    let elements: Vec<&RawValue> = serde_json::from_str(text)?;
    let base = text.as_ptr() as usize;
    // Each element borrows from `text`, so its offset is the distance between the pointers.
    Ok(elements
        .into_iter()
        .map(|e| {
            let start = e.get().as_ptr() as usize - base;
            start..start + e.get().len()
        })
        .collect())
}

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
        results.push(ItemResult { kind: examined.item.kind().to_owned(), id: examined.item.id(), fate });
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
    if let Some(reason) = defect {
        return reject(ledger, from, item, hash, reason.clone(), now);
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
            if let Some(detail) = officer_shortfall(ledger, inspection)? {
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
        PushItem::Evidence(evidence) => ledger.insert_evidence(evidence, from, now)?,
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
    ledger.keep_for_review(&NewReview {
        device,
        item,
        content_hash: hash,
        reason: ReviewReason::Rejected,
        detail: reason.clone(),
        at: now,
    })?;
    Ok(Fate::Rejected { reason })
}

/// Why an inspection does not rest on two distinct officers whose certificates were valid
/// when it started, or None when it does.
///
/// Each check the bureau holds counts if the device found the certificate valid and the
/// registry agrees for the inspection's start: the certificate's status then, its validity
/// dates against the Beijing date then, the area of labor-security inspection, and its holder.
/// A sample check (registry version 0) of a number the registry never knew is taken as the
/// device recorded it; one the registry knows is held to what the registry says.
fn officer_shortfall(ledger: &mut dyn PushLedger, inspection: &Inspection) -> Result<Option<String>> {
    let checks = ledger.held_checks(&inspection.officer_checks)?;
    let mut valid: BTreeSet<OfficerId> = BTreeSet::new();
    let mut problems: Vec<String> = Vec::new();
    for check in &checks {
        match standing(ledger, check, inspection.started_at)? {
            Ok(()) => {
                valid.insert(check.officer_id.clone());
            }
            Err(problem) => problems.push(problem),
        }
    }
    if valid.len() >= MIN_CHECKED_OFFICERS {
        return Ok(None);
    }
    let named = if valid.is_empty() {
        "none".to_owned()
    } else {
        valid.iter().map(OfficerId::as_str).collect::<Vec<_>>().join(", ")
    };
    let mut detail = format!(
        "two-officer rule (劳动保障监察条例 art. 16): at the inspection's start ({} Beijing time) the bureau holds valid certificate checks of {} distinct officer(s) ({named}), at least {MIN_CHECKED_OFFICERS} are needed",
        format_beijing(inspection.started_at),
        valid.len()
    );
    for problem in &problems {
        detail.push_str("; ");
        detail.push_str(problem);
    }
    let missing = inspection.officer_checks.len().saturating_sub(checks.len());
    if missing > 0 {
        detail.push_str(&format!("; {missing} of the inspection's certificate checks have not reached the bureau yet"));
    }
    detail.push_str("; stored, to be reviewed (the flag is settled if the missing checks arrive)");
    Ok(Some(detail))
}

/// Whether one check shows a certificate valid at `started_at`, or what was wrong with it.
fn standing(
    ledger: &mut dyn PushLedger,
    check: &CertificateCheck,
    started_at: DateTime<Utc>,
) -> Result<Result<(), String>> {
    let number = &check.certificate_number;
    let officer = &check.officer_id;
    if check.result != CheckResult::Valid {
        let result =
            serde_json::to_value(check.result).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        return Ok(Err(format!("the check of certificate {number} of {officer} found it {result}")));
    }
    let Some(record) = ledger.certificate_at(number, started_at)? else {
        return Ok(if check.registry_version == 0 {
            Ok(())
        } else {
            Err(format!("certificate {number} of {officer} is not in the bureau's registry"))
        });
    };
    let certificate = &record.state;
    if certificate.holder != *officer {
        return Ok(Err(format!(
            "certificate {number} belongs to {} ({}), not to {officer}, who was checked with it",
            certificate.holder, certificate.holder_name
        )));
    }
    let date = started_at.with_timezone(&beijing()).date_naive();
    let since = record.at.with_timezone(&beijing()).date_naive();
    let problem = match certificate.result_on(date, AREA_LABOR_INSPECTION) {
        CheckResult::Valid => return Ok(Ok(())),
        CheckResult::Revoked => {
            format!("certificate {number} of {officer} was revoked on {since}, before the inspection")
        }
        CheckResult::Suspended => {
            format!("certificate {number} of {officer} was suspended on {since}, before the inspection")
        }
        CheckResult::Expired => {
            format!(
                "certificate {number} of {officer} had expired: valid until {}, before the inspection on {date}",
                certificate.valid_until
            )
        }
        CheckResult::NotYetValid => {
            format!(
                "certificate {number} of {officer} was valid only from {}, after the inspection on {date}",
                certificate.valid_from
            )
        }
        CheckResult::WrongArea => format!("certificate {number} of {officer} does not cover {AREA_LABOR_INSPECTION}"),
        other => format!("certificate {number} of {officer} was not valid at the inspection ({other:?})"),
    };
    Ok(Err(problem))
}

/// A check that arrives after the inspection citing it may settle that inspection's flag,
/// or tell more precisely what is wrong.
fn settle_officer_flags(ledger: &mut dyn PushLedger, check: CheckId, now: DateTime<Utc>) -> Result<()> {
    for (device, inspection) in ledger.inspections_citing(check)? {
        let id = inspection.id.to_string();
        match officer_shortfall(ledger, &inspection)? {
            None => ledger.resolve_reviews(
                device,
                "inspection",
                &id,
                ReviewReason::Flagged,
                "the certificate checks of two officers arrived",
                now,
            )?,
            Some(detail) => ledger.refresh_reviews(device, "inspection", &id, ReviewReason::Flagged, &detail)?,
        }
    }
    Ok(())
}
