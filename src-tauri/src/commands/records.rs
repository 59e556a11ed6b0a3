//! The records list, the review before finalizing, and the sites an inspection begins at.

use fieldcase_core::ids::InspectionId;
use fieldcase_core::inspection::Outcome;
use fieldcase_core::rules::RuleViolation;
use fieldcase_core::site::{NewSite, Site};
use fieldcase_device::records::{RecordFilter, RecordRow};
use fieldcase_device::sites::UsccCheck;
use tauri::State;

use super::{CommandResult, on_device, parse};
use crate::AppState;

/// The inspections matching the records screen's filters, newest first.
#[tauri::command]
pub async fn list_records(state: State<'_, AppState>, filter: RecordFilter) -> CommandResult<Vec<RecordRow>> {
    on_device(state, move |d| d.records(&filter)).await
}

/// What would refuse finalizing the draft now with this outcome; empty when it can be sealed.
#[tauri::command]
pub async fn review_inspection(
    state: State<'_, AppState>,
    id: String,
    outcome: Option<Outcome>,
) -> CommandResult<Vec<RuleViolation>> {
    let id: InspectionId = parse(&id)?;
    on_device(state, move |d| d.review(id, outcome)).await
}

/// Checks a credit code as typed; pure, so the device is not taken for it.
#[tauri::command]
pub async fn check_uscc(text: String) -> CommandResult<UsccCheck> {
    Ok(UsccCheck::of(&text))
}

/// Records a new site as the officer entered it.
#[tauri::command]
pub async fn add_site(state: State<'_, AppState>, site: NewSite) -> CommandResult<Site> {
    on_device(state, move |d| d.add_site(site)).await
}
