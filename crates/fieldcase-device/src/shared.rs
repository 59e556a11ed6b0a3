//! One device shared by the window (or the command line) and the sync agent, with every call
//! run on a blocking thread: SQLite and hashing must never stall the async runtime.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::{Device, DeviceError, Result};

/// The device behind a lock, cheap to clone.
#[derive(Debug, Clone)]
pub struct SharedDevice(Arc<Mutex<Device>>);

impl SharedDevice {
    pub fn new(device: Device) -> Self {
        SharedDevice(Arc::new(Mutex::new(device)))
    }

    /// Runs `f` on the device on a blocking thread of the runtime.
    pub async fn run<T: Send + 'static>(&self, f: impl FnOnce(&mut Device) -> Result<T> + Send + 'static) -> Result<T> {
        let device = self.clone();
        tokio::task::spawn_blocking(move || f(&mut device.lock()))
            .await
            .map_err(|e| DeviceError::Storage(format!("the device task stopped: {e}")))?
    }

    /// The device itself, for a caller already on a blocking thread. A panic in an earlier
    /// call does not make the device unusable: every change it made was one transaction,
    /// committed whole or not at all.
    pub fn lock(&self) -> MutexGuard<'_, Device> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
