//! `fieldcase evidence …` and `fieldcase recorder …`

use std::cell::Cell;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, TimeZone};
use clap::{Args, Subcommand};

use fieldcase_core::ErrorCode;
use fieldcase_core::time::{beijing, format_beijing};
use fieldcase_device::{ImportOptions, ImportProgress, ImportSummary, NewRecorderCheck, OpenMode};

use super::{Context, parse_id};
use crate::output::{Failure, print};

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Import every recording and photo under DIR into a draft inspection
    Import(ImportArgs),
    /// List evidence files, of one inspection or all
    List {
        #[arg(long)]
        inspection: Option<String>,
    },
    /// Re-hash evidence files; exit 3 and name each whose bytes changed
    Verify {
        /// One evidence id [default: every file]
        id: Option<String>,
    },
    /// The chain of custody of one file: every step recorded about it
    Custody { id: String },
    /// Send the files whose references the bureau holds, then fetch its verdicts (also part of `device sync`)
    Upload {
        /// One pass and exit: 0 when every file is at the bureau, 1 otherwise [default: until every file is verified or paused]
        #[arg(long)]
        once: bool,
    },
    /// Each file's upload: queued, uploading (with percent), verified, safe to delete from the recorder
    Status,
    /// Pause the upload of one file, or of every file
    Pause(super::evidence_uploads::Target),
    /// Resume the upload of one file, or of every file
    Resume(super::evidence_uploads::Target),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The folder: the recorder mounted as a drive, a card, any folder
    pub dir: PathBuf,
    #[arg(long)]
    pub inspection: String,
    /// The body-cam's id, as printed on it
    #[arg(long)]
    pub recorder: Option<String>,
    /// Record each file where it lies (hash only, no copy into the vault)
    #[arg(long)]
    pub in_place: bool,
}

#[derive(Debug, Subcommand)]
pub enum RecorderCommand {
    /// Record a body-cam's check before an inspection: its clock against trusted time, battery, storage
    Check {
        #[arg(long)]
        inspection: String,
        #[arg(long)]
        recorder: String,
        /// The date and time the recorder's screen shows, Beijing time: "YYYY-MM-DD HH:MM:SS"
        #[arg(long, value_name = "TIME")]
        shows: String,
        /// Battery level, percent
        #[arg(long)]
        battery: Option<u8>,
        #[arg(long, value_name = "MB")]
        storage_free_mb: Option<u64>,
    },
}

