//! The evidence panel's commands: importing a folder with progress and cancel, thumbnails,
//! gap reasons and recorder checks. Each calls the device off the UI thread.

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use fieldcase_core::evidence::{Gap, RecorderCheck};
use fieldcase_core::ids::{EvidenceId, InspectionId};
use fieldcase_device::{ImportOptions, ImportProgress, ImportSummary, InspectionEvidence, NewRecorderCheck};
use tauri::State;
use tauri::ipc::{Channel, Response};

use super::{CommandResult, on_device, parse};
use crate::AppState;

/// The longer side of a photo's thumbnail in the panel, in pixels.
const THUMBNAIL_SIDE: u32 = 160;

/// How often progress is sent at most: a file is read in chunks of a few MiB, and a window
/// repainting for each would spend more on drawing than the import on reading.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Imports every media file under `dir` into a draft, sending progress through `on_progress`
/// until it ends or [`cancel_import`] stops it.
#[tauri::command]
pub async fn import_evidence(
    state: State<'_, AppState>,
    id: String,
    dir: String,
    recorder_id: Option<String>,
    in_place: bool,
    on_progress: Channel<ImportProgress>,
) -> CommandResult<ImportSummary> {
    let id: InspectionId = parse(&id)?;
    let cancel = state.import_cancel.clone();
    cancel.store(false, Ordering::Relaxed);
    let options = ImportOptions { recorder_id, in_place };
    on_device(state, move |d| {
        let last = Cell::new(None::<(Instant, u32)>);
        let report = |p: &ImportProgress| {
            // Every finished file is sent; within a file, a few updates a second.
            let due = last.get().is_none_or(|(at, files)| files != p.files_done || at.elapsed() >= PROGRESS_EVERY);
            if due {
                last.set(Some((Instant::now(), p.files_done)));
                // A window closed mid-import has no one to tell; the import goes on.
                let _ = on_progress.send(p.clone());
            }
        };
        d.import_evidence(id, &PathBuf::from(dir.trim()), &options, &report, &cancel)
    })
    .await
}

/// Stops the import under way after the file being read (which leaves nothing behind).
#[tauri::command]
pub fn cancel_import(state: State<'_, AppState>) {
    state.import_cancel.store(true, Ordering::Relaxed);
}

/// An inspection's files, recorder checks and timeline with its gaps.
#[tauri::command]
pub async fn inspection_evidence(state: State<'_, AppState>, id: String) -> CommandResult<InspectionEvidence> {
    let id: InspectionId = parse(&id)?;
    on_device(state, move |d| d.inspection_evidence(id)).await
}

/// A photo's thumbnail as JPEG bytes (an `ArrayBuffer` on the window's side).
#[tauri::command]
pub async fn evidence_thumbnail(state: State<'_, AppState>, id: String) -> CommandResult<Response> {
    let id: EvidenceId = parse(&id)?;
    let jpeg = on_device(state, move |d| d.evidence_thumbnail(id, THUMBNAIL_SIDE)).await?;
    Ok(Response::new(jpeg))
}

/// Writes why nothing was recorded in one gap of a draft's timeline.
#[tauri::command]
pub async fn set_gap_reason(
    state: State<'_, AppState>,
    id: String,
    gap_id: String,
    reason: String,
) -> CommandResult<Gap> {
    let id: InspectionId = parse(&id)?;
    on_device(state, move |d| d.set_gap_reason(id, &gap_id, &reason)).await
}

/// Records the check of a body-cam before the inspection: its clock, battery and storage.
#[tauri::command]
pub async fn record_recorder_check(
    state: State<'_, AppState>,
    id: String,
    recorder_id: String,
    shows: DateTime<Utc>,
    battery_percent: Option<u8>,
    storage_free_mb: Option<u64>,
) -> CommandResult<RecorderCheck> {
    let inspection_id: InspectionId = parse(&id)?;
    let check = NewRecorderCheck { inspection_id, recorder_id, shows, battery_percent, storage_free_mb };
    on_device(state, move |d| d.record_recorder_check(check)).await
}
