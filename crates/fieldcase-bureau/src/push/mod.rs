//! What becomes of each record a device pushes: the bureau's decisions, written once for
//! every storage backend.
//!
//! An [`Examiner`] first checks what each item says of itself (hashes, seals, times), outside
//! any transaction. A backend then opens one transaction per page and hands [`apply_page`] a
//! [`PushLedger`] over it; the ledger only reads and writes rows, the decisions are made here:
//!
//! - idempotency by `(kind, id, content hash)`: the same pair again is a duplicate, the same
//!   id with another hash a conflict (the first version stays, the pushed one is kept for
//!   review);
//! - an inspection must be finalized with a seal over its content, signed by the pushing
//!   device; one resting on fewer than two distinct officers whose certificates were valid
//!   at its start — by the checks the bureau holds, re-checked against the registry's history
//!   at that instant — is stored and flagged for review (the flag is settled when the
//!   missing checks arrive, and its reason kept up to date);
//! - audit entries come in runs that must hash to the hash they claim to end on, and continue
//!   (or overlap, agreeing with) the chain the bureau holds for that device;
//! - a site whose unified social credit code the bureau knows joins that site;
//! - every instant and date of a record lies in the years a record may fall in
//!   (`fieldcase_core::time::RECORD_YEARS`), or the record is rejected naming the field;
//! - an evidence reference is taken only when the inspection it names is held with a seal
//!   whose evidence manifest lists it with the same hash and size, a recorder check only when
//!   that manifest lists it; otherwise it is rejected with a code of its own
//!   (`evidence_inspection_unknown`, `evidence_not_in_seal`, `evidence_mismatch`) and kept for
//!   review;
//! - every text of a record is within its limit (`fieldcase_core::limits`), or the record is
//!   rejected naming the field, its length and the limit, and nothing of it is stored (not
//!   even for review: it would be the very bytes the limit keeps out).
//!
//! The parts: [`PushLedger`] (what a backend supplies), `examine` (each item on its own, off
//! the transaction), `apply` (each item against what the bureau holds), `officers` (the
//! two-officer re-check against the registry's history).

mod apply;
mod evidence;
mod examine;
mod ledger;
mod officers;

pub use apply::apply_page;
pub use examine::{Defect, Examined, ExaminedItems, Examiner, ItemSpansError, PageRefused, item_spans};
pub use ledger::{NewReview, PushLedger};
