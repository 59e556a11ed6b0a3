//! The bureau API's request and response bodies (`/api/v1`), shared by the device's sync
//! agent and the bureau server so the two can never disagree on a field.
//!
//! Every body is JSON. Every error is [`ApiError`] `{code, message}` with an HTTP status.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use ts_rs::TS;

use crate::audit::AuditRun;
use crate::canonical::ContentHash;
use crate::certificate::CertificateCheck;
use crate::checklist::ChecklistTemplate;
use crate::codes::{ErrorCode, RecordKind};
use crate::evidence::{EvidenceRef, RecorderCheck};
use crate::ids::DeviceId;
use crate::inspection::Inspection;
use crate::registry::KeyId;
use crate::signing::{PublicKey, SecretKey, Signature, Signed};
use crate::site::Site;

/// The version prefix of every path.
pub const API_PREFIX: &str = "/api/v1";

/// The most items a device puts in one push page.
pub const MAX_PUSH_PAGE: usize = 1000;

/// The error body of every failed request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// Stable, for programs.
    pub code: ErrorCode,
    /// For people: what was wrong and how to fix it.
    pub message: String,
}

/// `GET /health`: the bureau is up, and its clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
    pub bureau_time: DateTime<Utc>,
    pub version: String,
}

/// `POST /enroll`: a device joins the bureau with a one-time code, and proves it holds the
/// key it presents by signing the request with it.
///
/// The signature covers the code, so the code is the challenge: an administrator makes it
/// fresh for this one enrollment, and it is used up by it. Someone who learns a code but not
/// a device's secret key cannot enroll that device's id and key with it (they cannot sign),
/// and a signed request seen on the wire cannot be used again (its code is spent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollRequest {
    pub code: String,
    /// The id the device made for itself at first start; its audit entries name it.
    pub device_id: DeviceId,
    pub device_public_key: PublicKey,
    /// How the device calls itself (its host name), for administrators.
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub label: Option<String>,
    /// The device key's signature over [`EnrollRequest::signed_hash`].
    pub signature: Signature,
}

impl EnrollRequest {
    /// A request signed with the device's key.
    pub fn sign(code: &str, device_id: DeviceId, label: Option<String>, key: &SecretKey) -> Self {
        let device_public_key = key.public_key();
        let hash = Self::hash_of(code, device_id, &device_public_key, label.as_deref());
        EnrollRequest {
            code: code.trim().to_owned(),
            device_id,
            device_public_key,
            label,
            signature: key.sign(Signed::Enrollment, &hash),
        }
    }

    /// What the signature covers: the code as it is compared (see
    /// [`normalize_enrollment_code`]), the device id, its key and its label.
    pub fn signed_hash(&self) -> ContentHash {
        Self::hash_of(&self.code, self.device_id, &self.device_public_key, self.label.as_deref())
    }

    fn hash_of(code: &str, device_id: DeviceId, key: &PublicKey, label: Option<&str>) -> ContentHash {
        ContentHash::of(&(normalize_enrollment_code(code), device_id, key, label))
    }

    /// Whether the request is signed by the key it presents.
    pub fn verify(&self) -> Result<(), crate::signing::SignatureError> {
        self.device_public_key.verify(Signed::Enrollment, &self.signed_hash(), &self.signature)
    }
}

