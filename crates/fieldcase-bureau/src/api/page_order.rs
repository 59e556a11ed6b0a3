//! The order of one device's push pages.
//!
//! A device may send its next page before the answer to the last one comes back, so that the
//! bureau does not sit idle while an answer travels and the next page arrives. Such a page
//! names the page it follows (`after`), and is stored only once that one is: a device's
//! audit chain must arrive in order. Its items are examined meanwhile.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::DeviceId;

use super::ApiError;

/// How long a page waits for the one it follows.
const WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Default)]
pub struct PageOrder {
    /// Each device's last page: the hash of its items, and whether it was stored.
    last: Mutex<HashMap<DeviceId, (ContentHash, bool)>>,
    changed: Notify,
}

impl PageOrder {
    /// Waits until the device's page `after` is stored. Refused at once if that page failed,
    /// and after a while if it never comes (the bureau restarted, or it was never sent).
    pub async fn wait_for(&self, device: DeviceId, after: ContentHash) -> Result<(), ApiError> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            // Registered before looking, so a page settled in between is not missed.
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let settled = match self.last.lock() {
                Ok(last) => last.get(&device).copied(),
                Err(_) => return Err(ApiError::Internal("the page order lock was poisoned".into())),
            };
            match settled {
                Some((hash, true)) if hash == after => return Ok(()),
                Some((hash, false)) if hash == after => {
                    return Err(ApiError::OutOfOrder(format!(
                        "the page this one follows ({after}) was not stored, so this one was not either; push again from that page"
                    )));
                }
                _ => {}
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return Err(ApiError::OutOfOrder(format!(
                    "the page this one follows ({after}) did not reach the bureau within {} s; nothing of this page was stored, push again from that page",
                    WAIT.as_secs()
                )));
            }
        }
    }

    /// Records how the device's page `page` ended, and wakes the pages waiting on it.
    pub fn settle(&self, device: DeviceId, page: ContentHash, stored: bool) {
        if let Ok(mut last) = self.last.lock() {
            last.insert(device, (page, stored));
        }
        self.changed.notify_waiters();
    }
}
