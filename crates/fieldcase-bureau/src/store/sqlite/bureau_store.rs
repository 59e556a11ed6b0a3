//! [`BureauStore`] on SQLite: each call is one read or one write transaction; the decisions
//! are made by [`crate::push`] and [`crate::registry`] over a [`SqliteLedger`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::evidence::{EvidenceRef, RecorderCheck};
use fieldcase_core::ids::{DeviceId, InspectionId, OfficerId};
use fieldcase_core::registry::{KeyRotation, RegistryScope, SignedRegistryUpdate};
use fieldcase_core::signing::{PublicKey, SecretKey};
use fieldcase_core::site::Site;
use fieldcase_core::time::record_instant;
use fieldcase_core::wire::ItemResult;

use super::{
    SqliteStore, admin_tokens, certificate_history, certificates, changes, devices, enrollment_codes, evidence,
    feed_epoch, inspections, officers, recorder_checks, reviews, signing_keys, sites,
};
use crate::certificates::{CertificateAction, CertificateChanges, CertificateEvent, CertificateRecord, OfficerRecord};
use crate::enrollment::{self, UsableCode};
use crate::push::{self, ExaminedItems};
use crate::registry;
use crate::store::{
    AdminRecord, BureauStore, ChangePage, DeviceRecord, DirectorySite, Enrollment, FeedState, NewAdminToken,
    NewEnrollmentCode, PageBound, ReceivedInspection, Result, ReviewItem, ReviewScope, SigningKeyRecord, StoreError,
    TokenHash,
};

#[async_trait]
impl BureauStore for SqliteStore {
    async fn add_enrollment_code(&self, code: NewEnrollmentCode) -> Result<()> {
        self.write(move |tx| enrollment_codes::insert(tx, &code)).await
    }

    async fn enroll(&self, enrollment: Enrollment, now: DateTime<Utc>) -> Result<DeviceRecord> {
        self.with_ledger(move |l| enrollment::enroll(l, &enrollment, now)).await
    }

    async fn usable_enrollment_code(&self, code_hash: ContentHash, now: DateTime<Utc>) -> Result<Option<UsableCode>> {
        self.read(move |c| enrollment_codes::usable(c, &code_hash, now)).await
    }

    async fn device_by_token(&self, token: TokenHash) -> Result<Option<DeviceRecord>> {
        self.read(move |c| devices::by_token(c, token)).await
    }

    async fn touch_device(&self, device: DeviceId, now: DateTime<Utc>) -> Result<()> {
        self.write(move |tx| devices::touch(tx, device, now)).await
    }

    async fn devices(&self) -> Result<Vec<DeviceRecord>> {
        self.read(devices::list).await
    }

    async fn revoke_device(&self, device: DeviceId, now: DateTime<Utc>) -> Result<DeviceRecord> {
        self.with_ledger(move |l| enrollment::revoke(l, device, record_instant(now))).await
    }

    async fn reinstate_device(&self, device: DeviceId) -> Result<DeviceRecord> {
        self.with_ledger(move |l| enrollment::reinstate(l, device)).await
    }

    async fn set_device_units(&self, device: DeviceId, units: Vec<String>) -> Result<DeviceRecord> {
        self.with_ledger(move |l| enrollment::set_units(l, device, &units)).await
    }

    async fn push(&self, device: &DeviceRecord, items: ExaminedItems, now: DateTime<Utc>) -> Result<Vec<ItemResult>> {
        let device = device.clone();
        let now = record_instant(now);
        self.with_ledger(move |l| {
            let results = push::apply_page(l, &device, items, now)?;
            devices::touch(l.tx, device.device_id, now)?;
            Ok(results)
        })
        .await
    }

    async fn changes(&self, after: u64, bound: PageBound, reader: Option<DeviceId>) -> Result<ChangePage> {
        self.read(move |c| changes::page(c, after, bound, reader)).await
    }

    fn identity(&self) -> String {
        file_identity(self.path())
    }

    async fn feed_state(&self) -> Result<Option<FeedState>> {
        self.read(feed_epoch::state).await
    }

    async fn begin_feed_epoch(&self, epoch: String, now: DateTime<Utc>) -> Result<FeedState> {
        self.write(move |tx| {
            feed_epoch::begin(tx, &epoch, record_instant(now))?;
            feed_epoch::state(tx)?.ok_or_else(|| StoreError::Other("the feed's epoch vanished".into()))
        })
        .await
    }

    async fn add_site(&self, site: Site, now: DateTime<Utc>) -> Result<bool> {
        self.write(move |tx| {
            if sites::by_uscc(tx, &site.uscc)?.is_some() {
                return Ok(false);
            }
            sites::insert(tx, &site, None, record_instant(now))?;
            Ok(true)
        })
        .await
    }

    async fn sites(&self) -> Result<Vec<DirectorySite>> {
        self.read(sites::list).await
    }

