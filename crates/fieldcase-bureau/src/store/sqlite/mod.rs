//! The default backend: one SQLite file in the bureau's data directory, WAL mode (so the
//! administration commands can run beside a running server), migrations embedded and run at
//! open (`migrations/`, beside the backend they belong to). One module per table, each with
//! its row mapping and queries; they take a `&Connection` so the caller decides the
//! transaction. Every call runs on tokio's blocking pool.
//!
//! Writes go through one connection, one transaction at a time; reads have connections of
//! their own ([`readers`]). The decisions are not made here: a write hands a [`SqliteLedger`]
//! over its transaction to the backend-neutral code in [`crate::push`],
//! [`crate::registry`] and [`crate::enrollment`], and this backend only reads and writes rows.

mod bureau_store;
mod checkpointer;
mod device_ledger;
mod ledger;
mod push_ledger;
mod readers;
mod registry_ledger;
#[cfg(test)]
mod tests;
mod upload_store;

mod admin_tokens;
mod audit_entries;
mod certificate_checks;
mod certificate_history;
mod certificates;
mod changes;
mod devices;
mod enrollment_codes;
mod evidence;
mod evidence_blobs;
mod evidence_custody;
mod feed_epoch;
mod inspections;
mod officers;
mod recorder_checks;
mod registry_versions;
mod reviews;
mod signing_keys;
mod sites;
mod templates;
mod uploads;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::Utc;
use rusqlite::{Connection, Transaction};
use rusqlite_migration::M;

use fieldcase_core::checklist::default_template;
use fieldcase_core::time::record_instant;
use fieldcase_storage::{DbError, OpenOptions};

use self::checkpointer::LastWrite;
use self::readers::Readers;
use super::{Result, StoreError};
pub(crate) use ledger::SqliteLedger;

/// Embedded, ordered, never edited once landed: add a new file for every change.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("migrations/0001_foundation.sql")),
    M::up(include_str!("migrations/0002_certificates.sql")),
    M::up(include_str!("migrations/0003_compact_audit_entries.sql")),
    M::up(include_str!("migrations/0004_device_labels.sql")),
    M::up(include_str!("migrations/0005_feed_epoch.sql")),
    M::up(include_str!("migrations/0006_admin_token_expiry.sql")),
    M::up(include_str!("migrations/0007_recorder_checks.sql")),
    M::up(include_str!("migrations/0008_units.sql")),
    M::up(include_str!("migrations/0009_uploads.sql")),
];

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Corrupt(detail) => StoreError::Corrupt(detail),
            DbError::ReadOnly(detail) => StoreError::ReadOnly(detail),
            other => StoreError::Other(other.to_string()),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        DbError::from(e).into()
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        DbError::from(e).into()
    }
}

/// The bureau's SQLite database.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    /// Also where the database file is.
    readers: Arc<Readers>,
    last_write: LastWrite,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.readers.path).finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file, brings its schema up to date and makes
    /// sure the default checklist template is published. Blocking: call it off the runtime.
    pub fn open(path: &Path) -> Result<Self> {
        // Every statement of a push is prepared once and reused for the rest of the run.
        let options = OpenOptions { busy_timeout: Duration::from_secs(10), statement_cache: 64 };
        let mut conn = fieldcase_storage::open(path, options)?;
        // Checkpoints run on their own thread (see `checkpointer`).
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        fieldcase_storage::migrate(&mut conn, MIGRATIONS)?;
        fieldcase_storage::write::<_, StoreError>(&mut conn, |tx| {
            templates::insert_if_missing(tx, &default_template(), record_instant(Utc::now()))
        })?;
        let conn = Arc::new(Mutex::new(conn));
        let last_write = LastWrite::new();
        checkpointer::spawn(path.to_owned(), &conn, last_write.clone());
        Ok(SqliteStore { conn, readers: Arc::new(Readers::new(path.to_owned())), last_write })
    }

    /// [`SqliteStore::open`] on the blocking pool.
    pub async fn open_async(path: PathBuf) -> Result<Self> {
        tokio::task::spawn_blocking(move || Self::open(&path))
            .await
            .map_err(|e| StoreError::Other(format!("opening the database stopped: {e}")))?
    }

    pub fn path(&self) -> &Path {
        &self.readers.path
    }

    /// One read, in one transaction so that every query of it sees the same moment.
    async fn read<T: Send + 'static>(&self, f: impl FnOnce(&Connection) -> Result<T> + Send + 'static) -> Result<T> {
        let readers = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || {
            let mut conn = readers.take()?;
            let value = {
                let tx = conn.transaction()?;
                let value = f(&tx)?;
                tx.finish()?;
                value
            };
            readers.give_back(conn);
            Ok(value)
        })
        .await
        .map_err(|e| StoreError::Other(format!("a database call stopped: {e}")))?
    }

    /// One write transaction, taken at once (`BEGIN IMMEDIATE`) so a concurrent writer (an
    /// administration command) waits instead of failing half-way; committed only if `f`
    /// succeeds.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.write_as(Durability::Synced, f).await
    }

    /// A write committed without waiting for the disk ([`fieldcase_storage::write_unsynced`]):
    /// for an upload's progress, which a crash may take back safely (the client then sends the
    /// last chunks again), so that each chunk does not wait on a flush of everything written.
    async fn write_unsynced<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.write_as(Durability::Unsynced, f).await
    }

    async fn write_as<T: Send + 'static>(
        &self,
        durability: Durability,
        f: impl FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let conn = Arc::clone(&self.conn);
        let last_write = self.last_write.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = take_writer(&conn);
            let value = match durability {
                Durability::Synced => fieldcase_storage::write(&mut conn, f)?,
                Durability::Unsynced => fieldcase_storage::write_unsynced(&mut conn, f)?,
            };
            last_write.mark();
            Ok(value)
        })
        .await
        .map_err(|e| StoreError::Other(format!("a database call stopped: {e}")))?
    }

    /// A write that hands the decisions a ledger over its transaction.
    async fn with_ledger<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut SqliteLedger<'_, '_>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.write(move |tx| f(&mut SqliteLedger::new(tx))).await
    }
}

/// Whether a write waits for the disk before it is taken as done.
#[derive(Clone, Copy)]
enum Durability {
    Synced,
    Unsynced,
}

/// The writer's connection, also after a write panicked while it held it. The panic failed
/// that write's request (its task ended with the panic) and poisoned the lock, but it left
/// the connection sound: unwinding dropped the write's `Transaction`, which rolls back. So
/// the connection is taken back rather than every later write refused until a restart; were
/// a transaction somehow still open, it is rolled back here first.
fn take_writer(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(|poisoned| {
        conn.clear_poison();
        let conn = poisoned.into_inner();
        let rolled_back = conn.is_autocommit() || conn.execute_batch("ROLLBACK").is_ok();
        tracing::warn!(rolled_back, "a database write panicked earlier; its transaction was undone and writes go on");
        conn
    })
}
