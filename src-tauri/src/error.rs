//! The one error shape that crosses the IPC boundary: the UI switches on `code` (a typed
//! [`ErrorCode`], the same one the TypeScript side imports) and shows `message`, which is
//! written for the officer.

use serde::Serialize;
use ts_rs::TS;

use fieldcase_core::ErrorCode;
use fieldcase_device::DeviceError;
use fieldcase_device::sync::SyncError;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<DeviceError> for CommandError {
    fn from(e: DeviceError) -> Self {
        CommandError { code: e.code(), message: e.to_string() }
    }
}

impl From<SyncError> for CommandError {
    fn from(e: SyncError) -> Self {
        CommandError { code: e.code(), message: e.to_string() }
    }
}

impl CommandError {
    pub fn invalid(message: impl Into<String>) -> Self {
        CommandError { code: ErrorCode::InvalidInput, message: message.into() }
    }
}
