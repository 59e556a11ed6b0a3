//! The bureau's storage, behind one trait so the backend is chosen at start-up.
//!
//! [`BureauStore`] is everything the HTTP handlers and the administration functions need;
//! SQLite ([`sqlite::SqliteStore`]) is the default backend, chosen in [`crate::open_store`]
//! from the configuration. The decisions are not the backend's: a write that decides runs
//! [`crate::push`] or [`crate::registry`] over the backend's ledger for one transaction
//! ([`crate::push::PushLedger`], [`crate::registry::RegistryLedger`]), which only reads and
//! writes rows. A second backend (PostgreSQL) is a module beside `sqlite/` with its own
//! `migrations/`, implementing this trait and those ledgers in SQL; it runs the same story
//! test (`tests/store_story.rs`). Handlers do not change.

pub mod sqlite;

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::codes::RecordKind;
use fieldcase_core::ids::{DeviceId, OfficerId};
use fieldcase_core::inspection::Outcome;
use fieldcase_core::registry::{KeyId, KeyRotation, SignedRegistryUpdate};
use fieldcase_core::signing::{PublicKey, SecretKey};
use fieldcase_core::site::Site;
use fieldcase_core::wire::{Change, ItemResult};

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

/// A one-time enrollment code as stored: its hash, never the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnrollmentCode {
    pub code_hash: ContentHash,
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A device asking to enroll (its request's signature checked), with what the bureau will
/// keep of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    /// The hash of the normalized code the device presented.
    pub code_hash: ContentHash,
    pub device_id: DeviceId,
    pub public_key: PublicKey,
    /// What the laptop calls itself (its host name).
    pub host_label: Option<String>,
    pub token_hash: TokenHash,
}

/// An enrolled device, as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceRecord {
    pub device_id: DeviceId,
    pub public_key: PublicKey,
    /// The label the administrator gave its enrollment code.
    pub label: Option<String>,
    /// What the laptop calls itself.
    pub host_label: Option<String>,
    pub enrolled_at: DateTime<Utc>,
    pub last_seen: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl DeviceRecord {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

/// Where the change feed stands: its epoch and its last cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedState {
    pub epoch: String,
    pub last_cursor: u64,
}

/// How much one page of the change feed holds: at most `changes` changes, whose JSON takes at
/// most `bytes`, except that a page always carries at least one change (a change larger than
/// `bytes` goes alone), so that a device always gets on.
///
/// Both bounds matter: a page of a few hundred sites is small, but each held to its limits
/// (`fieldcase_core::limits`) a site can still take some kilobytes, and a registry snapshot
/// far more; a device's pull must finish well within its time-out, every time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageBound {
    pub changes: usize,
    pub bytes: usize,
}

impl PageBound {
    /// The JSON a change takes around its record, at most: `{"cursor":…,"kind":"…","record":},`
    /// with a cursor of 20 digits and the longest kind (64), and the seal the API adds as it
    /// serves it, `"seal":{"key_id":…,"signature":…}` (192).
    pub const CHANGE_OVERHEAD: usize = 64 + 192;

    /// At most `changes` changes, within the default byte bound
    /// ([`crate::config::DEFAULT_PULL_PAGE_BYTES`]).
    pub fn changes(changes: usize) -> Self {
        PageBound { changes, bytes: crate::config::DEFAULT_PULL_PAGE_BYTES }
    }

    /// Whether a page that holds `taken` changes of `bytes` in all has room for the next, whose
    /// record takes `record_bytes`. A page with none has room for any one change.
    pub fn admits(&self, taken: usize, bytes: usize, record_bytes: usize) -> bool {
        taken == 0
            || (taken < self.changes
                && bytes.saturating_add(record_bytes).saturating_add(Self::CHANGE_OVERHEAD) <= self.bytes)
    }

    /// What a change whose record takes `record_bytes` counts against [`PageBound::bytes`].
    pub fn size_of(record_bytes: usize) -> usize {
        record_bytes.saturating_add(Self::CHANGE_OVERHEAD)
    }
}

/// One page of the change feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangePage {
    pub changes: Vec<Change>,
    /// Whether changes remain after the last one in `changes`.
    pub more: bool,
}

/// Where a site in the directory came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SiteSource {
    /// Entered at the bureau (the demo directory, later an import).
    Bureau,
    /// First recorded by an officer's device and pushed.
    Device { device: DeviceId },
}

/// A site of the bureau's directory, with the device records that joined it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectorySite {
    #[serde(flatten)]
    pub site: Site,
    pub source: SiteSource,
    pub received_at: DateTime<Utc>,
    /// Device-made site ids that joined this site by its unified social credit code.
    pub aliases: Vec<String>,
}

/// A finalized inspection the bureau received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedInspection {
    pub id: String,
    pub supersedes: Option<String>,
    /// The bureau's site (an alias the device used is resolved).
    pub site_id: String,
    /// None while the site itself has not reached the bureau.
    pub site_name: Option<String>,
    pub device_id: DeviceId,
    pub device_label: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub outcome: Option<Outcome>,
    pub content_hash: ContentHash,
    pub received_at: DateTime<Utc>,
    /// Whether an open review item concerns this inspection (a conflicting version, too few
    /// checked officers).
    pub needs_review: bool,
    pub review_reasons: Vec<ReviewReason>,
    /// What the open review items say is wrong (e.g. which officer's certificate was revoked
    /// before the inspection).
    pub review_details: Vec<String>,
}

