//! How many of the machine's cores were busy over a stretch of time, from the kernel's
//! counters (`/proc/stat`): every process counts, the bureau's, PostgreSQL's and this one's.
//! On a virtual machine the host may also take the cores' time for others ("steal"): that
//! is counted apart, as neither busy nor free, since a run it weighs on cannot be compared
//! with one it did not.

use anyhow::{Context, Result};

/// The machine's busy, stolen and total time since boot, in clock ticks summed over its cores.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CpuMeter {
    busy: u64,
    stolen: u64,
    total: u64,
}

/// The cores on average over a stretch of time, out of [`cores`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Usage {
    /// Running this machine's processes.
    pub(crate) busy: f64,
    /// Taken by the host for other machines.
    pub(crate) stolen: f64,
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
        let (idle, stolen) = (ticks[3] + ticks[4], ticks[7]);
        Ok(CpuMeter { busy: total - idle - stolen, stolen, total })
    }

    /// The cores busy and stolen on average since `self`.
    pub(crate) fn usage(&self) -> Result<Usage> {
        let now = CpuMeter::start()?;
        let total = now.total.saturating_sub(self.total).max(1) as f64;
        let cores = |ticks: u64| ticks as f64 / total * cores() as f64;
        Ok(Usage {
            busy: cores(now.busy.saturating_sub(self.busy)),
            stolen: cores(now.stolen.saturating_sub(self.stolen)),
        })
    }
}

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.2} of {} cores busy", self.busy, cores())?;
        if self.stolen >= 0.005 {
            write!(f, ", {:.2} taken by the host", self.stolen)?;
        }
        Ok(())
    }
}

/// The cores this machine has.
pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The host taking more than this many cores during a measurement makes it not comparable
/// with one it left alone: on these machines it has taken up to 0.9 of 2 for seconds on end.
/// A few hundredths of a core are usual even on a quiet host; a round of the push benches
/// once went from 2 s to 4 s with 0.8 taken. An eighth of this machine marks a host busy
/// elsewhere without retaking every round for the usual few hundredths.
const DISTURBED: f64 = 0.25;
/// Tries of a measurement before the least disturbed is kept.
const TRIES: usize = 4;

/// Runs `measure` again while the host takes more than [`DISTURBED`] cores meanwhile, up to
/// [`TRIES`] times in all, and gives the first undisturbed result, or else the least
/// disturbed. Says on standard error what was measured again, so a reader sees why a run
/// took longer.
pub(crate) fn undisturbed<T>(what: &str, mut measure: impl FnMut() -> Result<T>) -> Result<T> {
    let mut least: Option<(f64, T)> = None;
    for _ in 0..TRIES {
        let meter = CpuMeter::start()?;
        let value = measure()?;
        let stolen = meter.usage()?.stolen;
        if stolen < DISTURBED {
            return Ok(value);
        }
        eprintln!("({what}: the host took {stolen:.2} cores meanwhile; measuring it again)");
        if least.as_ref().is_none_or(|(fewest, _)| stolen < *fewest) {
            least = Some((stolen, value));
        }
    }
    let (stolen, value) = least.context("a measurement is tried at least once")?;
    eprintln!("({what}: kept the try the host took least from, {stolen:.2} cores)");
    Ok(value)
}
