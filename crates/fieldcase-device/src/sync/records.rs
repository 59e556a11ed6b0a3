//! The device's side of sync in its store: which records go in the next push page, what the
//! bureau said of each, and the status shown to the officer (the changes pulled are applied
//! in `pulled`).

use chrono::{DateTime, Utc};

use fieldcase_core::audit::AuditRun;
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::wire::{
    EnrollRequest, EnrollResponse, Fate, MAX_PUSH_PAGE, PullResponse, PushItem, PushRequest, PushResponse,
};
use fieldcase_core::{ErrorCode, RecordKind};

use super::Transport;
use super::status::{PendingCounts, SyncState, SyncStatus};
use crate::store::enrollment::{self, Enrollment};
use crate::store::{
    audit_log, certificate_checks, evidence_refs, inspections, outbox, recorder_checks, sites, sync_state,
};
use crate::{Device, DeviceError, Result, append_audit};

/// How many audit entries go in a page that has room for `records` more records. An entry
/// travels as about a tenth of an inspection's bytes and costs the bureau little, so a page
/// takes four times as many entries as records (about 2 MB): fewer round trips and commits
/// for the longest part of a sync, while a page stays small enough for the laptop to build
/// the next while the bureau stores it.
fn audit_budget(records: usize) -> usize {
    records.saturating_mul(4)
}

/// Entries per audit run. The bureau stores one run while it checks the next, so runs much
/// shorter than a page keep both of its cores busy; each run costs two hashes of overhead.
const AUDIT_RUN: usize = 100;

/// One page ready to send, with what it covers.
#[derive(Debug, Clone)]
pub struct PushPage {
    /// The records, in the order of the request.
    pub items: Vec<PushItem>,
    pub request: PushRequest,
    /// The hash of the request's items, which its signature covers.
    pub items_hash: ContentHash,
    /// Where the page ends: the next one starts after it.
    pub end: PushCursor,
}

/// A position in what waits to be pushed: the last outbox entry and audit entry taken.
/// The default is the start: everything still waiting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushCursor {
    pub outbox_seq: i64,
    pub audit_seq: u64,
}

/// The bureau's clock and the laptop's, read at one exchange: the time the bureau's answer
/// carried, and the laptop's when that answer arrived. Their difference is the offset that
/// trusted time rests on; taking the laptop's at any later moment would add the time between
/// to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockReading {
    pub bureau: DateTime<Utc>,
    pub laptop: DateTime<Utc>,
}

/// What one push achieved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushOutcome {
    /// Items the bureau now holds (accepted or already there).
    pub stored: usize,
    /// Items refused or in conflict, kept here for review.
    pub refused: usize,
    /// The first audit entry the bureau would not chain, with its reason.
    pub audit_refused: Option<String>,
}

impl Device {
    pub fn enrollment(&self) -> Result<Option<Enrollment>> {
        self.read(enrollment::get)
    }

    /// A request to enroll with `code`, signed with this device's key: the bureau takes it as
    /// proof that whoever enrolls this id holds its key.
    pub fn enroll_request(&self, code: &str, label: Option<String>) -> EnrollRequest {
        EnrollRequest::sign(code, self.id, label, &self.key)
    }

    /// Records a new enrollment, pinning the bureau's key; pushes and pulls start afresh.
    pub fn set_enrollment(&mut self, bureau_url: &str, transport: &Transport, response: &EnrollResponse) -> Result<()> {
        if response.device_id != self.id() {
            return Err(DeviceError::Invalid(format!(
                "the bureau enrolled device {} but this laptop is {}; enroll again",
                response.device_id,
                self.id()
            )));
        }
        let (now, actor) = (self.record_time()?, self.actor()?);
        let e = Enrollment {
            bureau_url: bureau_url.trim_end_matches('/').to_owned(),
            token: response.token.clone(),
            bureau_public_key: response.bureau_public_key,
            enrolled_at: now,
            insecure_http: transport.insecure_http,
            ca_pem: transport.ca_pem.clone(),
        };
        let payload = serde_json::json!({ "bureau_url": e.bureau_url, "bureau_public_key": e.bureau_public_key });
        self.write(|tx| {
            enrollment::set(tx, &e)?;
            sync_state::reset(tx)?;
            // Enrolling is an exchange with the bureau: from now on records carry a trusted time.
            sync_state::note_bureau_clock(tx, response.bureau_time, now)?;
            Device::trust_pinned_key(tx, now)?;
            append_audit(tx, now, &actor, "device.enroll", &e.bureau_url, &payload)?;
            Ok(())
        })
    }

