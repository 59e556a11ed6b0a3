//! The officer's desktop app: a window over `fieldcase-device`.
//!
//! Nothing here decides anything about records: each command is a few lines that call the
//! device and hand back its result or its `{code, message}` error.

// Unit tests may unwrap: a panic there is a failed test with its reason.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod commands;
mod error;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use fieldcase_device::sync::{Backoff, SyncAgent};
use fieldcase_device::{Device, DeviceSettings, OpenMode, SharedDevice, default_data_dir};
use tauri::{Builder, Context, Emitter, Manager, Runtime};

pub use error::CommandError;

/// The opened device, or why it could not be opened (shown in the window, so an officer
/// sees the reason rather than an app that will not start).
#[derive(Debug)]
pub struct AppState {
    device: Result<SharedDevice, CommandError>,
    /// Syncs in the background whenever the bureau can be reached.
    agent: Option<SyncAgent>,
    /// Set by the officer's "cancel" to stop the evidence import under way.
    import_cancel: Arc<AtomicBool>,
    /// When the app started, for the time its first screen took to draw.
    started: Instant,
}

impl AppState {
    pub fn open(data_dir: &std::path::Path) -> Self {
        let device = DeviceSettings::from_env()
            .and_then(|settings| Device::open_with(data_dir, OpenMode::CreateIfMissing, &settings))
            .map(SharedDevice::new)
            .map_err(CommandError::from);
        let agent = device.as_ref().ok().and_then(|d| SyncAgent::new(d.clone(), Backoff::default()).ok());
        AppState { device, agent, import_cancel: Arc::default(), started: Instant::now() }
    }
}

/// The event that carries every change of the sync status to the window.
pub const SYNC_STATUS_EVENT: &str = "sync-status";

/// The data directory: `--data-dir DIR` on the command line, else `FIELDCASE_DATA_DIR`,
/// else the platform default (the same one the `fieldcase` command uses).
pub fn data_dir_from(args: impl IntoIterator<Item = String>, env: Option<String>) -> PathBuf {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if let Some(dir) = arg.strip_prefix("--data-dir=") {
            return PathBuf::from(dir);
        }
        if arg == "--data-dir"
            && let Some(dir) = args.next()
        {
            return PathBuf::from(dir);
        }
    }
    env.filter(|e| !e.is_empty()).map(PathBuf::from).unwrap_or_else(default_data_dir)
}

/// Runs the app on any runtime, so tests can pass a mock builder.
pub fn run<R: Runtime>(builder: Builder<R>, context: Context<R>) {
    let data_dir = data_dir_from(std::env::args().skip(1), std::env::var("FIELDCASE_DATA_DIR").ok());
    builder
        // The evidence panel's "choose…" opens the system's folder picker, and the printed
        // record's "save as…" its save dialog; nothing else of it is granted.
        .plugin(tauri_plugin_dialog::init())
        .manage(AppState::open(&data_dir))
        .setup(|app| {
            if let Some(agent) = app.state::<AppState>().agent.clone() {
                let mut updates = agent.subscribe();
                let handle = app.handle().clone();
                tauri::async_runtime::spawn(async move {
                    while updates.changed().await.is_ok() {
                        let status = updates.borrow_and_update().clone();
                        let _ = handle.emit(SYNC_STATUS_EVENT, status);
                    }
                });
                tauri::async_runtime::spawn(agent.run(std::future::pending()));
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::first_screen_drawn,
            commands::home_overview,
            commands::get_inspection,
            commands::list_sites,
            commands::list_templates,
            commands::create_inspection,
            commands::answer_item,
            commands::checklist::set_item_note,
            commands::checklist::raise_finding,
            commands::checklist::withdraw_finding,
            commands::sync_status,
            commands::sync_now,
            commands::current_officer,
            commands::sign_in,
            commands::sign_out,
            commands::registry_status,
            commands::check_certificate,
            commands::check_certificate_image,
            commands::finalize_inspection,
            commands::evidence::import_evidence,
            commands::evidence::cancel_import,
            commands::evidence::inspection_evidence,
            commands::evidence::evidence_thumbnail,
            commands::evidence::set_gap_reason,
            commands::evidence::record_recorder_check,
            commands::uploads::upload_status,
            commands::uploads::upload_counts,
            commands::uploads::pause_uploads,
            commands::uploads::resume_uploads,
            commands::records::list_records,
            commands::records::review_inspection,
            commands::records::check_uscc,
            commands::records::add_site,
            commands::settings::get_settings,
            commands::settings::check_bureau_url,
            commands::settings::set_bureau_url,
            commands::settings::enroll_device,
            commands::settings::set_session_hours,
            commands::settings::set_language,
            commands::settings::vault_usage,
            commands::print::inspection_history,
            commands::print::record_sheet,
            commands::print::export_record_pdf,
        ])
        .run(context)
        .expect("the fieldcase window opens");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_dir_comes_from_args_then_env_then_default() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(data_dir_from(args(&["--data-dir", "/a"]), Some("/b".into())), PathBuf::from("/a"));
        assert_eq!(data_dir_from(args(&["--data-dir=/a"]), None), PathBuf::from("/a"));
        assert_eq!(data_dir_from(args(&[]), Some("/b".into())), PathBuf::from("/b"));
        assert_eq!(data_dir_from(args(&[]), None), default_data_dir());
    }
}
