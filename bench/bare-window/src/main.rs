//! A bare Tauri window with a static page: what `first_screen` in `make bench` measures the
//! desktop app's start against. The page tells the app once it is painted, as the desktop
//! app's window does, and the time since start goes to standard error in the same words.

use std::time::Instant;

#[tauri::command]
fn first_screen_drawn(started: tauri::State<'_, Instant>) {
    eprintln!("fieldcase: first screen drawn {} ms after start", started.elapsed().as_millis());
}

fn main() {
    tauri::Builder::default()
        .manage(Instant::now())
        .invoke_handler(tauri::generate_handler![first_screen_drawn])
        .run(tauri::generate_context!())
        .expect("the bare window runs");
}