    /// The next page to push: queued records in the order they were made, then audit
    /// entries the bureau does not have; signed with the device key. None when all is sent.
    pub fn next_push_page(&self, limit: usize) -> Result<Option<PushPage>> {
        self.next_push_page_after(PushCursor::default(), limit)
    }

    /// The page that follows one still in flight (ending at `after`), so that it can be
    /// built while the bureau stores that one.
    pub fn next_push_page_after(&self, after: PushCursor, limit: usize) -> Result<Option<PushPage>> {
        let (items, end) = self.read(|c| {
            // One read transaction: the page is one moment of the store, and its reads share a lock.
            let tx = c.unchecked_transaction()?;
            let mut items = Vec::with_capacity(limit.min(MAX_PUSH_PAGE));
            let mut end = after;
            for q in outbox::pending_after(&tx, after.outbox_seq, limit)? {
                let item = match q.kind {
                    RecordKind::Site => {
                        sites::get(&tx, q.record_id.parse().map_err(|_| bad_ref(&q.record_id))?)?.map(PushItem::Site)
                    }
                    RecordKind::Inspection => {
                        inspections::get(&tx, q.record_id.parse().map_err(|_| bad_ref(&q.record_id))?)?
                            .map(PushItem::Inspection)
                    }
                    RecordKind::CertificateCheck => {
                        certificate_checks::get(&tx, &q.record_id)?.map(PushItem::CertificateCheck)
                    }
                    RecordKind::Evidence => evidence_refs::get(&tx, &q.record_id)?.map(PushItem::Evidence),
                    RecordKind::RecorderCheck => recorder_checks::get(&tx, &q.record_id)?.map(PushItem::RecorderCheck),
                    // Audit entries are read from the chain itself, never queued.
                    RecordKind::Audit => None,
                };
                items.push(item.ok_or_else(|| {
                    crate::store::StoreError::Corrupt(format!("queued {} {} is missing", q.kind, q.record_id))
                })?);
                end.outbox_seq = q.seq;
            }
            if items.len() < limit {
                let from = sync_state::get(&tx)?.pushed_audit_seq.max(after.audit_seq);
                let entries = audit_log::after(&tx, from, audit_budget(limit - items.len()))?;
                for run in entries.chunks(AUDIT_RUN).filter_map(AuditRun::of) {
                    end.audit_seq = run.last_seq();
                    items.push(PushItem::Audit(run));
                }
            }
            Ok((items, end))
        })?;
        if items.is_empty() {
            return Ok(None);
        }
        let (request, items_hash) = PushRequest::sign_hashed(&items, &self.key);
        Ok(Some(PushPage { items, request, items_hash, end }))
    }

    /// Applies the bureau's answer to a page: what it holds leaves the queue; conflicts and
    /// refusals stay, marked; the audit chain is pushed up to the first entry it would not take.
    pub fn apply_push_results(&mut self, page: &PushPage, response: &PushResponse) -> Result<PushOutcome> {
        if response.results.len() != page.items.len() {
            return Err(DeviceError::Invalid(format!(
                "the bureau answered for {} items of a page of {}",
                response.results.len(),
                page.items.len()
            )));
        }
        let (now, actor) = (self.now(), self.actor()?);
        self.write(|tx| {
            let mut outcome = PushOutcome::default();
            let mut audit_high = None;
            for (item, result) in page.items.iter().zip(&response.results) {
                let (kind, id) = (item.kind(), item.id());
                match (&result.fate, item) {
                    (Fate::Accepted | Fate::Duplicate, PushItem::Audit(run)) => {
                        if outcome.audit_refused.is_none() {
                            audit_high = Some(run.last_seq());
                        }
                        outcome.stored += run.steps.len();
                    }
                    (Fate::Accepted | Fate::Duplicate, _) => {
                        outbox::remove(tx, kind, &id)?;
                        outcome.stored += 1;
                        if kind == RecordKind::Evidence {
                            // Part of the file's chain of custody: the bureau holds its reference.
                            append_audit(tx, now, &actor, "evidence.push", &id, &result.fate)?;
                        }
                    }
                    (Fate::Conflict { existing_hash }, PushItem::Audit(run))
                    | (Fate::Rejected { reason: existing_hash, .. }, PushItem::Audit(run)) => {
                        outcome.audit_refused.get_or_insert_with(|| {
                            format!("audit entries {} to {}: {existing_hash}", run.first_seq, run.last_seq())
                        });
                        outcome.refused += run.steps.len();
                    }
                    (Fate::Conflict { existing_hash }, _) => {
                        let reason =
                            format!("the bureau holds another version of this record (sha256 {existing_hash})");
                        outbox::mark(tx, kind, &id, outbox::NotTaken::Conflict, &reason)?;
                        outcome.refused += 1;
                    }
                    (Fate::Rejected { reason, .. }, _) => {
                        outbox::mark(tx, kind, &id, outbox::NotTaken::Rejected, reason)?;
                        outcome.refused += 1;
                    }
                }
            }
            if let Some(seq) = audit_high {
                sync_state::set_pushed_audit_seq(tx, seq)?;
            }
            Ok(outcome)
        })
    }

