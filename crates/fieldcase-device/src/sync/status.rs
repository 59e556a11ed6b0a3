//! What the officer sees of sync: one state, when it last worked, what is still to send,
//! and the last problem in plain words.

use fieldcase_core::ErrorCode;
use serde::Serialize;
use ts_rs::TS;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncState {
    /// No bureau yet: records stay on this laptop until it is enrolled.
    NotEnrolled,
    /// Talking to the bureau now.
    Syncing,
    /// The bureau has everything.
    Synced,
    /// Records wait to be sent (the next sync will send them).
    Pending,
    /// The bureau cannot be reached; records are safe here and go when it is back.
    Offline,
    /// The bureau refused: the message says what to do.
    Error,
}

/// Records still to send, by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PendingCounts {
    pub sites: u32,
    pub inspections: u32,
    pub certificate_checks: u32,
    pub evidence: u32,
    pub audit_entries: u32,
}

impl PendingCounts {
    pub fn total(&self) -> u32 {
        self.sites + self.inspections + self.certificate_checks + self.evidence + self.audit_entries
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncStatus {
    pub state: SyncState,
    pub bureau_url: Option<String>,
    /// RFC 3339 UTC instants.
    pub last_success_at: Option<String>,
    pub last_attempt_at: Option<String>,
    /// The last problem, for the officer; cleared by a successful sync.
    pub last_error: Option<String>,
    pub last_error_code: Option<ErrorCode>,
    pub pending: PendingCounts,
    /// Records the bureau refused or holds in another version: kept here, not resent.
    pub needs_attention: u32,
    /// The bureau's clock minus the laptop's at the last sync, in seconds.
    #[ts(type = "number | null")]
    pub clock_offset_seconds: Option<i64>,
}
