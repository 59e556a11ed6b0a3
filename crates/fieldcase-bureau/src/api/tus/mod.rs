//! The tus 1.0.0 resumable upload server for evidence files, under
//! [`fieldcase_core::upload::UPLOADS_PATH`]: core (HEAD, PATCH, OPTIONS), creation,
//! creation-with-upload, checksum (sha256, sha1), termination and expiration
//! (<https://tus.io/protocols/resumable-upload>).
//!
//! Every answer under the path carries `Tus-Resumable` (errors and 404s included: clients
//! that miss it give up), and exposes the tus headers to browser clients. A request without
//! `Tus-Resumable: 1.0.0` (other than OPTIONS) is answered 412 with `Tus-Version`. Bodies are
//! streamed to a file while hashed, never held in memory (see [`receive`]); one PATCH at a time
//! writes an upload, by a lease in the database (see [`crate::uploads::may_lease`]).

pub(super) mod create;
pub(super) mod patch;
mod receive;

pub use receive::clear_stray;
mod seal;
pub(super) mod standing;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{head, post};
use chrono::{DateTime, Utc};

use fieldcase_core::upload::{TUS_CHECKSUM_ALGORITHMS, TUS_EXTENSIONS, TUS_VERSION};

use super::{ApiError, AppState};

pub const TUS_RESUMABLE: HeaderName = HeaderName::from_static("tus-resumable");
pub const TUS_VERSION_HEADER: HeaderName = HeaderName::from_static("tus-version");
pub const TUS_EXTENSION: HeaderName = HeaderName::from_static("tus-extension");
pub const TUS_MAX_SIZE: HeaderName = HeaderName::from_static("tus-max-size");
pub const TUS_CHECKSUM_ALGORITHM: HeaderName = HeaderName::from_static("tus-checksum-algorithm");
pub const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
pub const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
pub const UPLOAD_EXPIRES: HeaderName = HeaderName::from_static("upload-expires");
pub const UPLOAD_METADATA: HeaderName = HeaderName::from_static("upload-metadata");
pub const UPLOAD_CHECKSUM: HeaderName = HeaderName::from_static("upload-checksum");

/// The one value `Tus-Resumable` takes, as the OpenAPI document describes the header.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
// Never made: it only gives the header's schema its one value.
#[allow(dead_code)]
pub enum TusResumable {
    #[serde(rename = "1.0.0")]
    V1,
}

/// The headers a browser client must be allowed to read.
const EXPOSED: &str = "Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm, \
                       Upload-Offset, Upload-Length, Upload-Expires, Upload-Metadata, Location";

/// The media type of a chunk's body.
pub const CHUNK_CONTENT_TYPE: &str = "application/offset+octet-stream";

/// The tus routes, to be nested at the uploads path.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", post(create::create).options(options))
        .route("/{id}", head(standing::head).patch(patch::patch).delete(standing::terminate).options(options))
        // Chunks are streamed to disk as they come; the API's body limit is for JSON.
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn(tus_headers))
}

/// tus discovery: the version, extensions, checksum algorithms and largest file the bureau
/// takes (no token needed).
#[utoipa::path(options, path = "/api/v1/uploads", tag = "uploads",
    responses((status = 204, description = "`Tus-Version`, `Tus-Extension`, `Tus-Checksum-Algorithm` and `Tus-Max-Size` in headers")))]
pub async fn options(State(state): State<AppState>) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(TUS_VERSION_HEADER, HeaderValue::from_static(TUS_VERSION));
    headers.insert(TUS_EXTENSION, HeaderValue::from_static(TUS_EXTENSIONS));
    headers.insert(TUS_CHECKSUM_ALGORITHM, HeaderValue::from_static(TUS_CHECKSUM_ALGORITHMS));
    headers.insert(TUS_MAX_SIZE, HeaderValue::from(state.uploads.max_bytes));
    (StatusCode::NO_CONTENT, headers).into_response()
}

/// Refuses a request that does not speak tus 1.0.0, and marks every answer as tus's.
async fn tus_headers(request: Request, next: Next) -> Response {
    let speaks = request.headers().get(&TUS_RESUMABLE).is_some_and(|v| v.as_bytes() == TUS_VERSION.as_bytes());
    let mut response = if speaks || request.method() == Method::OPTIONS {
        next.run(request).await
    } else {
        ApiError::TusVersion(format!(
            "this is a tus upload path: send the header Tus-Resumable: {TUS_VERSION} (the version the bureau speaks)"
        ))
        .into_response()
    };
    mark(&mut response);
    response
}

/// Adds what every answer under the uploads path carries: `Tus-Resumable`, the tus headers
/// exposed to browser clients, and `Tus-Version` on a 412.
pub fn mark(response: &mut Response) {
    let refused_version = response.status() == StatusCode::PRECONDITION_FAILED;
    let headers = response.headers_mut();
    headers.insert(TUS_RESUMABLE, HeaderValue::from_static(TUS_VERSION));
    headers.insert("access-control-expose-headers", HeaderValue::from_static(EXPOSED));
    if refused_version {
        headers.insert(TUS_VERSION_HEADER, HeaderValue::from_static(TUS_VERSION));
    }
}

/// `Upload-Expires`, as an HTTP date.
pub fn http_date(at: DateTime<Utc>) -> HeaderValue {
    HeaderValue::from_str(&at.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_else(|_| HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"))
}

/// A numeric header (`Upload-Offset`, `Upload-Length`): absent is None, anything but a
/// whole number is refused.
pub fn number_header(headers: &HeaderMap, name: &HeaderName) -> Result<Option<u64>, ApiError> {
    let Some(value) = headers.get(name) else { return Ok(None) };
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|n| *n <= i64::MAX as u64)
        .map(Some)
        .ok_or_else(|| ApiError::BadRequest(format!("{name} must be a whole number of bytes")))
}

/// Whether the request's body is a chunk (`Content-Type: application/offset+octet-stream`).
pub fn is_chunk(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case(CHUNK_CONTENT_TYPE))
}
