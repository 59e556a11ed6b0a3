//! The progress of the file this process is sending, kept in memory beside the device (not
//! behind its lock), so the window can show the rate and the time left while a chunk is on
//! its way. Other processes see the bytes sent from the store, without a rate.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use fieldcase_core::ids::EvidenceId;

/// Cheap to clone; every clone sees the same progress.
#[derive(Debug, Clone, Default)]
pub struct LiveUploads(Arc<Mutex<Option<Live>>>);

#[derive(Debug, Clone, Copy)]
struct Live {
    evidence_id: EvidenceId,
    /// When this sending began and how many bytes the bureau held then.
    started: Instant,
    start_bytes: u64,
    sent: u64,
    size: u64,
}

/// What the window shows of the file being sent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiveProgress {
    pub sent: u64,
    pub bytes_per_second: Option<f64>,
    pub seconds_left: Option<f64>,
}

impl LiveUploads {
    /// The file `evidence_id` starts (or resumes) being sent, the bureau holding `sent` bytes.
    pub fn begin(&self, evidence_id: EvidenceId, sent: u64, size: u64) {
        *self.lock() = Some(Live { evidence_id, started: Instant::now(), start_bytes: sent, sent, size });
    }

    /// The bureau now holds `sent` bytes of the file being sent.
    pub fn advance(&self, sent: u64) {
        if let Some(live) = self.lock().as_mut() {
            live.sent = sent;
        }
    }

    /// Nothing is being sent.
    pub fn end(&self) {
        *self.lock() = None;
    }

    /// The progress of `evidence_id`, if it is the file being sent.
    pub fn of(&self, evidence_id: EvidenceId) -> Option<LiveProgress> {
        let live = (*self.lock())?;
        if live.evidence_id != evidence_id {
            return None;
        }
        let seconds = live.started.elapsed().as_secs_f64();
        let moved = live.sent.saturating_sub(live.start_bytes);
        let rate = (seconds > 0.5 && moved > 0).then(|| moved as f64 / seconds);
        Some(LiveProgress {
            sent: live.sent,
            bytes_per_second: rate,
            seconds_left: rate.map(|r| live.size.saturating_sub(live.sent) as f64 / r),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Live>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