/// An enrollment code as typed, in the one form that is compared and hashed: capitals, no
/// separators or spaces (officers copy codes by hand).
pub fn normalize_enrollment_code(typed: &str) -> String {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollResponse {
    pub device_id: DeviceId,
    /// The bearer token for every later request. The bureau keeps only its hash.
    pub token: String,
    /// The bureau's signing key, pinned by the device.
    pub bureau_public_key: PublicKey,
    pub bureau_time: DateTime<Utc>,
}

/// One record a device pushes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// An inspection is the record a push is for, and items are handled one at a time: boxing it
// would save a few hundred bytes per item of a page at the cost of every match on it.
#[allow(clippy::large_enum_variant)]
pub enum PushItem {
    Site(Site),
    Inspection(Inspection),
    CertificateCheck(CertificateCheck),
    Evidence(EvidenceRef),
    RecorderCheck(RecorderCheck),
    /// Consecutive entries of the pushing device's audit chain.
    Audit(AuditRun),
}

impl PushItem {
    pub fn kind(&self) -> RecordKind {
        match self {
            PushItem::Site(_) => RecordKind::Site,
            PushItem::Inspection(_) => RecordKind::Inspection,
            PushItem::CertificateCheck(_) => RecordKind::CertificateCheck,
            PushItem::Evidence(_) => RecordKind::Evidence,
            PushItem::RecorderCheck(_) => RecordKind::RecorderCheck,
            PushItem::Audit(_) => RecordKind::Audit,
        }
    }

    /// The record's id; for audit entries, the numbers of the first and last (`12-40`).
    pub fn id(&self) -> String {
        match self {
            PushItem::Site(s) => s.id.to_string(),
            PushItem::Inspection(i) => i.id.to_string(),
            PushItem::CertificateCheck(c) => c.id.to_string(),
            PushItem::Evidence(e) => e.id.to_string(),
            PushItem::RecorderCheck(c) => c.id.to_string(),
            PushItem::Audit(run) => format!("{}-{}", run.first_seq, run.last_seq()),
        }
    }

    /// What idempotency compares: the same `(id, content_hash)` again is a no-op, the same
    /// id with another hash a conflict.
    pub fn content_hash(&self) -> ContentHash {
        match self {
            PushItem::Inspection(i) => i.seal.as_ref().map_or_else(|| i.content_hash(), |s| s.content_hash),
            PushItem::Audit(run) => run.last_hash,
            PushItem::Site(s) => ContentHash::of(s),
            PushItem::CertificateCheck(c) => ContentHash::of(c),
            PushItem::Evidence(e) => ContentHash::of(e),
            PushItem::RecorderCheck(c) => ContentHash::of(c),
        }
    }
}

/// `POST /push`: one page of records, signed by the device that made them.
///
/// `items` travels as the exact JSON text the device signed, and the signature covers those
/// bytes: neither side has to re-encode a page to check it, and what was signed is what
/// arrived. (A record's own hashes — an inspection's seal, an audit entry's link — stay over
/// canonical JSON, because they must be recomputed years later from the stored record.)
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    /// A JSON array of [`PushItem`]s.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<PushItem>))]
    pub items: Box<RawValue>,
    /// The device's signature over [`PushRequest::items_hash`].
    pub signature: Signature,
    /// The items hash of the page this one follows, when the device sends it before the
    /// answer to that one: the bureau stores it only after that page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<ContentHash>,
}

impl PushRequest {
    /// Encodes `items` once and signs the bytes.
    pub fn sign(items: &[PushItem], key: &SecretKey) -> PushRequest {
        Self::sign_hashed(items, key).0
    }

    /// [`PushRequest::sign`], with the hash it signed (what a page sent after it names as
    /// `after`).
    pub fn sign_hashed(items: &[PushItem], key: &SecretKey) -> (PushRequest, ContentHash) {
        // Our records always encode, and serde_json writes valid JSON, so the text is not
        // parsed again to prove it.
        let items = serde_json::value::to_raw_value(items).expect("push items encode as JSON");
        let hash = Self::hash_of(&items);
        let signature = key.sign(Signed::PushPage, &hash);
        (PushRequest { items, signature, after: None }, hash)
    }

    /// Signs items already encoded as JSON text.
    pub fn sign_text(text: String, key: &SecretKey) -> Result<PushRequest, serde_json::Error> {
        let items = RawValue::from_string(text)?;
        let signature = key.sign(Signed::PushPage, &Self::hash_of(&items));
        Ok(PushRequest { items, signature, after: None })
    }

    /// The hash the page signature covers: SHA-256 of the `items` text as sent.
    pub fn items_hash(&self) -> ContentHash {
        Self::hash_of(&self.items)
    }

    fn hash_of(items: &RawValue) -> ContentHash {
        ContentHash::of_bytes(items.get().as_bytes())
    }
}

