//! What the bureau keeps of evidence uploads: the upload rows (offset, whole-file hasher
//! state, what the blob store staged, the lease of the one PATCH writing it), the verdict on
//! each completed file, and the bureau's side of each file's chain of custody.
//!
//! [`UploadStore`] only reads and writes these rows; what is decided about them (is the
//! offset right, has the upload expired, may a lease be taken, did the bytes match) is in
//! [`crate::uploads`], the same for every backend.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::{DeviceId, EvidenceId};
use fieldcase_core::upload::{EvidenceVerdict, VerdictOutcome};

use super::Result;
use crate::blobs::{BlobKey, StagedState};

/// Where an upload stands in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadState {
    /// Taking chunks.
    Open,
    /// Its last byte arrived and the bureau decided on it.
    Completed,
    /// Its client ended it (tus termination).
    Terminated,
    /// It rested longer than `[uploads] expiry_hours`.
    Expired,
}

impl UploadState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Completed => "completed",
            Self::Terminated => "terminated",
            Self::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Open, Self::Completed, Self::Terminated, Self::Expired].into_iter().find(|s| s.as_str() == text)
    }
}

/// The one request that may write an upload now, until `until` (renewed while it streams).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub holder: String,
    pub until: DateTime<Utc>,
}

/// One upload's row.
#[derive(Clone, PartialEq, Eq)]
pub struct UploadRecord {
    /// Made by the bureau: 32 lowercase hex digits.
    pub id: String,
    pub device_id: DeviceId,
    pub evidence_id: EvidenceId,
    pub length: u64,
    pub offset: u64,
    /// The whole-file SHA-256 of the first `offset` bytes, as a serialized hasher state.
    pub hasher: Vec<u8>,
    pub staged: StagedState,
    pub state: UploadState,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub lease: Option<Lease>,
}

impl fmt::Debug for UploadRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Without the hasher state's bytes, which say nothing to a reader of a log.
        f.debug_struct("UploadRecord")
            .field("id", &self.id)
            .field("device_id", &self.device_id)
            .field("evidence_id", &self.evidence_id)
            .field("length", &self.length)
            .field("offset", &self.offset)
            .field("state", &self.state)
            .field("expires_at", &self.expires_at)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

/// What a chunk moved: the new offset, the hasher state at it, what the store staged, and
/// how long the upload may now rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub offset: u64,
    pub hasher: Vec<u8>,
    pub staged: StagedState,
    pub expires_at: DateTime<Utc>,
}

/// The evidence reference an upload names, as far as uploads care.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldEvidence {
    pub evidence_id: EvidenceId,
    /// The device that pushed the reference.
    pub device_id: DeviceId,
    pub sha256: ContentHash,
    pub size: u64,
}

/// What happened to an evidence file at the bureau.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustodyEvent {
    Created,
    Completed,
    Verified,
    Mismatch,
    Terminated,
    Expired,
}

impl CustodyEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "upload.created",
            Self::Completed => "upload.completed",
            Self::Verified => "evidence.verified",
            Self::Mismatch => "evidence.mismatch",
            Self::Terminated => "upload.terminated",
            Self::Expired => "upload.expired",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Created, Self::Completed, Self::Verified, Self::Mismatch, Self::Terminated, Self::Expired]
            .into_iter()
            .find(|e| e.as_str() == text)
    }
}

/// One entry of an evidence file's custody at the bureau.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustodyEntry {
    pub evidence_id: EvidenceId,
    pub upload_id: Option<String>,
    pub at: DateTime<Utc>,
    /// Who did it: `device:<id>`, or `bureau` for what the bureau decided itself.
    pub actor: String,
    pub event: CustodyEvent,
    pub detail: String,
}

/// The blob a completed upload became, and the verdict on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvidenceBlob {
    pub upload_id: String,
    pub evidence_id: EvidenceId,
    pub key: BlobKey,
    pub sha256: ContentHash,
    pub bytes: u64,
    pub outcome: VerdictOutcome,
    pub decided_at: DateTime<Utc>,
}

/// What asking for an upload's lease came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Leasing {
    /// No upload with that id.
    Missing,
    /// Another request holds it: the upload as it stands.
    Held(UploadRecord),
    /// Taken: the upload as it stands, the lease in it.
    Taken(UploadRecord),
}

/// The uploads' rows. Every method is one transaction.
#[async_trait]
pub trait UploadStore: Send + Sync {
    /// The evidence reference with this id, if one was pushed.
    async fn held_evidence(&self, evidence: EvidenceId) -> Result<Option<HeldEvidence>>;

    /// Keeps a new upload and its first custody entry.
    async fn create_upload(&self, upload: UploadRecord, created: CustodyEntry) -> Result<()>;

    async fn upload(&self, id: String) -> Result<Option<UploadRecord>>;

    /// Gives `lease` to the caller if [`crate::uploads::may_lease`] allows it at `now`.
    async fn lease_upload(&self, id: String, lease: Lease, now: DateTime<Utc>) -> Result<Leasing>;

    /// Moves the lease of `holder` on to `until`; false if `holder` no longer holds it.
    async fn renew_lease(&self, id: String, holder: String, until: DateTime<Utc>) -> Result<bool>;

    /// Records a chunk, under the lease of `holder`: false (and nothing written) if `holder`
    /// no longer holds it.
    async fn advance_upload(&self, id: String, holder: String, progress: Progress) -> Result<bool>;

    /// Gives up `holder`'s lease (nothing if another holds it now).
    async fn release_lease(&self, id: String, holder: String) -> Result<()>;

    /// Closes a fully received upload: its verdict kept, custody entries added, and the
    /// verdict put in the feed for the uploading device only.
    async fn complete_upload(
        &self,
        blob: EvidenceBlob,
        verdict: EvidenceVerdict,
        custody: Vec<CustodyEntry>,
    ) -> Result<()>;

    /// Ends an open upload as terminated or expired, with its custody entry; false if it was
    /// no longer open.
    async fn end_upload(&self, id: String, state: UploadState, entry: CustodyEntry) -> Result<bool>;

    /// Every decided file, oldest first.
    async fn evidence_blobs(&self) -> Result<Vec<EvidenceBlob>>;

    /// The bureau's custody entries of one evidence file, oldest first.
    async fn evidence_custody(&self, evidence: EvidenceId) -> Result<Vec<CustodyEntry>>;
}
