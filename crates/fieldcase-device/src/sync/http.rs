//! The bureau's HTTP API as the device calls it.

use std::time::Duration;

use serde::de::DeserializeOwned;

use fieldcase_core::ErrorCode;
use fieldcase_core::wire::{
    API_PREFIX, ApiError, EnrollRequest, EnrollResponse, Health, PullResponse, PushRequest, PushResponse,
};

use super::SyncError;

/// How a bureau may be reached: by default https://, or plain http:// to this machine only
/// (a bureau on loopback).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Transport {
    /// Plain http:// anywhere too: a lab's choice, made explicitly (`--insecure-http`). The
    /// token and the records then cross the network unprotected.
    pub insecure_http: bool,
    /// A certificate authority (PEM) trusted for the bureau's https:// certificate beside the
    /// system's: a bureau whose certificate its own authority issued (`--ca-cert FILE`).
    pub ca_pem: Option<String>,
}

impl Transport {
    /// Plain http:// allowed anywhere: for a lab.
    pub fn lab() -> Self {
        Transport { insecure_http: true, ca_pem: None }
    }

    /// The transport this device chose when it enrolled.
    pub fn of_enrollment(enrollment: &crate::store::enrollment::Enrollment) -> Self {
        Transport { insecure_http: enrollment.insecure_http, ca_pem: enrollment.ca_pem.clone() }
    }
}

/// A client for one bureau address.
#[derive(Debug, Clone)]
pub struct BureauHttp {
    client: reqwest::Client,
    base: String,
}

impl BureauHttp {
    /// A client for `bureau_url`, if `transport` allows it.
    pub fn new(bureau_url: &str, transport: &Transport) -> Result<Self, SyncError> {
        let base = super::address::parse_bureau_url(bureau_url, transport)
            .map_err(|(_, message)| SyncError::Address(message))?;
        let mut builder =
            reqwest::Client::builder().connect_timeout(Duration::from_secs(5)).timeout(Duration::from_secs(60));
        if let Some(pem) = &transport.ca_pem {
            let authority = reqwest::Certificate::from_pem(pem.as_bytes()).map_err(|e| {
                SyncError::Address(format!("the bureau's certificate authority is not a PEM certificate ({e})"))
            })?;
            builder = builder.add_root_certificate(authority);
        }
        let client = builder.build().map_err(|e| SyncError::Protocol(e.to_string()))?;
        Ok(Self { client, base })
    }

    /// A client for the bureau this device enrolled with, as it enrolled.
    pub fn for_enrollment(enrollment: &crate::store::enrollment::Enrollment) -> Result<Self, SyncError> {
        Self::new(&enrollment.bureau_url, &Transport::of_enrollment(enrollment))
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

    pub(crate) fn path(&self, p: &str) -> String {
        format!("{}{API_PREFIX}{p}", self.base)
    }

    async fn send<T: DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Result<T, SyncError> {
        let response = request.send().await.map_err(|e| self.offline(&e))?;
        if !response.status().is_success() {
            return Err(self.refusal(response).await);
        }
        let body = response.bytes().await.map_err(|e| self.offline(&e))?;
        serde_json::from_slice(&body).map_err(|e| SyncError::Protocol(e.to_string()))
    }

    /// The HTTP client, for the upload agent's own requests (`crate::uploads`).
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// A request that got no answer: the bureau is out of reach.
    pub(crate) fn offline(&self, e: &reqwest::Error) -> SyncError {
        SyncError::Offline { url: self.base.clone(), detail: without_url(e) }
    }

    /// An answer that is not a success, as the error the agent acts on.
    pub(crate) async fn refusal(&self, response: reqwest::Response) -> SyncError {
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(e) => return self.offline(&e),
        };
        let error: ApiError = serde_json::from_slice(&body).unwrap_or_else(|_| ApiError {
            code: if status.is_server_error() { ErrorCode::BureauError } else { ErrorCode::Protocol },
            message: String::from_utf8_lossy(&body).chars().take(200).collect(),
        });
        match status.as_u16() {
            // A refused enrollment code is not a lost enrollment: the bureau's words say what to do.
            401 if error.code == ErrorCode::EnrollmentCodeInvalid => SyncError::Refused(error),
            401 => SyncError::Unauthorized(error.message),
            403 => SyncError::Revoked(error.message),
            429 => SyncError::RateLimited { message: error.message, retry_after },
            500..=599 => SyncError::Server(format!("{status}: {}", error.message)),
            _ => SyncError::Refused(error),
        }
    }
}

/// The wait a 429 asks for: `Retry-After` in seconds (the bureau sends seconds), capped at an
/// hour so a wrong header cannot park the agent; a second when it is missing or unreadable.
fn retry_after(headers: &reqwest::header::HeaderMap) -> std::time::Duration {
    let seconds = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1);
    std::time::Duration::from_secs(seconds.clamp(1, 3600))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_reaches_only_this_machine_unless_a_lab_says_so() {
        for ok in ["https://bureau.example.cn", "http://127.0.0.1:8787", "http://localhost:8787/", "http://[::1]:8787"]
        {
            assert!(BureauHttp::new(ok, &Transport::default()).is_ok(), "{ok}");
        }
        let refused = BureauHttp::new("http://bureau.example.cn:8787", &Transport::default()).unwrap_err();
        assert!(refused.to_string().contains("--insecure-http"), "says how a lab gets past it: {refused}");
        assert!(BureauHttp::new("http://bureau.example.cn:8787", &Transport::lab()).is_ok());
        assert!(BureauHttp::new("ftp://bureau.example.cn", &Transport::lab()).is_err());
        assert!(BureauHttp::new("bureau", &Transport::default()).is_err());
    }
}
