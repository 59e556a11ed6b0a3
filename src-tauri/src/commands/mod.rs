//! The window's commands: each parses its arguments and calls the device off the UI thread.

use std::str::FromStr;

use fieldcase_core::checklist::ChecklistTemplate;
use fieldcase_core::ids::{IdParseError, InspectionId, SiteId};
use fieldcase_core::inspection::Outcome;
use fieldcase_core::site::Site;
use fieldcase_device::registry::{CheckInput, CheckReport, RegistryStatus};
use fieldcase_device::sync::SyncStatus;
use fieldcase_device::{AppInfo, Device, DeviceError, HomeOverview, InspectionDetail, InspectionSummary, SignedIn};
use tauri::State;

use crate::{AppState, CommandError};

pub mod checklist;
pub mod evidence;
pub mod print;
pub mod records;
pub mod settings;
pub mod uploads;

type CommandResult<T> = Result<T, CommandError>;

/// Runs `f` on the device in a blocking thread: SQLite must not stall the window.
async fn on_device<T: Send + 'static>(
    state: State<'_, AppState>,
    f: impl FnOnce(&mut Device) -> Result<T, DeviceError> + Send + 'static,
) -> CommandResult<T> {
    Ok(state.device.clone()?.run(f).await?)
}

fn parse<T: FromStr<Err = IdParseError>>(text: &str) -> CommandResult<T> {
    text.parse().map_err(|e: IdParseError| CommandError::invalid(e.to_string()))
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> CommandResult<AppInfo> {
    on_device(state, |d| Ok(d.info())).await
}

/// The window says its first screen is drawn (its records shown, then painted): the time since
/// the app started goes to standard error, where `make bench` reads it (`first_screen`) and an
/// administrator can see a slow start.
#[tauri::command]
pub fn first_screen_drawn(state: State<'_, AppState>) {
    eprintln!("fieldcase: first screen drawn {} ms after start", state.started.elapsed().as_millis());
}

/// Home's overview of the day: a few dozen lines, however many inspections the laptop holds.
#[tauri::command]
pub async fn home_overview(state: State<'_, AppState>) -> CommandResult<HomeOverview> {
    on_device(state, |d| d.home()).await
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
pub async fn answer_item(
    state: State<'_, AppState>,
    id: String,
    item_id: String,
    value: String,
) -> CommandResult<InspectionDetail> {
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

#[tauri::command]
pub async fn current_officer(state: State<'_, AppState>) -> CommandResult<Option<SignedIn>> {
    on_device(state, |d| Ok(d.signed_in()?.as_ref().map(SignedIn::from))).await
}

#[tauri::command]
pub async fn sign_in(state: State<'_, AppState>, officer_id: String, pin: String) -> CommandResult<SignedIn> {
    on_device(state, move |d| Ok(SignedIn::from(&d.sign_in(&officer_id, &pin)?))).await
}

#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>) -> CommandResult<()> {
    on_device(state, |d| d.sign_out()).await
}

#[tauri::command]
pub async fn registry_status(state: State<'_, AppState>) -> CommandResult<RegistryStatus> {
    on_device(state, |d| d.registry_status()).await
}

/// Checks a certificate from what was typed or scanned into the field.
#[tauri::command]
pub async fn check_certificate(
    state: State<'_, AppState>,
    inspection_id: Option<String>,
    text: String,
    scanned: bool,
) -> CommandResult<CheckReport> {
    let inspection = inspection_id.as_deref().map(parse).transpose()?;
    on_device(state, move |d| d.check_certificate(CheckInput::Text { text, scanned }, inspection)).await
}

/// Checks a certificate from a photo or screenshot of its QR code. The photo is decoded
/// before the device is taken, so the sync agent and the window's other calls do not wait on it.
#[tauri::command]
pub async fn check_certificate_image(
    state: State<'_, AppState>,
    inspection_id: Option<String>,
    image: Vec<u8>,
) -> CommandResult<CheckReport> {
    let inspection = inspection_id.as_deref().map(parse).transpose()?;
    let text = fieldcase_device::qr::decode_qr_image_async(image).await?;
    on_device(state, move |d| d.check_certificate(CheckInput::QrImage(text), inspection)).await
}

/// Seals a draft; the sync agent is asked to send it at once.
#[tauri::command]
pub async fn finalize_inspection(
    state: State<'_, AppState>,
    id: String,
    outcome: Option<Outcome>,
) -> CommandResult<InspectionDetail> {
    let id: InspectionId = parse(&id)?;
    let agent = state.agent.clone();
    let detail = on_device(state, move |d| {
        d.finalize(id, outcome)?;
        d.inspection_detail(id)
    })
    .await?;
    if let Some(agent) = agent {
        agent.nudge();
    }
    Ok(detail)
}
