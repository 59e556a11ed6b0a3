//! The rules of evidence uploads, the same for every store backend and blob store: which
//! evidence an upload may name, whether a chunk's offset is right, when an upload has
//! expired, who may write it now, and what the bureau decides when the last byte is in.
//! The HTTP side (the tus protocol) is in [`crate::api`]; the rows in
//! [`crate::store::UploadStore`]; the bytes behind [`crate::blobs::BlobStore`].

pub mod hashing;
mod metadata;
mod verify;

pub use metadata::evidence_id_from_metadata;
pub use verify::rehash;

use chrono::{DateTime, Duration, Utc};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::DeviceId;
use fieldcase_core::upload::VerdictOutcome;

use crate::store::{HeldEvidence, UploadRecord, UploadState};

/// How long a lease lasts before it must be renewed: a request that streams renews it every
/// [`LEASE_RENEWAL`], silent or not; one whose process died frees the upload after this, so
/// the device's next attempt (through another process) goes on within half a minute.
pub const LEASE_TERM: Duration = Duration::seconds(30);

/// How often a streaming request renews its lease: a few chances before it runs out.
pub const LEASE_RENEWAL: std::time::Duration = std::time::Duration::from_secs(8);

/// Why an upload cannot be created or written, as the tus side answers it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadRefusal {
    #[error("{0}")]
    BadMetadata(String),
    #[error("{0}")]
    EvidenceUnknown(String),
    #[error("{0}")]
    SizeDiffers(String),
    #[error("no upload '{0}' at the bureau")]
    Missing(String),
    #[error("upload {id} {why}; create a new upload for the file")]
    Gone { id: String, why: &'static str },
    #[error("the upload stands at byte {current}, not {claimed}; ask with HEAD and send from there")]
    OffsetMismatch { current: u64, claimed: u64 },
    #[error("another request is writing upload {0} now; wait for it to end, then ask with HEAD where it stands")]
    Locked(String),
}

/// Whether `device` may upload a file of `length` bytes for `held` (the reference the
/// metadata named, if the bureau holds it).
pub fn admit(held: Option<HeldEvidence>, device: DeviceId, length: u64) -> Result<HeldEvidence, UploadRefusal> {
    let Some(held) = held.filter(|h| h.device_id == device) else {
        // Another device's evidence is answered as unknown: this device may not learn of it.
        return Err(UploadRefusal::EvidenceUnknown(
            "the bureau holds no evidence reference with this id from this device; push the sealed inspection and its evidence first (device sync), then upload".into(),
        ));
    };
    if held.size != length {
        return Err(UploadRefusal::SizeDiffers(format!(
            "Upload-Length is {length} bytes but evidence {} was pushed with {} bytes; send the file the reference describes",
            held.evidence_id, held.size
        )));
    }
    Ok(held)
}

/// Whether the upload may be written at `now`: it belongs to `device`, is open, has not
/// expired. An expired one is answered gone (the caller marks it expired).
pub fn writable(
    upload: Option<UploadRecord>,
    id: &str,
    device: DeviceId,
    now: DateTime<Utc>,
) -> Result<UploadRecord, UploadRefusal> {
    // Another device's upload is answered as missing, so ids cannot be probed.
    let upload = upload.filter(|u| u.device_id == device).ok_or_else(|| UploadRefusal::Missing(id.to_owned()))?;
    match upload.state {
        UploadState::Open if is_expired(&upload, now) => Err(UploadRefusal::Gone { id: id.to_owned(), why: "expired" }),
        UploadState::Open | UploadState::Completed => Ok(upload),
        UploadState::Terminated => Err(UploadRefusal::Gone { id: id.to_owned(), why: "was terminated" }),
        UploadState::Expired => Err(UploadRefusal::Gone { id: id.to_owned(), why: "expired" }),
    }
}

/// An open upload that rested past its expiry.
pub fn is_expired(upload: &UploadRecord, now: DateTime<Utc>) -> bool {
    upload.state == UploadState::Open && upload.expires_at <= now
}

/// A chunk must start where the upload stands.
pub fn check_offset(upload: &UploadRecord, claimed: u64) -> Result<(), UploadRefusal> {
    if claimed != upload.offset {
        return Err(UploadRefusal::OffsetMismatch { current: upload.offset, claimed });
    }
    Ok(())
}

/// Whether `holder` may take the lease at `now`: nobody holds it, or the holder's lease ran
/// out (its request ended without giving it back), or it is the holder's own.
pub fn may_lease(upload: &UploadRecord, holder: &str, now: DateTime<Utc>) -> bool {
    match &upload.lease {
        None => true,
        Some(lease) => lease.holder == holder || lease.until <= now,
    }
}

/// What the bureau decides of a whole file: verified only when both its SHA-256 and its size
/// are the reference's.
pub fn verdict(held: &HeldEvidence, received: &ContentHash, bytes: u64) -> VerdictOutcome {
    if *received == held.sha256 && bytes == held.size { VerdictOutcome::Verified } else { VerdictOutcome::Mismatch }
}

/// A new upload's id: 128 random bits in hex (a plain name for a file or an object key).
pub fn new_upload_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests;
