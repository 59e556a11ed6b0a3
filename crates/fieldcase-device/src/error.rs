//! The device's one error type. Each variant says what was wrong and how to put it right;
//! `code()` is what the UI and scripts switch on.

use std::path::{Path, PathBuf};

use fieldcase_core::ErrorCode;
use fieldcase_core::audit::ChainBreak;
use fieldcase_core::limits::TooLong;
use fieldcase_core::rules::RuleViolations;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("no {what} '{id}' on this device; {hint}")]
    NotFound { what: &'static str, id: String, hint: &'static str },
    #[error("{0}")]
    Invalid(String),
    /// A text longer than its field holds (`fieldcase_core::limits`); nothing was recorded.
    #[error("{0}; nothing was recorded")]
    TooLong(#[from] TooLong),
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
    #[error(
        "the laptop's clock reads {reads} (UTC), outside the years {} to {} a record's time may fall in; nothing was recorded: set the laptop's date and time, then try again",
        fieldcase_core::time::RECORD_YEARS.start(),
        fieldcase_core::time::RECORD_YEARS.end()
    )]
    ClockOutOfRange { reads: String },
    #[error("sign-in refused: {0}")]
    SignIn(String),
    #[error(
        "nobody is signed in on this laptop (or the sign-in has ended), and records are made by a signed-in officer; nothing was recorded: sign in with your staff number and PIN (`fieldcase signin OFFICER_ID`, the PIN on standard input), then try again"
    )]
    SigninRequired,
    #[error(
        "no Chinese font to print the record in: looked for Noto Sans CJK, Source Han Sans and WenQuanYi under {searched}; install Debian's fonts-noto-cjk (`apt-get install fonts-noto-cjk`), or set FIELDCASE_CJK_FONT to a .ttc, .otf or .ttf font file"
    )]
    NoFont { searched: String },
    #[error("internal storage error: {0}")]
    Storage(String),
    /// A storage error not yet placed in its file; `Device` turns it into one of the above.
    #[error("{0}")]
    Store(#[from] StoreError),
}

impl DeviceError {
    /// A stable code for the UI and for scripts.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::Invalid(_) | Self::TooLong(_) | Self::ClockOutOfRange { .. } => ErrorCode::InvalidInput,
            Self::UnknownItem { .. } => ErrorCode::UnknownItem,
            Self::DuplicateSite { .. } => ErrorCode::DuplicateSite,
            Self::Rule(_) => ErrorCode::RuleViolation,
            Self::NoData { .. } => ErrorCode::NoData,
            Self::DataDir { .. } => ErrorCode::DataDirUnusable,
            Self::Damaged { .. } => ErrorCode::Damaged,
            Self::Io { .. } | Self::NoFont { .. } => ErrorCode::Io,
            Self::ChainBroken(_) => ErrorCode::AuditChainBroken,
            Self::Immutable(_) => ErrorCode::Immutable,
            Self::SignIn(_) => ErrorCode::SigninRefused,
            Self::SigninRequired => ErrorCode::SigninRequired,
            Self::Storage(_) | Self::Store(_) => ErrorCode::Storage,
        }
    }

    /// Places a storage error in the database file it came from.
    pub(crate) fn in_file(self, db: &Path) -> Self {
        let Self::Store(e) = self else { return self };
        match e {
            StoreError::Corrupt(detail) => Self::Damaged { path: db.to_owned(), detail },
            StoreError::ReadOnly(detail) => Self::DataDir {
                path: db.parent().unwrap_or(db).to_owned(),
                detail: format!("cannot write the database ({detail})"),
            },
            StoreError::Immutable(detail) => Self::Immutable(detail),
            other @ (StoreError::Busy(_) | StoreError::Other(_)) => Self::Storage(other.to_string()),
        }
    }
}
