//! How many of the machine's cores were busy over a stretch of time, from the kernel's
//! counters (`/proc/stat`): every process counts, the bureau's, PostgreSQL's and this one's.

use anyhow::{Context, Result};

/// The machine's busy and total time since boot, in clock ticks summed over its cores.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CpuMeter {
    busy: u64,
    total: u64,
}

impl CpuMeter {
    pub(crate) fn start() -> Result<Self> {
        let stat = std::fs::read_to_string("/proc/stat").context("reading /proc/stat for the busy cores")?;
        let line = stat.lines().next().context("/proc/stat is empty")?;
        // cpu  user nice system idle iowait irq softirq steal guest guest_nice
        let ticks: Vec<u64> = line.split_whitespace().skip(1).filter_map(|t| t.parse().ok()).collect();
        anyhow::ensure!(ticks.len() >= 8, "/proc/stat's first line is not the machine's time: {line}");
        // Guest time is counted in user time already.
        let total: u64 = ticks.iter().take(8).sum();
        let idle = ticks[3] + ticks[4];
        Ok(CpuMeter { busy: total - idle, total })
    }

    /// The cores busy on average since `self`, out of [`cores`].
    pub(crate) fn busy_cores(&self) -> Result<f64> {
        let now = CpuMeter::start()?;
        let total = now.total.saturating_sub(self.total).max(1);
        Ok(now.busy.saturating_sub(self.busy) as f64 / total as f64 * cores() as f64)
    }
}

/// The cores this machine has.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}
