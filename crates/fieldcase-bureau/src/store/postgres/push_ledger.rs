//! The push decisions' reads and writes ([`PushLedger`]) on PostgreSQL. The push holds its
//! device's lock (see the module doc of `postgres`), so what is cached here stays true. Its
//! inserts are kept and sent together before the next read ([`super::ledger::Write`]).

use chrono::{DateTime, Utc};

use fieldcase_core::audit::AuditRun;
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::certificate::CertificateCheck;
use fieldcase_core::codes::RecordKind;
use fieldcase_core::evidence::{EvidenceRef, RecorderCheck};
use fieldcase_core::ids::{CheckId, DeviceId, InspectionId, SiteId};
use fieldcase_core::inspection::Inspection;
use fieldcase_core::site::Site;
use fieldcase_core::uscc::Uscc;
use fieldcase_core::wire::PushItem;

use super::{Lock, PgLedger, prefetch, received, registry_rows, reviews, upload_rows};
use crate::certificates::CertificateEvent;
use crate::push::{NewReview, PushLedger};
use crate::store::{Result, ReviewReason};

impl PushLedger for PgLedger<'_, '_> {
    fn stored_hash(&mut self, device: DeviceId, item: &PushItem) -> Result<Option<ContentHash>> {
        if let Some(held) = prefetch::key(item).and_then(|key| self.hashes.get(&key)) {
            return Ok(*held);
        }
        match item {
            PushItem::Site(s) => self.block(received::site_hash(self.tx, s.id)),
            PushItem::Inspection(i) => self.block(received::inspection_hash(self.tx, i.id)),
            PushItem::CertificateCheck(c) => self.block(received::check_hash(self.tx, c.id)),
            PushItem::Evidence(e) => self.block(upload_rows::evidence_hash(self.tx, e.id)),
            PushItem::RecorderCheck(c) => self.block(upload_rows::recorder_check_hash(self.tx, c.id)),
            // The chain held is entries 1..=last, so a later number is not held.
            PushItem::Audit(run) => match self.audit_head(device)? {
                Some((last, _)) if run.last_seq() <= last => {
                    self.block(reviews::audit_hash(self.tx, device, run.last_seq()))
                }
                _ => Ok(None),
            },
        }
    }

    fn site_by_uscc(&mut self, uscc: &Uscc) -> Result<Option<SiteId>> {
        // A site not found is added, and that appends to the feed: with the feed's lock
        // taken first, a second push of the same code waits and then finds the site.
        self.lock(Lock::Feed)?;
        self.block(received::site_by_uscc(self.tx, uscc))
    }

    fn insert_site(&mut self, site: &Site, from: DeviceId, at: DateTime<Utc>) -> Result<()> {
        self.block(received::insert_site(self.tx, site, Some(from), at))?;
        self.now_holds(RecordKind::Site, site.id.to_string(), ContentHash::of(site));
        Ok(())
    }

    fn insert_site_alias(&mut self, pushed: &Site, joins: SiteId, from: DeviceId, at: DateTime<Utc>) -> Result<()> {
        self.defer(received::alias_write(pushed, joins, from, at)?);
        self.now_holds(RecordKind::Site, pushed.id.to_string(), ContentHash::of(pushed));
        Ok(())
    }

    fn insert_inspection(
        &mut self,
        inspection: &Inspection,
        content_hash: ContentHash,
        from: DeviceId,
        at: DateTime<Utc>,
    ) -> Result<()> {
        for write in received::inspection_writes(inspection, content_hash, from, at)? {
            self.defer(write);
        }
        self.now_holds(RecordKind::Inspection, inspection.id.to_string(), content_hash);
        self.now_cites(from, inspection);
        Ok(())
    }

    fn held_checks(&mut self, checks: &[CheckId]) -> Result<Vec<CertificateCheck>> {
        let unseen: Vec<CheckId> = checks.iter().filter(|id| !self.checks.contains_key(id)).copied().collect();
        if !unseen.is_empty() {
            for check in self.block(received::held_checks(self.tx, &unseen))? {
                self.checks.insert(check.id, check);
            }
        }
        Ok(checks.iter().filter_map(|id| self.checks.get(id).cloned()).collect())
    }

