//! Evidence uploads: each evidence file travels to the bureau by tus 1.0.0 after its reference
//! was pushed, in checked chunks, resuming where the bureau says it got to after a cut
//! connection, a sleep or a restart; the bureau's verdict comes back in the pull feed.
//!
//! What the officer sees per file ([`UploadState`]): imported → queued → uploading →
//! uploaded → verified by the bureau, and only then "safe to delete from the recorder";
//! or damaged (the local bytes no longer match their import hash: never sent) or mismatch
//! (the bureau received other bytes than the reference names). A file may be paused.
//!
//! - [`ledger`]: what the device records (the `evidence_uploads` table and audit entries);
//! - [`tus`]: the protocol's requests, on the sync agent's HTTP client;
//! - [`send`]: the loop that reads, hashes and sends one file after another;
//! - [`live`]: the progress of the file being sent, for the window's rate and time left.

mod ledger;
pub mod live;
mod send;
mod tus;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use fieldcase_core::ids::{EvidenceId, InspectionId};

pub(crate) use ledger::apply_verdict;
pub use live::LiveUploads;
pub use send::{UploadOptions, UploadPass, UploadReport, upload_queued};

/// Where one evidence file stands on its way to the bureau.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UploadState {
    /// Imported; its reference has not reached the bureau yet (it goes with the finalized
    /// inspection, at the next sync after finalizing).
    Imported,
    /// Its reference is at the bureau; the file waits its turn.
    Queued,
    /// Being sent, or partly sent (it resumes where the bureau got to).
    Uploading,
    /// Every byte is at the bureau; its verdict has not reached this laptop yet.
    Uploaded,
    /// The bureau holds these exact bytes: the file may be deleted from the recorder.
    Verified,
    /// The local bytes no longer match what was imported: not sent; report it.
    Damaged,
    /// The bureau received bytes that do not hash to the reference: kept apart there; report it.
    Mismatch,
}

/// One evidence file's upload, as the window and `fieldcase evidence status` show it.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct UploadItem {
    pub evidence_id: EvidenceId,
    pub inspection_id: InspectionId,
    /// The file's name on the recorder.
    pub name: String,
    #[ts(type = "number")]
    pub size: u64,
    pub state: UploadState,
    /// Paused by the officer: not sent until resumed.
    pub paused: bool,
    /// The bytes the bureau holds.
    #[ts(type = "number")]
    pub sent_bytes: u64,
    /// 0 to 100.
    pub percent: f64,
    /// While it is being sent by this process: bytes per second, and seconds left at that rate.
    pub bytes_per_second: Option<f64>,
    pub seconds_left: Option<f64>,
    /// Why it is damaged or mismatched, or the last failure, in plain words.
    pub problem: Option<String>,
    /// Verified by the bureau, and the verdict is on this laptop.
    pub safe_to_delete: bool,
    pub verified_at: Option<DateTime<Utc>>,
}

/// How many files stand where, for the home screen and `device status`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UploadCounts {
    pub waiting: u32,
    pub uploading: u32,
    pub uploaded: u32,
    pub verified: u32,
    pub paused: u32,
    pub problems: u32,
}

impl UploadCounts {
    pub fn of(items: &[UploadItem]) -> Self {
        let mut counts = UploadCounts::default();
        for item in items {
            let count = match item.state {
                _ if item.paused => &mut counts.paused,
                UploadState::Imported | UploadState::Queued => &mut counts.waiting,
                UploadState::Uploading => &mut counts.uploading,
                UploadState::Uploaded => &mut counts.uploaded,
                UploadState::Verified => &mut counts.verified,
                UploadState::Damaged | UploadState::Mismatch => &mut counts.problems,
            };
            *count += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(state: UploadState, paused: bool) -> UploadItem {
        let at = chrono::Utc::now();
        UploadItem {
            evidence_id: EvidenceId::generate(at),
            inspection_id: InspectionId::generate(at),
            name: "ZFY_A0123_0001.MP4".into(),
            size: 1,
            state,
            paused,
            sent_bytes: 0,
            percent: 0.0,
            bytes_per_second: None,
            seconds_left: None,
            problem: None,
            safe_to_delete: state == UploadState::Verified,
            verified_at: None,
        }
    }

    #[test]
    fn a_paused_file_counts_as_paused_whatever_its_state() {
        use UploadState::*;
        let states = [Imported, Queued, Uploading, Uploading, Uploaded, Verified, Damaged, Mismatch];
        let items: Vec<UploadItem> = states.into_iter().enumerate().map(|(n, state)| item(state, n == 2)).collect();
        let counts = UploadCounts::of(&items);
        assert_eq!(counts, UploadCounts { waiting: 2, uploading: 1, uploaded: 1, verified: 1, paused: 1, problems: 2 });
    }
}
