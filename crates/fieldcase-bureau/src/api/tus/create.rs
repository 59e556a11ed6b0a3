//! POST: a new upload for one evidence file (creation), with its first chunk in the same
//! request when the body is one (creation-with-upload).

use axum::body::Body;
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use fieldcase_core::time::record_instant;
use fieldcase_core::upload::UPLOADS_PATH;

use fieldcase_core::wire;

use super::super::{ApiError, AppState, Enrolled};
use super::patch::{Chunk, checksum};
use super::{UPLOAD_LENGTH, UPLOAD_METADATA, is_chunk, number_header, standing};
use crate::blobs::StagedState;
use crate::store::{CustodyEntry, CustodyEvent, UploadRecord, UploadState};
use crate::uploads;
use crate::uploads::hashing::FileHasher;

/// tus creation (and creation-with-upload): a new upload for one evidence file the device
/// pushed. `Upload-Metadata` names it (`evidence_id <base64 id>`); `Upload-Length` must be its
/// size. A body sent as `application/offset+octet-stream` (with its `Upload-Checksum`) is
/// the first chunk, kept as a PATCH at offset 0 would keep it; `Upload-Offset` in the answer
/// says how much of it was kept.
#[utoipa::path(post, path = "/api/v1/uploads", tag = "uploads",
    security(("device_token" = [])),
    params(
        ("Tus-Resumable" = inline(super::TusResumable), Header, description = "The tus version spoken: 1.0.0"),
        ("Upload-Length" = u64, Header, description = "The file's size in bytes"),
        ("Upload-Metadata" = String, Header, description = "`evidence_id <base64 of the evidence id>`, other pairs ignored"),
        ("Upload-Checksum" = Option<String>, Header, description = "With a first chunk: `sha256 <base64>` or `sha1 <base64>`"),
    ),
    responses(
        (status = 201, description = "Created; `Location` is the upload's path, `Upload-Offset` how much of a first chunk was kept"),
        (status = 400, description = "`bad_request`: Upload-Length or Upload-Metadata missing or not readable, or an evidence id that looks like a path", body = wire::ApiError),
        (status = 412, description = "`tus_version_unsupported`: no `Tus-Resumable: 1.0.0`", body = wire::ApiError),
        (status = 413, description = "`payload_too_large`: larger than the bureau takes ([uploads] max_bytes)", body = wire::ApiError),
        (status = 422, description = "`evidence_unknown`: no such evidence pushed by this device; `invalid_input`: Upload-Length is not its size", body = wire::ApiError),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Enrolled(device): Enrolled,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let length = number_header(&headers, &UPLOAD_LENGTH)?.ok_or_else(|| {
        ApiError::BadRequest(
            "a new upload needs Upload-Length: the file's size in bytes (deferred length is not supported)".into(),
        )
    })?;
    if length == 0 {
        return Err(ApiError::BadRequest("Upload-Length is 0: an empty file has no bytes to upload or verify".into()));
    }
    if length > state.uploads.max_bytes {
        return Err(ApiError::PayloadTooLarge(format!(
            "the file is {length} bytes; the bureau takes files of at most {} bytes ([uploads] max_bytes)",
            state.uploads.max_bytes
        )));
    }
    let metadata = headers.get(&UPLOAD_METADATA).map(|v| v.to_str().unwrap_or_default());
    let evidence = uploads::evidence_id_from_metadata(metadata)?;
    let first_chunk = is_chunk(&headers);
    let checksum = if first_chunk { checksum(&headers)? } else { None };
    let held = state.store.held_evidence(evidence).await?;
    let held = uploads::admit(held, device.device_id, length)?;

    let id = uploads::new_upload_id().map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    let now = record_instant(Utc::now());
    let expiry = chrono::Duration::from_std(state.uploads.expiry).unwrap_or(chrono::Duration::hours(72));
    let upload = UploadRecord {
        id: id.clone(),
        device_id: device.device_id,
        evidence_id: held.evidence_id,
        length,
        offset: 0,
        hasher: FileHasher::default().state(),
        staged: StagedState::default(),
        state: UploadState::Open,
        created_at: now,
        expires_at: now + expiry,
        lease: None,
    };
    let created = CustodyEntry {
        evidence_id: held.evidence_id,
        upload_id: Some(id.clone()),
        at: now,
        actor: format!("device:{}", device.device_id),
        event: CustodyEvent::Created,
        detail: format!("upload {id} of {length} bytes"),
    };
    state.store.create_upload(upload.clone(), created).await?;
    tracing::info!(upload = %id, evidence = %held.evidence_id, length, "evidence upload created");

    let upload = if first_chunk {
        let chunk = Chunk { state: state.clone(), id: id.clone(), device: device.device_id, claimed: 0, checksum };
        match tokio::spawn(chunk.write(body)).await {
            Ok(Ok(upload)) => upload,
            // The upload exists; the client learns from Upload-Offset how much of the first
            // chunk was kept, and sends the rest by PATCH.
            Ok(Err(refused)) => {
                tracing::warn!(upload = %id, code = %refused.code(), "the first chunk of a new upload was not kept");
                standing::current(&state, &id, device.device_id).await?
            }
            Err(e) => return Err(ApiError::Internal(format!("writing a chunk stopped: {e}"))),
        }
    } else {
        upload
    };
    let mut answer = standing::offset_headers(&upload);
    let location = format!("{UPLOADS_PATH}/{id}");
    answer.insert(LOCATION, HeaderValue::from_str(&location).map_err(|e| ApiError::Internal(e.to_string()))?);
    if !first_chunk {
        answer.remove(super::UPLOAD_OFFSET);
    }
    Ok((StatusCode::CREATED, answer).into_response())
}
