//! [`SqliteLedger`]: the decisions' view of one SQLite write transaction. It implements the
//! ledgers of [`crate::push`] (`push_ledger.rs`), [`crate::registry`] (`registry_ledger.rs`) and
//! [`crate::enrollment`] (`device_ledger.rs`) by calling the table modules.

use std::collections::HashMap;

use rusqlite::Transaction;

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::certificate::CertificateCheck;
use fieldcase_core::ids::{CheckId, DeviceId};

use super::reviews;
use crate::certificates::CertificateEvent;
use crate::store::Result;

/// One SQLite write transaction, as the decisions see it.
///
/// Within the transaction nobody else writes, so what a page keeps asking can be read once:
/// the device's last audit entry (a chain only grows at its end) and whether a device has
/// open reviews at all (most never do, and every accepted item would otherwise look).
pub(crate) struct SqliteLedger<'t, 'c> {
    pub(super) tx: &'t Transaction<'c>,
    pub(super) last_audit: HashMap<DeviceId, Option<(u64, ContentHash)>>,
    pub(super) has_open_reviews: HashMap<DeviceId, bool>,
    /// Checks stored or read in this transaction: an inspection is re-checked against the
    /// checks of its officers, which mostly came in the same page just before it.
    pub(super) checks: HashMap<CheckId, CertificateCheck>,
    /// Certificates' histories read in this transaction (the registry does not change
    /// during it): a page re-checks the same few officers' certificates again and again.
    pub(super) histories: HashMap<String, Vec<CertificateEvent>>,
}

impl<'t, 'c> SqliteLedger<'t, 'c> {
    pub(super) fn new(tx: &'t Transaction<'c>) -> Self {
        SqliteLedger {
            tx,
            last_audit: HashMap::new(),
            has_open_reviews: HashMap::new(),
            checks: HashMap::new(),
            histories: HashMap::new(),
        }
    }

    pub(super) fn has_open_reviews(&mut self, device: DeviceId) -> Result<bool> {
        if let Some(&open) = self.has_open_reviews.get(&device) {
            return Ok(open);
        }
        let open = reviews::any_open(self.tx, device)?;
        self.has_open_reviews.insert(device, open);
        Ok(open)
    }
}