    async fn inspections(&self) -> Result<Vec<ReceivedInspection>> {
        self.read(inspections::list).await
    }

    async fn reviews(&self, scope: ReviewScope) -> Result<Vec<ReviewItem>> {
        self.read(move |c| reviews::list(c, scope)).await
    }

    async fn evidence_of(&self, inspection: InspectionId) -> Result<(Vec<EvidenceRef>, Vec<RecorderCheck>)> {
        self.read(move |c| {
            Ok((evidence::of_inspection(c, inspection)?, recorder_checks::of_inspection(c, inspection)?))
        })
        .await
    }

    async fn register_signing_key(&self, key: PublicKey, now: DateTime<Utc>) -> Result<SigningKeyRecord> {
        self.with_ledger(move |l| registry::register_signing_key(l, &key, record_instant(now))).await
    }

    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>> {
        self.read(signing_keys::list).await
    }

    async fn rotate_signing_key(&self, old: &SecretKey, new: PublicKey, now: DateTime<Utc>) -> Result<KeyRotation> {
        let old = SecretKey::from_seed(old.seed());
        self.with_ledger(move |l| registry::rotate_signing_key(l, &old, new, record_instant(now))).await
    }

    async fn change_certificates(
        &self,
        actions: Vec<CertificateAction>,
        actor: String,
        key: &SecretKey,
        now: DateTime<Utc>,
    ) -> Result<CertificateChanges> {
        let key = SecretKey::from_seed(key.seed());
        self.with_ledger(move |l| registry::change_certificates(l, &actions, &actor, &key, record_instant(now))).await
    }

    async fn set_officer_pins(
        &self,
        pins: Vec<(OfficerId, String)>,
        key: &SecretKey,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let key = SecretKey::from_seed(key.seed());
        self.with_ledger(move |l| registry::set_officer_pins(l, &pins, &key, record_instant(now))).await
    }

    async fn set_officer_units(
        &self,
        units: Vec<(OfficerId, Option<String>)>,
        key: &SecretKey,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let key = SecretKey::from_seed(key.seed());
        self.with_ledger(move |l| registry::set_officer_units(l, &units, &key, record_instant(now))).await
    }

    async fn certificates(&self) -> Result<Vec<CertificateRecord>> {
        self.read(certificates::list).await
    }

    async fn certificate(&self, number: String) -> Result<Option<CertificateRecord>> {
        self.read(move |c| certificates::get(c, &number)).await
    }

    async fn certificate_history(&self, number: Option<String>) -> Result<Vec<CertificateEvent>> {
        self.read(move |c| certificate_history::list(c, number.as_deref())).await
    }

    async fn certificate_at(&self, number: String, at: DateTime<Utc>) -> Result<Option<CertificateEvent>> {
        self.read(move |c| certificate_history::at(c, &number, at)).await
    }

    async fn officers(&self) -> Result<Vec<OfficerRecord>> {
        self.read(officers::list).await
    }

    async fn registry_snapshot(
        &self,
        key: &SecretKey,
        scope: RegistryScope,
        now: DateTime<Utc>,
    ) -> Result<SignedRegistryUpdate> {
        let key = SecretKey::from_seed(key.seed());
        // A write: the first snapshot records the signing key as active. One transaction, so
        // the version and the contents are of the same moment.
        self.with_ledger(move |l| registry::snapshot(l, &key, scope, record_instant(now))).await
    }

    async fn add_admin_token(&self, token: NewAdminToken) -> Result<()> {
        self.write(move |tx| admin_tokens::insert(tx, &token)).await
    }

    async fn admin_token(&self, token: TokenHash) -> Result<Option<AdminRecord>> {
        self.read(move |c| admin_tokens::get(c, token)).await
    }

    async fn admin_tokens(&self) -> Result<Vec<AdminRecord>> {
        self.read(admin_tokens::list).await
    }

    async fn note_admin_token_use(&self, token: TokenHash, now: DateTime<Utc>) -> Result<()> {
        self.write(move |tx| admin_tokens::note_use(tx, token, record_instant(now))).await
    }

    async fn revoke_admin_token(&self, token: TokenHash, now: DateTime<Utc>) -> Result<AdminRecord> {
        self.write(move |tx| {
            if !admin_tokens::revoke(tx, token, record_instant(now))? {
                return Err(StoreError::NotFound { what: "administrator's token", id: token.prefix() });
            }
            admin_tokens::get(tx, token)?.ok_or_else(|| StoreError::Other("a revoked token vanished".into()))
        })
        .await
    }
}

/// The database file's device and inode numbers: a copy put in its place has others.
fn file_identity(path: &std::path::Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata(path) {
            return format!("{}:{}", meta.dev(), meta.ino());
        }
    }
    format!("{}", path.display()).replace(char::is_whitespace, "_")
}
