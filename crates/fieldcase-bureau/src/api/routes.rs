//! The handlers. Each reads its input through the API's extractors, asks the store, and
//! answers a wire type or an [`ApiError`].

use axum::extract::State;
use axum::http::Uri;
use chrono::Utc;
use serde::Deserialize;

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::registry::SignedRegistryUpdate;
use fieldcase_core::signing::Signed;
use fieldcase_core::time::record_instant;
use fieldcase_core::wire::{
    self, ChangeRecord, EnrollRequest, EnrollResponse, Fate, Health, ItemResult, MAX_PUSH_PAGE, PullResponse,
    PushRequest, PushResponse,
};

use super::{ApiError, ApiJson, ApiQuery, AppState, Enrolled, EnrollmentAttempt};
use crate::credentials::{code_hash, new_token};
use crate::store::{DeviceRecord, Enrollment, PageBound, StoreError, TokenHash};
use crate::{push, registry};

pub(super) type Answer<T> = Result<ApiJson<T>, ApiError>;

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
        (status = 403, description = "`device_revoked`: the device was revoked; an administrator must reinstate it", body = wire::ApiError),
        (status = 409, description = "`device_key_mismatch`: the device id is enrolled with another key", body = wire::ApiError),
        (status = 422, description = "`bad_signature`: the request is not signed by the key it presents", body = wire::ApiError),
    ))]
pub async fn enroll(
    State(state): State<AppState>,
    _attempt: EnrollmentAttempt,
    ApiJson(request): ApiJson<EnrollRequest>,
) -> Answer<EnrollResponse> {
    // Possession of the key is proved before anything is looked up or stored.
    request.verify().map_err(|e| {
        ApiError::BadSignature(format!(
            "the enrollment request is not signed by the key it presents ({e}); nothing was stored and the code is still usable"
        ))
    })?;
    let now = record_instant(Utc::now());
    let code_hash = code_hash(&request.code);
    // A code the bureau never made, or cannot take any more, is refused by a read: a
    // stranger's guesses never wait for the writer, nor hold up the devices' pushes.
    if state.store.usable_enrollment_code(code_hash, now).await?.is_none() {
        return Err(ApiError::EnrollmentCodeInvalid);
    }
    let bureau_public_key = state.keys.load_async().await?.public_key();
    let token = new_token().map_err(|e| ApiError::Internal(e.to_string()))?;
    let token_hash = TokenHash::of_token(&token);
    let enrollment = Enrollment {
        code_hash,
        device_id: request.device_id,
        public_key: request.device_public_key,
        host_label: request.label.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()),
        token_hash,
    };
    let device = state.store.enroll(enrollment, now).await?;
    state.limits.remember(token_hash);
    tracing::info!(device = %device.device_id, label = device.label.as_deref().unwrap_or(""), "device enrolled");
    Ok(ApiJson(EnrollResponse { device_id: device.device_id, token, bureau_public_key, bureau_time: now }))
}

/// One signed page of a device's records. Every item's fate is in the answer, in order; a
/// 200 never hides a rejection.
#[utoipa::path(post, path = "/api/v1/push", tag = "sync", request_body = wire::PushRequest,
    security(("device_token" = [])),
    responses(
        (status = 200, description = "The fate of every item, in the order pushed", body = wire::PushResponse),
        (status = 400, description = "`bad_request`: malformed JSON or not a push page", body = wire::ApiError),
        (status = 401, description = "`unauthorized`: no token, or one the bureau does not know", body = wire::ApiError),
        (status = 403, description = "`device_revoked`: an administrator must reinstate the device", body = wire::ApiError),
        (status = 413, description = "`payload_too_large`: over the body limit or over MAX_PUSH_PAGE items", body = wire::ApiError),
        (status = 409, description = "`out_of_order`: the page names one it follows (`after`) that the bureau did not store; nothing stored", body = wire::ApiError),
        (status = 422, description = "`bad_signature`: the page is not signed by the enrolled device key; nothing stored", body = wire::ApiError),
    ))]
pub async fn push(
    State(state): State<AppState>,
    Enrolled(device): Enrolled,
    ApiJson(page): ApiJson<PushRequest>,
) -> Answer<PushResponse> {
    let page_hash = page.items_hash();
    let stored = push_page(&state, &device, page, page_hash).await;
    // Whatever became of it, a page sent after this one may go on, or give up, now.
    state.page_order.settle(device.device_id, page_hash, stored.is_ok());
    let results = stored?;
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
    Ok(ApiJson(PushResponse { results, bureau_time: record_instant(Utc::now()) }))
}

async fn push_page(
    state: &AppState,
    device: &DeviceRecord,
    page: PushRequest,
    page_hash: ContentHash,
) -> Result<Vec<ItemResult>, ApiError> {
    // The signature covers the bytes as sent; a page that fails it is not even parsed.
    device.public_key.verify(Signed::PushPage, &page_hash, &page.signature).map_err(|e| {
        ApiError::BadSignature(format!(
            "the page signature does not verify with the key device {} enrolled with ({e}); nothing was stored. Sign the SHA-256 of the page's `items` text, exactly as sent, with the device key",
            device.device_id
        ))
    })?;
    // A first quick pass only finds the items, and stops past the most a page may hold; they
    // are parsed and examined as they are stored.
    let spans = push::item_spans(&page.items, MAX_PUSH_PAGE).map_err(|e| match e {
        push::ItemSpansError::TooMany(_) => ApiError::PayloadTooLarge(e.to_string()),
        push::ItemSpansError::NotAnArray(_) => ApiError::BadRequest(e.to_string()),
    })?;
    // Examined from now on, stored only after the page it follows.
    let items = push::Examiner::new(device.clone()).in_background(page.items, spans);
    if let Some(after) = page.after {
        state.page_order.wait_for(device.device_id, after).await?;
    }
    Ok(state.store.push(device, items, record_instant(Utc::now())).await?)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// Pull the changes after this cursor (0, or absent, for all).
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    after: Option<u64>,
    /// At most this many changes (capped by the bureau's `pull_page_limit`).
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    limit: Option<u64>,
}

