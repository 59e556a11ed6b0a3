//! Extractors whose refusals answer in the API's one error shape: the JSON body, the query
//! string, the enrolled device or the administrator behind a bearer token, and an
//! enrollment attempt within its address's limit.

use std::net::SocketAddr;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;
use serde::de::DeserializeOwned;

use fieldcase_core::time::{format_beijing, record_instant};

use super::limits::{Client, REFUSAL_DELAY};
use super::{ApiError, AppState};
use crate::admin::AdminTokenStanding;
use crate::store::{AdminRecord, DeviceRecord, TokenHash};

/// `axum::Json`, with its refusals as [`ApiError`]s: a malformed or misshapen body is 400
/// `bad_request`, one over the size limit 413 `payload_too_large`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        if !json_content_type(req.headers()) {
            return Err(ApiError::BadRequest(MISSING_JSON_CONTENT_TYPE.into()));
        }
        let limit = state.max_body_bytes;
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large(limit)
            } else {
                ApiError::BadRequest(format!("the request body could not be read: {}", rejection.body_text()))
            }
        })?;
        // Parsed plainly; only a body that fails is parsed again by axum, whose refusal names
        // the field at fault (tracking where costs every value of every body).
        match serde_json::from_slice(&bytes) {
            Ok(value) => Ok(Self(value)),
            Err(_) => match axum::Json::<T>::from_bytes(&bytes) {
                Ok(axum::Json(value)) => Ok(Self(value)),
                Err(rejection) => Err(json_refusal(rejection, limit)),
            },
        }
    }
}

const MISSING_JSON_CONTENT_TYPE: &str = "send the body as JSON, with the header Content-Type: application/json";

/// `application/json`, or a `+json` type, as axum's own `Json` accepts.
fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn too_large(limit: usize) -> ApiError {
    ApiError::PayloadTooLarge(format!(
        "the request body is larger than the {limit} bytes the bureau accepts; send fewer records per page"
    ))
}

