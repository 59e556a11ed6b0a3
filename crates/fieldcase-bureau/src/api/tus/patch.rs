//! PATCH: a chunk at the upload's offset (and the body of a creation-with-upload POST).
//!
//! The chunk is written under the upload's lease, so a second request for the same upload
//! meanwhile is answered 423 rather than interleaving its bytes. The work runs in a task of
//! its own: a client that hangs up mid-chunk drops the request, not the recording of what
//! arrived.

use axum::body::Body;
use axum::extract::State;
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use fieldcase_core::ids::DeviceId;
use fieldcase_core::time::record_instant;

use fieldcase_core::wire;

use super::super::{ApiError, ApiPath, AppState, Enrolled};
use super::receive::Streaming;
use super::{UPLOAD_CHECKSUM, UPLOAD_OFFSET, is_chunk, number_header, seal, standing};
use crate::blobs::BlobError;
use crate::store::{Lease, Leasing, UploadRecord, UploadState};
use crate::uploads::hashing::{ChunkChecksum, FileHasher};
use crate::uploads::{self, LEASE_TERM, UploadRefusal};

/// tus core: a chunk at the upload's offset. With `Upload-Checksum`, a chunk whose bytes do not
/// match is refused whole (460); without one, what arrived of a cut chunk is kept. When the
/// last byte is in, the bureau compares the file's SHA-256 with the evidence reference and
/// tells the device its verdict in the pull feed.
#[utoipa::path(patch, path = "/api/v1/uploads/{id}", tag = "uploads",
    security(("device_token" = [])),
    params(
        ("id" = String, Path, description = "The upload id, from the creation's `Location`"),
        ("Tus-Resumable" = inline(super::TusResumable), Header, description = "The tus version spoken: 1.0.0"),
        ("Upload-Offset" = u64, Header, description = "The byte this chunk starts at: the upload's offset"),
        ("Upload-Checksum" = Option<String>, Header, description = "`sha256 <base64>` or `sha1 <base64>` of this chunk"),
    ),
    request_body(content = Vec<u8>, content_type = "application/offset+octet-stream"),
    responses(
        (status = 204, description = "Kept; `Upload-Offset` is where the upload now stands"),
        (status = 404, description = "`not_found`: no such upload of this device", body = wire::ApiError),
        (status = 409, description = "`upload_offset_mismatch`: Upload-Offset is not where the upload stands (ask with HEAD)", body = wire::ApiError),
        (status = 410, description = "`upload_gone`: expired or terminated", body = wire::ApiError),
        (status = 412, description = "`tus_version_unsupported`", body = wire::ApiError),
        (status = 413, description = "`payload_too_large`: the chunk goes past Upload-Length; nothing of it was kept", body = wire::ApiError),
        (status = 415, description = "`unsupported_media_type`: not `application/offset+octet-stream`", body = wire::ApiError),
        (status = 423, description = "`upload_locked`: another request is writing this upload", body = wire::ApiError),
        (status = 460, description = "`checksum_mismatch`: the chunk does not match Upload-Checksum; nothing of it was kept", body = wire::ApiError),
    ))]
pub async fn patch(
    State(state): State<AppState>,
    Enrolled(device): Enrolled,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if !is_chunk(&headers) {
        return Err(ApiError::UnsupportedMediaType(format!(
            "a chunk is sent with Content-Type: {}",
            super::CHUNK_CONTENT_TYPE
        )));
    }
    let claimed = number_header(&headers, &UPLOAD_OFFSET)?
        .ok_or_else(|| ApiError::BadRequest("a PATCH needs Upload-Offset: the byte the chunk starts at".into()))?;
    let checksum = checksum(&headers)?;
    let upload = standing::current(&state, &id, device.device_id).await?;
    if upload.state == UploadState::Open {
        // Answered before the body is read or the lease taken; checked again under the lease.
        uploads::check_offset(&upload, claimed)?;
        if let Some(len) = number_header(&headers, &CONTENT_LENGTH)?
            && claimed.saturating_add(len) > upload.length
        {
            return Err(past_length(&upload));
        }
    }
    let chunk = Chunk { state: state.clone(), id, device: device.device_id, claimed, checksum };
    let upload = tokio::spawn(chunk.write(body))
        .await
        .map_err(|e| ApiError::Internal(format!("writing a chunk stopped: {e}")))??;
    Ok((StatusCode::NO_CONTENT, standing::offset_headers(&upload)).into_response())
}

