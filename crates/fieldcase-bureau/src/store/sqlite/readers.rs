//! Read-only connections, so that reads never wait for the writer.
//!
//! In WAL mode a reader sees the last committed state and never waits for a write in
//! progress: a device is authenticated for its next page, and that page examined, while its
//! last page is still being stored.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::Connection;

use fieldcase_storage::OpenOptions;

use crate::store::Result;

/// Read-only connections to the database, opened when a read finds none idle and kept for
/// the next (up to [`Readers::KEPT`]).
#[derive(Debug)]
pub(super) struct Readers {
    pub(super) path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    /// As many as reads usually run at once: a few devices and an administrator.
    const KEPT: usize = 4;

    pub(super) fn new(path: PathBuf) -> Self {
        Readers { path, idle: Mutex::new(Vec::new()) }
    }

    pub(super) fn take(&self) -> Result<Connection> {
        if let Some(conn) = self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            return Ok(conn);
        }
        let options = OpenOptions { busy_timeout: Duration::from_secs(10), statement_cache: 32 };
        Ok(fieldcase_storage::open_read_only(&self.path, options)?)
    }

    pub(super) fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < Self::KEPT
        {
            idle.push(conn);
        }
    }
}