pub fn run(ctx: &Context, cmd: EvidenceCommand) -> Result<(), Failure> {
    let mut device = ctx.open(OpenMode::MustExist)?;
    match cmd {
        EvidenceCommand::Import(args) => {
            let options = ImportOptions { recorder_id: args.recorder, in_place: args.in_place };
            let last = Cell::new(None::<Instant>);
            let report = |p: &ImportProgress| {
                // Twice a second at most, and always at the end of the last file.
                let done = p.files_done == p.files_total && p.bytes_done == p.bytes_total;
                if last.get().is_some_and(|t| t.elapsed() < Duration::from_millis(500)) && !done {
                    return;
                }
                last.set(Some(Instant::now()));
                let _ = writeln!(std::io::stderr().lock(), "{}", progress_line(p));
            };
            let summary = device.import_evidence(
                parse_id(&args.inspection)?,
                &args.dir,
                &options,
                &report,
                &AtomicBool::new(false),
            )?;
            print(ctx.json, &summary, summary_text);
        }
        EvidenceCommand::List { inspection } => {
            let inspection = inspection.map(|id| parse_id(&id)).transpose()?;
            let items = device.evidence(inspection)?;
            print(ctx.json, &items, |items| {
                items
                    .iter()
                    .map(|i| {
                        let r = &i.reference;
                        let when = r.capture_start.map_or("time unknown".to_owned(), format_beijing);
                        format!(
                            "{}  {:<5}  {}  {}  {}  {}",
                            r.id,
                            r.kind.as_str(),
                            when,
                            r.sha256,
                            r.size,
                            r.original_name
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        EvidenceCommand::Verify { id } => {
            let id = id.map(|id| parse_id(&id)).transpose()?;
            let report = device.verify_evidence(id)?;
            if !report.mismatches.is_empty() {
                let named: Vec<String> =
                    report.mismatches.iter().map(|m| format!("{} at {}: {}", m.id, m.path, m.problem)).collect();
                if ctx.json {
                    print(true, &report, |_| String::new());
                }
                return Err(Failure {
                    exit: 3,
                    code: ErrorCode::EvidenceAltered,
                    message: format!(
                        "{} of {} evidence file(s) do not match their import hash: {}. Keep the laptop as it is and report it to the bureau; the original on the recorder, if still there, can be imported again",
                        report.mismatches.len(),
                        report.checked,
                        named.join("; ")
                    ),
                });
            }
            print(ctx.json, &report, |r| {
                format!("{} evidence file(s) checked: all match their import hash", r.checked)
            });
        }
        EvidenceCommand::Upload { once } => super::evidence_uploads::upload(ctx, device, once)?,
        EvidenceCommand::Status => super::evidence_uploads::status(ctx, &device)?,
        EvidenceCommand::Pause(target) => super::evidence_uploads::set_paused(ctx, &mut device, target, true)?,
        EvidenceCommand::Resume(target) => super::evidence_uploads::set_paused(ctx, &mut device, target, false)?,
        EvidenceCommand::Custody { id } => {
            let entries = device.custody(parse_id(&id)?)?;
            print(ctx.json, &entries, |entries| {
                entries
                    .iter()
                    .map(|e| format!("{:>6}  {}  {:<24} {}", e.seq, format_beijing(e.at), e.action, e.actor))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}

pub fn recorder(ctx: &Context, cmd: RecorderCommand) -> Result<(), Failure> {
    let RecorderCommand::Check { inspection, recorder, shows, battery, storage_free_mb } = cmd;
    let local = NaiveDateTime::parse_from_str(shows.trim(), "%Y-%m-%d %H:%M:%S").map_err(|e| {
        Failure::invalid(format!(
            "--shows '{shows}' is not a date and time as YYYY-MM-DD HH:MM:SS ({e}); give what the recorder's screen shows, e.g. \"2026-12-01 09:25:00\""
        ))
    })?;
    let shows = beijing()
        .from_local_datetime(&local)
        .single()
        .ok_or_else(|| Failure::invalid(format!("--shows '{shows}' is not a time in Beijing")))?
        .to_utc();
    let mut device = ctx.open(OpenMode::MustExist)?;
    let check = device.record_recorder_check(NewRecorderCheck {
        inspection_id: parse_id(&inspection)?,
        recorder_id: recorder,
        shows,
        battery_percent: battery,
        storage_free_mb,
    })?;
    print(ctx.json, &check, |c| {
        let ahead = match c.offset_seconds {
            0 => "on time".to_owned(),
            s if s > 0 => format!("{s} s ahead of trusted time"),
            s => format!("{} s behind trusted time", -s),
        };
        format!("recorder check {}: recorder {} clock {ahead}", c.id, c.recorder_id)
    });
    Ok(())
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// Seconds left as `m:ss`, or a dash while not known.
pub(super) fn time_left(seconds: Option<f64>) -> String {
    seconds.map_or("—".to_owned(), |s| {
        let s = s.round() as u64;
        format!("{}:{:02}", s / 60, s % 60)
    })
}

fn progress_line(p: &ImportProgress) -> String {
    let left = time_left(p.seconds_left);
    format!(
        "importing: {}/{} files, {} of {}, {:.0} MB/s, {left} left  {}",
        p.files_done,
        p.files_total,
        megabytes(p.bytes_done),
        megabytes(p.bytes_total),
        p.bytes_per_second / 1e6,
        p.current
    )
}

fn summary_text(s: &ImportSummary) -> String {
    let mut lines = vec![format!(
        "imported {} file(s), {} already there, {} skipped{}",
        s.imported.len(),
        s.already_there.len(),
        s.skipped.len(),
        if s.cancelled { " (cancelled)" } else { "" }
    )];
    lines.extend(s.imported.iter().map(|f| format!("  imported  {}  {}  {}", f.id, f.sha256, f.path)));
    lines.extend(s.already_there.iter().map(|f| format!("  already   {}  {}", f.id, f.path)));
    lines.extend(s.skipped.iter().map(|f| format!("  skipped   {}: {}", f.path, f.reason)));
    if s.imported.is_empty() && !s.already_there.is_empty() && !s.cancelled {
        lines.push("nothing new: this inspection holds every file of the folder already".into());
    }
    lines.join("\n")
}
