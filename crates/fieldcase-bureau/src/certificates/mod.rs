//! Certificate administration: what an administrator may do to a certificate, decided here
//! once for every storage backend, and the CSV file a bureau imports its certificates from.
//!
//! [`CertificateAction::apply`] says what a certificate becomes (or why not);
//! [`crate::registry`] applies a batch of actions in one transaction and publishes one
//! registry version for it.

mod action;
mod fields;
mod import;
mod records;
mod refusal;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;

pub use action::{CertificateAction, HistoryAction, required_reason};
pub use fields::{CertificateFields, NewCertificate, parse_date, parse_number};
pub use import::{IMPORT_COLUMNS, ImportError, ImportRow, parse_import, row_error};
pub use records::{CertificateChanges, CertificateEvent, CertificateRecord, OfficerRecord};
pub use refusal::{Refusal, RefusalKind};
