//! Sync with the bureau: enrollment, pushing what the laptop made, pulling what the bureau
//! publishes, and the background agent that does it whenever the bureau can be reached.
//!
//! The store work (building pages, applying answers) is synchronous SQLite and runs on
//! blocking threads; only the HTTP calls are async. Everything the agent knows survives a
//! restart, because it lives in the store: the outbox, the cursors, the last error.

mod address;
mod error;
mod http;
mod pulled;
mod records;
pub mod status;

use std::collections::VecDeque;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use fieldcase_core::limits;
use fieldcase_core::wire::{MAX_PUSH_PAGE, PushResponse};
use tokio::sync::{Notify, watch};

pub use address::{BureauUrlCheck, BureauUrlProblem, parse_bureau_url};
pub use error::SyncError;
pub use http::{BureauHttp, Transport};
pub use pulled::PulledChanges;
pub use records::{ClockReading, PushCursor, PushOutcome, PushPage};
pub use status::{PendingCounts, SyncState, SyncStatus};

use crate::{Device, DeviceError, SharedDevice};

/// Items per push page: large enough that the fixed cost of a page (a round trip, a durable
/// commit on each side) is spread over many records, small enough (a few hundred KB) that a
/// page lost to a dropped connection costs little to send again.
pub const PUSH_PAGE: usize = MAX_PUSH_PAGE;
/// Changes per pull page.
pub const PULL_PAGE: u32 = 500;

/// Runs `f` on the device on a blocking thread, its failure as a sync error.
async fn on_device<T: Send + 'static>(
    device: &SharedDevice,
    f: impl FnOnce(&mut Device) -> Result<T, DeviceError> + Send + 'static,
) -> Result<T, SyncError> {
    Ok(device.run(f).await?)
}

/// Enrolls the device with a bureau using a one-time code from an administrator; the
/// transport chosen is kept for every later sync.
pub async fn enroll(
    device: &SharedDevice,
    bureau_url: &str,
    transport: Transport,
    code: &str,
    label: Option<String>,
) -> Result<(), SyncError> {
    let http = BureauHttp::new(bureau_url, &transport)?;
    let code = code.to_owned();
    let request = on_device(device, move |d| {
        limits::check_opt("device label", label.as_deref(), limits::LABEL)?;
        Ok(d.enroll_request(&code, label))
    })
    .await?;
    let response = http.enroll(&request).await?;
    let url = http.url().to_owned();
    on_device(device, move |d| d.set_enrollment(&url, &transport, &response)).await
}

/// What one full sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: usize,
    pub refused: usize,
    pub pulled: usize,
    /// Registry updates refused, with why (the copy held stays as it was).
    pub registry_refused: Vec<String>,
    /// Evidence files whose every byte reached the bureau.
    pub uploaded: usize,
    /// Evidence files found damaged (changed since import), not sent.
    pub damaged: usize,
    /// Evidence files the bureau would not take, with why (tried again next sync).
    pub upload_problems: Vec<String>,
}

/// One full sync: push every page, then pull every change. Records the result (success or
/// the error) in the store, where the status reads it.
pub async fn sync_once(device: &SharedDevice) -> Result<SyncReport, SyncError> {
    let result = sync_pages(device).await;
    let recorded = match &result {
        Ok(_) => Ok(()),
        Err(SyncError::Device(_)) => Ok(()),
        Err(e) => {
            let (code, message) = (e.code(), e.to_string());
            on_device(device, move |d| d.record_sync_failure(code, &message)).await
        }
    };
    let report = result?;
    recorded?;
    Ok(report)
}

