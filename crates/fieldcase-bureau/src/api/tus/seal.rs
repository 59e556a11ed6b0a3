//! What a received chunk does to an upload: its bytes handed to the blob store and the new
//! offset recorded with the whole-file hasher state; and, when the last byte is in, the
//! verdict: the blob sealed under its key, the decision kept, custody written and the
//! device told through its feed.
//!
//! The order makes a crash at any point safe to repeat: the store's append is durable before
//! the offset moves; the offset reaches the length before the blob is sealed; and an upload
//! whose offset is its length but which is still open is finished by its next PATCH or HEAD.

use chrono::Utc;

use fieldcase_core::time::record_instant;
use fieldcase_core::upload::{EvidenceVerdict, VerdictOutcome};

use super::super::{ApiError, AppState};
use super::receive::{Arrived, Received};
use crate::blobs::BlobKey;
use crate::store::{CustodyEntry, CustodyEvent, EvidenceBlob, Progress, UploadRecord, UploadState};
use crate::uploads::UploadRefusal;
use crate::uploads::hashing::FileHasher;

/// Keeps the `received` bytes after `upload`'s offset, under `holder`'s lease; the upload as
/// it now stands (finished if they were its last).
pub async fn keep(
    state: &AppState,
    mut upload: UploadRecord,
    holder: &str,
    received: Received,
) -> Result<UploadRecord, ApiError> {
    if received.bytes == 0 {
        return Ok(upload);
    }
    // The lease is made sure of (and moved on) just before the staged bytes are counted: a
    // request whose lease ran out while its client was silent must not write over bytes
    // another request has recorded since. (Bytes written in place went past the offset only,
    // under the staged file's lock, which such a request still holds while it writes.)
    let until = record_instant(Utc::now()) + crate::uploads::LEASE_TERM;
    if !state.store.renew_lease(upload.id.clone(), holder.to_owned(), until).await? {
        // Another request took the upload meanwhile: this chunk is refused as if it had come
        // while that one was writing.
        return Err(UploadRefusal::Locked(upload.id.clone()).into());
    }
    // Written in place, the staged file stays locked until the new offset is recorded.
    let arrived = received.arrived;
    let appended = match &arrived {
        Arrived::Incoming(file) => {
            state.blobs.append(&upload.id, &upload.staged, upload.offset, file.path(), received.bytes).await
        }
        Arrived::InPlace(in_place) => {
            state.blobs.append_in_place(&upload.id, in_place, upload.offset, received.bytes).await
        }
    };
    let staged = match appended {
        // The store lost bytes the database counts (a power cut before the disk wrote them):
        // the upload cannot go on from its offset, so it is ended and the client starts again.
        Err(lost @ crate::blobs::BlobError::StagedLost { .. }) => return Err(lost_staged(state, &upload, lost).await),
        other => other?,
    };
    let now = record_instant(Utc::now());
    let expiry = chrono::Duration::from_std(state.uploads.expiry).unwrap_or(chrono::Duration::hours(72));
    let progress = Progress {
        offset: upload.offset + received.bytes,
        hasher: received.hasher.state(),
        staged,
        // An upload that moves stays alive: it expires only after resting that long.
        expires_at: now + expiry,
    };
    if !state.store.advance_upload(upload.id.clone(), holder.to_owned(), progress.clone()).await? {
        return Err(UploadRefusal::Locked(upload.id.clone()).into());
    }
    upload.offset = progress.offset;
    upload.hasher = progress.hasher;
    upload.staged = progress.staged;
    upload.expires_at = progress.expires_at;
    if upload.offset == upload.length {
        finish(state, &upload).await?;
        upload.state = crate::store::UploadState::Completed;
    }
    Ok(upload)
}

/// Decides on an upload all of whose bytes are in (its offset is its length), under the
/// caller's lease.
pub async fn finish(state: &AppState, upload: &UploadRecord) -> Result<VerdictOutcome, ApiError> {
    let held = state.store.held_evidence(upload.evidence_id).await?.ok_or_else(|| {
        ApiError::Internal(format!("upload {}: its evidence {} is no longer held", upload.id, upload.evidence_id))
    })?;
    let hasher = FileHasher::restore(&upload.hasher)
        .ok_or_else(|| ApiError::Internal(format!("upload {}: its kept hasher state does not read back", upload.id)))?;
    let received = hasher.finish();
    let outcome = crate::uploads::verdict(&held, &received, upload.offset);
    let key = match outcome {
        VerdictOutcome::Verified => BlobKey::verified(&received),
        VerdictOutcome::Mismatch => BlobKey::apart(&upload.id),
    };
    match state.blobs.seal(&upload.id, &upload.staged, upload.offset, &key).await {
        // As for an append: bytes the store lost end the upload, and the client sends again.
        Err(lost @ crate::blobs::BlobError::StagedLost { .. }) => return Err(lost_staged(state, upload, lost).await),
        other => other?,
    }
    let now = record_instant(Utc::now());
    let entry = |actor: String, event, detail: String| CustodyEntry {
        evidence_id: upload.evidence_id,
        upload_id: Some(upload.id.clone()),
        at: now,
        actor,
        event,
        detail,
    };
    let (event, detail) = match outcome {
        VerdictOutcome::Verified => {
            (CustodyEvent::Verified, format!("sha256 {received} matches the reference; kept as {key}"))
        }
        VerdictOutcome::Mismatch => (
            CustodyEvent::Mismatch,
            format!(
                "received sha256 {received}, {} bytes; the reference says sha256 {}, {} bytes; kept apart as {key}",
                upload.offset, held.sha256, held.size
            ),
        ),
    };
    let custody = vec![
        entry(
            format!("device:{}", upload.device_id),
            CustodyEvent::Completed,
            format!("{} bytes received", upload.offset),
        ),
        entry("bureau".into(), event, detail),
    ];
    let blob = EvidenceBlob {
        upload_id: upload.id.clone(),
        evidence_id: upload.evidence_id,
        key,
        sha256: received,
        bytes: upload.offset,
        outcome,
        decided_at: now,
    };
    let verdict = EvidenceVerdict {
        evidence_id: upload.evidence_id,
        device_id: upload.device_id,
        outcome,
        received_sha256: received,
        received_bytes: upload.offset,
        decided_at: now,
    };
    state.store.complete_upload(blob, verdict, custody).await?;
    tracing::info!(upload = %upload.id, evidence = %upload.evidence_id, ?outcome, "evidence upload decided");
    Ok(outcome)
}

/// Ends an upload whose staged bytes the store lost (a power cut before the disk wrote them):
/// it cannot go on from its offset, so the client is told it is gone (410) and starts again.
pub(super) async fn lost_staged(state: &AppState, upload: &UploadRecord, lost: crate::blobs::BlobError) -> ApiError {
    let detail = format!("ended by the bureau: {lost}; the client uploads the file again");
    let now = record_instant(Utc::now());
    match super::standing::end_with(state, upload, UploadState::Terminated, "bureau".into(), detail, now).await {
        Ok(()) => UploadRefusal::Gone { id: upload.id.clone(), why: "lost its staged bytes at the bureau" }.into(),
        Err(e) => e,
    }
}
