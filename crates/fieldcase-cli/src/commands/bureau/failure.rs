//! How bureau commands fail: the bureau's errors as the command line's failures (exit code,
//! stable error code, message).

use fieldcase_bureau::BureauError;
use fieldcase_bureau::certificates::RefusalKind;
use fieldcase_bureau::store::StoreError;
use fieldcase_core::ErrorCode;

use crate::output::Failure;

impl From<BureauError> for Failure {
    fn from(e: BureauError) -> Self {
        let code = match &e {
            BureauError::DataDir { .. } => ErrorCode::DataDirUnusable,
            BureauError::NoData { .. } => ErrorCode::NoData,
            BureauError::Key { .. } => ErrorCode::BureauKey,
            BureauError::Config(_) | BureauError::Tls { .. } => ErrorCode::ConfigInvalid,
            BureauError::Store { .. } | BureauError::Database(_) => ErrorCode::Storage,
            BureauError::Admin(StoreError::NotFound { .. }) => ErrorCode::NotFound,
            BureauError::Admin(StoreError::Refused(r)) => match r.kind {
                RefusalKind::NotFound => ErrorCode::NotFound,
                RefusalKind::Duplicate => ErrorCode::Duplicate,
                RefusalKind::NotAllowed => ErrorCode::NotAllowed,
                RefusalKind::Invalid => ErrorCode::InvalidInput,
            },
            BureauError::Admin(StoreError::SigningKey(_)) => ErrorCode::BureauKey,
            BureauError::Admin(_) => ErrorCode::Storage,
            BureauError::Serve(_) => ErrorCode::Serve,
            BureauError::Blobs(_) => ErrorCode::Storage,
        };
        let message = match &e {
            BureauError::Admin(StoreError::NotFound { what: "device", id }) => {
                format!("no device '{id}' is enrolled at this bureau; `fieldcase bureau devices` lists them")
            }
            _ => e.to_string(),
        };
        Failure { exit: 1, code, message }
    }
}
