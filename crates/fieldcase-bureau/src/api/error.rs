//! The one error type of the HTTP API. Every failure — a handler's, a refused body, a bad
//! token, an unknown path, an internal fault — answers `wire::ApiError {code, message}`.
//! Internal details are logged, never shown.

use std::time::Duration;

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use fieldcase_core::ErrorCode;
use fieldcase_core::ids::DeviceId;
use fieldcase_core::wire;

use crate::BureauError;
use crate::certificates::{Refusal, RefusalKind};
use crate::store::StoreError;
use crate::uploads::UploadRefusal;
use fieldcase_core::upload::CHECKSUM_MISMATCH_STATUS;

#[derive(Debug)]
pub enum ApiError {
    /// 400 `bad_request`: the body or query is not what the route takes.
    BadRequest(String),
    /// 413 `payload_too_large`: the body, or the push page, is larger than the bureau takes.
    PayloadTooLarge(String),
    /// 401 `unauthorized`: no token, or one the bureau does not know.
    Unauthorized(String),
    /// 403 `device_revoked`.
    DeviceRevoked { device: DeviceId },
    /// 403 `forbidden`: a known token that may not do this (a device's token on an
    /// administrator's path).
    Forbidden(String),
    /// An administrator's request that was not carried out: 404 `not_found`, 409
    /// `duplicate`, 409 `not_allowed` or 422 `invalid_input`.
    Refused(Refusal),
    /// 422 `bad_signature`: the push page is not signed by the enrolled device key.
    BadSignature(String),
    /// 401 `enrollment_code_invalid`.
    EnrollmentCodeInvalid,
    /// 409 `device_key_mismatch`.
    DeviceKeyMismatch { device: DeviceId },
    /// 409 `out_of_order`: a push page that follows one the bureau did not store.
    OutOfOrder(String),
    /// 404 `not_found`.
    NotFound(String),
    /// 405 `method_not_allowed`.
    MethodNotAllowed,
    /// 429 `rate_limited`: too many attempts from the client's address; the answer's
    /// `Retry-After` says in how many seconds to try again.
    RateLimited { message: String, retry_after_secs: u64 },
    /// An upload that cannot be created or written (see [`UploadRefusal`]): 400, 404, 409,
    /// 410, 422 or 423, each with its code.
    Upload(UploadRefusal),
    /// 412 `tus_version_unsupported`: a tus request without `Tus-Resumable: 1.0.0`.
    TusVersion(String),
    /// 415 `unsupported_media_type`: a chunk not sent as `application/offset+octet-stream`.
    UnsupportedMediaType(String),
    /// 460 `checksum_mismatch`: a chunk whose bytes do not match its `Upload-Checksum`.
    ChecksumMismatch,
    /// 500 `internal`: the detail goes to the log only.
    Internal(String),
}

/// The status a tus server answers a chunk whose checksum does not match.
fn checksum_mismatch_status() -> StatusCode {
    StatusCode::from_u16(CHECKSUM_MISMATCH_STATUS).unwrap_or(StatusCode::BAD_REQUEST)
}

