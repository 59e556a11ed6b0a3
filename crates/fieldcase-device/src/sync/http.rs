//! The bureau's HTTP API as the device calls it.

use std::time::Duration;

use serde::de::DeserializeOwned;

use fieldcase_core::ErrorCode;
use fieldcase_core::wire::{
    API_PREFIX, ApiError, EnrollRequest, EnrollResponse, Health, PullResponse, PushRequest, PushResponse,
};

use super::SyncError;

/// A client for one bureau address.
#[derive(Debug, Clone)]
pub struct BureauHttp {
    client: reqwest::Client,
    base: String,
}

impl BureauHttp {
    pub fn new(bureau_url: &str) -> Result<Self, SyncError> {
        let base = bureau_url.trim().trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(SyncError::Protocol(format!("'{bureau_url}' is not an http:// or https:// address")));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| SyncError::Protocol(e.to_string()))?;
        Ok(Self { client, base })
    }

    pub fn url(&self) -> &str {
        &self.base
    }

    pub async fn health(&self) -> Result<Health, SyncError> {
        self.send(self.client.get(self.path("/health"))).await
    }

    pub async fn enroll(&self, request: &EnrollRequest) -> Result<EnrollResponse, SyncError> {
        self.send(self.client.post(self.path("/enroll")).json(request)).await
    }

    pub async fn push(&self, token: &str, request: &PushRequest) -> Result<PushResponse, SyncError> {
        self.send(self.client.post(self.path("/push")).bearer_auth(token).json(request)).await
    }

    pub async fn pull(&self, token: &str, after: u64, limit: u32) -> Result<PullResponse, SyncError> {
        let query = [("after", after.to_string()), ("limit", limit.to_string())];
        self.send(self.client.get(self.path("/changes")).bearer_auth(token).query(&query)).await
    }

    pub async fn registry_snapshot(
        &self,
        token: &str,
    ) -> Result<fieldcase_core::registry::SignedRegistryUpdate, SyncError> {
        self.send(self.client.get(self.path("/registry/snapshot")).bearer_auth(token)).await
    }

    fn path(&self, p: &str) -> String {
        format!("{}{API_PREFIX}{p}", self.base)
    }

    async fn send<T: DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Result<T, SyncError> {
        let offline = |e: reqwest::Error| SyncError::Offline { url: self.base.clone(), detail: without_url(&e) };
        let response = request.send().await.map_err(offline)?;
        let status = response.status();
        let body = response.bytes().await.map_err(offline)?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| SyncError::Protocol(e.to_string()));
        }
        let error: ApiError = serde_json::from_slice(&body).unwrap_or_else(|_| ApiError {
            code: if status.is_server_error() { ErrorCode::BureauError } else { ErrorCode::Protocol },
            message: String::from_utf8_lossy(&body).chars().take(200).collect(),
        });
        Err(match status.as_u16() {
            // A refused enrollment code is not a lost enrollment: the bureau's words say what to do.
            401 if error.code == ErrorCode::EnrollmentCodeInvalid => SyncError::Refused(error),
            401 => SyncError::Unauthorized(error.message),
            403 => SyncError::Revoked(error.message),
            500..=599 => SyncError::Server(format!("{status}: {}", error.message)),
            _ => SyncError::Refused(error),
        })
    }
}

/// reqwest's messages repeat the URL, which the sync error already names.
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "connection refused or no network"
    } else if e.is_timeout() {
        "no answer in time"
    } else {
        "the connection broke"
    };
    kind.to_owned()
}
