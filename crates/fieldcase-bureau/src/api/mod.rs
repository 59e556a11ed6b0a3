//! The HTTP API under `/api/v1`: JSON in and out, one error shape, structured request logs.

mod admin_routes;
mod error;
mod extract;
mod limits;
mod openapi;
mod openapi_errors;
mod page_order;
mod routes;
pub mod tus;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

use fieldcase_core::wire::API_PREFIX;

pub use error::ApiError;
pub use extract::{Administrator, ApiJson, ApiPath, ApiQuery, Enrolled, EnrollmentAttempt};
pub use limits::{Client, ENROLLMENTS, FAILED_AUTHENTICATIONS, Limits, Rate};
pub use openapi::openapi;
pub use page_order::PageOrder;

use crate::blobs::BlobStore;
use crate::config::UploadsConfig;
use crate::keys::KeyFile;
use crate::store::BureauStore;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Arc<dyn BureauStore>,
    /// The bureau's signing key: its public half is given to devices at enrollment, and it
    /// signs registry updates. Read at each use, so a rotation reaches a running server.
    pub keys: KeyFile,
    pub max_body_bytes: usize,
    pub pull_page_limit: usize,
    /// The most bytes of changes one pull page holds (one larger change goes alone).
    pub pull_page_bytes: usize,
    pub page_order: Arc<PageOrder>,
    /// The change feed's epoch: cursors mean something only within it.
    pub feed_epoch: Arc<str>,
    /// What each client address may still attempt: enrollments, failed authentications.
    pub limits: Arc<Limits>,
    /// Where evidence bytes are kept.
    pub blobs: Arc<dyn BlobStore>,
    /// How evidence uploads are held (expiry, largest file).
    pub uploads: UploadsConfig,
    /// The folder a chunk streams into before it is checked and handed to `blobs`.
    pub incoming: PathBuf,
}

/// The folder under the data directory where chunks arrive, one file each, before they are
/// checked (see [`tus`]).
pub const INCOMING_DIR: &str = "incoming";

/// The whole API, ready to serve.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(routes::health))
        .route("/enroll", post(routes::enroll))
        .route("/push", post(routes::push))
        .route("/changes", get(routes::changes))
        .route("/registry/snapshot", get(routes::registry_snapshot))
        .route("/admin/certificates", get(admin_routes::admin_certificates).post(admin_routes::admin_issue))
        .route("/admin/certificates/{number}/history", get(admin_routes::admin_history))
        .route("/admin/certificates/{number}/renew", post(admin_routes::admin_renew))
        .route("/admin/certificates/{number}/suspend", post(admin_routes::admin_suspend))
        .route("/admin/certificates/{number}/reinstate", post(admin_routes::admin_reinstate))
        .route("/admin/certificates/{number}/revoke", post(admin_routes::admin_revoke))
        .route("/openapi.json", get(routes::openapi_json))
        .nest("/uploads", tus::router());
    Router::new()
        .nest(API_PREFIX, api)
        .fallback(routes::no_such_path)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(DefaultBodyLimit::max(state.max_body_bytes))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// One log line per request: method, path, status, time taken, and the error code if any.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_millis() as u64;
    match response.extensions().get::<error::LoggedError>() {
        Some(e) if status >= 500 => tracing::error!(%method, %path, status, ms, code = %e.code, "request failed"),
        Some(e) => tracing::warn!(%method, %path, status, ms, code = %e.code, detail = %e.detail, "request refused"),
        None => tracing::info!(%method, %path, status, ms, "request"),
    }
    response
}
