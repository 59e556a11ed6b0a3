//! Folds the write-ahead log into the database file when the bureau is quiet, on a thread of
//! its own, instead of in the middle of a push.
//!
//! SQLite would otherwise checkpoint inside whichever commit crosses its threshold, and that
//! push would wait for the copy and its fsync. A commit is durable once it is in the log
//! (`synchronous = FULL`), so when the log is copied does not change what survives a crash.
//! The thread ends soon after the store is dropped; closing the last connection then
//! checkpoints what is left.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// How long the database must be quiet before the write-ahead log is folded into it.
const CHECKPOINT_WHEN_IDLE: Duration = Duration::from_secs(1);
/// A log this large is folded in even while devices keep pushing.
const CHECKPOINT_LOG_BYTES: u64 = 256 * 1024 * 1024;

/// When the last write committed, in milliseconds since the store opened: the writer sets
/// it, the checkpointer reads it.
#[derive(Debug, Clone)]
pub(super) struct LastWrite {
    millis: Arc<AtomicU64>,
    opened: Instant,
}

impl LastWrite {
    pub(super) fn new() -> Self {
        LastWrite { millis: Arc::new(AtomicU64::new(0)), opened: Instant::now() }
    }

    pub(super) fn mark(&self) {
        self.millis.store(self.opened.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.millis.load(Ordering::Relaxed)
    }

    fn quiet_since(&self, last: u64) -> bool {
        self.opened.elapsed().as_millis() as u64 >= last + CHECKPOINT_WHEN_IDLE.as_millis() as u64
    }
}

/// Starts the checkpointer of the database at `path`; it runs while `writer` lives.
pub(super) fn spawn(path: PathBuf, writer: &Arc<Mutex<Connection>>, last_write: LastWrite) {
    let writer = Arc::downgrade(writer);
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    let spawned = std::thread::Builder::new().name("checkpoint".into()).spawn(move || {
        let Ok(conn) = Connection::open(&path) else { return };
        let _ = conn.busy_timeout(Duration::from_secs(1));
        let mut checkpointed_at = 0;
        while writer.strong_count() > 0 {
            std::thread::sleep(Duration::from_millis(200));
            let last = last_write.get();
            let log = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
            if (last_write.quiet_since(last) && last != checkpointed_at) || log > CHECKPOINT_LOG_BYTES {
                // TRUNCATE: the log file shrinks back to nothing once all of it is copied.
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())) {
                    tracing::warn!("folding the write-ahead log into {} failed: {e}", path.display());
                }
                checkpointed_at = last;
            }
        }
    });
    if let Err(e) = spawned {
        tracing::warn!("no checkpoint thread ({e}); the write-ahead log is folded in when the bureau stops");
    }
}
