//! Moving a bureau from SQLite to PostgreSQL: `fieldcase bureau export` writes every row of
//! the SQLite database to a file, `fieldcase bureau import` loads that file into an empty
//! PostgreSQL database and then re-verifies what it loaded.
//!
//! The file is JSON Lines: a header, then one line per row (`{"table":…,"row":{column:
//! value}}`, a blob as PostgreSQL's `\x…` hex text), then the tables' counters (SQLite's
//! `sqlite_sequence`, so cursors and ids only grow after the move too), then the number of
//! rows of each table, which the import checks so that a cut file is refused. Records travel
//! as the exact text the bureau keeps, so every content hash, seal and signature is the same
//! after the move; the import proves it for the audit chains by verifying each device's chain
//! entry by entry, and for the rest by counting every table's rows.

mod export;

pub use export::export_sqlite;

use serde::{Deserialize, Serialize};

/// What the first line names the file as.
pub const FORMAT: &str = "fieldcase-bureau-export";
/// The version of the file's layout.
pub const VERSION: u32 = 1;

/// Every table of the bureau, parents before the tables that refer to them.
pub const TABLES: &[&str] = &[
    "enrollment_codes",
    "devices",
    "sites",
    "site_aliases",
    "inspections",
    "inspection_officer_checks",
    "certificate_checks",
    "evidence",
    "recorder_checks",
    "audit_entries",
    "reviews",
    "templates",
    "changes",
    "feed_epoch",
    "officers",
    "certificates",
    "certificate_history",
    "signing_keys",
    "registry_versions",
    "admin_tokens",
    "uploads",
    "evidence_blobs",
    "evidence_custody",
];

/// The tables whose key the database counts up, and that key's column.
pub const COUNTED: &[(&str, &str)] =
    &[("reviews", "id"), ("certificate_history", "id"), ("changes", "cursor"), ("evidence_custody", "seq")];

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Line {
    Header { format: String, version: u32 },
    Row { table: String, row: serde_json::Map<String, serde_json::Value> },
    Counter { counter: String, value: i64 },
    Counts { counts: std::collections::BTreeMap<String, u64> },
}

/// What a move carried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moved {
    /// Rows of each table.
    pub rows: std::collections::BTreeMap<String, u64>,
    /// Devices whose audit chain was verified, and the entries of each.
    pub chains: Vec<(String, u64)>,
}
