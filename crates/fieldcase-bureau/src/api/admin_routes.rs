//! The administrators' routes: certificates, each action published as a new registry
//! version and recorded with the token that made it.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;

use fieldcase_core::time::record_instant;
use fieldcase_core::wire;

use super::routes::Answer;
use super::{Administrator, ApiError, ApiJson, ApiPath, AppState};
use crate::certificates::{CertificateAction, CertificateEvent, CertificateFields, CertificateRecord};

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
