// No console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    fieldcase_desktop::run(tauri::Builder::default(), tauri::generate_context!());
}
