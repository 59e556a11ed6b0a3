//! How bureau commands fail: the bureau's errors as the command line's failures (exit code,
//! stable error code, message), and the failure for input the bureau cannot take.

use fieldcase_bureau::BureauError;
use fieldcase_bureau::certificates::RefusalKind;
use fieldcase_bureau::store::StoreError;

use crate::output::Failure;

impl From<BureauError> for Failure {
    fn from(e: BureauError) -> Self {
        let code = match &e {
            BureauError::DataDir { .. } => "data_dir_unusable",
            BureauError::NoData { .. } => "no_data",
            BureauError::Key { .. } => "bureau_key",
            BureauError::Config(_) | BureauError::UnsupportedDatabase => "config_invalid",
            BureauError::Store { .. } => "storage",
            BureauError::Admin(StoreError::NotFound { .. }) => "not_found",
            BureauError::Admin(StoreError::Refused(r)) => match r.kind {
                RefusalKind::NotFound => "not_found",
                RefusalKind::Duplicate => "duplicate",
                RefusalKind::NotAllowed => "not_allowed",
                RefusalKind::Invalid => "invalid_input",
            },
            BureauError::Admin(StoreError::SigningKey(_)) => "bureau_key",
            BureauError::Admin(_) => "storage",
            BureauError::Serve(_) => "serve",
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

pub(super) fn invalid(e: impl std::fmt::Display) -> Failure {
    Failure { exit: 1, code: "invalid_input", message: e.to_string() }
}
