//! Where the device reads the time. Business rules never read the clock themselves: the
//! device passes them the instant from its `Clock`, so tests can run at any time.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use fieldcase_core::time::record_instant;

pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now, in the precision records keep.
    fn now(&self) -> DateTime<Utc>;
}

/// The laptop's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        record_instant(Utc::now())
    }
}

/// A clock that stands still until moved; for tests and reproducible demo data.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(record_instant(at)))
    }

    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}
