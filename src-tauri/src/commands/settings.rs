//! The settings screen's commands: the bureau's address and the enrollment, the language,
//! how long a sign-in lasts, and what the evidence vault holds.

use fieldcase_device::evidence::{self, VaultUsage};
use fieldcase_device::preferences::{Language, SettingsView};
use fieldcase_device::sync::{self, BureauUrlCheck, Transport};
use fieldcase_device::{DeviceError, VAULT_DIR};
use tauri::State;

use super::{CommandResult, on_device};
use crate::{AppState, CommandError};

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> CommandResult<SettingsView> {
    on_device(state, |d| d.settings()).await
}

/// Checks a bureau address as typed, by the rules of this laptop's enrollment (or, before
/// one, of an enrollment from the window: https://, or http:// to this machine).
#[tauri::command]
pub async fn check_bureau_url(state: State<'_, AppState>, text: String) -> CommandResult<BureauUrlCheck> {
    on_device(state, move |d| {
        let transport = d.enrollment()?.as_ref().map(Transport::of_enrollment).unwrap_or_default();
        Ok(BureauUrlCheck::of(&text, &transport))
    })
    .await
}

/// Moves the enrollment to another address of the same bureau; the agent syncs there now.
#[tauri::command]
pub async fn set_bureau_url(state: State<'_, AppState>, url: String) -> CommandResult<SettingsView> {
    let agent = state.agent.clone();
    let settings = on_device(state, move |d| {
        d.set_bureau_url(&url)?;
        d.settings()
    })
    .await?;
    if let Some(agent) = agent {
        agent.refresh().await;
        agent.nudge();
    }
    Ok(settings)
}

/// Enrolls this laptop with a bureau, with a one-time code from its administrator; the agent
/// then syncs at once (bringing the registry, so that officers can sign in).
#[tauri::command]
pub async fn enroll_device(
    state: State<'_, AppState>,
    bureau_url: String,
    code: String,
) -> CommandResult<SettingsView> {
    let device = state.device.clone()?;
    sync::enroll(&device, &bureau_url, Transport::default(), code.trim(), None).await?;
    if let Some(agent) = &state.agent {
        agent.refresh().await;
        agent.nudge();
    }
    Ok(device.run(|d| d.settings()).await?)
}

/// Sets how long a sign-in lasts (a signed-in officer only); it applies to the sign-in under way too.
#[tauri::command]
pub async fn set_session_hours(state: State<'_, AppState>, hours: u32) -> CommandResult<SettingsView> {
    on_device(state, move |d| {
        d.set_session_hours(hours)?;
        d.settings()
    })
    .await
}

/// Keeps the window's language for the next start.
#[tauri::command]
pub async fn set_language(state: State<'_, AppState>, language: Language) -> CommandResult<()> {
    on_device(state, move |d| d.set_language(language)).await
}

/// What the evidence vault holds and the room left on its disk. Measured without holding the
/// device, so syncing and the window's other calls do not wait on a walk of the vault.
#[tauri::command]
pub async fn vault_usage(state: State<'_, AppState>) -> CommandResult<VaultUsage> {
    let root = on_device(state, |d| Ok(d.data_dir().join(VAULT_DIR))).await?;
    tauri::async_runtime::spawn_blocking(move || {
        evidence::vault_usage(&root)
            .map_err(|e| DeviceError::Io { path: root, detail: format!("{e}; the evidence vault cannot be read") })
    })
    .await
    .map_err(|e| CommandError::from(DeviceError::Storage(format!("the vault measure stopped: {e}"))))?
    .map_err(CommandError::from)
}
