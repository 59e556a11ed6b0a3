//! The uploads panel's commands: every evidence file's way to the bureau, to "safe to delete
//! from the recorder", and pause and resume. The sync agent does the sending.

use fieldcase_core::ids::EvidenceId;
use fieldcase_device::uploads::{UploadCounts, UploadItem};
use tauri::State;

use super::{CommandResult, on_device, parse};
use crate::AppState;

/// Every evidence file's upload, with the rate and time left of the one being sent.
#[tauri::command]
pub async fn upload_status(state: State<'_, AppState>) -> CommandResult<Vec<UploadItem>> {
    on_device(state, |d| d.upload_status()).await
}

/// How many files stand where, for home.
#[tauri::command]
pub async fn upload_counts(state: State<'_, AppState>) -> CommandResult<UploadCounts> {
    on_device(state, |d| d.upload_counts()).await
}

/// Pauses one file's upload (`id`), or every file's; says how many were paused.
#[tauri::command]
pub async fn pause_uploads(state: State<'_, AppState>, id: Option<String>) -> CommandResult<u32> {
    let id: Option<EvidenceId> = id.as_deref().map(parse).transpose()?;
    on_device(state, move |d| d.set_uploads_paused(id, true)).await
}

/// Resumes one file's upload, or every file's, and asks the agent to send now.
#[tauri::command]
pub async fn resume_uploads(state: State<'_, AppState>, id: Option<String>) -> CommandResult<u32> {
    let id: Option<EvidenceId> = id.as_deref().map(parse).transpose()?;
    let agent = state.agent.clone();
    let resumed = on_device(state, move |d| d.set_uploads_paused(id, false)).await?;
    if let Some(agent) = agent {
        agent.nudge();
    }
    Ok(resumed)
}
