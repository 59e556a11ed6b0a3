//! `fieldcase device …`: enroll this device with a bureau, see and run its sync.

use clap::Subcommand;
use fieldcase_core::ErrorCode;
use fieldcase_device::OpenMode;
use fieldcase_device::SharedDevice;
use fieldcase_device::sync::{self, Backoff, SyncAgent, SyncStatus};

use super::Context;
use crate::output::{Failure, print};

#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// Enroll this device with a bureau, using a one-time code from an administrator
    Enroll {
        /// The bureau's address, e.g. http://127.0.0.1:8787
        #[arg(long)]
        bureau: String,
        /// The enrollment code
        #[arg(long)]
        code: String,
        /// How the bureau should call this device [default: the host name]
        #[arg(long)]
        label: Option<String>,
        /// In a lab only: allow plain http:// to a bureau on another machine (the token and the
        /// records then cross the network unprotected)
        #[arg(long)]
        insecure_http: bool,
        /// The certificate authority (PEM file) that issued the bureau's https:// certificate,
        /// when it is the bureau's own rather than one the system trusts
        #[arg(long, value_name = "FILE")]
        ca_cert: Option<std::path::PathBuf>,
    },
    /// Sync state: enrolled or not, last sync, what is waiting to be sent
    Status,
    /// Sync with the bureau: once, or in the background until stopped (Ctrl-C)
    Sync {
        /// Sync once and exit: 0 when everything is sent, 1 when the bureau could not be reached or refused
        #[arg(long)]
        once: bool,
        /// Seconds between syncs while all is well, 1 to 86400 (failures back off with jitter instead)
        #[arg(long, default_value_t = 30, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
        interval: u64,
    },
}

impl From<sync::SyncError> for Failure {
    fn from(e: sync::SyncError) -> Self {
        Failure { exit: 1, code: e.code(), message: e.to_string() }
    }
}

pub fn run(ctx: &Context, cmd: DeviceCommand) -> Result<(), Failure> {
    let device = SharedDevice::new(ctx.open(OpenMode::CreateIfMissing)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure { exit: 1, code: ErrorCode::Internal, message: e.to_string() })?;
    match cmd {
        DeviceCommand::Enroll { bureau, code, label, insecure_http, ca_cert } => {
            let label = label.or_else(host_name);
            let ca_pem = ca_cert
                .map(|path| {
                    std::fs::read_to_string(&path).map_err(|e| Failure {
                        exit: 1,
                        code: ErrorCode::Io,
                        message: format!("cannot read the certificate authority {}: {e}", path.display()),
                    })
                })
                .transpose()?;
            let transport = sync::Transport { insecure_http, ca_pem };
            runtime.block_on(sync::enroll(&device, &bureau, transport, &code, label))?;
            let status = status_of(&device)?;
            print(ctx.json, &status, |s| format!("enrolled with {}", s.bureau_url.as_deref().unwrap_or_default()));
        }
        DeviceCommand::Status => {
            let status = status_of(&device)?;
            // Which records the bureau did not take, and why: what `sync --once` points to.
            let problems = device.lock().sync_problems()?;
            print(ctx.json, &status, |s| {
                let mut text = human_status(s);
                for p in &problems {
                    text.push_str(&format!("\n  {:<9} {} {}: {}", p.state.as_str(), p.kind, p.record_id, p.reason));
                }
                text
            });
        }
        DeviceCommand::Sync { once: true, .. } => {
            let result = runtime.block_on(sync::sync_once(&device));
            let status = status_of(&device)?;
            let report = result?;
            print(ctx.json, &status, |s| {
                let mut text = format!(
                    "synced: {} sent, {} refused, {} received, {} evidence file(s) uploaded\n{}",
                    report.pushed,
                    report.refused,
                    report.pulled,
                    report.uploaded,
                    human_status(s)
                );
                for problem in &report.upload_problems {
                    text.push_str(&format!("\n  upload    {problem}"));
                }
                text
            });
            if status.needs_attention > 0 {
                return Err(Failure {
                    exit: 1,
                    code: ErrorCode::NeedsAttention,
                    message: format!(
                        "{} record(s) were refused by the bureau or conflict with its copy; see `fieldcase device status`",
                        status.needs_attention
                    ),
                });
            }
        }
        DeviceCommand::Sync { once: false, interval } => {
            let backoff = Backoff { interval: std::time::Duration::from_secs(interval), ..Backoff::default() };
            let agent = SyncAgent::new(device.clone(), backoff)?;
            let mut updates = agent.subscribe();
            let json = ctx.json;
            runtime.block_on(async move {
                let printer = tokio::spawn(async move {
                    while updates.changed().await.is_ok() {
                        let status = updates.borrow_and_update().clone();
                        print(json, &status, |s| format!("[{:?}] {}", s.state, one_line(s)));
                    }
                });
                agent.run(super::stop_signal()).await;
                printer.abort();
            });
        }
    }
    Ok(())
}

fn status_of(device: &SharedDevice) -> Result<SyncStatus, Failure> {
    Ok(device.lock().sync_status()?)
}

fn one_line(s: &SyncStatus) -> String {
    let pending = s.pending.total();
    match &s.last_error {
        Some(e) => format!("{pending} waiting; {e}"),
        None => format!("{pending} waiting; last sync {}", s.last_success_at.as_deref().unwrap_or("never")),
    }
}

fn human_status(s: &SyncStatus) -> String {
    let p = &s.pending;
    let mut lines = vec![
        format!("state        {:?}", s.state),
        format!("bureau       {}", s.bureau_url.as_deref().unwrap_or("not enrolled")),
        format!("last sync    {}", s.last_success_at.as_deref().unwrap_or("never")),
        format!(
            "waiting      {} inspections, {} sites, {} certificate checks, {} evidence, {} audit entries",
            p.inspections, p.sites, p.certificate_checks, p.evidence, p.audit_entries
        ),
    ];
    if s.needs_attention > 0 {
        lines.push(format!("attention    {} record(s) refused or in conflict", s.needs_attention));
    }
    if let Some(offset) = s.clock_offset_seconds {
        lines.push(format!("clock        bureau − laptop = {offset} s"));
    }
    if let Some(e) = &s.last_error {
        lines.push(format!("last error   {e}"));
    }
    lines.join("\n")
}

fn host_name() -> Option<String> {
    std::fs::read_to_string("/etc/hostname").ok().map(|h| h.trim().to_owned()).filter(|h| !h.is_empty())
}
