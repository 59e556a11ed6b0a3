//! The device's SQLite store: one file in the data directory, WAL mode, foreign keys on,
//! migrations embedded and run at open. One module per table, each with its row mapping
//! and queries; they take a `&Connection` so the caller decides the transaction.

pub mod audit_log;
pub mod certificate_checks;
pub mod device;
pub mod enrollment;
pub mod evidence_refs;
pub mod inspections;
pub mod outbox;
pub mod registry;
pub mod session;
pub mod sites;
pub mod sync_state;
pub mod templates;

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, ErrorCode, Transaction};
use rusqlite_migration::{M, Migrations};

use fieldcase_core::time::record_instant;

/// Embedded, ordered, never edited once landed: add a new file for every change.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../../migrations/0001_foundation.sql")),
    M::up(include_str!("../../migrations/0002_sync.sql")),
    M::up(include_str!("../../migrations/0003_registry.sql")),
];

/// What can go wrong below the device's API.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database file is damaged or is not a fieldcase database ({0})")]
    Corrupt(String),
    #[error("the database cannot be written ({0})")]
    ReadOnly(String),
    #[error("the finalized record cannot be changed ({0})")]
    Immutable(String),
    #[error("stored record could not be read: {0}")]
    Decode(String),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt(e.to_string()),
            Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
                StoreError::ReadOnly(e.to_string())
            }
            // Our triggers answer attempts to change sealed records with RAISE(ABORT).
            Some(ErrorCode::ConstraintViolation) if e.to_string().contains("immutable") => {
                StoreError::Immutable(e.to_string())
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Decode(e.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The open database of one device.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // Statements are prepared once and reused: a sync touches thousands of rows.
        conn.set_prepared_statement_cache_capacity(64);
        // A damaged or foreign file fails here, before anything is written to it.
        let mode: String = conn.prepare_cached("PRAGMA journal_mode = WAL")?.query_row([], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::ReadOnly(format!("journal mode stayed {mode}")));
        }
        conn.pragma_update(None, "foreign_keys", true)?;
        // FULL: a record an officer has seen saved (a finalized inspection, a check) must
        // survive a power cut; the laptop is its only copy until the bureau has it.
        conn.pragma_update(None, "synchronous", "FULL")?;
        Migrations::from_slice(MIGRATIONS).to_latest(&mut conn)?;
        Ok(Store { conn })
    }

    /// Reads go straight to the connection.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Every write goes through one transaction, committed only if `f` succeeds.
    pub fn write<T, E: From<StoreError>>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E> {
        let tx = self.conn.transaction().map_err(StoreError::from)?;
        let value = f(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }
}

/// Instants as stored: RFC 3339 UTC with microseconds, so text order is time order.
pub fn instant_text(at: DateTime<Utc>) -> String {
    record_instant(at).to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn parse_instant(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Decode(format!("bad instant '{text}': {e}")))
}

/// Parses a text column into a domain value, as a row-mapping error if it does not parse.
pub(crate) fn parse_column<T: std::str::FromStr>(text: String, column: usize) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(Migrations::from_slice(MIGRATIONS).validate().is_ok());
    }
}
