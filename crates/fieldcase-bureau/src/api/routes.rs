//! The handlers. Each reads its input through the API's extractors, asks the store, and
//! answers a wire type or an [`ApiError`].

use axum::extract::State;
use axum::http::Uri;
use chrono::Utc;
use serde::Deserialize;

use fieldcase_core::signing::Signed;
use fieldcase_core::time::record_instant;
use fieldcase_core::wire::{self, EnrollRequest, EnrollResponse, Fate, Health, MAX_PUSH_PAGE, PullResponse, PushRequest, PushResponse};

use super::{ApiError, ApiJson, ApiQuery, AppState, Enrolled};
use crate::credentials::{code_hash, new_token};
use crate::store::{Enrollment, TokenHash};

type Answer<T> = Result<ApiJson<T>, ApiError>;

/// The bureau is up, and its clock.
#[utoipa::path(get, path = "/api/v1/health", tag = "bureau",
    responses((status = 200, description = "The bureau is up", body = wire::Health)))]
pub async fn health() -> ApiJson<Health> {
    ApiJson(Health { status: "ok".into(), bureau_time: Utc::now(), version: env!("CARGO_PKG_VERSION").into() })
}

/// A device joins the bureau with a one-time code from an administrator. It receives its
/// bearer token (shown once; the bureau keeps its hash) and the bureau's public key.
#[utoipa::path(post, path = "/api/v1/enroll", tag = "devices", request_body = wire::EnrollRequest,
    responses(
        (status = 200, description = "Enrolled", body = wire::EnrollResponse),
        (status = 400, description = "`bad_request`: the body is not an enrollment request", body = wire::ApiError),
        (status = 401, description = "`enrollment_code_invalid`: unknown, expired or used code", body = wire::ApiError),
        (status = 409, description = "`device_key_mismatch`: the device id is enrolled with another key", body = wire::ApiError),
    ))]
pub async fn enroll(State(state): State<AppState>, ApiJson(request): ApiJson<EnrollRequest>) -> Answer<EnrollResponse> {
    let now = record_instant(Utc::now());
    let token = new_token().map_err(|e| ApiError::Internal(e.to_string()))?;
    let enrollment = Enrollment {
        code_hash: code_hash(&request.code),
        device_id: request.device_id,
        public_key: request.device_public_key,
        label: request.label.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()),
        token_hash: TokenHash::of_token(&token),
    };
    let device = state.store.enroll(enrollment, now).await?;
    tracing::info!(device = %device.device_id, label = device.label.as_deref().unwrap_or(""), "device enrolled");
    Ok(ApiJson(EnrollResponse { device_id: device.device_id, token, bureau_public_key: state.bureau_key, bureau_time: now }))
}

/// One signed page of a device's records. Every item's fate is in the answer, in order; a
/// 200 never hides a rejection.
#[utoipa::path(post, path = "/api/v1/push", tag = "sync", request_body = wire::PushRequest,
    security(("device_token" = [])),
    responses(
        (status = 200, description = "The fate of every item, in the order pushed", body = wire::PushResponse),
        (status = 400, description = "`bad_request`: malformed JSON or not a push page", body = wire::ApiError),
        (status = 401, description = "`unauthorized`: no token, or one the bureau does not know", body = wire::ApiError),
        (status = 403, description = "`device_revoked`: re-enroll with a new code", body = wire::ApiError),
        (status = 413, description = "`payload_too_large`: over the body limit or over MAX_PUSH_PAGE items", body = wire::ApiError),
        (status = 422, description = "`bad_signature`: the page is not signed by the enrolled device key; nothing stored", body = wire::ApiError),
    ))]
pub async fn push(State(state): State<AppState>, Enrolled(device): Enrolled, ApiJson(page): ApiJson<PushRequest>) -> Answer<PushResponse> {
    if page.items.len() > MAX_PUSH_PAGE {
        return Err(ApiError::PayloadTooLarge(format!(
            "a push page holds at most {MAX_PUSH_PAGE} items, this one has {}; split it into smaller pages",
            page.items.len()
        )));
    }
    let hash = PushRequest::items_hash(&page.items);
    device.public_key.verify(Signed::PushPage, &hash, &page.signature).map_err(|e| {
        ApiError::BadSignature(format!(
            "the page signature does not verify with the key device {} enrolled with ({e}); nothing was stored. Sign the hash of the page's items with the device key",
            device.device_id
        ))
    })?;
    let now = record_instant(Utc::now());
    let results = state.store.push(&device, page.items, now).await?;
    let count = |f: fn(&Fate) -> bool| results.iter().filter(|r| f(&r.fate)).count();
    tracing::info!(
        device = %device.device_id,
        items = results.len(),
        accepted = count(|f| matches!(f, Fate::Accepted)),
        duplicate = count(|f| matches!(f, Fate::Duplicate)),
        conflict = count(|f| matches!(f, Fate::Conflict { .. })),
        rejected = count(|f| matches!(f, Fate::Rejected { .. })),
        "push applied"
    );
    Ok(ApiJson(PushResponse { results, bureau_time: now }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Pull the changes after this cursor (0, or absent, for all).
    after: Option<u64>,
    /// At most this many changes (capped by the bureau's `pull_page_limit`).
    limit: Option<usize>,
}

/// The bureau's feed of typed changes (site directory, checklist templates), oldest first.
#[utoipa::path(get, path = "/api/v1/changes", tag = "sync", params(ChangesQuery),
    security(("device_token" = [])),
    responses(
        (status = 200, description = "A page of changes", body = wire::PullResponse),
        (status = 400, description = "`bad_request`: a cursor or limit that is not a number", body = wire::ApiError),
        (status = 401, description = "`unauthorized`", body = wire::ApiError),
        (status = 403, description = "`device_revoked`", body = wire::ApiError),
    ))]
pub async fn changes(State(state): State<AppState>, Enrolled(device): Enrolled, ApiQuery(query): ApiQuery<ChangesQuery>) -> Answer<PullResponse> {
    let after = query.after.unwrap_or(0);
    let limit = query.limit.unwrap_or(state.pull_page_limit).clamp(1, state.pull_page_limit);
    let page = state.store.changes(after, limit).await?;
    let now = record_instant(Utc::now());
    state.store.touch_device(device.device_id, now).await?;
    let next_cursor = page.changes.last().map_or(after, |c| c.cursor);
    Ok(ApiJson(PullResponse { changes: page.changes, next_cursor, more: page.more, bureau_time: now }))
}

/// This API, described as OpenAPI 3.1.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "bureau",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
pub async fn openapi_json() -> ApiJson<utoipa::openapi::OpenApi> {
    ApiJson(super::openapi())
}

pub async fn no_such_path(uri: Uri) -> ApiError {
    ApiError::NotFound(format!("the bureau has no path {}; its API is under /api/v1 (see /api/v1/openapi.json)", uri.path()))
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
