//! The records the bureau's store hands out and takes in: devices and their credentials, the
//! site directory, received inspections, review items, signing keys and administrators.

use chrono::{DateTime, Utc};
use serde::Serialize;

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::codes::RecordKind;
use fieldcase_core::ids::DeviceId;
use fieldcase_core::inspection::Outcome;
use fieldcase_core::registry::{KeyId, RegistryScope};
use fieldcase_core::signing::PublicKey;
use fieldcase_core::site::Site;

use super::TokenHash;

/// A one-time enrollment code as stored: its hash, never the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnrollmentCode {
    pub code_hash: ContentHash,
    pub label: Option<String>,
    /// The units the device that uses it will serve (sorted, no repeats; maybe none).
    pub units: Vec<String>,
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
    /// The units it serves: its copy of the registry carries the PIN verifiers of their
    /// officers, and of no others (none while it has no unit).
    pub units: Vec<String>,
}

impl DeviceRecord {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }

    /// What the device's copy of the registry is made for.
    pub fn registry_scope(&self) -> RegistryScope {
        RegistryScope { device: self.device_id, units: self.units.clone() }
    }
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
