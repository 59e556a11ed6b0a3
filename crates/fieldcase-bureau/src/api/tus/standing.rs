//! Where an upload stands: HEAD (its offset, for a client resuming), DELETE (termination),
//! and the look-up every tus request starts with, which also expires an upload that rested
//! too long.

use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use fieldcase_core::ids::DeviceId;
use fieldcase_core::time::record_instant;

use fieldcase_core::wire;

use super::super::{ApiError, ApiPath, AppState, Enrolled};
use super::{UPLOAD_EXPIRES, UPLOAD_LENGTH, UPLOAD_OFFSET, http_date, seal};
use crate::store::{CustodyEntry, CustodyEvent, Lease, Leasing, UploadRecord, UploadState};
use crate::uploads::{self, LEASE_TERM, UploadRefusal};

/// The upload `id` of `device`, open or completed; an expired one is marked so (its staged
/// bytes let go) and answered 410.
pub async fn current(state: &AppState, id: &str, device: DeviceId) -> Result<UploadRecord, ApiError> {
    let now = record_instant(Utc::now());
    let found = state.store.upload(id.to_owned()).await?;
    match uploads::writable(found.clone(), id, device, now) {
        Err(refusal @ UploadRefusal::Gone { .. }) => {
            if let Some(upload) = found.filter(|u| uploads::is_expired(u, now)) {
                end(state, &upload, UploadState::Expired, "bureau".into(), now).await?;
            }
            Err(refusal.into())
        }
        other => Ok(other?),
    }
}

/// Ends an open upload (terminated or expired) and lets its staged bytes go.
async fn end(
    state: &AppState,
    upload: &UploadRecord,
    to: UploadState,
    actor: String,
    now: chrono::DateTime<Utc>,
) -> Result<(), ApiError> {
    let detail = match to {
        UploadState::Expired => format!("rested past its expiry with {} of {} bytes", upload.offset, upload.length),
        _ => format!("ended by its client with {} of {} bytes", upload.offset, upload.length),
    };
    end_with(state, upload, to, actor, detail, now).await
}

/// Ends an open upload as [`end`] does, with the custody entry's words given.
pub(super) async fn end_with(
    state: &AppState,
    upload: &UploadRecord,
    to: UploadState,
    actor: String,
    detail: String,
    now: chrono::DateTime<Utc>,
) -> Result<(), ApiError> {
    let event = if to == UploadState::Expired { CustodyEvent::Expired } else { CustodyEvent::Terminated };
    let entry = CustodyEntry {
        evidence_id: upload.evidence_id,
        upload_id: Some(upload.id.clone()),
        at: now,
        actor,
        event,
        detail,
    };
    if state.store.end_upload(upload.id.clone(), to, entry).await? {
        state.blobs.discard(&upload.id, &upload.staged).await?;
    }
    Ok(())
}

/// `Upload-Offset` and, while the upload is open, `Upload-Expires`.
pub fn offset_headers(upload: &UploadRecord) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(UPLOAD_OFFSET, HeaderValue::from(upload.offset));
    if upload.state == UploadState::Open {
        headers.insert(UPLOAD_EXPIRES, http_date(upload.expires_at));
    }
    headers
}

/// tus core: where the upload stands (`Upload-Offset`, `Upload-Length`, `Upload-Expires`),
/// never cached (a cached offset makes a client resend or skip).
#[utoipa::path(head, path = "/api/v1/uploads/{id}", tag = "uploads",
    security(("device_token" = [])),
    params(("id" = String, Path, description = "The upload id, from the creation's `Location`"), ("Tus-Resumable" = inline(super::TusResumable), Header, description = "The tus version spoken: 1.0.0")),
    responses(
        (status = 200, description = "The upload's offset and length in headers"),
        (status = 404, description = "`not_found`: no such upload of this device"),
        (status = 410, description = "`upload_gone`: expired or terminated"),
        (status = 412, description = "`tus_version_unsupported`"),
    ))]
pub async fn head(
    State(state): State<AppState>,
    Enrolled(device): Enrolled,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let mut upload = current(&state, &id, device.device_id).await?;
    if upload.state == UploadState::Open && upload.offset == upload.length {
        upload = finish_left_over(&state, upload).await?;
    }
    let mut headers = offset_headers(&upload);
    headers.insert(UPLOAD_LENGTH, HeaderValue::from(upload.length));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok((StatusCode::OK, headers).into_response())
}

/// An upload whose bytes are all in but whose verdict a crash prevented: decided now, under
/// its lease, if no request holds it.
async fn finish_left_over(state: &AppState, upload: UploadRecord) -> Result<UploadRecord, ApiError> {
    let holder = uploads::new_upload_id().map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    let now = record_instant(Utc::now());
    let lease = Lease { holder: holder.clone(), until: now + LEASE_TERM };
    let Leasing::Taken(leased) = state.store.lease_upload(upload.id.clone(), lease, now).await? else {
        return Ok(upload);
    };
    let finished =
        if leased.state == UploadState::Open { seal::finish(state, &leased).await.map(|_| ()) } else { Ok(()) };
    state.store.release_lease(upload.id.clone(), holder).await?;
    finished?;
    Ok(UploadRecord { state: UploadState::Completed, ..leased })
}

/// Termination: the upload ends and its staged bytes are let go. A completed upload's
/// verdict and blob stay (they are records); a request writing it now is waited for (423).
#[utoipa::path(delete, path = "/api/v1/uploads/{id}", tag = "uploads",
    security(("device_token" = [])),
    params(("id" = String, Path, description = "The upload id, from the creation's `Location`"), ("Tus-Resumable" = inline(super::TusResumable), Header, description = "The tus version spoken: 1.0.0")),
    responses(
        (status = 204, description = "Terminated (a completed upload's verdict and file stay)"),
        (status = 404, description = "`not_found`: no such upload of this device", body = wire::ApiError),
        (status = 410, description = "`upload_gone`: expired or terminated already", body = wire::ApiError),
        (status = 412, description = "`tus_version_unsupported`", body = wire::ApiError),
        (status = 423, description = "`upload_locked`: a request is writing it now", body = wire::ApiError),
    ))]
pub async fn terminate(
    State(state): State<AppState>,
    Enrolled(device): Enrolled,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let upload = current(&state, &id, device.device_id).await?;
    if upload.state == UploadState::Completed {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let holder = uploads::new_upload_id().map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    let now = record_instant(Utc::now());
    let lease = Lease { holder: holder.clone(), until: now + LEASE_TERM };
    match state.store.lease_upload(id.clone(), lease, now).await? {
        Leasing::Missing => return Err(UploadRefusal::Missing(id).into()),
        Leasing::Held(_) => return Err(UploadRefusal::Locked(id).into()),
        Leasing::Taken(leased) => {
            end(&state, &leased, UploadState::Terminated, format!("device:{}", device.device_id), now).await?
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
