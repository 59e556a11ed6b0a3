//! [`PgLedger`]: the decisions' view of one PostgreSQL transaction. It implements the ledgers
//! of [`crate::push`] (`push_ledger.rs`), [`crate::registry`] (`registry_ledger.rs`) and
//! [`crate::enrollment`] (`device_ledger.rs`) by calling the table modules, waiting on each
//! query from the blocking thread the transaction runs on.

use std::collections::HashMap;
use std::future::Future;

use tokio::runtime::Handle;

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::certificate::CertificateCheck;
use fieldcase_core::ids::{CheckId, DeviceId};

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
    pub(super) last_audit: HashMap<DeviceId, Option<(u64, ContentHash)>>,
    pub(super) has_open_reviews: HashMap<DeviceId, bool>,
    pub(super) checks: HashMap<CheckId, CertificateCheck>,
    pub(super) histories: HashMap<String, Vec<CertificateEvent>>,
}

impl<'t, 'c> PgLedger<'t, 'c> {
    pub(super) fn new(tx: &'t Tx<'c>, runtime: Handle) -> Self {
        PgLedger {
            tx,
            runtime,
            feed_locked: false,
            last_audit: HashMap::new(),
            has_open_reviews: HashMap::new(),
            checks: HashMap::new(),
            histories: HashMap::new(),
        }
    }

    /// Waits for a query of this transaction (on the blocking thread it runs on).
    pub(super) fn block<T>(&self, query: impl Future<Output = Result<T>>) -> Result<T> {
        self.runtime.block_on(query)
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
