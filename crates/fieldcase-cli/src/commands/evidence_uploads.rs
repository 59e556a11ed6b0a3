//! `fieldcase evidence upload|status|pause|resume`: evidence files on their way to the bureau.

use std::time::Duration;

use clap::Args;

use fieldcase_core::ErrorCode;
use fieldcase_device::sync::{self, Backoff};
use fieldcase_device::uploads::{UploadCounts, UploadItem, UploadState};
use fieldcase_device::{Device, SharedDevice};

use super::{Context, parse_id};
use crate::output::{Failure, print};

/// Which files a pause or resume applies to.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Target {
    /// One evidence id (`fieldcase evidence status` lists them)
    pub id: Option<String>,
    /// Every file not yet at the bureau
    #[arg(long)]
    pub all: bool,
}

/// Sends what waits, then fetches the verdicts: once, or until every file is verified,
/// paused or refused for good (retrying with back-off while the bureau cannot be reached).
pub fn upload(ctx: &Context, device: Device, once: bool) -> Result<(), Failure> {
    let device = SharedDevice::new(device);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure { exit: 1, code: ErrorCode::Internal, message: e.to_string() })?;
    let live = device.lock().live_uploads();
    let watched = device.clone();
    runtime.block_on(async move {
        // A progress line every two seconds on standard error while a file is being sent.
        let progress = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(2)).await;
                let items = watched.run(|d| d.upload_status()).await.unwrap_or_default();
                for item in items.iter().filter(|i| i.bytes_per_second.is_some()) {
                    eprintln!("{}", progress_line(item));
                }
            }
        });
        let backoff = Backoff::default();
        let mut failures = 0;
        let outcome = loop {
            let result = sync::sync_once(&device).await;
            live.end();
            let items = match device.run(|d| d.upload_status()).await {
                Ok(items) => items,
                Err(e) => break Err(Failure::from(e)),
            };
            match result {
                Ok(report) if once || !waiting(&items) => break Ok((report.upload_problems, items)),
                // Nothing moved (a file refused, a verdict not yet in): wait longer each time.
                Ok(report) if report.uploaded == 0 => {
                    failures += 1;
                    report.upload_problems.iter().for_each(|p| eprintln!("refused: {p}"));
                }
                Ok(_) => failures = 0,
                Err(e) if once || e.needs_person() => break Err(Failure::from(e)),
                Err(e) => {
                    failures += 1;
                    eprintln!("{e}");
                }
            }
            let wait = if failures == 0 { Duration::from_secs(1) } else { backoff.after_failures(failures) };
            tokio::select! {
                () = super::stop_signal() => break Err(Failure { exit: 1, code: ErrorCode::Offline, message: "stopped; what was sent stays sent, and the next upload resumes there".into() }),
                () = tokio::time::sleep(wait) => {}
            }
        };
        progress.abort();
        let (problems, items) = outcome?;
        print(ctx.json, &items, |items| {
            let mut text = items.iter().map(item_line).collect::<Vec<_>>().join("\n");
            for problem in &problems {
                text.push_str(&format!("\nrefused: {problem}"));
            }
            text
        });
        let counts = UploadCounts::of(&items);
        if counts.problems > 0 || (once && waiting(&items)) {
            return Err(Failure {
                exit: 1,
                code: ErrorCode::NeedsAttention,
                message: format!(
                    "{} file(s) damaged or refused, {} still to send: see `fieldcase evidence status`",
                    counts.problems,
                    counts.waiting + counts.uploading
                ),
            });
        }
        Ok(())
    })
}

/// Whether a file not paused still has to reach the bureau or hear its verdict.
fn waiting(items: &[UploadItem]) -> bool {
    items.iter().any(|i| {
        !i.paused
            && matches!(
                i.state,
                UploadState::Imported | UploadState::Queued | UploadState::Uploading | UploadState::Uploaded
            )
    })
}

pub fn status(ctx: &Context, device: &Device) -> Result<(), Failure> {
    let items = device.upload_status()?;
    print(ctx.json, &items, |items| {
        let counts = UploadCounts::of(items);
        let mut lines = vec![format!(
            "{} waiting, {} uploading, {} uploaded, {} verified (safe to delete from the recorder), {} paused, {} with problems",
            counts.waiting, counts.uploading, counts.uploaded, counts.verified, counts.paused, counts.problems
        )];
        lines.extend(items.iter().map(item_line));
        lines.join("\n")
    });
    Ok(())
}

pub fn set_paused(ctx: &Context, device: &mut Device, target: Target, paused: bool) -> Result<(), Failure> {
    let id = target.id.map(|id| parse_id(&id)).transpose()?;
    let changed = device.set_uploads_paused(id, paused)?;
    let verb = if paused { "paused" } else { "resumed" };
    print(ctx.json, &serde_json::json!({ verb: changed }), |_| format!("{changed} upload(s) {verb}"));
    Ok(())
}

fn state_words(item: &UploadItem) -> String {
    let state = match item.state {
        UploadState::Imported => "imported (reference not yet at the bureau)".to_owned(),
        UploadState::Queued => "queued".to_owned(),
        UploadState::Uploading => format!("uploading {:.0}%", item.percent),
        UploadState::Uploaded => "uploaded, awaiting the bureau's verification".to_owned(),
        UploadState::Verified => "verified by the bureau: safe to delete from the recorder".to_owned(),
        UploadState::Damaged => "DAMAGED: not sent".to_owned(),
        UploadState::Mismatch => "MISMATCH at the bureau".to_owned(),
    };
    if item.paused { format!("{state} (paused)") } else { state }
}

fn item_line(item: &UploadItem) -> String {
    let mut line = format!("{}  {:<28}  {:>12}  {}", item.evidence_id, item.name, item.size, state_words(item));
    if let Some(problem) = &item.problem {
        line.push_str(&format!("\n    {problem}"));
    }
    line
}

fn progress_line(item: &UploadItem) -> String {
    let rate = item.bytes_per_second.unwrap_or_default();
    let left = super::evidence::time_left(item.seconds_left);
    format!(
        "uploading {}: {:.0}% of {:.1} MB, {:.0} MB/s, {left} left",
        item.name,
        item.percent,
        item.size as f64 / 1e6,
        rate / 1e6
    )
}