async fn sync_pages(device: &SharedDevice) -> Result<SyncReport, SyncError> {
    let enrollment = on_device(device, |d| d.enrollment()).await?.ok_or(SyncError::NotEnrolled)?;
    let http = BureauHttp::for_enrollment(&enrollment)?;
    let token = enrollment.token;
    let mut report = SyncReport::default();

    // The laptop's clock is read as an answer arrives, not through the device lock, which
    // the window may hold for a while.
    let clock = on_device(device, |d| Ok(d.clock())).await?;

    push_all(device, &http, &token, &mut report).await?;
    let mut clocks = pull_all(device, &http, &token, &clock, &mut report).await?;
    // What the pull changed is in the audit chain too: send it, so a sync ends with nothing waiting.
    push_all(device, &http, &token, &mut report).await?;
    // Evidence files whose references the bureau now holds, each followed by a pull that
    // brings the bureau's verdict on it; then the audit entries of both.
    let options = on_device(device, |d| Ok(d.upload_options())).await?;
    let mut pass = crate::uploads::UploadPass::start(device).await?;
    while let Some(whole) = pass.send_next(device, &http, &token, &options).await? {
        if whole {
            clocks = pull_all(device, &http, &token, &clock, &mut report).await?;
        }
    }
    report.uploaded = pass.report.uploaded;
    report.damaged = pass.report.damaged;
    report.upload_problems = pass.report.problems;
    if report.uploaded + report.damaged > 0 {
        push_all(device, &http, &token, &mut report).await?;
    }
    on_device(device, move |d| d.record_sync_success(clocks)).await?;
    Ok(report)
}

/// Pulls every change after the cursor; the bureau's clock in the last answer, against the
/// laptop's as it arrived, is the trusted time of this sync.
async fn pull_all(
    device: &SharedDevice,
    http: &BureauHttp,
    token: &str,
    clock: &Arc<dyn crate::Clock>,
    report: &mut SyncReport,
) -> Result<ClockReading, SyncError> {
    let clocks = loop {
        let after = on_device(device, |d| d.pull_cursor()).await?;
        let pull = http.pull(token, after, PULL_PAGE).await?;
        let clocks = ClockReading { bureau: pull.bureau_time, laptop: clock.now() };
        let more = pull.more && pull.next_cursor > after;
        let pull = Arc::new(pull);
        let answer = Arc::clone(&pull);
        if on_device(device, move |d| d.follow_feed_epoch(&answer)).await? {
            // The bureau's feed began another epoch: its cursors start again.
            continue;
        }
        let changes = on_device(device, move |d| d.apply_changes(&pull)).await?;
        report.pulled += changes.applied;
        report.registry_refused.extend(changes.refused);
        if !more {
            break clocks;
        }
    };
    // Owed since this pull or an earlier one whose sync lost the bureau before the snapshot
    // came: the cursor has moved past the update that showed the need, so only the store
    // remembers it.
    if on_device(device, |d| d.registry_snapshot_owed()).await? {
        let snapshot = http.registry_snapshot(token).await?;
        on_device(device, move |d| d.apply_registry_snapshot(&snapshot)).await?;
    }
    Ok(clocks)
}

/// Pushes page after page until nothing waits.
///
/// Two pages are in flight: the next is sent before the answer to the last comes back, and
/// names it (`after`), so the bureau stores them in order without waiting on the network in
/// between; meanwhile the laptop records the answers and builds the page after. Once an
/// answer shows a break in the audit chain, nothing more is sent.
async fn push_all(
    device: &SharedDevice,
    http: &BureauHttp,
    token: &str,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    type Answer = tokio::task::JoinHandle<Result<PushResponse, SyncError>>;
    let send = |page: &PushPage| -> Answer {
        let (http, token, request) = (http.clone(), token.to_owned(), page.request.clone());
        tokio::spawn(async move { http.push(&token, &request).await })
    };
    let build = |after: PushCursor| on_device(device, move |d| d.next_push_page_after(after, PUSH_PAGE));

    let mut in_flight: VecDeque<(PushPage, Answer)> = VecDeque::new();
    let mut next = build(PushCursor::default()).await?;
    let mut outcome = Ok(());
    loop {
        // Keep two pages on their way while all is well.
        while in_flight.len() < 2 && outcome.is_ok() {
            let Some(mut page) = next.take() else { break };
            page.request.after = in_flight.back().map(|(last, _)| last.items_hash);
            let end = page.end;
            let answer = send(&page);
            in_flight.push_back((page, answer));
            next = match build(end).await {
                Ok(following) => following,
                Err(e) => {
                    outcome = Err(e);
                    None
                }
            };
        }
        // Every page sent gets its answer recorded, even after a failure: the bureau may
        // have stored a later page, and then the laptop knows it.
        let Some((page, answer)) = in_flight.pop_front() else { return outcome };
        let answered = answer.await.map_err(|e| SyncError::Protocol(format!("the push stopped: {e}"))).and_then(|r| r);
        let recorded = match answered {
            Ok(response) => record_answer(device, Some((page, response)), report).await,
            Err(e) => Err(e),
        };
        if let Err(e) = recorded {
            // The first failure is the one to report; the pages after it fail for its sake.
            if outcome.is_ok() {
                outcome = Err(e);
            }
        }
    }
}