fn json_refusal(rejection: JsonRejection, limit: usize) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(limit);
    }
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::BadRequest(MISSING_JSON_CONTENT_TYPE.into()),
        JsonRejection::JsonSyntaxError(e) => {
            ApiError::BadRequest(format!("the body is not valid JSON: {}", e.body_text()))
        }
        JsonRejection::JsonDataError(e) => {
            ApiError::BadRequest(format!("the body is JSON but not what this path takes: {}", e.body_text()))
        }
        other if other.status().is_client_error() => ApiError::BadRequest(other.body_text()),
        other => ApiError::Internal(format!("reading a request body: {}", other.body_text())),
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Query`, with its refusals as 400 `bad_request`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(query_refusal(rejection)),
        }
    }
}

fn query_refusal(rejection: QueryRejection) -> ApiError {
    ApiError::BadRequest(format!("the query string is not valid: {}", rejection.body_text()))
}

/// `axum::extract::Path`, with its refusals as 400 `bad_request`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError::BadRequest(format!("the path is not valid: {}", rejection.body_text()))),
        }
    }
}

/// The client's address, as the limits count it: the TCP peer (when the server was started
/// with connect info, as [`crate::Bureau::serve`] is).
fn client(parts: &Parts) -> Client {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(peer)| *peer).or_else(|| {
        parts.extensions.get::<ConnectInfo<crate::tls::TlsPeer>>().map(|ConnectInfo(crate::tls::TlsPeer(peer))| *peer)
    });
    Client::of(peer.map(|peer| peer.ip()))
}

/// The enrolled, unrevoked device whose bearer token came with the request. The token is
/// looked up by a read; a client that failed too often is answered 429 without a look.
#[derive(Debug, Clone)]
pub struct Enrolled(pub DeviceRecord);

impl FromRequestParts<AppState> for Enrolled {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(parts);
        let hash = token.as_ref().ok().map(|t| TokenHash::of_token(t));
        let attempt = match state.limits.authentication(client(parts), hash, Instant::now()) {
            Ok(attempt) => attempt,
            Err(refused) => return Err(slowly(refused).await),
        };
        let hash = token.map(TokenHash::of_token)?;
        let device = state.store.device_by_token(hash).await?.ok_or_else(|| {
            ApiError::Unauthorized(
                "the bureau does not know this device's token (it was replaced by a newer enrollment, or never issued); enroll the device again with a new code from an administrator".into(),
            )
        })?;
        if device.is_revoked() {
            return Err(ApiError::DeviceRevoked { device: device.device_id });
        }
        attempt.succeeded();
        Ok(Self(device))
    }
}

/// An administrator, by a bearer token `fieldcase bureau admin-token` made that has neither
/// expired nor been revoked. A device's token is refused here (403), whatever the device.
/// Tokens are looked up by reads; a use is noted (a write) at most once a minute, and only
/// once the token worked.
#[derive(Debug, Clone)]
pub struct Administrator(pub AdminRecord);

const ADMIN_TOKEN_NEEDED: &str = "this path needs an administrator's token (Authorization: Bearer …); make one on the bureau with `fieldcase bureau admin-token`";

impl FromRequestParts<AppState> for Administrator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts, ADMIN_TOKEN_NEEDED);
        let hash = token.as_ref().ok().map(|t| TokenHash::of_token(t));
        let attempt = match state.limits.authentication(client(parts), hash, Instant::now()) {
            Ok(attempt) => attempt,
            Err(refused) => return Err(slowly(refused).await),
        };
        let hash = token.map(TokenHash::of_token)?;
        let now = record_instant(Utc::now());
        let Some(admin) = state.store.admin_token(hash).await? else {
            if state.store.device_by_token(hash).await?.is_some() {
                return Err(ApiError::Forbidden(
                    "a device's token cannot administer the bureau; use an administrator's token from `fieldcase bureau admin-token`".into(),
                ));
            }
            return Err(ApiError::Unauthorized(format!("the bureau does not know this token; {ADMIN_TOKEN_NEEDED}")));
        };
        match admin.standing(now) {
            AdminTokenStanding::Valid => {}
            AdminTokenStanding::Expired { at } => {
                return Err(ApiError::Unauthorized(format!(
                    "this administrator's token ({}) expired on {} (Beijing time); make a new one on the bureau with `fieldcase bureau admin-token --label … --expires-in 90d`",
                    admin.actor(),
                    format_beijing(at)
                )));
            }
            AdminTokenStanding::Revoked { at } => {
                return Err(ApiError::Unauthorized(format!(
                    "this administrator's token ({}) was revoked on {} (Beijing time) and works no more; ask the bureau's administrator for a new one (`fieldcase bureau admin-token`)",
                    admin.actor(),
                    format_beijing(at)
                )));
            }
        }
        attempt.succeeded();
        if admin.use_worth_noting(now)
            && let Err(e) = state.store.note_admin_token_use(hash, now).await
        {
            // The request goes on: when a token was last used is a convenience, not a record.
            tracing::warn!(token = %admin.hash_prefix, error = %e, "an administrator's token's use could not be noted");
        }
        Ok(Self(admin))
    }
}

/// An enrollment attempt the client's address may still make (see [`super::limits`]).
#[derive(Debug, Clone, Copy)]
pub struct EnrollmentAttempt;

impl FromRequestParts<AppState> for EnrollmentAttempt {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match state.limits.enrollment(client(parts), Instant::now()) {
            Ok(()) => Ok(Self),
            Err(refused) => Err(slowly(refused).await),
        }
    }
}

/// A client's refusal for having tried too often, answered after [`REFUSAL_DELAY`].
async fn slowly(refused: ApiError) -> ApiError {
    tokio::time::sleep(REFUSAL_DELAY).await;
    refused
}

fn bearer_token(parts: &Parts) -> Result<&str, ApiError> {
    bearer(
        parts,
        "this request needs the device's bearer token (Authorization: Bearer …); enroll the device with a code from an administrator first",
    )
}

fn bearer<'p>(parts: &'p Parts, needed: &str) -> Result<&'p str, ApiError> {
    let missing = || ApiError::Unauthorized(needed.to_owned());
    let value = parts.headers.get(AUTHORIZATION).ok_or_else(missing)?;
    let value = value.to_str().map_err(|_| missing())?.trim();
    let (scheme, token) = value.split_once(' ').ok_or_else(missing)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(missing());
    }
    Ok(token)
}
