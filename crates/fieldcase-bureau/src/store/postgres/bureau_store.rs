//! [`BureauStore`] on PostgreSQL: each call is one transaction; the decisions are made by
//! [`crate::push`], [`crate::registry`] and [`crate::enrollment`] over a [`super::PgLedger`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::evidence::{EvidenceRef, RecorderCheck};
use fieldcase_core::ids::{DeviceId, InspectionId, OfficerId};
use fieldcase_core::registry::{KeyRotation, RegistryScope, SignedRegistryUpdate};
use fieldcase_core::signing::{PublicKey, SecretKey};
use fieldcase_core::site::Site;
use fieldcase_core::time::record_instant;
use fieldcase_core::wire::{ItemResult, PushItem};

use super::{Lock, PostgresStore, feed, people, received, registry_rows, reviews, upload_rows};
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
impl BureauStore for PostgresStore {
    async fn add_enrollment_code(&self, code: NewEnrollmentCode) -> Result<()> {
        self.run(move |l| l.block(people::insert_code(l.tx, &code))).await
    }

    async fn enroll(&self, enrollment: Enrollment, now: DateTime<Utc>) -> Result<DeviceRecord> {
        self.locked(Lock::Device(enrollment.device_id), move |l| enrollment::enroll(l, &enrollment, now)).await
    }

    async fn usable_enrollment_code(&self, code_hash: ContentHash, now: DateTime<Utc>) -> Result<Option<UsableCode>> {
        self.run(move |l| l.block(people::usable_code(l.tx, &code_hash, now, false))).await
    }

    async fn device_by_token(&self, token: TokenHash) -> Result<Option<DeviceRecord>> {
        self.run(move |l| l.block(people::device_by_token(l.tx, token))).await
    }

    async fn touch_device(&self, device: DeviceId, now: DateTime<Utc>) -> Result<()> {
        self.run(move |l| l.block(people::touch(l.tx, device, now))).await
    }

    async fn devices(&self) -> Result<Vec<DeviceRecord>> {
        self.run(|l| l.block(people::devices(l.tx))).await
    }

    async fn revoke_device(&self, device: DeviceId, now: DateTime<Utc>) -> Result<DeviceRecord> {
        self.locked(Lock::Device(device), move |l| enrollment::revoke(l, device, record_instant(now))).await
    }

    async fn reinstate_device(&self, device: DeviceId) -> Result<DeviceRecord> {
        self.locked(Lock::Device(device), move |l| enrollment::reinstate(l, device)).await
    }

    async fn set_device_units(&self, device: DeviceId, units: Vec<String>) -> Result<DeviceRecord> {
        self.locked(Lock::Device(device), move |l| enrollment::set_units(l, device, &units)).await
    }

    async fn push(&self, device: &DeviceRecord, items: ExaminedItems, now: DateTime<Utc>) -> Result<Vec<ItemResult>> {
        let device = device.clone();
        let now = record_instant(now);
        self.locked(Lock::Device(device.device_id), move |l| {
            // Examined first, so what the page will ask is read in a few queries.
            let items: Vec<_> = items.collect();
            let pushed: Vec<&PushItem> = items.iter().filter_map(|e| e.as_ref().ok()).map(|e| &e.item).collect();
            l.prefetch(&pushed)?;
            let results = push::apply_page(l, &device, Box::new(items.into_iter()), now)?;
            l.block(people::touch(l.tx, device.device_id, now))?;
            Ok(results)
        })
        .await
    }

    async fn changes(&self, after: u64, bound: PageBound, reader: Option<DeviceId>) -> Result<ChangePage> {
        self.run(move |l| l.block(feed::page(l.tx, after, bound, reader))).await
    }

    fn identity(&self) -> String {
        self.identity.clone()
    }

    async fn feed_state(&self) -> Result<Option<FeedState>> {
        self.run(|l| l.block(feed::state(l.tx))).await
    }

    async fn begin_feed_epoch(&self, epoch: String, now: DateTime<Utc>) -> Result<FeedState> {
        self.locked(Lock::Feed, move |l| {
            l.block(feed::begin(l.tx, &epoch, record_instant(now)))?;
            l.block(feed::state(l.tx))?.ok_or_else(|| StoreError::Other("the feed's epoch vanished".into()))
        })
        .await
    }

    async fn begin_first_feed_epoch(&self, epoch: String, now: DateTime<Utc>) -> Result<FeedState> {
        // Looked at and begun under the feed's lock: of two processes opening a new database at
        // once, the second finds the first's epoch and keeps it.
        self.locked(Lock::Feed, move |l| {
            if let Some(state) = l.block(feed::state(l.tx))? {
                return Ok(state);
            }
            l.block(feed::begin(l.tx, &epoch, record_instant(now)))?;
            l.block(feed::state(l.tx))?.ok_or_else(|| StoreError::Other("the feed's epoch vanished".into()))
        })
        .await
    }

    async fn add_site(&self, site: Site, now: DateTime<Utc>) -> Result<bool> {
        // The feed's lock first, as a push does: one site per credit code.
        self.locked(Lock::Feed, move |l| {
            if l.block(received::site_by_uscc(l.tx, &site.uscc))?.is_some() {
                return Ok(false);
            }
            l.block(received::insert_site(l.tx, &site, None, record_instant(now)))?;
            Ok(true)
        })
        .await
    }

