//! SQLite's failures, told apart by what the one who meets them can do about it.

use rusqlite::ErrorCode;

/// A database failure, classified. Each side turns it into its own error with words for its
/// own users (an officer, an administrator); the detail here is for the log.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The file is damaged, is not a SQLite database, or holds a value that cannot be read
    /// back into a record.
    #[error("the database is damaged or is not a fieldcase database ({0})")]
    Corrupt(String),
    /// The file, or the directory it is in, cannot be written.
    #[error("the database cannot be written ({0})")]
    ReadOnly(String),
    /// A trigger refused to change a sealed or append-only row.
    #[error("the record cannot be changed ({0})")]
    Immutable(String),
    /// Another process held the database longer than the busy timeout.
    #[error("the database is busy in another process ({0})")]
    Busy(String),
    #[error("database error: {0}")]
    Other(String),
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Self::Corrupt(e.to_string()),
            Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
                Self::ReadOnly(e.to_string())
            }
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Self::Busy(e.to_string()),
            // The schemas' triggers refuse changes to sealed and append-only rows with
            // RAISE(ABORT, '… immutable …' / '… append-only …').
            Some(ErrorCode::ConstraintViolation) if refused_by_trigger(&e.to_string()) => {
                Self::Immutable(e.to_string())
            }
            _ => match e {
                rusqlite::Error::FromSqlConversionFailure(..) | rusqlite::Error::InvalidColumnType(..) => {
                    Self::Corrupt(format!("a stored value could not be read: {e}"))
                }
                other => Self::Other(other.to_string()),
            },
        }
    }
}

fn refused_by_trigger(message: &str) -> bool {
    message.contains("immutable") || message.contains("append-only")
}

impl From<rusqlite_migration::Error> for DbError {
    fn from(e: rusqlite_migration::Error) -> Self {
        match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => err.into(),
            other => Self::Other(format!("database migration failed: {other}")),
        }
    }
}

impl From<serde_json::Error> for DbError {
    fn from(e: serde_json::Error) -> Self {
        Self::Corrupt(format!("a stored record could not be read: {e}"))
    }
}
