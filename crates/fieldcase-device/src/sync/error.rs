//! Why a sync did not complete, in words an officer understands, and whether waiting helps.

use fieldcase_core::ErrorCode;
use fieldcase_core::wire::ApiError;

use crate::DeviceError;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "the bureau at {url} cannot be reached ({detail}); records stay safe on this laptop and are sent when it is back"
    )]
    Offline { url: String, detail: String },
    #[error("this laptop is not enrolled with a bureau yet: ask an administrator for an enrollment code, then enroll")]
    NotEnrolled,
    #[error(
        "the bureau does not recognize this laptop ({0}): ask an administrator for a new enrollment code and enroll again"
    )]
    Unauthorized(String),
    #[error(
        "the bureau has revoked this laptop ({0}): records stay safe here; ask the bureau's administrator to reinstate it"
    )]
    Revoked(String),
    #[error("the bureau refused the request: {}", .0.message)]
    Refused(ApiError),
    #[error("the bureau had a problem ({0}); it will be tried again")]
    Server(String),
    /// The bureau asked this laptop to wait (too many attempts from its address).
    #[error("the bureau is busy with this address ({message}); it will be tried again in {} s", retry_after.as_secs())]
    RateLimited { message: String, retry_after: std::time::Duration },
    #[error("the bureau's answer could not be understood ({0}); check that the address is a fieldcase bureau")]
    Protocol(String),
    /// The bureau's address cannot be used as given.
    #[error("{0}")]
    Address(String),
    #[error("{0}")]
    Device(#[from] DeviceError),
}

impl SyncError {
    /// A stable code for the UI and scripts.
    pub fn code(&self) -> ErrorCode {
        match self {
            SyncError::Offline { .. } => ErrorCode::Offline,
            SyncError::NotEnrolled => ErrorCode::NotEnrolled,
            SyncError::Unauthorized(_) => ErrorCode::Unauthorized,
            SyncError::Revoked(_) => ErrorCode::DeviceRevoked,
            SyncError::Refused(e) => e.code,
            SyncError::Server(_) => ErrorCode::BureauError,
            SyncError::RateLimited { .. } => ErrorCode::RateLimited,
            SyncError::Protocol(_) => ErrorCode::Protocol,
            SyncError::Address(_) => ErrorCode::InvalidInput,
            SyncError::Device(e) => e.code(),
        }
    }

    /// How long the bureau asked to be left alone (its `Retry-After`), if it did.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            SyncError::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// Whether only a person can fix it (enrolling again); retrying will not help.
    pub fn needs_person(&self) -> bool {
        matches!(
            self,
            SyncError::NotEnrolled | SyncError::Unauthorized(_) | SyncError::Revoked(_) | SyncError::Address(_)
        )
    }
}
