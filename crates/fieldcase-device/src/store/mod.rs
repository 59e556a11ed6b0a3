//! The device's SQLite store: one file in the data directory, migrations embedded and run at
//! open. One module per table, each with its row mapping and queries; they take a
//! `&Connection` so the caller decides the transaction. How the file is opened, written and
//! read is shared with the bureau (`fieldcase-storage`).

pub mod audit_log;
pub mod certificate_checks;
pub mod device;
pub mod enrollment;
pub mod evidence_refs;
pub mod evidence_uploads;
pub mod gap_reasons;
pub mod inspections;
pub mod outbox;
pub mod recorder_checks;
pub mod records;
pub mod registry;
pub mod session;
pub mod settings;
pub mod sites;
pub mod sync_state;
pub mod templates;

use std::path::Path;

use rusqlite::{Connection, Transaction};
use rusqlite_migration::M;

use fieldcase_storage::OpenOptions;

/// Embedded, ordered, never edited once landed: add a new file for every change.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../../migrations/0001_foundation.sql")),
    M::up(include_str!("../../migrations/0002_sync.sql")),
    M::up(include_str!("../../migrations/0003_registry.sql")),
    M::up(include_str!("../../migrations/0004_registry_snapshot_owed.sql")),
    M::up(include_str!("../../migrations/0005_signin_lockout.sql")),
    M::up(include_str!("../../migrations/0006_feed_epoch.sql")),
    M::up(include_str!("../../migrations/0007_bureau_link.sql")),
    M::up(include_str!("../../migrations/0008_evidence.sql")),
    M::up(include_str!("../../migrations/0009_registry_units.sql")),
    M::up(include_str!("../../migrations/0010_evidence_uploads.sql")),
    M::up(include_str!("../../migrations/0011_records_filter.sql")),
    M::up(include_str!("../../migrations/0012_device_settings.sql")),
];

/// What can go wrong below the device's API: a database failure, classified.
pub use fieldcase_storage::DbError as StoreError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The open database of one device.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = fieldcase_storage::open(path, OpenOptions::default())?;
        fieldcase_storage::migrate(&mut conn, MIGRATIONS)?;
        Ok(Store { conn })
    }

    /// Reads go straight to the connection.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Every write goes through one transaction, committed only if `f` succeeds.
    pub fn write<T, E: From<StoreError>>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E> {
        fieldcase_storage::write(&mut self.conn, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(rusqlite_migration::Migrations::from_slice(MIGRATIONS).validate().is_ok());
    }
}