impl ChangesQuery {
    /// Cursors and counts are 63-bit, as the feed keeps them: a larger one is a mistake, not a
    /// position past the end.
    fn checked(&self) -> Result<(u64, Option<u64>), ApiError> {
        let bound = |name: &str, value: Option<u64>| match value {
            Some(v) if v > i64::MAX as u64 => Err(ApiError::BadRequest(format!(
                "{name}={v} is beyond any cursor the feed gives; pull after the next_cursor of the last answer"
            ))),
            _ => Ok(value),
        };
        Ok((bound("after", self.after)?.unwrap_or(0), bound("limit", self.limit)?))
    }
}

/// The bureau's feed of typed changes (site directory, checklist templates, registry updates),
/// oldest first. A page holds at most `limit` changes and at most the bureau's
/// `pull_page_bytes` of them (1 MiB by default), but always one change if any is there, so a
/// device always gets on; `more` says whether others wait.
#[utoipa::path(get, path = "/api/v1/changes", tag = "sync", params(ChangesQuery),
    security(("device_token" = [])),
    responses(
        (status = 200, description = "A page of changes", body = wire::PullResponse),
        (status = 400, description = "`bad_request`: a cursor or limit that is not a number", body = wire::ApiError),
        (status = 401, description = "`unauthorized`", body = wire::ApiError),
        (status = 403, description = "`device_revoked`", body = wire::ApiError),
    ))]
pub async fn changes(
    State(state): State<AppState>,
    Enrolled(device): Enrolled,
    ApiQuery(query): ApiQuery<ChangesQuery>,
) -> Answer<PullResponse> {
    let (after, limit) = query.checked()?;
    let limit = limit.map_or(state.pull_page_limit, |l| usize::try_from(l).unwrap_or(usize::MAX));
    let limit = limit.clamp(1, state.pull_page_limit);
    let bound = PageBound { changes: limit, bytes: state.pull_page_bytes };
    let page = state.store.changes(after, bound, Some(device.device_id)).await?;
    let now = record_instant(Utc::now());
    state.store.touch_device(device.device_id, now).await?;
    let next_cursor = page.changes.last().map_or(after, |c| c.cursor);
    // Sealed as served, with the key in force now: a device applies a site or a template
    // only when a key it trusts signed it. A registry version is scoped to the device (the
    // PIN verifiers of its units' officers only) and signed as served.
    // Parsing and signing take a little while for a large registry: off the async runtime.
    let key = state.keys.load_async().await?;
    let scope = device.registry_scope();
    let units = scope.units.clone();
    let changes = tokio::task::spawn_blocking(move || {
        page.changes
            .into_iter()
            .map(|mut change| {
                if let ChangeRecord::Registry(kept) = &change.record {
                    change.record = ChangeRecord::Registry(registry::serve_to(kept, &scope, &key)?);
                }
                Ok(change.seal(&key))
            })
            .collect::<Result<Vec<_>, StoreError>>()
    })
    .await
    .map_err(|e| ApiError::Internal(format!("serving a page of the feed stopped: {e}")))??;
    Ok(ApiJson(PullResponse {
        changes,
        next_cursor,
        more: page.more,
        bureau_time: now,
        feed_epoch: state.feed_epoch.to_string(),
        registry_units: Some(units),
    }))
}

/// The whole certificate registry as it now stands, scoped to the device (the PIN verifiers of
/// its units' officers only) and freshly signed with the bureau's key: for a device that
/// missed versions of the feed, is starting its copy, or was given other units.
#[utoipa::path(get, path = "/api/v1/registry/snapshot", tag = "sync",
    security(("device_token" = [])),
    responses(
        (status = 200, description = "A snapshot (`from_version` null) at the latest published version; version 0 before anything was published", body = SignedRegistryUpdate),
        (status = 401, description = "`unauthorized`", body = wire::ApiError),
        (status = 403, description = "`device_revoked`", body = wire::ApiError),
    ))]
pub async fn registry_snapshot(
    State(state): State<AppState>,
    Enrolled(device): Enrolled,
) -> Answer<SignedRegistryUpdate> {
    let key = state.keys.load_async().await?;
    let now = record_instant(Utc::now());
    let snapshot = state.store.registry_snapshot(&key, device.registry_scope(), now).await?;
    state.store.touch_device(device.device_id, now).await?;
    Ok(ApiJson(snapshot))
}

/// This API, described as OpenAPI 3.1.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "bureau",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
pub async fn openapi_json() -> ApiJson<utoipa::openapi::OpenApi> {
    ApiJson(super::openapi())
}

pub async fn no_such_path(uri: Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = ApiError::NotFound(format!(
        "the bureau has no path {}; its API is under /api/v1 (see /api/v1/openapi.json)",
        uri.path()
    ))
    .into_response();
    // A path under the uploads path is a tus client's, which needs the tus headers on every
    // answer.
    if uri.path().starts_with(fieldcase_core::upload::UPLOADS_PATH) {
        super::tus::mark(&mut response);
    }
    response
}

pub async fn method_not_allowed(uri: Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = ApiError::MethodNotAllowed.into_response();
    if uri.path().starts_with(fieldcase_core::upload::UPLOADS_PATH) {
        super::tus::mark(&mut response);
    }
    response
}
