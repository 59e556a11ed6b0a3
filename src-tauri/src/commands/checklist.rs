//! A draft's checklist beyond its answers: a note on an item, a finding raised from an item
//! answered "no" and withdrawn. Each answers with the inspection as it now stands, as
//! `answer_item` does.

use fieldcase_core::ids::InspectionId;
use fieldcase_device::InspectionDetail;
use tauri::State;

use super::{CommandResult, on_device, parse};
use crate::AppState;

/// Writes the officer's note on an item; an empty note removes it.
#[tauri::command]
pub async fn set_item_note(
    state: State<'_, AppState>,
    id: String,
    item_id: String,
    note: String,
) -> CommandResult<InspectionDetail> {
    let id: InspectionId = parse(&id)?;
    on_device(state, move |d| {
        d.set_item_note(id, &item_id, &note)?;
        d.inspection_detail(id)
    })
    .await
}

/// Raises a finding from an item answered "no" (or rewords the one raised), with the item's
/// legal basis.
#[tauri::command]
pub async fn raise_finding(
    state: State<'_, AppState>,
    id: String,
    item_id: String,
    description: String,
) -> CommandResult<InspectionDetail> {
    let id: InspectionId = parse(&id)?;
    on_device(state, move |d| {
        d.raise_finding(id, &item_id, &description)?;
        d.inspection_detail(id)
    })
    .await
}

/// Withdraws the finding raised from an item whose answer stays "no".
#[tauri::command]
pub async fn withdraw_finding(
    state: State<'_, AppState>,
    id: String,
    item_id: String,
) -> CommandResult<InspectionDetail> {
    let id: InspectionId = parse(&id)?;
    on_device(state, move |d| {
        d.withdraw_finding(id, &item_id)?;
        d.inspection_detail(id)
    })
    .await
}
