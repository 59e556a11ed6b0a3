//! The read-only view's history and custody, and the on-site inspection record: the page
//! the window prints and the PDF the device writes.

use std::path::PathBuf;

use fieldcase_core::ids::InspectionId;
use fieldcase_device::InspectionHistory;
use fieldcase_device::record::RecordSheet;
use fieldcase_device::record::pdf::{ExportedPdf, RecordLang};
use tauri::State;

use super::{CommandResult, on_device, parse};
use crate::{AppState, CommandError};

/// Every audit entry about an inspection, and each of its files' chain of custody.
#[tauri::command]
pub async fn inspection_history(state: State<'_, AppState>, id: String) -> CommandResult<InspectionHistory> {
    let id: InspectionId = parse(&id)?;
    on_device(state, move |d| d.inspection_history(id)).await
}

/// What the record of a finalized inspection shows; a draft is refused.
#[tauri::command]
pub async fn record_sheet(state: State<'_, AppState>, id: String) -> CommandResult<RecordSheet> {
    let id: InspectionId = parse(&id)?;
    on_device(state, move |d| d.record_sheet(id)).await
}

/// Writes the record as a PDF where the officer chose (`path`), else into the data
/// directory's `exports/`; answers where it went.
#[tauri::command]
pub async fn export_record_pdf(
    state: State<'_, AppState>,
    id: String,
    lang: String,
    path: Option<String>,
) -> CommandResult<ExportedPdf> {
    let id: InspectionId = parse(&id)?;
    let lang = RecordLang::parse(&lang)
        .ok_or_else(|| CommandError::invalid(format!("'{lang}' is not a language of the record: zh-CN or en")))?;
    let out = path.map(|p| PathBuf::from(p.trim())).filter(|p| !p.as_os_str().is_empty());
    on_device(state, move |d| d.export_record_pdf(id, lang, out)).await
}
