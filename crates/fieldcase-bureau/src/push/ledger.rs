//! What a backend supplies to the push decisions: the reads and writes of one transaction.

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

use crate::certificates::CertificateEvent;
use crate::store::{Result, ReviewReason};

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
    /// The inspection held under `id` (the first version stored, if another was refused as a
    /// conflict): its seal's manifest is what evidence references are checked against.
    fn held_inspection(&mut self, id: InspectionId) -> Result<Option<Inspection>>;
    fn insert_recorder_check(&mut self, check: &RecorderCheck, from: DeviceId, at: DateTime<Utc>) -> Result<()>;

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
        kind: RecordKind,
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
        kind: RecordKind,
        id: &str,
        reason: ReviewReason,
        resolution: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
}