/// What became of one pushed item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "fate", rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Fate {
    /// Stored now.
    Accepted,
    /// Already stored with the same content: nothing to do.
    Duplicate,
    /// The bureau holds another version under this id; the first stays, this one is kept
    /// for review.
    Conflict { existing_hash: String },
    /// Not stored; the reason says why (and is kept for review, unless a text was over its
    /// limit: then nothing of the record is kept). A refusal programs tell apart (an evidence
    /// reference the inspection's seal does not cover) carries its code.
    Rejected {
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        code: Option<ErrorCode>,
    },
}

impl Fate {
    /// Rejected for `reason`, with no code of its own.
    pub fn rejected(reason: impl Into<String>) -> Self {
        Fate::Rejected { reason: reason.into(), code: None }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemResult {
    pub kind: RecordKind,
    pub id: String,
    #[serde(flatten)]
    pub fate: Fate,
}

/// The fate of every item of a page, in the order pushed. A 200 never hides a rejection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    pub results: Vec<ItemResult>,
    pub bureau_time: DateTime<Utc>,
}

/// One change in the bureau's feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ChangeRecord {
    Site(Site),
    Template(ChecklistTemplate),
    /// A signed certificate registry snapshot or delta.
    Registry(crate::registry::SignedRegistryUpdate),
    /// The bureau's signing key changed; the old key vouches for the new one.
    KeyRotation(crate::registry::KeyRotation),
    /// The bureau's verdict on an evidence file a device uploaded: served only to that device.
    EvidenceVerdict(crate::upload::EvidenceVerdict),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// The feed position of this change; pull again after it.
    pub cursor: u64,
    #[serde(flatten)]
    pub record: ChangeRecord,
    /// The bureau's signature over the record, made as it is served: a device applies a site
    /// or a template only when a key it trusts signed it (registry updates and key rotations
    /// carry signatures of their own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal: Option<FeedSeal>,
}

/// The bureau's signature over one change of its feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedSeal {
    pub key_id: KeyId,
    pub signature: Signature,
}

impl Change {
    /// A change as stored, not yet sealed.
    pub fn new(cursor: u64, record: ChangeRecord) -> Self {
        Change { cursor, record, seal: None }
    }

    /// Signs the record with the bureau's key.
    pub fn seal(mut self, key: &SecretKey) -> Self {
        let signature = key.sign(Signed::FeedRecord, &ContentHash::of(&self.record));
        self.seal = Some(FeedSeal { key_id: KeyId::of(&key.public_key()), signature });
        self
    }

    /// Whether a key among those trusted (looked up by id) signed the record as it is.
    pub fn verify_seal(
        &self,
        trusted: impl FnOnce(&KeyId) -> Option<PublicKey>,
    ) -> Result<(), crate::registry::RegistryError> {
        use crate::registry::RegistryError;
        let seal =
            self.seal.as_ref().ok_or_else(|| RegistryError::Malformed("it is not signed by the bureau".into()))?;
        let key = trusted(&seal.key_id).ok_or_else(|| RegistryError::UnknownKey(seal.key_id.clone()))?;
        key.verify(Signed::FeedRecord, &ContentHash::of(&self.record), &seal.signature)
            .map_err(|_| RegistryError::BadSignature)
    }
}

/// `GET /changes?after=CURSOR&limit=N`: the changes after a cursor, oldest first: at most N,
/// and at most the bureau's `pull_page_bytes` of them, but always one if any is there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// The cursor to pull after next time (the last change's, or the one given).
    pub next_cursor: u64,
    /// Whether more changes wait after `next_cursor`.
    pub more: bool,
    pub bureau_time: DateTime<Utc>,
    /// The run of cursors this feed is in. A bureau restored from a backup, or a new
    /// database, begins another: a device that pulled in another epoch pulls again from the
    /// start (applying what it pulls is idempotent).
    #[serde(default)]
    pub feed_epoch: String,
    /// The units the bureau now scopes this device's registry to (see
    /// [`crate::sign_in_scope`]); absent from a bureau that does not scope. A device whose copy
    /// was made for other units fetches the snapshot, so it gains the PIN verifiers it newly
    /// needs and loses those it may no longer hold.
    #[serde(default)]
    pub registry_units: Option<Vec<String>>,
}
