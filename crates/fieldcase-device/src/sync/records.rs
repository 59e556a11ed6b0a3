//! The device's side of sync in its store: which records go in the next push page, what the
//! bureau said of each, the changes pulled, and the status shown to the officer.

use chrono::{DateTime, Utc};

use fieldcase_core::registry::RegistryError;
use fieldcase_core::signing::Signed;
use fieldcase_core::wire::{ChangeRecord, EnrollResponse, Fate, PullResponse, PushItem, PushRequest, PushResponse};

use super::status::{PendingCounts, SyncState, SyncStatus};
use crate::store::enrollment::{self, Enrollment};
use crate::store::{audit_log, certificate_checks, evidence_refs, inspections, outbox, sites, sync_state, templates};
use crate::{Device, DeviceError, Result, append_audit};

/// One page ready to send, with what it covers.
#[derive(Debug, Clone)]
pub struct PushPage {
    pub request: PushRequest,
}

/// What one pull page did to the device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PulledChanges {
    pub applied: usize,
    /// A registry delta did not follow the version held: fetch a snapshot.
    pub needs_snapshot: bool,
    /// Updates refused (bad signature, unknown key, rollback), with why.
    pub refused: Vec<String>,
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

    /// Records a new enrollment, pinning the bureau's key; pushes and pulls start afresh.
    pub fn set_enrollment(&mut self, bureau_url: &str, response: &EnrollResponse) -> Result<()> {
        if response.device_id != self.id() {
            return Err(DeviceError::Invalid(format!(
                "the bureau enrolled device {} but this laptop is {}; enroll again",
                response.device_id,
                self.id()
            )));
        }
        let (now, actor) = (self.now(), self.actor());
        let e = Enrollment {
            bureau_url: bureau_url.trim_end_matches('/').to_owned(),
            token: response.token.clone(),
            bureau_public_key: response.bureau_public_key,
            enrolled_at: now,
        };
        let payload = serde_json::json!({ "bureau_url": e.bureau_url, "bureau_public_key": e.bureau_public_key });
        self.write(|tx| {
            enrollment::set(tx, &e)?;
            sync_state::reset(tx)?;
            Device::trust_pinned_key(tx, now)?;
            append_audit(tx, now, &actor, "device.enroll", &e.bureau_url, &payload)?;
            Ok(())
        })
    }

    /// The next page to push: queued records in the order they were made, then audit
    /// entries the bureau does not have; signed with the device key. None when all is sent.
    pub fn next_push_page(&self, limit: usize) -> Result<Option<PushPage>> {
        let mut items = Vec::new();
        for q in self.read(|c| outbox::pending(c, limit))? {
            let item = self.read(|c| {
                Ok(match q.kind.as_str() {
                    "site" => {
                        sites::get(c, q.record_id.parse().map_err(|_| bad_ref(&q.record_id))?)?.map(PushItem::Site)
                    }
                    "inspection" => inspections::get(c, q.record_id.parse().map_err(|_| bad_ref(&q.record_id))?)?
                        .map(PushItem::Inspection),
                    "certificate_check" => certificate_checks::get(c, &q.record_id)?.map(PushItem::CertificateCheck),
                    "evidence" => evidence_refs::get(c, &q.record_id)?.map(PushItem::Evidence),
                    _ => None,
                })
            })?;
            items.push(item.ok_or_else(|| DeviceError::Damaged {
                path: self.db_path(),
                detail: format!("queued {} {} is missing", q.kind, q.record_id),
            })?);
        }
        if items.len() < limit {
            let pushed = self.read(sync_state::get)?.pushed_audit_seq;
            let entries = self.read(|c| audit_log::after(c, pushed, limit - items.len()))?;
            items.extend(entries.into_iter().map(PushItem::Audit));
        }
        if items.is_empty() {
            return Ok(None);
        }
        let signature = self.key.sign(Signed::PushPage, &PushRequest::items_hash(&items));
        Ok(Some(PushPage { request: PushRequest { items, signature } }))
    }

    /// Applies the bureau's answer to a page: what it holds leaves the queue; conflicts and
    /// refusals stay, marked; the audit chain is pushed up to the first entry it would not take.
    pub fn apply_push_results(&mut self, page: &PushPage, response: &PushResponse) -> Result<PushOutcome> {
        if response.results.len() != page.request.items.len() {
            return Err(DeviceError::Invalid(format!(
                "the bureau answered for {} items of a page of {}",
                response.results.len(),
                page.request.items.len()
            )));
        }
        self.write(|tx| {
            let mut outcome = PushOutcome::default();
            let mut audit_high = None;
            for (item, result) in page.request.items.iter().zip(&response.results) {
                let (kind, id) = (item.kind(), item.id());
                match (&result.fate, item) {
                    (Fate::Accepted | Fate::Duplicate, PushItem::Audit(a)) => {
                        if outcome.audit_refused.is_none() {
                            audit_high = Some(a.seq);
                        }
                        outcome.stored += 1;
                    }
                    (Fate::Accepted | Fate::Duplicate, _) => {
                        outbox::remove(tx, kind, &id)?;
                        outcome.stored += 1;
                    }
                    (Fate::Conflict { existing_hash }, PushItem::Audit(a))
                    | (Fate::Rejected { reason: existing_hash }, PushItem::Audit(a)) => {
                        outcome.audit_refused.get_or_insert_with(|| format!("audit entry {}: {existing_hash}", a.seq));
                        outcome.refused += 1;
                    }
                    (Fate::Conflict { existing_hash }, _) => {
                        let reason =
                            format!("the bureau holds another version of this record (sha256 {existing_hash})");
                        outbox::mark(tx, kind, &id, "conflict", &reason)?;
                        outcome.refused += 1;
                    }
                    (Fate::Rejected { reason }, _) => {
                        outbox::mark(tx, kind, &id, "rejected", reason)?;
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

    /// Applies pulled changes and moves the cursor, in one transaction. A site whose unified
    /// social credit code is already here is the same site: the local record stays. A
    /// registry update that fails verification is refused (the copy stays) and noted in
    /// the audit chain; one that does not follow the version held asks for a snapshot.
    pub fn apply_changes(&mut self, pull: &PullResponse) -> Result<PulledChanges> {
        let (now, actor) = (self.now(), self.actor());
        self.write(|tx| {
            let mut applied = PulledChanges::default();
            for change in &pull.changes {
                match &change.record {
                    ChangeRecord::Site(site) => {
                        if sites::by_uscc(tx, site.uscc.as_str())?.is_none() && sites::get(tx, site.id)?.is_none() {
                            sites::insert(tx, site)?;
                            append_audit(tx, now, &actor, "site.pull", &site.id.to_string(), site)?;
                            applied.applied += 1;
                        }
                    }
                    ChangeRecord::Template(t) => {
                        if templates::insert_if_missing(tx, t)? {
                            append_audit(tx, now, &actor, "template.install", &format!("{}@{}", t.id.0, t.version), t)?;
                            applied.applied += 1;
                        }
                    }
                    ChangeRecord::Registry(signed) => {
                        let outcome = Device::apply_registry_update(tx, signed, now)?;
                        let payload = serde_json::json!({ "key_id": signed.key_id, "outcome": outcome.as_ref().map_err(ToString::to_string) });
                        match outcome {
                            Ok(_) => {
                                append_audit(tx, now, &actor, "registry.update", "registry", &payload)?;
                                applied.applied += 1;
                            }
                            Err(RegistryError::Gap { .. }) => applied.needs_snapshot = true,
                            // Signed by a key from before this device enrolled: the bureau's
                            // current snapshot, signed by the pinned key, replaces it.
                            Err(e @ RegistryError::UnknownKey(_)) => {
                                append_audit(tx, now, &actor, "registry.refuse", "registry", &payload)?;
                                applied.refused.push(e.to_string());
                                applied.needs_snapshot = true;
                            }
                            Err(e) => {
                                append_audit(tx, now, &actor, "registry.refuse", "registry", &payload)?;
                                applied.refused.push(e.to_string());
                            }
                        }
                    }
                    ChangeRecord::KeyRotation(rotation) => match Device::apply_key_rotation(tx, rotation, now)? {
                        Ok(()) => {
                            append_audit(tx, now, &actor, "registry.key", &rotation.new_key.to_string(), rotation)?;
                        }
                        Err(e) => {
                            append_audit(tx, now, &actor, "registry.key.refuse", &rotation.new_key.to_string(), rotation)?;
                            applied.refused.push(e.to_string());
                        }
                    },
                }
            }
            sync_state::set_pull_cursor(tx, pull.next_cursor)?;
            Ok(applied)
        })
    }

    pub fn record_sync_success(&mut self, bureau_time: DateTime<Utc>) -> Result<()> {
        let now = self.now();
        self.write(|tx| Ok(sync_state::record_success(tx, bureau_time, now)?))
    }

    pub fn record_sync_failure(&mut self, code: &str, message: &str) -> Result<()> {
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
            match kind.as_str() {
                "site" => pending.sites = n,
                "inspection" => pending.inspections = n,
                "certificate_check" => pending.certificate_checks = n,
                "evidence" => pending.evidence = n,
                _ => {}
            }
        }
        pending.audit_entries = u32::try_from(last_seq.saturating_sub(row.pushed_audit_seq)).unwrap_or(u32::MAX);
        let failed_last = row.last_error.is_some();
        let state = match (&enrollment, failed_last, row.last_error_code.as_deref()) {
            (None, _, _) => SyncState::NotEnrolled,
            (Some(_), true, Some("offline")) => SyncState::Offline,
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

    /// The records the bureau did not take: (kind, id, conflict|rejected, reason).
    pub fn sync_problems(&self) -> Result<Vec<(String, String, String, String)>> {
        self.read(outbox::needing_attention)
    }
}

fn bad_ref(id: &str) -> crate::store::StoreError {
    crate::store::StoreError::Decode(format!("queued record id '{id}' is not a UUID"))
}
