//! The one error shape that crosses the IPC boundary: the UI switches on `code` and shows
//! `message`, which is written for the officer.

use serde::Serialize;
use ts_rs::TS;

use fieldcase_device::DeviceError;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

impl From<DeviceError> for CommandError {
    fn from(e: DeviceError) -> Self {
        CommandError { code: e.code().to_owned(), message: e.to_string() }
    }
}

impl CommandError {
    pub fn invalid(message: impl Into<String>) -> Self {
        CommandError { code: "invalid_input".into(), message: message.into() }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        CommandError { code: "internal".into(), message: message.into() }
    }
}
