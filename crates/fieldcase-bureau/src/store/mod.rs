//! The bureau's storage, behind one trait so the backend is chosen at start-up.
//!
//! [`BureauStore`] is everything the HTTP handlers and the administration functions need;
//! SQLite ([`sqlite::SqliteStore`]) is the default backend, PostgreSQL
//! ([`postgres::PostgresStore`]) the one for a bureau beyond one machine, chosen in
//! [`crate::open_store`] from the configuration. The decisions are not the backend's: a
//! write that decides runs [`crate::push`] or [`crate::registry`] over the backend's ledger
//! for one transaction ([`crate::push::PushLedger`], [`crate::registry::RegistryLedger`]),
//! which only reads and writes rows. Each backend is a module with its own `migrations/`, implementing this trait
//! and those ledgers in SQL; both run the same story test (`tests/store_story.rs`) and the
//! API and upload tests. Handlers do not change.

mod feed;
pub mod postgres;
mod records;
pub mod sqlite;
mod uploads;

pub use feed::{ChangePage, FeedState, PageBound};
pub use records::{
    AdminRecord, DeviceRecord, DirectorySite, Enrollment, NewAdminToken, NewEnrollmentCode, ReceivedInspection,
    ReviewItem, ReviewReason, ReviewScope, SigningKeyRecord, SiteSource,
};
pub use uploads::{
    CustodyEntry, CustodyEvent, EvidenceBlob, HeldEvidence, Lease, Leasing, Progress, UploadRecord, UploadState,
    UploadStore,
};

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::evidence::{EvidenceRef, RecorderCheck};
use fieldcase_core::ids::{DeviceId, InspectionId, OfficerId};
use fieldcase_core::registry::{KeyRotation, RegistryScope, SignedRegistryUpdate};
use fieldcase_core::signing::{PublicKey, SecretKey};
use fieldcase_core::site::Site;
use fieldcase_core::wire::ItemResult;

use crate::certificates::{
    CertificateAction, CertificateChanges, CertificateEvent, CertificateRecord, OfficerRecord, Refusal,
};
use crate::enrollment::UsableCode;
use crate::push::{ExaminedItems, PageRefused};

