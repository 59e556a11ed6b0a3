//! Where the device reads the time. Business rules never read the clock themselves: the
//! device passes them the instant from its `Clock`, so tests can run at any time.
//!
//! Two clocks: the wall clock (which an officer can set, forward or back) and the time since
//! the laptop booted (which only moves forward, and only resets with a reboot). A sign-in
//! lockout holds on both, so setting the clock forward does not end it.

use std::sync::Mutex;
use std::time::Duration as Elapsed;

use chrono::{DateTime, Duration, Utc};
use fieldcase_core::time::record_instant;

/// How long the laptop has been up, in which boot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinceBoot {
    /// Changes at every boot (Linux: `/proc/sys/kernel/random/boot_id`).
    pub boot_id: String,
    pub elapsed: Elapsed,
}

pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now, in the precision records keep.
    fn now(&self) -> DateTime<Utc>;

    /// The time since boot; None where the system does not tell it.
    fn since_boot(&self) -> Option<SinceBoot>;
}

/// The laptop's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        record_instant(Utc::now())
    }

    fn since_boot(&self) -> Option<SinceBoot> {
        // /proc/uptime counts suspended time too (CLOCK_BOOTTIME): a laptop closed for the
        // night has still been locked out for the night.
        let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
        let seconds: f64 = uptime.split_whitespace().next()?.parse().ok()?;
        let boot_id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
        Some(SinceBoot { boot_id: boot_id.trim().to_owned(), elapsed: Elapsed::from_secs_f64(seconds) })
    }
}

/// A clock that stands still until moved; for tests and reproducible demo data. Its wall
/// clock can also be set on its own, as an officer would set the laptop's.
#[derive(Debug)]
pub struct ManualClock(Mutex<(DateTime<Utc>, Elapsed)>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new((record_instant(at), Elapsed::from_secs(60))))
    }

    /// Time passes: both clocks move on.
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        t.0 += by;
        t.1 += by.to_std().unwrap_or_default();
    }

    /// The wall clock is set (forward or back); the time since boot does not move.
    pub fn set_wall_clock(&self, by: Duration) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).0 += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).0
    }

    fn since_boot(&self) -> Option<SinceBoot> {
        let elapsed = self.0.lock().unwrap_or_else(|p| p.into_inner()).1;
        Some(SinceBoot { boot_id: "manual".into(), elapsed })
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }

    fn since_boot(&self) -> Option<SinceBoot> {
        (**self).since_boot()
    }
}