/// Applies the bureau's answer to a page on the device, adding it to the report. A break in
/// the audit chain is an error: the bureau keeps it for review, and resending cannot mend it.
async fn record_answer(
    device: &SharedDevice,
    answered: Option<(PushPage, PushResponse)>,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    let Some((page, response)) = answered else { return Ok(()) };
    let outcome = on_device(device, move |d| d.apply_push_results(&page, &response)).await?;
    report.pushed += outcome.stored;
    report.refused += outcome.refused;
    if let Some(reason) = outcome.audit_refused {
        let message = format!(
            "the bureau found a break in this laptop's audit chain ({reason}); the records are kept here, report it to the bureau"
        );
        return Err(SyncError::Refused(fieldcase_core::wire::ApiError {
            code: fieldcase_core::ErrorCode::AuditChainRefused,
            message,
        }));
    }
    Ok(())
}

/// How long to wait before the next attempt.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub interval: Duration,
    pub first_retry: Duration,
    pub max_retry: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            interval: Duration::from_secs(30),
            first_retry: Duration::from_secs(1),
            max_retry: Duration::from_secs(60),
        }
    }
}

impl Backoff {
    /// The wait before the next sync: the interval after a success; the longest retry when
    /// only a person can fix the failure; else [`Backoff::after_failures`], but never sooner
    /// than the bureau asked (coming back early only meets another 429).
    pub fn after(&self, error: Option<&SyncError>, failures: u32) -> Duration {
        match error {
            None => self.interval,
            Some(e) if e.needs_person() => self.max_retry,
            Some(e) => self.after_failures(failures).max(e.retry_after().unwrap_or_default()),
        }
    }

    /// The wait after `failures` failures in a row: doubling, capped, with ±50% jitter so
    /// that a bureau coming back is not met by every laptop at the same instant.
    pub fn after_failures(&self, failures: u32) -> Duration {
        let base = self.first_retry.saturating_mul(1 << failures.saturating_sub(1).min(16)).min(self.max_retry);
        let mut r = [0u8; 2];
        let _ = getrandom::fill(&mut r);
        let factor = 0.5 + f64::from(u16::from_le_bytes(r)) / f64::from(u16::MAX);
        base.mul_f64(factor)
    }
}

/// The background agent: syncs now, then every `interval`, or at once when nudged (a
/// record was finalized); after failures it backs off with jitter. Publishes its status.
#[derive(Debug, Clone)]
pub struct SyncAgent {
    device: SharedDevice,
    nudge: Arc<Notify>,
    status: watch::Sender<SyncStatus>,
    backoff: Backoff,
}

impl SyncAgent {
    pub fn new(device: SharedDevice, backoff: Backoff) -> Result<Self, DeviceError> {
        let initial = device.lock().sync_status()?;
        Ok(SyncAgent { device, nudge: Arc::new(Notify::new()), status: watch::channel(initial).0, backoff })
    }

    /// Asks for a sync now (after a finalize, or the officer pressing "sync now").
    pub fn nudge(&self) {
        self.nudge.notify_one();
    }

    /// Status updates, newest first; the window listens to these.
    pub fn subscribe(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    /// Re-reads the status from the store and publishes it (after a change made elsewhere).
    pub async fn refresh(&self) {
        if let Ok(status) = on_device(&self.device, |d| d.sync_status()).await {
            self.status.send_replace(status);
        }
    }

    /// Runs until `shutdown` resolves.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut failures = 0u32;
        loop {
            self.status.send_modify(|s| {
                if s.state != SyncState::NotEnrolled {
                    s.state = SyncState::Syncing;
                }
            });
            let result = sync_once(&self.device).await;
            failures = if result.is_ok() { 0 } else { failures.saturating_add(1) };
            let wait = self.backoff.after(result.as_ref().err(), failures);
            if let Err(e) = &result {
                tracing::info!(code = %e.code(), "sync did not complete: {e}");
            }
            self.refresh().await;
            tokio::select! {
                () = &mut shutdown => return,
                () = self.nudge.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}
