//! The handlers. Each reads its input through the API's extractors, asks the store, and
//! answers a wire type or an [`ApiError`].

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use chrono::Utc;
use serde::Deserialize;

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::registry::SignedRegistryUpdate;
use fieldcase_core::signing::Signed;
use fieldcase_core::time::record_instant;
use fieldcase_core::wire::{
    self, EnrollRequest, EnrollResponse, Fate, Health, ItemResult, MAX_PUSH_PAGE, PullResponse, PushRequest,
    PushResponse,
};

use super::{Administrator, ApiError, ApiJson, ApiPath, ApiQuery, AppState, Enrolled, EnrollmentAttempt};
use crate::certificates::{CertificateAction, CertificateEvent, CertificateFields, CertificateRecord};
use crate::credentials::{code_hash, new_token};
use crate::push;
use crate::store::{DeviceRecord, Enrollment, PageBound, TokenHash};

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
    let page = state.store.changes(after, PageBound { changes: limit, bytes: state.pull_page_bytes }).await?;
    let now = record_instant(Utc::now());
    state.store.touch_device(device.device_id, now).await?;
    let next_cursor = page.changes.last().map_or(after, |c| c.cursor);
    // Sealed as served, with the key in force now: a device applies a site or a template
    // only when a key it trusts signed it.
    let key = state.keys.load_async().await?;
    let changes = page.changes.into_iter().map(|change| change.seal(&key)).collect();
    Ok(ApiJson(PullResponse {
        changes,
        next_cursor,
        more: page.more,
        bureau_time: now,
        feed_epoch: state.feed_epoch.to_string(),
    }))
}

/// The whole certificate registry as it now stands, freshly signed with the bureau's key: for
/// a device that missed versions of the feed or is starting its copy.
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
    let snapshot = state.store.registry_snapshot(&key, now).await?;
    state.store.touch_device(device.device_id, now).await?;
    Ok(ApiJson(snapshot))
}

/// One action on one certificate, published as a new registry version.
async fn act(
    state: &AppState,
    admin: &crate::store::AdminRecord,
    action: CertificateAction,
) -> Result<CertificateEvent, ApiError> {
    let key = state.keys.load_async().await?;
    let changes =
        state.store.change_certificates(vec![action], admin.actor(), &key, record_instant(Utc::now())).await?;
    let event = changes
        .events
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::Internal("a certificate action recorded nothing".into()))?;
    tracing::info!(number = %event.number, action = %event.action, version = event.registry_version, by = %event.actor, "certificate changed");
    Ok(event)
}

/// Every certificate as it stands, by number.
#[utoipa::path(get, path = "/api/v1/admin/certificates", tag = "administration",
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The certificates", body = Vec<CertificateRecord>),
        (status = 401, description = "`unauthorized`: no administrator's token, or one the bureau does not know, or one expired or revoked (the message says which)", body = wire::ApiError),
        (status = 403, description = "`forbidden`: a device's token", body = wire::ApiError),
    ))]
pub async fn admin_certificates(
    State(state): State<AppState>,
    _admin: Administrator,
) -> Answer<Vec<CertificateRecord>> {
    Ok(ApiJson(state.store.certificates().await?))
}

/// Issues a certificate: it is active from the start, and published in a new registry version.
#[utoipa::path(post, path = "/api/v1/admin/certificates", tag = "administration", request_body = CertificateFields,
    security(("admin_token" = [])),
    responses(
        (status = 201, description = "Issued: the history row, with the registry version that published it (its `actor` names the token)", body = CertificateEvent),
        (status = 401, description = "`unauthorized`: no administrator's token, or one the bureau does not know, or one expired or revoked (the message says which)", body = wire::ApiError),
        (status = 403, description = "`forbidden`: a device's token", body = wire::ApiError),
        (status = 409, description = "`duplicate`: the number is taken", body = wire::ApiError),
        (status = 422, description = "`invalid_input`: a field is not well formed (the message names it)", body = wire::ApiError),
    ))]
pub async fn admin_issue(
    State(state): State<AppState>,
    Administrator(admin): Administrator,
    ApiJson(fields): ApiJson<CertificateFields>,
) -> Result<(StatusCode, ApiJson<CertificateEvent>), ApiError> {
    let new = fields.parse().map_err(ApiError::Refused)?;
    Ok((StatusCode::CREATED, ApiJson(act(&state, &admin, CertificateAction::Issue(new)).await?)))
}

/// The certificate's history, oldest first: every action, its time, reason and actor, and the
/// state it left the certificate in.
#[utoipa::path(get, path = "/api/v1/admin/certificates/{number}/history", tag = "administration",
    params(("number" = String, Path, description = "The certificate number", pattern = r"^[A-Za-z0-9-]{1,32}$")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The history", body = Vec<CertificateEvent>),
        (status = 401, description = "`unauthorized`: no administrator's token, or one the bureau does not know, or one expired or revoked (the message says which)", body = wire::ApiError),
        (status = 403, description = "`forbidden`: a device's token", body = wire::ApiError),
        (status = 404, description = "`not_found`", body = wire::ApiError),
    ))]
pub async fn admin_history(
    State(state): State<AppState>,
    _admin: Administrator,
    ApiPath(number): ApiPath<String>,
) -> Answer<Vec<CertificateEvent>> {
    let history = state.store.certificate_history(Some(number.clone())).await?;
    if history.is_empty() {
        return Err(ApiError::Refused(crate::certificates::Refusal::unknown_certificate(&number)));
    }
    Ok(ApiJson(history))
}

/// A new last day of validity.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewRequest {
    /// YYYY-MM-DD, later than the certificate's current last day.
    #[schema(max_length = 10)]
    pub valid_until: String,
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
}

