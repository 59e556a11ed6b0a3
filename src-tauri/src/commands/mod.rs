//! The window's commands: each parses its arguments and calls the device off the UI thread.

use std::str::FromStr;

use fieldcase_core::checklist::ChecklistTemplate;
use fieldcase_core::ids::{IdParseError, InspectionId, SiteId};
use fieldcase_core::site::Site;
use fieldcase_device::sync::SyncStatus;
use fieldcase_device::{AppInfo, Device, DeviceError, InspectionDetail, InspectionSummary};
use tauri::State;

use crate::{AppState, CommandError};

type CommandResult<T> = Result<T, CommandError>;

/// Runs `f` on the device in a blocking thread: SQLite must not stall the window.
async fn on_device<T: Send + 'static>(
    state: State<'_, AppState>,
    f: impl FnOnce(&mut Device) -> Result<T, DeviceError> + Send + 'static,
) -> CommandResult<T> {
    let device = state.device.clone()?;
    tauri::async_runtime::spawn_blocking(move || {
        let mut device = device.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut device).map_err(CommandError::from)
    })
    .await
    .map_err(|e| CommandError::internal(format!("the device task stopped: {e}")))?
}

fn parse<T: FromStr<Err = IdParseError>>(text: &str) -> CommandResult<T> {
    text.parse().map_err(|e: IdParseError| CommandError::invalid(e.to_string()))
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> CommandResult<AppInfo> {
    on_device(state, |d| Ok(d.info())).await
}

#[tauri::command]
pub async fn list_inspections(state: State<'_, AppState>) -> CommandResult<Vec<InspectionSummary>> {
    on_device(state, |d| d.inspections()).await
}

#[tauri::command]
pub async fn get_inspection(state: State<'_, AppState>, id: String) -> CommandResult<InspectionDetail> {
    let id: InspectionId = parse(&id)?;
    on_device(state, move |d| d.inspection_detail(id)).await
}

#[tauri::command]
pub async fn list_sites(state: State<'_, AppState>) -> CommandResult<Vec<Site>> {
    on_device(state, |d| d.sites()).await
}

#[tauri::command]
pub async fn list_templates(state: State<'_, AppState>) -> CommandResult<Vec<ChecklistTemplate>> {
    on_device(state, |d| d.templates()).await
}

#[tauri::command]
pub async fn create_inspection(
    state: State<'_, AppState>,
    site_id: String,
    template_id: Option<String>,
    location: Option<String>,
) -> CommandResult<InspectionSummary> {
    let site_id: SiteId = parse(&site_id)?;
    on_device(state, move |d| {
        let draft = d.new_inspection(site_id, template_id.as_deref(), location)?;
        Ok(d.inspection_detail(draft.id)?.summary)
    })
    .await
}

#[tauri::command]
pub async fn answer_item(state: State<'_, AppState>, id: String, item_id: String, value: String) -> CommandResult<InspectionDetail> {
    let id: InspectionId = parse(&id)?;
    on_device(state, move |d| {
        d.answer(id, &item_id, &value)?;
        d.inspection_detail(id)
    })
    .await
}

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> CommandResult<SyncStatus> {
    match &state.agent {
        Some(agent) => Ok(agent.subscribe().borrow().clone()),
        None => on_device(state, |d| d.sync_status()).await,
    }
}

/// Syncs now rather than at the next interval (the officer pressed "sync now").
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> CommandResult<()> {
    if let Some(agent) = &state.agent {
        agent.nudge();
    }
    Ok(())
}
