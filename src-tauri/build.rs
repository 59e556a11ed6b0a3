fn main() {
    // Declaring the app's commands makes each one a permission that a capability must grant:
    // the window may call exactly what capabilities/main.json lists.
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&[
        "app_info",
        "list_inspections",
        "get_inspection",
        "list_sites",
        "list_templates",
        "create_inspection",
        "answer_item",
        "sync_status",
        "sync_now",
        "current_officer",
        "sign_in",
        "sign_out",
        "registry_status",
        "check_certificate",
        "check_certificate_image",
        "finalize_inspection",
        "import_evidence",
        "cancel_import",
        "inspection_evidence",
        "evidence_thumbnail",
        "set_gap_reason",
        "record_recorder_check",
        "upload_status",
        "pause_uploads",
        "resume_uploads",
        "list_records",
        "review_inspection",
        "check_uscc",
        "add_site",
        "inspection_history",
        "record_sheet",
        "export_record_pdf",
    ])))
    .expect("the Tauri build step succeeds");
}
