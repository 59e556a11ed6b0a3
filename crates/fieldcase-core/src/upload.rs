//! The evidence upload contract the device's client and the bureau's tus server share.
//!
//! Evidence files travel by the tus 1.0.0 resumable upload protocol
//! (<https://tus.io/protocols/resumable-upload>) under [`UPLOADS_PATH`], after their
//! [`crate::evidence::EvidenceRef`] was pushed. The bureau hashes what arrives and, when the
//! last byte is in, compares the whole file's SHA-256 with the reference: its
//! [`EvidenceVerdict`] travels back to the device in the pull feed
//! ([`crate::wire::ChangeRecord::EvidenceVerdict`]), and only a verified file is "safe to
//! delete from the recorder".

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::ContentHash;
use crate::ids::{DeviceId, EvidenceId};

/// The tus protocol version spoken, sent in `Tus-Resumable` on every request and answer.
pub const TUS_VERSION: &str = "1.0.0";

/// The tus extensions the bureau supports, as its `OPTIONS` answer lists them.
pub const TUS_EXTENSIONS: &str = "creation,creation-with-upload,checksum,termination,expiration";

/// The checksum algorithms the bureau accepts in `Upload-Checksum`: sha256 is what fieldcase
/// sends; sha1 is what the official Python client (tuspy) can send.
pub const TUS_CHECKSUM_ALGORITHMS: &str = "sha256,sha1";

/// Where uploads are created (`POST`) and live (`/api/v1/uploads/{upload id}`).
pub const UPLOADS_PATH: &str = "/api/v1/uploads";

/// The `Upload-Metadata` key naming the evidence reference the file belongs to. Its value is
/// the evidence id; the reference must have been pushed by the same device, and its size
/// must equal `Upload-Length`.
pub const METADATA_EVIDENCE_ID: &str = "evidence_id";

/// The status a tus server answers a chunk whose `Upload-Checksum` does not match
/// ("460 Checksum Mismatch" in the checksum extension): nothing of the chunk is kept.
pub const CHECKSUM_MISMATCH_STATUS: u16 = 460;

/// How much the device sends in one `PATCH` unless told otherwise.
pub const DEFAULT_CHUNK_BYTES: u64 = 8 * 1024 * 1024;

/// What the bureau found when the last byte of an evidence file arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum VerdictOutcome {
    /// The file the bureau holds hashes to the reference's SHA-256 and has its size.
    Verified,
    /// It does not: the bytes are kept apart for review, and the evidence is not verified.
    Mismatch,
}

/// The bureau's verdict on one uploaded evidence file, served in the pull feed to the device
/// that uploaded it (and to no other).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceVerdict {
    pub evidence_id: EvidenceId,
    /// The device that uploaded the file.
    pub device_id: DeviceId,
    pub outcome: VerdictOutcome,
    /// The SHA-256 of what the bureau received.
    pub received_sha256: ContentHash,
    /// How many bytes the bureau received.
    #[ts(type = "number")]
    pub received_bytes: u64,
    /// When the bureau decided.
    pub decided_at: DateTime<Utc>,
}