/// The error a response carried, for the request log.
#[derive(Debug, Clone)]
pub(crate) struct LoggedError {
    pub code: ErrorCode,
    pub detail: String,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unauthorized(_) | Self::EnrollmentCodeInvalid => StatusCode::UNAUTHORIZED,
            Self::DeviceRevoked { .. } | Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Refused(r) => match r.kind {
                RefusalKind::NotFound => StatusCode::NOT_FOUND,
                RefusalKind::Duplicate | RefusalKind::NotAllowed => StatusCode::CONFLICT,
                RefusalKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            },
            Self::BadSignature(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::DeviceKeyMismatch { .. } | Self::OutOfOrder(_) => StatusCode::CONFLICT,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Upload(refusal) => match refusal {
                UploadRefusal::BadMetadata(_) => StatusCode::BAD_REQUEST,
                UploadRefusal::EvidenceUnknown(_) | UploadRefusal::SizeDiffers(_) => StatusCode::UNPROCESSABLE_ENTITY,
                UploadRefusal::Missing(_) => StatusCode::NOT_FOUND,
                UploadRefusal::Gone { .. } => StatusCode::GONE,
                UploadRefusal::OffsetMismatch { .. } => StatusCode::CONFLICT,
                UploadRefusal::Locked(_) => StatusCode::LOCKED,
            },
            Self::TusVersion(_) => StatusCode::PRECONDITION_FAILED,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::ChecksumMismatch => checksum_mismatch_status(),
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            Self::Unauthorized(_) => ErrorCode::Unauthorized,
            Self::DeviceRevoked { .. } => ErrorCode::DeviceRevoked,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::Refused(r) => match r.kind {
                RefusalKind::NotFound => ErrorCode::NotFound,
                RefusalKind::Duplicate => ErrorCode::Duplicate,
                RefusalKind::NotAllowed => ErrorCode::NotAllowed,
                RefusalKind::Invalid => ErrorCode::InvalidInput,
            },
            Self::BadSignature(_) => ErrorCode::BadSignature,
            Self::EnrollmentCodeInvalid => ErrorCode::EnrollmentCodeInvalid,
            Self::DeviceKeyMismatch { .. } => ErrorCode::DeviceKeyMismatch,
            Self::OutOfOrder(_) => ErrorCode::OutOfOrder,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Upload(refusal) => match refusal {
                UploadRefusal::BadMetadata(_) => ErrorCode::BadRequest,
                UploadRefusal::EvidenceUnknown(_) => ErrorCode::EvidenceUnknown,
                UploadRefusal::SizeDiffers(_) => ErrorCode::InvalidInput,
                UploadRefusal::Missing(_) => ErrorCode::NotFound,
                UploadRefusal::Gone { .. } => ErrorCode::UploadGone,
                UploadRefusal::OffsetMismatch { .. } => ErrorCode::UploadOffsetMismatch,
                UploadRefusal::Locked(_) => ErrorCode::UploadLocked,
            },
            Self::TusVersion(_) => ErrorCode::TusVersionUnsupported,
            Self::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            Self::ChecksumMismatch => ErrorCode::ChecksumMismatch,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// What the device shows its officer.
    pub fn message(&self) -> String {
        match self {
            Self::BadRequest(m)
            | Self::PayloadTooLarge(m)
            | Self::Unauthorized(m)
            | Self::BadSignature(m)
            | Self::NotFound(m)
            | Self::OutOfOrder(m)
            | Self::Forbidden(m)
            | Self::TusVersion(m)
            | Self::UnsupportedMediaType(m) => m.clone(),
            Self::Upload(refusal) => refusal.to_string(),
            Self::ChecksumMismatch => {
                "the chunk's bytes do not match its Upload-Checksum (they changed on the way); nothing of it was kept: send it again".into()
            }
            Self::RateLimited { message, .. } => message.clone(),
            Self::Refused(r) => r.message.clone(),
            Self::DeviceRevoked { device } => format!(
                "device {device} was revoked by the bureau and can no longer sync or enroll again; ask the bureau's administrator to reinstate it (`fieldcase bureau reinstate-device {device}`) if the laptop is back in the right hands"
            ),
            Self::EnrollmentCodeInvalid => {
                "the enrollment code is unknown, has expired or was already used; ask an administrator for a new code".into()
            }
            Self::DeviceKeyMismatch { device } => format!(
                "device {device} is already enrolled with another public key, and a device id keeps its key; if this device's data was reset it has a new id and enrolls as a new device, otherwise ask an administrator"
            ),
            Self::MethodNotAllowed => "this path does not take that method; see /api/v1/openapi.json".into(),
            Self::Internal(_) => {
                "the bureau could not complete the request because of an internal fault; nothing was stored. Try again later, and tell the bureau's administrator if it persists".into()
            }
        }
    }
}

impl ApiError {
    /// 429, to try again after `wait` (in whole seconds, at least one), with the message
    /// `says` for that many seconds.
    pub fn rate_limited(wait: Duration, says: impl FnOnce(u64) -> String) -> Self {
        let retry_after_secs = u64::try_from(wait.as_millis().div_ceil(1000)).unwrap_or(u64::MAX).max(1);
        Self::RateLimited { message: says(retry_after_secs), retry_after_secs }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let code = self.code();
        let detail = match &self {
            Self::Internal(detail) => {
                tracing::error!(%detail, "internal fault");
                detail.clone()
            }
            other => other.message(),
        };
        let retry_after = match &self {
            Self::RateLimited { retry_after_secs, .. } => Some(HeaderValue::from(*retry_after_secs)),
            _ => None,
        };
        let body = wire::ApiError { code, message: self.message() };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(RETRY_AFTER, seconds);
        }
        response.extensions_mut().insert(LoggedError { code, detail });
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::EnrollmentCodeInvalid => Self::EnrollmentCodeInvalid,
            StoreError::DeviceKeyMismatch { device } => Self::DeviceKeyMismatch { device },
            StoreError::DeviceRevoked { device } => Self::DeviceRevoked { device },
            StoreError::NotFound { what, id } => Self::NotFound(format!("no {what} '{id}' at the bureau")),
            StoreError::Refused(refusal) => Self::Refused(refusal),
            StoreError::PageRefused(e) => {
                Self::BadRequest(format!("the page is signed but not a push page: {e}; nothing of it was stored"))
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<UploadRefusal> for ApiError {
    fn from(refusal: UploadRefusal) -> Self {
        Self::Upload(refusal)
    }
}

impl From<crate::blobs::BlobError> for ApiError {
    fn from(e: crate::blobs::BlobError) -> Self {
        if let crate::blobs::BlobError::Busy(upload) = e {
            return UploadRefusal::Locked(upload).into();
        }
        // The bureau's own store failed, not the client: the offset did not move, so the
        // client resends the chunk later.
        Self::Internal(e.to_string())
    }
}

impl From<BureauError> for ApiError {
    fn from(e: BureauError) -> Self {
        match e {
            BureauError::Admin(store) => store.into(),
            other => Self::Internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_fault_shows_its_code_but_never_its_detail() {
        let response = ApiError::Internal("database /srv/bureau/bureau.db: disk I/O error".into()).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let logged = response.extensions().get::<LoggedError>().expect("the log gets the detail");
        assert!(logged.detail.contains("disk I/O"));
        let shown = ApiError::Internal("database /srv/bureau/bureau.db: disk I/O error".into()).message();
        assert!(!shown.contains("/srv") && !shown.contains("disk"), "internals are not shown: {shown}");
    }

    #[test]
    fn store_refusals_become_answers_a_device_can_act_on() {
        assert_eq!(ApiError::from(StoreError::EnrollmentCodeInvalid).code(), ErrorCode::EnrollmentCodeInvalid);
        let device = DeviceId::from_uuid(Default::default());
        assert_eq!(ApiError::from(StoreError::DeviceKeyMismatch { device }).status(), StatusCode::CONFLICT);
        assert_eq!(ApiError::from(StoreError::Corrupt("x".into())).code(), ErrorCode::Internal);
    }
}
