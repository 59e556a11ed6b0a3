//! The device's one error type. Each variant says what was wrong and how to put it right;
//! `code()` is what the UI and scripts switch on.

use std::path::{Path, PathBuf};

use fieldcase_core::audit::ChainBreak;
use fieldcase_core::rules::RuleViolations;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("no {what} '{id}' on this device; {hint}")]
    NotFound { what: &'static str, id: String, hint: &'static str },
    #[error("{0}")]
    Invalid(String),
    #[error("checklist '{template}' has no item '{item}'; its items are: {items}")]
    UnknownItem { template: String, item: String, items: String },
    #[error(
        "a site with unified social credit code {uscc} is already recorded (id {existing}); use it instead of adding it again"
    )]
    DuplicateSite { uscc: String, existing: String },
    #[error("{0}")]
    Rule(#[from] RuleViolations),
    #[error("no fieldcase data at {}; start one with `fieldcase site add`, or point --data-dir (FIELDCASE_DATA_DIR) at an existing one", path.display())]
    NoData { path: PathBuf },
    #[error("the data directory {} cannot be used: {detail}; choose a directory you can write to with --data-dir", path.display())]
    DataDir { path: PathBuf, detail: String },
    #[error("{} is damaged: {detail}; nothing was changed. Restore it from a backup or move it aside to start afresh", path.display())]
    Damaged { path: PathBuf, detail: String },
    #[error("{}: {detail}", path.display())]
    Io { path: PathBuf, detail: String },
    #[error(
        "{0}; the device's records may have been tampered with: keep this laptop and its data directory unchanged and report it to the bureau"
    )]
    ChainBroken(ChainBreak),
    #[error("a finalized record cannot be changed; make a correction instead ({0})")]
    Immutable(String),
    #[error("sign-in refused: {0}")]
    SignIn(String),
    #[error("internal storage error: {0}")]
    Storage(String),
    /// A storage error not yet placed in its file; `Device` turns it into one of the above.
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl DeviceError {
    /// A stable code for the UI and for scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "not_found",
            Self::Invalid(_) => "invalid_input",
            Self::UnknownItem { .. } => "unknown_item",
            Self::DuplicateSite { .. } => "duplicate_site",
            Self::Rule(_) => "rule_violation",
            Self::NoData { .. } => "no_data",
            Self::DataDir { .. } => "data_dir_unusable",
            Self::Damaged { .. } => "damaged",
            Self::Io { .. } => "io",
            Self::ChainBroken(_) => "audit_chain_broken",
            Self::Immutable(_) => "immutable",
            Self::SignIn(_) => "signin_refused",
            Self::Storage(_) | Self::Store(_) => "storage",
        }
    }

    pub(crate) fn io(path: &Path, e: std::io::Error) -> Self {
        Self::Io { path: path.to_owned(), detail: e.to_string() }
    }

    /// Places a storage error in the database file it came from.
    pub(crate) fn in_file(self, db: &Path) -> Self {
        let Self::Store(e) = self else { return self };
        match e {
            StoreError::Corrupt(detail) | StoreError::Decode(detail) => Self::Damaged { path: db.to_owned(), detail },
            StoreError::ReadOnly(detail) => Self::DataDir {
                path: db.parent().unwrap_or(db).to_owned(),
                detail: format!("cannot write the database ({detail})"),
            },
            StoreError::Immutable(detail) => Self::Immutable(detail),
            other => Self::Storage(other.to_string()),
        }
    }
}
