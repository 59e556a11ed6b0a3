//! [`PgLedger`]: the decisions' view of one PostgreSQL transaction. It implements the ledgers
//! of [`crate::push`] (`push_ledger.rs`), [`crate::registry`] (`registry_ledger.rs`) and
//! [`crate::enrollment`] (`device_ledger.rs`) by calling the table modules, waiting on each
//! query from the blocking thread the transaction runs on.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;

use futures_util::future::try_join_all;
use tokio_postgres::types::ToSql;

use tokio::runtime::Handle;

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::certificate::CertificateCheck;
use fieldcase_core::codes::RecordKind;
use fieldcase_core::ids::{CheckId, DeviceId};
use fieldcase_core::inspection::Inspection;

use super::reviews;
use super::rows::{Tx, exec};
use crate::certificates::CertificateEvent;
use crate::store::Result;

/// A transaction-scoped advisory lock (the two-key form; the first key names what is locked).
/// Held until the transaction commits or rolls back. See the module's doc for why each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// One device's pushes, one at a time.
    Device(DeviceId),
    /// Appends to the change feed, in commit order.
    Feed,
    /// The registry's versions, one at a time.
    Registry,
    /// Migrations, by one process at a time.
    Schema,
}

impl Lock {
    /// The lock's two keys.
    fn keys(self) -> (i32, String) {
        match self {
            Lock::Device(device) => (1, device.to_string()),
            Lock::Feed => (2, String::new()),
            Lock::Registry => (3, String::new()),
            Lock::Schema => (4, String::new()),
        }
    }
}

/// Takes `lock` in `tx`, waiting for whoever holds it.
pub(super) async fn take(tx: &Tx<'_>, lock: Lock) -> Result<()> {
    let (class, name) = lock.keys();
    exec(tx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", &[&class, &name]).await?;
    Ok(())
}

/// A write whose answer the decisions do not wait for: kept until the next read or the
/// commit, then sent with the others at once (pipelined on the connection, in order), so a
/// page of a thousand records does not wait a thousand round trips for its inserts.
pub(super) struct Write {
    sql: &'static str,
    params: Vec<Box<dyn ToSql + Send + Sync>>,
}

impl Write {
    pub(super) fn new(sql: &'static str, params: Vec<Box<dyn ToSql + Send + Sync>>) -> Self {
        Write { sql, params }
    }
}

/// The parameters of a [`Write`], each owned.
macro_rules! owned {
    ($($value:expr),* $(,)?) => {
        vec![$(Box::new($value) as Box<dyn tokio_postgres::types::ToSql + Send + Sync>),*]
    };
}
pub(super) use owned;

/// One PostgreSQL transaction, as the decisions see it.
///
/// A push holds its device's lock, so what a page keeps asking can be read once, as on
/// SQLite: the device's last audit entry and whether it has open reviews (only its own pushes
/// change either), the checks read, and the certificates' histories (the registry does not
/// change what a push reads of it).
pub(crate) struct PgLedger<'t, 'c> {
    pub(super) tx: &'t Tx<'c>,
    runtime: Handle,
    /// Whether the feed's lock is held already (taking it again is harmless but a round trip).
    feed_locked: bool,
    /// Writes not sent yet (see [`Write`]).
    pending: RefCell<Vec<Write>>,
    pub(super) last_audit: HashMap<DeviceId, Option<(u64, ContentHash)>>,
    pub(super) has_open_reviews: HashMap<DeviceId, bool>,
    pub(super) checks: HashMap<CheckId, CertificateCheck>,
    pub(super) histories: HashMap<String, Vec<CertificateEvent>>,
    /// The hash held under each id the page's items name (see `prefetch`).
    pub(super) hashes: HashMap<(RecordKind, String), Option<ContentHash>>,
    /// The stored inspections naming each of the page's certificate checks.
    pub(super) citing: HashMap<CheckId, Vec<(DeviceId, Inspection)>>,
}

impl<'t, 'c> PgLedger<'t, 'c> {
    pub(super) fn new(tx: &'t Tx<'c>, runtime: Handle) -> Self {
        PgLedger {
            tx,
            runtime,
            feed_locked: false,
            pending: RefCell::new(Vec::new()),
            last_audit: HashMap::new(),
            has_open_reviews: HashMap::new(),
            checks: HashMap::new(),
            histories: HashMap::new(),
            hashes: HashMap::new(),
            citing: HashMap::new(),
        }
    }

    /// Waits for a query of this transaction (on the blocking thread it runs on), after the
    /// writes kept until now, so that it sees them.
    pub(super) fn block<T>(&self, query: impl Future<Output = Result<T>>) -> Result<T> {
        self.flush()?;
        self.runtime.block_on(query)
    }

    /// Keeps a write until the next read or the commit.
    pub(super) fn defer(&self, write: Write) {
        self.pending.borrow_mut().push(write);
    }

    /// Sends the writes kept, all at once, and waits for every answer: the first error fails
    /// the transaction, as it would have failed it when sent alone.
    pub(super) fn flush(&self) -> Result<()> {
        let pending = std::mem::take(&mut *self.pending.borrow_mut());
        if pending.is_empty() {
            return Ok(());
        }
        self.runtime.block_on(async {
            let mut statements = Vec::with_capacity(pending.len());
            for write in &pending {
                statements.push(self.tx.prepare_cached(write.sql).await?);
            }
            let sent = pending.iter().zip(&statements).map(|(write, statement)| async move {
                let params: Vec<&(dyn ToSql + Sync)> =
                    write.params.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect();
                self.tx.execute(statement, &params).await
            });
            try_join_all(sent).await?;
            Ok(())
        })
    }

    pub(super) fn lock(&mut self, lock: Lock) -> Result<()> {
        if lock == Lock::Feed {
            if self.feed_locked {
                return Ok(());
            }
            self.feed_locked = true;
        }
        self.block(take(self.tx, lock))
    }

    pub(super) fn has_open_reviews(&mut self, device: DeviceId) -> Result<bool> {
        if let Some(&open) = self.has_open_reviews.get(&device) {
            return Ok(open);
        }
        let open = self.block(reviews::any_open(self.tx, device))?;
        self.has_open_reviews.insert(device, open);
        Ok(open)
    }
}