    async fn sites(&self) -> Result<Vec<DirectorySite>> {
        self.run(|l| l.block(received::sites(l.tx))).await
    }

    async fn inspections(&self) -> Result<Vec<ReceivedInspection>> {
        self.run(|l| l.block(received::inspections(l.tx))).await
    }

    async fn reviews(&self, scope: ReviewScope) -> Result<Vec<ReviewItem>> {
        self.run(move |l| l.block(reviews::list(l.tx, scope))).await
    }

    async fn evidence_of(&self, inspection: InspectionId) -> Result<(Vec<EvidenceRef>, Vec<RecorderCheck>)> {
        self.run(move |l| {
            let evidence = l.block(upload_rows::evidence_of(l.tx, inspection))?;
            Ok((evidence, l.block(upload_rows::recorder_checks_of(l.tx, inspection))?))
        })
        .await
    }

    async fn register_signing_key(&self, key: PublicKey, now: DateTime<Utc>) -> Result<SigningKeyRecord> {
        self.locked(Lock::Registry, move |l| registry::register_signing_key(l, &key, record_instant(now))).await
    }

    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>> {
        self.run(|l| l.block(registry_rows::keys(l.tx))).await
    }

    async fn rotate_signing_key(&self, old: &SecretKey, new: PublicKey, now: DateTime<Utc>) -> Result<KeyRotation> {
        let old = SecretKey::from_seed(old.seed());
        self.locked(Lock::Registry, move |l| registry::rotate_signing_key(l, &old, new, record_instant(now))).await
    }

    async fn change_certificates(
        &self,
        actions: Vec<CertificateAction>,
        actor: String,
        key: &SecretKey,
        now: DateTime<Utc>,
    ) -> Result<CertificateChanges> {
        let key = SecretKey::from_seed(key.seed());
        self.locked(Lock::Registry, move |l| {
            registry::change_certificates(l, &actions, &actor, &key, record_instant(now))
        })
        .await
    }

    async fn set_officer_pins(
        &self,
        pins: Vec<(OfficerId, String)>,
        key: &SecretKey,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let key = SecretKey::from_seed(key.seed());
        self.locked(Lock::Registry, move |l| registry::set_officer_pins(l, &pins, &key, record_instant(now))).await
    }

    async fn set_officer_units(
        &self,
        units: Vec<(OfficerId, Option<String>)>,
        key: &SecretKey,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let key = SecretKey::from_seed(key.seed());
        self.locked(Lock::Registry, move |l| registry::set_officer_units(l, &units, &key, record_instant(now))).await
    }

    async fn certificates(&self) -> Result<Vec<CertificateRecord>> {
        self.run(|l| l.block(registry_rows::certificates(l.tx))).await
    }

    async fn certificate(&self, number: String) -> Result<Option<CertificateRecord>> {
        self.run(move |l| l.block(registry_rows::certificate_by_number(l.tx, &number))).await
    }

    async fn certificate_history(&self, number: Option<String>) -> Result<Vec<CertificateEvent>> {
        self.run(move |l| l.block(registry_rows::history(l.tx, number.as_deref()))).await
    }

    async fn certificate_at(&self, number: String, at: DateTime<Utc>) -> Result<Option<CertificateEvent>> {
        self.run(move |l| l.block(registry_rows::event_at(l.tx, &number, at))).await
    }

    async fn officers(&self) -> Result<Vec<OfficerRecord>> {
        self.run(|l| l.block(registry_rows::officers(l.tx))).await
    }

    async fn registry_snapshot(
        &self,
        key: &SecretKey,
        scope: RegistryScope,
        now: DateTime<Utc>,
    ) -> Result<SignedRegistryUpdate> {
        let key = SecretKey::from_seed(key.seed());
        // One transaction, so the version and the contents are of the same moment. Without the
        // registry's lock: every pull asks for one, and the key it may record as active was
        // recorded when the bureau opened (a second recording would be refused by the index
        // that allows one active key).
        self.run(move |l| registry::snapshot(l, &key, scope, record_instant(now))).await
    }

    async fn add_admin_token(&self, token: NewAdminToken) -> Result<()> {
        self.run(move |l| l.block(people::insert_admin(l.tx, &token))).await
    }

    async fn admin_token(&self, token: TokenHash) -> Result<Option<AdminRecord>> {
        self.run(move |l| l.block(people::admin_token(l.tx, token))).await
    }

    async fn admin_tokens(&self) -> Result<Vec<AdminRecord>> {
        self.run(|l| l.block(people::admin_tokens(l.tx))).await
    }

    async fn note_admin_token_use(&self, token: TokenHash, now: DateTime<Utc>) -> Result<()> {
        self.run(move |l| l.block(people::note_admin_use(l.tx, token, record_instant(now)))).await
    }

    async fn revoke_admin_token(&self, token: TokenHash, now: DateTime<Utc>) -> Result<AdminRecord> {
        self.run(move |l| {
            if !l.block(people::revoke_admin(l.tx, token, record_instant(now)))? {
                return Err(StoreError::NotFound { what: "administrator's token", id: token.prefix() });
            }
            l.block(people::admin_token(l.tx, token))?
                .ok_or_else(|| StoreError::Other("a revoked token vanished".into()))
        })
        .await
    }
}