    fn certificate_at(&mut self, number: &str, at: DateTime<Utc>) -> Result<Option<CertificateEvent>> {
        if !self.histories.contains_key(number) {
            let history = self.block(registry_rows::history(self.tx, Some(number)))?;
            self.histories.insert(number.to_owned(), history);
        }
        Ok(self.histories.get(number).and_then(|history| CertificateEvent::standing_at(history, at).cloned()))
    }

    fn inspections_citing(&mut self, check: CheckId) -> Result<Vec<(DeviceId, Inspection)>> {
        if let Some(citing) = self.citing.get(&check) {
            return Ok(citing.clone());
        }
        self.block(received::citing(self.tx, check))
    }

    fn insert_check(
        &mut self,
        check: &CertificateCheck,
        content_hash: ContentHash,
        from: DeviceId,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.defer(received::check_write(check, content_hash, from, at)?);
        self.now_holds(RecordKind::CertificateCheck, check.id.to_string(), content_hash);
        self.checks.insert(check.id, check.clone());
        Ok(())
    }

    fn insert_evidence(&mut self, evidence: &EvidenceRef, from: DeviceId, at: DateTime<Utc>) -> Result<()> {
        self.defer(upload_rows::evidence_write(evidence, from, at)?);
        self.now_holds(RecordKind::Evidence, evidence.id.to_string(), ContentHash::of(evidence));
        Ok(())
    }

    fn held_inspection(&mut self, id: InspectionId) -> Result<Option<Inspection>> {
        self.block(received::inspection(self.tx, id))
    }

    fn insert_recorder_check(&mut self, check: &RecorderCheck, from: DeviceId, at: DateTime<Utc>) -> Result<()> {
        self.defer(upload_rows::recorder_check_write(check, from, at)?);
        self.now_holds(RecordKind::RecorderCheck, check.id.to_string(), ContentHash::of(check));
        Ok(())
    }

    fn audit_head(&mut self, device: DeviceId) -> Result<Option<(u64, ContentHash)>> {
        if let Some(&head) = self.last_audit.get(&device) {
            return Ok(head);
        }
        let head = self.block(reviews::audit_head(self.tx, device))?;
        self.last_audit.insert(device, head);
        Ok(head)
    }

    fn insert_audit_entries(
        &mut self,
        device: DeviceId,
        run: &AuditRun,
        hashes: &[ContentHash],
        skip: usize,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if let Some(write) = reviews::run_write(device, run, hashes, skip, at) {
            self.defer(write);
        }
        if let Some(&last) = hashes.last() {
            self.last_audit.insert(device, Some((run.last_seq(), last)));
        }
        Ok(())
    }

    fn keep_for_review(&mut self, review: &NewReview<'_>) -> Result<()> {
        self.block(reviews::keep(self.tx, review))?;
        self.has_open_reviews.insert(review.device, true);
        Ok(())
    }

    fn refresh_reviews(
        &mut self,
        device: DeviceId,
        kind: RecordKind,
        id: &str,
        reason: ReviewReason,
        detail: &str,
    ) -> Result<()> {
        if !self.has_open_reviews(device)? {
            return Ok(());
        }
        self.block(reviews::refresh(self.tx, device, kind, id, reason, detail))
    }

    fn resolve_audit_rejections(&mut self, device: DeviceId, through: u64, at: DateTime<Utc>) -> Result<()> {
        if !self.has_open_reviews(device)? {
            return Ok(());
        }
        self.block(reviews::resolve_audit_rejections(self.tx, device, through, at))
    }

    fn resolve_reviews(
        &mut self,
        device: DeviceId,
        kind: RecordKind,
        id: &str,
        reason: ReviewReason,
        resolution: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !self.has_open_reviews(device)? {
            return Ok(());
        }
        self.block(reviews::resolve(self.tx, device, kind, id, reason, resolution, at))
    }
}