/// Why, if the administrator says (reinstating).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
}

/// Why: required to suspend or revoke, e.g. the decision's number. A missing or blank reason
/// is refused with `invalid_input` naming `reason` (read as optional, so that the refusal says
/// so in words rather than as a parse failure).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequiredReasonRequest {
    #[schema(required = true, nullable = false, min_length = 1, max_length = 1000, pattern = r"\S")]
    pub reason: Option<String>,
}

/// Renews a certificate to a later last day (a revoked certificate cannot be renewed).
#[utoipa::path(post, path = "/api/v1/admin/certificates/{number}/renew", tag = "administration", request_body = RenewRequest,
    params(("number" = String, Path, description = "The certificate number", pattern = r"^[A-Za-z0-9-]{1,32}$")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Renewed", body = CertificateEvent),
        (status = 401, description = "`unauthorized`: no administrator's token, or one the bureau does not know, or one expired or revoked (the message says which)", body = wire::ApiError),
        (status = 403, description = "`forbidden`: a device's token", body = wire::ApiError),
        (status = 404, description = "`not_found`", body = wire::ApiError),
        (status = 409, description = "`not_allowed`: revoked", body = wire::ApiError),
        (status = 422, description = "`invalid_input`: not a later date", body = wire::ApiError),
    ))]
pub async fn admin_renew(
    State(state): State<AppState>,
    Administrator(admin): Administrator,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<RenewRequest>,
) -> Answer<CertificateEvent> {
    let action = CertificateAction::renew(&number, &body.valid_until, body.reason).map_err(ApiError::Refused)?;
    Ok(ApiJson(act(&state, &admin, action).await?))
}

/// Suspends an active certificate; the reason is required.
#[utoipa::path(post, path = "/api/v1/admin/certificates/{number}/suspend", tag = "administration", request_body = RequiredReasonRequest,
    params(("number" = String, Path, description = "The certificate number", pattern = r"^[A-Za-z0-9-]{1,32}$")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Suspended", body = CertificateEvent),
        (status = 401, description = "`unauthorized`: no administrator's token, or one the bureau does not know, or one expired or revoked (the message says which)", body = wire::ApiError),
        (status = 403, description = "`forbidden`: a device's token", body = wire::ApiError),
        (status = 404, description = "`not_found`", body = wire::ApiError),
        (status = 409, description = "`not_allowed`: not active", body = wire::ApiError),
        (status = 422, description = "`invalid_input`: no reason", body = wire::ApiError),
    ))]
pub async fn admin_suspend(
    State(state): State<AppState>,
    Administrator(admin): Administrator,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<RequiredReasonRequest>,
) -> Answer<CertificateEvent> {
    let action = CertificateAction::suspend(&number, body.reason.as_deref()).map_err(ApiError::Refused)?;
    Ok(ApiJson(act(&state, &admin, action).await?))
}

/// Lifts a suspension (a revoked certificate is never reinstated).
#[utoipa::path(post, path = "/api/v1/admin/certificates/{number}/reinstate", tag = "administration", request_body = ReasonRequest,
    params(("number" = String, Path, description = "The certificate number", pattern = r"^[A-Za-z0-9-]{1,32}$")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Reinstated", body = CertificateEvent),
        (status = 401, description = "`unauthorized`: no administrator's token, or one the bureau does not know, or one expired or revoked (the message says which)", body = wire::ApiError),
        (status = 403, description = "`forbidden`: a device's token", body = wire::ApiError),
        (status = 404, description = "`not_found`", body = wire::ApiError),
        (status = 409, description = "`not_allowed`: not suspended, or revoked", body = wire::ApiError),
        (status = 422, description = "`invalid_input`: the number or the reason is not well formed", body = wire::ApiError),
    ))]
pub async fn admin_reinstate(
    State(state): State<AppState>,
    Administrator(admin): Administrator,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<ReasonRequest>,
) -> Answer<CertificateEvent> {
    let action = CertificateAction::reinstate(&number, body.reason).map_err(ApiError::Refused)?;
    Ok(ApiJson(act(&state, &admin, action).await?))
}

/// Revokes a certificate, for good; the reason is required.
#[utoipa::path(post, path = "/api/v1/admin/certificates/{number}/revoke", tag = "administration", request_body = RequiredReasonRequest,
    params(("number" = String, Path, description = "The certificate number", pattern = r"^[A-Za-z0-9-]{1,32}$")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Revoked", body = CertificateEvent),
        (status = 401, description = "`unauthorized`: no administrator's token, or one the bureau does not know, or one expired or revoked (the message says which)", body = wire::ApiError),
        (status = 403, description = "`forbidden`: a device's token", body = wire::ApiError),
        (status = 404, description = "`not_found`", body = wire::ApiError),
        (status = 409, description = "`not_allowed`: already revoked", body = wire::ApiError),
        (status = 422, description = "`invalid_input`: no reason", body = wire::ApiError),
    ))]
pub async fn admin_revoke(
    State(state): State<AppState>,
    Administrator(admin): Administrator,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<RequiredReasonRequest>,
) -> Answer<CertificateEvent> {
    let action = CertificateAction::revoke(&number, body.reason.as_deref()).map_err(ApiError::Refused)?;
    Ok(ApiJson(act(&state, &admin, action).await?))
}

/// This API, described as OpenAPI 3.1.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "bureau",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
pub async fn openapi_json() -> ApiJson<utoipa::openapi::OpenApi> {
    ApiJson(super::openapi())
}

pub async fn no_such_path(uri: Uri) -> ApiError {
    ApiError::NotFound(format!(
        "the bureau has no path {}; its API is under /api/v1 (see /api/v1/openapi.json)",
        uri.path()
    ))
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
