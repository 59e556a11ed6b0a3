//! How results and failures reach the terminal.

use serde::Serialize;

use fieldcase_core::ErrorCode;
use fieldcase_device::DeviceError;

/// A failed command: its exit code, a stable error code and the officer's message.
#[derive(Debug)]
pub struct Failure {
    pub exit: u8,
    pub code: ErrorCode,
    pub message: String,
}

impl Failure {
    pub fn report(&self, json: bool) {
        if json {
            let body = serde_json::json!({ "code": self.code, "message": self.message });
            eprintln!("{body}");
        } else {
            eprintln!("error: {}", self.message);
        }
    }
}

impl Failure {
    /// A value given on the command line is not well formed; `e` says which and how to write it.
    pub fn invalid(e: impl std::fmt::Display) -> Self {
        Failure { exit: 1, code: ErrorCode::InvalidInput, message: e.to_string() }
    }
}

impl From<DeviceError> for Failure {
    fn from(e: DeviceError) -> Self {
        let exit = match e {
            DeviceError::Rule(_) => 3,
            _ => 1,
        };
        Failure { exit, code: e.code(), message: e.to_string() }
    }
}

/// Prints `value` as JSON, or the text `human` gives.
pub fn print<T: Serialize>(json: bool, value: &T, human: impl FnOnce(&T) -> String) {
    use std::io::Write;
    let text =
        if json { serde_json::to_string_pretty(value).expect("results serialize to JSON") } else { human(value) };
    if !text.is_empty() {
        // A reader that stopped reading (`| head`) is not an error of this command: what it
        // did is already stored.
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }
}