/// Why something waits for a person at the bureau.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewReason {
    /// Another version under an id the bureau already holds; the first stays.
    Conflict,
    /// Refused (a bad seal, a break in the audit chain); not stored as a record.
    Rejected,
    /// Stored, but something about it needs a person's eye.
    Flagged,
}

impl ReviewReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Conflict => "conflict",
            Self::Rejected => "rejected",
            Self::Flagged => "flagged",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "conflict" => Some(Self::Conflict),
            "rejected" => Some(Self::Rejected),
            "flagged" => Some(Self::Flagged),
            _ => None,
        }
    }
}

/// Which review items to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewScope {
    /// Those still waiting for a person.
    Open,
    /// Settled ones too.
    All,
}

/// Something pushed that a person at the bureau must look at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewItem {
    pub id: i64,
    pub device_id: DeviceId,
    pub kind: RecordKind,
    pub item_id: String,
    pub reason: ReviewReason,
    /// What is wrong, in words.
    pub detail: String,
    pub content_hash: ContentHash,
    pub first_received_at: DateTime<Utc>,
    pub last_received_at: DateTime<Utc>,
    /// How many times the device pushed it.
    pub times: u32,
    /// Set when the bureau settled it (e.g. the missing audit entries arrived).
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    /// The pushed item as received.
    pub record: serde_json::Value,
}

/// One of the bureau's signing keys (the public half; the secret stays in `bureau.key`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SigningKeyRecord {
    pub key_id: KeyId,
    pub public_key: PublicKey,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

/// A new administrator's token as stored: its hash, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAdminToken {
    pub token_hash: TokenHash,
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// An administrator's token, as the bureau knows it (by its hash). Whether it still works is
/// decided in [`crate::admin`] (`AdminRecord::standing`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdminRecord {
    /// Never shown: the hash prefix names the token.
    #[serde(skip)]
    pub token_hash: TokenHash,
    /// The first hex digits of the token's hash, to tell tokens apart in the records and to
    /// revoke one: unique among the bureau's tokens.
    pub hash_prefix: String,
    pub label: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When it last authenticated a request, to the minute or so.
    pub last_used: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The bureau's records: devices and their credentials, what devices pushed, the change
/// feed, and what waits for review. Every method is one transaction: it happens whole or
/// not at all.
#[async_trait]
pub trait BureauStore: Send + Sync + fmt::Debug {
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

    // ----- sync -----

    /// Applies one page of a device's records, whose signature has been verified, in order
    /// as they are examined, in one transaction, and says what became of each (see
    /// [`crate::push::apply_page`]).
    async fn push(&self, device: &DeviceRecord, items: ExaminedItems, now: DateTime<Utc>) -> Result<Vec<ItemResult>>;

    /// The changes after `after`, oldest first, as many as fit in `bound` (at least one, if
    /// any is there).
    async fn changes(&self, after: u64, bound: PageBound) -> Result<ChangePage>;

    /// What tells this database apart from a copy of it put in its place (for SQLite, the
    /// file's device and inode numbers): see [`crate::feed_epoch`].
    fn identity(&self) -> String;

    /// The feed's epoch and last cursor; None before an epoch was begun.
    async fn feed_state(&self) -> Result<Option<FeedState>>;

    /// Begins a new epoch of the feed (see [`crate::feed_epoch`]).
    async fn begin_feed_epoch(&self, epoch: String, now: DateTime<Utc>) -> Result<FeedState>;

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

    /// Every certificate as it stands, by number.
    async fn certificates(&self) -> Result<Vec<CertificateRecord>>;

    async fn certificate(&self, number: String) -> Result<Option<CertificateRecord>>;

    /// The history of one certificate (or of all), oldest first.
    async fn certificate_history(&self, number: Option<String>) -> Result<Vec<CertificateEvent>>;

    /// What the certificate was at `at`: the last history row at or before it.
    async fn certificate_at(&self, number: String, at: DateTime<Utc>) -> Result<Option<CertificateEvent>>;

    /// The officers the registry knows, by id.
    async fn officers(&self) -> Result<Vec<OfficerRecord>>;

    /// The whole registry as it now stands, as the latest published version, signed now with
    /// `key` (the active key). Version 0 while nothing was ever published.
    async fn registry_snapshot(&self, key: &SecretKey, now: DateTime<Utc>) -> Result<SignedRegistryUpdate>;

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

#[cfg(test)]
mod tests {
    use super::PageBound;

    #[test]
    fn a_page_takes_changes_while_their_bytes_fit_and_always_one() {
        let size = PageBound::size_of(400);
        let bound = PageBound { changes: 3, bytes: 2 * size + 10 };
        assert!(bound.admits(0, 0, 5_000_000), "an empty page takes any one change");
        assert!(bound.admits(1, size, 400), "two fit");
        assert!(!bound.admits(2, 2 * size, 100), "a third would pass the bound");
        assert!(bound.admits(2, 2 * 70, 1), "three small ones fit");
        assert!(!bound.admits(3, 3 * 70, 1), "but no more than three changes");
        assert!(!bound.admits(1, usize::MAX, usize::MAX), "sizes never wrap");
    }
}