/// The `Upload-Checksum` header, if any.
pub fn checksum(headers: &HeaderMap) -> Result<Option<ChunkChecksum>, ApiError> {
    headers
        .get(&UPLOAD_CHECKSUM)
        .map(|v| {
            let text = v.to_str().map_err(|_| ApiError::BadRequest("Upload-Checksum is not text".into()))?;
            ChunkChecksum::parse(text).map_err(ApiError::BadRequest)
        })
        .transpose()
}

fn past_length(upload: &UploadRecord) -> ApiError {
    ApiError::PayloadTooLarge(format!(
        "the chunk goes past Upload-Length ({} bytes, {} of them received); nothing of it was kept: send only what remains",
        upload.length, upload.offset
    ))
}

/// One chunk to write.
pub struct Chunk {
    pub state: AppState,
    pub id: String,
    pub device: DeviceId,
    pub claimed: u64,
    pub checksum: Option<ChunkChecksum>,
}

impl Chunk {
    /// Takes the upload's lease, writes the chunk, gives the lease back; the upload as it
    /// then stands.
    pub async fn write(self, body: Body) -> Result<UploadRecord, ApiError> {
        let holder = uploads::new_upload_id().map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
        let now = record_instant(Utc::now());
        let lease = Lease { holder: holder.clone(), until: now + LEASE_TERM };
        let upload = match self.state.store.lease_upload(self.id.clone(), lease, now).await? {
            Leasing::Missing => return Err(UploadRefusal::Missing(self.id.clone()).into()),
            Leasing::Held(_) => return Err(UploadRefusal::Locked(self.id.clone()).into()),
            Leasing::Taken(upload) => upload,
        };
        let written = self.under_lease(upload, &holder, body).await;
        if let Err(e) = self.state.store.release_lease(self.id.clone(), holder).await {
            // It runs out by itself within the lease's term.
            tracing::warn!(upload = %self.id, error = %e, "an upload's lease could not be given back");
        }
        written
    }

    async fn under_lease(&self, upload: UploadRecord, holder: &str, body: Body) -> Result<UploadRecord, ApiError> {
        let now = record_instant(Utc::now());
        let upload = uploads::writable(Some(upload), &self.id, self.device, now)?;
        if upload.state == UploadState::Completed || upload.offset == upload.length {
            if upload.state == UploadState::Open {
                // All bytes in, but a crash came before the verdict: decide now.
                seal::finish(&self.state, &upload).await?;
            }
            uploads::check_offset(&upload, self.claimed)?;
            return Ok(UploadRecord { state: UploadState::Completed, ..upload });
        }
        uploads::check_offset(&upload, self.claimed)?;
        let hasher = FileHasher::restore(&upload.hasher).ok_or_else(|| {
            ApiError::Internal(format!("upload {}: its kept hasher state does not read back", upload.id))
        })?;
        let streaming = Streaming { state: &self.state, upload: &upload.id, holder };
        let room = upload.length - upload.offset;
        // Straight into the staged file where the store has one; it is locked first, so a
        // request whose lease ran out but which is still writing is waited for (423).
        let in_place = match self.state.blobs.open_in_place(&upload.id, upload.offset).await {
            Err(lost @ BlobError::StagedLost { .. }) => return Err(seal::lost_staged(&self.state, &upload, lost).await),
            other => other?,
        };
        let received = streaming.receive(body, room, self.checksum.as_ref(), hasher, in_place).await?;
        if received.too_long {
            return Err(past_length(&upload));
        }
        match received.checksum_matches {
            Some(false) if received.whole => return Err(ApiError::ChecksumMismatch),
            Some(_) if !received.whole => {
                return Err(ApiError::BadRequest(format!(
                    "the chunk was cut after {} bytes; a chunk sent with Upload-Checksum is kept only whole, so nothing of it was kept: send it again from byte {}",
                    received.bytes, upload.offset
                )));
            }
            // Checked and whole, or not checked: what arrived is kept (tus: a server should
            // keep what it received of a cut chunk, so the client resends less).
            _ => {}
        }
        seal::keep(&self.state, upload, holder, received).await
    }
}