/// What can go wrong below the bureau's API. Small on purpose: handlers map the first three
/// to answers a device can act on; everything else is an internal fault, logged.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no {what} '{id}'")]
    NotFound { what: &'static str, id: String },
    #[error("the enrollment code is unknown, has expired or was already used")]
    EnrollmentCodeInvalid,
    #[error("device {device} is enrolled with another public key")]
    DeviceKeyMismatch { device: DeviceId },
    /// The device was revoked; only an administrator's reinstatement lifts that.
    #[error("device {device} is revoked")]
    DeviceRevoked { device: DeviceId },
    #[error("the bureau's database cannot be written ({0})")]
    ReadOnly(String),
    #[error("the bureau's database is damaged or is not a fieldcase bureau database ({0})")]
    Corrupt(String),
    /// A push page with an item that is not a push record; nothing of it was stored.
    #[error("{0}")]
    PageRefused(#[from] PageRefused),
    /// An administrator's request that was not carried out; nothing changed.
    #[error("{0}")]
    Refused(#[from] Refusal),
    /// The key offered for signing is not the bureau's active signing key.
    #[error("{0}")]
    SigningKey(String),
    #[error("storage error: {0}")]
    Other(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// The same error, a refusal placed as the `index`th action of a batch.
    pub fn at_item(self, index: usize) -> Self {
        match self {
            Self::Refused(refusal) => Self::Refused(refusal.at_item(index)),
            other => other,
        }
    }
}

/// The SHA-256 of a device's bearer token: all the bureau keeps of it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash(ContentHash);

impl TokenHash {
    pub fn of_token(token: &str) -> Self {
        Self(ContentHash::of_bytes(token.as_bytes()))
    }

    pub fn from_hash(hash: ContentHash) -> Self {
        Self(hash)
    }

    pub fn to_hex(&self) -> String {
        self.0.to_hex()
    }

    /// How many hex digits of a token's hash name it in listings and records.
    pub const PREFIX_DIGITS: usize = 8;

    /// The first [`Self::PREFIX_DIGITS`] hex digits.
    pub fn prefix(&self) -> String {
        let mut hex = self.to_hex();
        hex.truncate(Self::PREFIX_DIGITS);
        hex
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only the hash, and only its start: enough to tell two apart in a log.
        write!(f, "TokenHash({}…)", &self.0.to_hex()[..8])
    }
}

/// The bureau's records: devices and their credentials, what devices pushed, the change
/// feed, and what waits for review, and (through [`UploadStore`]) evidence uploads. Every
/// method is one transaction: it happens whole or not at all.
#[async_trait]
pub trait BureauStore: UploadStore + Send + Sync + fmt::Debug {
    // ----- enrollment and devices -----

    /// Keeps a new one-time enrollment code (its hash).
    async fn add_enrollment_code(&self, code: NewEnrollmentCode) -> Result<()>;

    /// Uses up an enrollment code and registers the device with its new token hash (see
    /// [`crate::enrollment::enroll`]): a device already enrolled with the same key gets the
    /// new token; a revoked one stays revoked.
    async fn enroll(&self, enrollment: Enrollment, now: DateTime<Utc>) -> Result<DeviceRecord>;

    /// The enrollment code with this hash if it exists, is unused and has not expired at
    /// `now`: a read, so that a code the bureau never made is refused without the writer.
    /// [`BureauStore::enroll`] decides again in its transaction.
    async fn usable_enrollment_code(&self, code_hash: ContentHash, now: DateTime<Utc>) -> Result<Option<UsableCode>>;

    /// The device a bearer token belongs to, revoked or not.
    async fn device_by_token(&self, token: TokenHash) -> Result<Option<DeviceRecord>>;

    /// Notes that a device synced.
    async fn touch_device(&self, device: DeviceId, now: DateTime<Utc>) -> Result<()>;

    /// Every enrolled device, in enrollment order.
    async fn devices(&self) -> Result<Vec<DeviceRecord>>;

    /// Stops a device's token from working, until an administrator reinstates it.
    async fn revoke_device(&self, device: DeviceId, now: DateTime<Utc>) -> Result<DeviceRecord>;

    /// Lifts a device's revocation.
    async fn reinstate_device(&self, device: DeviceId) -> Result<DeviceRecord>;

    /// Sets the units a device serves (see [`crate::enrollment::set_units`]).
    async fn set_device_units(&self, device: DeviceId, units: Vec<String>) -> Result<DeviceRecord>;

    // ----- sync -----

    /// Applies one page of a device's records, whose signature has been verified, in order
    /// as they are examined, in one transaction, and says what became of each (see
    /// [`crate::push::apply_page`]).
    async fn push(&self, device: &DeviceRecord, items: ExaminedItems, now: DateTime<Utc>) -> Result<Vec<ItemResult>>;

    /// The changes after `after`, oldest first, as many as fit in `bound` (at least one, if
    /// any is there): those for every device, and those for `reader` only (an evidence
    /// verdict goes to the device that uploaded the file).
    async fn changes(&self, after: u64, bound: PageBound, reader: Option<DeviceId>) -> Result<ChangePage>;

    /// What tells this database apart from a copy of it put in its place (for SQLite, the
    /// file's device and inode numbers): see [`crate::feed_epoch`].
    fn identity(&self) -> String;

    /// The feed's epoch and last cursor; None before an epoch was begun.
    async fn feed_state(&self) -> Result<Option<FeedState>>;

    /// Begins a new epoch of the feed (see [`crate::feed_epoch`]).
    async fn begin_feed_epoch(&self, epoch: String, now: DateTime<Utc>) -> Result<FeedState>;

    /// Begins the feed's first epoch, unless one was begun meanwhile (by another bureau process
    /// opening the same new database at the same moment): the epoch in force either way, so
    /// that every process serves the same one.
    async fn begin_first_feed_epoch(&self, epoch: String, now: DateTime<Utc>) -> Result<FeedState> {
        match self.feed_state().await? {
            Some(state) => Ok(state),
            None => self.begin_feed_epoch(epoch, now).await,
        }
    }

    // ----- directory and review -----

    /// Adds a site to the directory (and the feed) unless one with its unified social
    /// credit code is already there. True when added.
    async fn add_site(&self, site: Site, now: DateTime<Utc>) -> Result<bool>;

    /// The site directory, by name.
    async fn sites(&self) -> Result<Vec<DirectorySite>>;

    /// Received inspections, newest first.
    async fn inspections(&self) -> Result<Vec<ReceivedInspection>>;

    /// Review items, newest first (with [`ReviewScope::All`], open ones before settled ones).
    async fn reviews(&self, scope: ReviewScope) -> Result<Vec<ReviewItem>>;

    /// The evidence references and recorder checks held for an inspection.
    async fn evidence_of(&self, inspection: InspectionId) -> Result<(Vec<EvidenceRef>, Vec<RecorderCheck>)>;

    // ----- signing keys -----

    /// Makes `key` the active signing key if the bureau has none yet; fine if it is the
    /// active one; [`StoreError::SigningKey`] if it is retired or another key is active.
    async fn register_signing_key(&self, key: PublicKey, now: DateTime<Utc>) -> Result<SigningKeyRecord>;

    /// Every signing key, oldest first.
    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>>;

    /// Retires `old` (which must be active), makes `new` active, and appends to the change
    /// feed the rotation `old` signed, before anything `new` signs.
    async fn rotate_signing_key(&self, old: &SecretKey, new: PublicKey, now: DateTime<Utc>) -> Result<KeyRotation>;

    // ----- certificates, officers, the signed registry -----

    /// Applies the actions in order, in one transaction, and publishes one registry version
    /// for all of them (signed with `key`, which must be the active key). The first refused
    /// action refuses the batch ([`StoreError::Refused`], its `item` the action's index);
    /// then nothing changed.
    async fn change_certificates(
        &self,
        actions: Vec<CertificateAction>,
        actor: String,
        key: &SecretKey,
        now: DateTime<Utc>,
    ) -> Result<CertificateChanges>;

    /// Sets the PIN verifiers (Argon2id PHC strings) of officers the registry knows, and
    /// publishes one registry version for them.
    async fn set_officer_pins(
        &self,
        pins: Vec<(OfficerId, String)>,
        key: &SecretKey,
        now: DateTime<Utc>,
    ) -> Result<u64>;

    /// Sets (None: clears) the units of officers the registry knows, and publishes one
    /// registry version for them.
    async fn set_officer_units(
        &self,
        units: Vec<(OfficerId, Option<String>)>,
        key: &SecretKey,
        now: DateTime<Utc>,
    ) -> Result<u64>;

    /// Every certificate as it stands, by number.
    async fn certificates(&self) -> Result<Vec<CertificateRecord>>;

    async fn certificate(&self, number: String) -> Result<Option<CertificateRecord>>;

    /// The history of one certificate (or of all), oldest first.
    async fn certificate_history(&self, number: Option<String>) -> Result<Vec<CertificateEvent>>;

    /// What the certificate was at `at`: the last history row at or before it.
    async fn certificate_at(&self, number: String, at: DateTime<Utc>) -> Result<Option<CertificateEvent>>;

    /// The officers the registry knows, by id.
    async fn officers(&self) -> Result<Vec<OfficerRecord>>;

    /// The whole registry as it now stands, as the latest published version, scoped to one
    /// device (see [`crate::registry::snapshot`]) and signed now with `key` (the active key).
    /// Version 0 while nothing was ever published.
    async fn registry_snapshot(
        &self,
        key: &SecretKey,
        scope: RegistryScope,
        now: DateTime<Utc>,
    ) -> Result<SignedRegistryUpdate>;

    // ----- administrators -----

    async fn add_admin_token(&self, token: NewAdminToken) -> Result<()>;

    /// The administrator's token with this hash, expired, revoked or not: a read, never the
    /// writer, so a token the bureau does not know costs it nothing but the look.
    async fn admin_token(&self, token: TokenHash) -> Result<Option<AdminRecord>>;

    /// Every administrator's token, oldest first.
    async fn admin_tokens(&self) -> Result<Vec<AdminRecord>>;

    /// Notes that the token authenticated a request at `now` (how often is the caller's
    /// choice: see [`crate::admin`]).
    async fn note_admin_token_use(&self, token: TokenHash, now: DateTime<Utc>) -> Result<()>;

    /// Stops the token from working, for good (a revoked token stays revoked; a token
    /// revoked before keeps its first revocation time). The token as it then stands;
    /// [`StoreError::NotFound`] if there is none with this hash.
    async fn revoke_admin_token(&self, token: TokenHash, now: DateTime<Utc>) -> Result<AdminRecord>;
}