    pub fn pull_cursor(&self) -> Result<u64> {
        Ok(self.read(sync_state::get)?.pull_cursor)
    }

    /// Whether a pull showed that the registry copy needs a whole snapshot, not yet applied.
    pub fn registry_snapshot_owed(&self) -> Result<bool> {
        Ok(self.read(sync_state::get)?.registry_snapshot_owed)
    }

    /// Follows the bureau's feed epoch: the first one seen is noted; another one (the bureau
    /// was restored from a backup, or has a new database) sends the pull cursor back to the
    /// start, and the answer that showed it is not applied. True when the cursor went back:
    /// pull again.
    pub fn follow_feed_epoch(&mut self, pull: &PullResponse) -> Result<bool> {
        // A bureau from before epochs names none: nothing to follow.
        if pull.feed_epoch.is_empty() {
            return Ok(false);
        }
        let (now, actor) = (self.now(), self.actor()?);
        self.write(|tx| match sync_state::feed_epoch(tx)? {
            Some(held) if held == pull.feed_epoch => Ok(false),
            None => {
                sync_state::set_feed_epoch(tx, &pull.feed_epoch, sync_state::get(tx)?.pull_cursor)?;
                Ok(false)
            }
            Some(held) => {
                sync_state::set_feed_epoch(tx, &pull.feed_epoch, 0)?;
                let payload = serde_json::json!({ "from": held, "to": pull.feed_epoch });
                append_audit(tx, now, &actor, "feed.epoch", "pull", &payload)?;
                Ok(true)
            }
        })
    }

    /// Records a sync that succeeded now, with the clocks as one of its exchanges read them.
    pub fn record_sync_success(&mut self, clocks: ClockReading) -> Result<()> {
        let now = self.now();
        self.write(|tx| Ok(sync_state::record_success(tx, now, clocks.bureau, clocks.laptop)?))
    }

    pub fn record_sync_failure(&mut self, code: ErrorCode, message: &str) -> Result<()> {
        let now = self.now();
        self.write(|tx| Ok(sync_state::record_failure(tx, now, code, message)?))
    }

    /// The sync status as stored; the running agent overlays `Syncing` while it works.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let enrollment = self.enrollment()?;
        let row = self.read(sync_state::get)?;
        let (by_kind, needs_attention) = self.read(outbox::counts)?;
        let last_seq = self.read(audit_log::last_seq)?;
        let mut pending = PendingCounts::default();
        for (kind, n) in by_kind {
            match kind {
                RecordKind::Site => pending.sites = n,
                RecordKind::Inspection => pending.inspections = n,
                RecordKind::CertificateCheck => pending.certificate_checks = n,
                // A recorder check is evidence metadata to the officer.
                RecordKind::Evidence | RecordKind::RecorderCheck => pending.evidence += n,
                RecordKind::Audit => {}
            }
        }
        pending.audit_entries = u32::try_from(last_seq.saturating_sub(row.pushed_audit_seq)).unwrap_or(u32::MAX);
        let failed_last = row.last_error.is_some();
        let state = match (&enrollment, failed_last, row.last_error_code) {
            (None, _, _) => SyncState::NotEnrolled,
            (Some(_), true, Some(ErrorCode::Offline)) => SyncState::Offline,
            (Some(_), true, _) => SyncState::Error,
            (Some(_), false, _) if pending.total() > 0 || row.last_success_at.is_none() => SyncState::Pending,
            (Some(_), false, _) => SyncState::Synced,
        };
        Ok(SyncStatus {
            state,
            bureau_url: enrollment.map(|e| e.bureau_url),
            last_success_at: row.last_success_at.map(|t| t.to_rfc3339()),
            last_attempt_at: row.last_attempt_at.map(|t| t.to_rfc3339()),
            last_error: row.last_error,
            last_error_code: row.last_error_code,
            pending,
            needs_attention,
            clock_offset_seconds: row.bureau_time.zip(row.local_time).map(|(b, l)| (b - l).num_seconds()),
        })
    }

    /// The records the bureau did not take, with why.
    pub fn sync_problems(&self) -> Result<Vec<outbox::Refused>> {
        self.read(outbox::needing_attention)
    }
}

fn bad_ref(id: &str) -> crate::store::StoreError {
    crate::store::StoreError::Corrupt(format!("queued record id '{id}' is not a UUID"))
}
