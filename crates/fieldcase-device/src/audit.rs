//! The device's audit chain: every change appends an entry in its own transaction, and the
//! whole chain can be walked to prove nothing was altered.

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;

use fieldcase_core::audit::{Actor, AuditEntry, verify_link};
use fieldcase_core::canonical::ContentHash;

use crate::store::{self, audit_log};
use crate::{AuditReport, Device, DeviceError, Result};

impl Device {
    /// Walks the whole audit chain; names the first entry that does not hold.
    pub fn verify_audit(&self) -> Result<AuditReport> {
        let mut prev: Option<AuditEntry> = None;
        let mut entries = 0;
        let mut failure: Option<DeviceError> = None;
        self.read(|c| {
            audit_log::for_each(c, |row| {
                let checked = match row {
                    Ok(entry) => verify_link(prev.as_ref(), &entry).map(|()| entry).map_err(DeviceError::ChainBroken),
                    Err((seq, _)) => Err(DeviceError::ChainBroken(fieldcase_core::audit::ChainBreak::Altered { seq })),
                };
                match checked {
                    Ok(entry) => {
                        entries += 1;
                        prev = Some(entry);
                        true
                    }
                    Err(e) => {
                        failure = Some(e);
                        false
                    }
                }
            })
        })?;
        match failure {
            Some(e) => Err(e),
            None => Ok(AuditReport { entries, last_hash: prev.map(|e| e.hash.to_hex()) }),
        }
    }
}

/// Appends the audit entry for a change, in the change's own transaction.
pub(crate) fn append_audit<P: Serialize + ?Sized>(
    conn: &Connection,
    at: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    subject: &str,
    payload: &P,
) -> store::Result<AuditEntry> {
    let prev = audit_log::last(conn)?;
    let entry = AuditEntry::next(prev.as_ref(), at, actor, action, subject, ContentHash::of(payload));
    audit_log::insert(conn, &entry)?;
    Ok(entry)
}
