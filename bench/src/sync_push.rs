//! Issue target: push 10,000 finalized inspections (10 answers and 2 certificate checks
//! each) from one device to a local bureau: at least 5,000 inspections/s end to end, the
//! bureau under 200 MB at its peak, and at least 0.3 of the rate of inserting the same rows
//! straight into one SQLite file in one transaction.

use std::path::Path;
use std::time::Instant;

use anyhow::{Result, bail};
use fieldcase_core::wire::PushItem;
use fieldcase_device::sync;
use fieldcase_device::{Device, OpenMode};

use crate::cpu::{CpuMeter, Usage, undisturbed};
use crate::prepared::{Enrolled, prepared_pair};
use crate::report::{Figure, results_dir};

const INSPECTIONS: usize = 10_000;

pub fn run() -> Result<()> {
    let work = results_dir().join("work");
    let template = prepared_pair(&work, INSPECTIONS)?;

    // The machine's own noise moves one run by a tenth either way: each side is measured
    // in several rounds, taken in turns, and the median of each is compared.
    let mut pushes = Rounds::default();
    let mut references = Vec::with_capacity(ROUNDS);
    for round in 1..=ROUNDS {
        let pushed = undisturbed("the push", || push_once(&work, &template, None))?;
        eprintln!(
            "(round {round}: {} items pushed in {:.2} s, bureau peak {:.1} MB, {})",
            pushed.items, pushed.seconds, pushed.peak_mb, pushed.cpu
        );
        pushes.keep(INSPECTIONS, &pushed);
        references.push(undisturbed("the straight insert", || {
            let tmp = tempfile::tempdir_in(&work)?;
            straight_sqlite_rate(&template.join("device"), &tmp.path().join("reference.db"))
        })?);
    }
    let (rate, reference) = (pushes.rate(), median(references));
    Figure {
        name: "push_10k_inspections",
        value: rate,
        unit: "inspections/s",
        reference_name: "sqlite_one_transaction",
        reference,
        reference_unit: "inspections/s",
        target: format!(">= 5000 inspections/s and ratio >= 0.45 (medians of {ROUNDS} rounds)"),
        met: rate >= 5000.0 && rate / reference >= 0.45,
    }
    .emit()?;
    Figure {
        name: "bureau_peak_memory_push_10k",
        value: pushes.peak_mb,
        unit: "MB",
        reference_name: "ceiling",
        reference: 200.0,
        reference_unit: "MB",
        target: format!("< 200 MB (the highest of {ROUNDS} rounds)"),
        met: pushes.peak_mb < 200.0,
    }
    .emit()?;
    Ok(())
}

/// Rounds of each measurement.
const ROUNDS: usize = 3;

pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// What the rounds of one measurement gave: each round's rate and the cores busy and stolen
/// meanwhile, and the highest peak memory of any.
#[derive(Debug, Default)]
pub(crate) struct Rounds {
    rates: Vec<f64>,
    busy: Vec<f64>,
    stolen: Vec<f64>,
    pub(crate) peak_mb: f64,
}

impl Rounds {
    /// Keeps a round that carried `inspections` in `pushed`.
    pub(crate) fn keep(&mut self, inspections: usize, pushed: &Pushed) {
        self.rates.push(inspections as f64 / pushed.seconds);
        self.busy.push(pushed.cpu.busy);
        self.stolen.push(pushed.cpu.stolen);
        self.peak_mb = self.peak_mb.max(pushed.peak_mb);
    }

    /// The median rate, inspections/s.
    pub(crate) fn rate(&self) -> f64 {
        median(self.rates.clone())
    }

    /// The medians of the machine's cores busy and taken by the host.
    pub(crate) fn cpu(&self) -> Usage {
        Usage { busy: median(self.busy.clone()), stolen: median(self.stolen.clone()) }
    }
}

pub(crate) struct Pushed {
    pub(crate) items: usize,
    pub(crate) seconds: f64,
    pub(crate) peak_mb: f64,
    /// The machine's cores busy and stolen on average while it pushed (see [`CpuMeter`]).
    pub(crate) cpu: Usage,
}

/// One push of a fresh copy of the prepared device to a fresh copy of its bureau, end to end
/// (the bureau's records in `database_url`, a fresh copy of the prepared ones, when given).
pub(crate) fn push_once(work: &Path, template: &Path, database_url: Option<&str>) -> Result<Pushed> {
    let Enrolled { mut bureau, device, runtime, _tmp } = Enrolled::copy_on(work, template, database_url)?;
    let (started, meter) = (Instant::now(), CpuMeter::start()?);
    let report = runtime.block_on(sync::sync_once(&device))?;
    let (seconds, cpu) = (started.elapsed().as_secs_f64(), meter.usage()?);
    let peak_mb = bureau.peak_rss_mb()?;
    bureau.stop();
    if report.refused > 0 {
        bail!("the bureau refused {} items; the figure would mean nothing", report.refused);
    }
    Ok(Pushed { items: report.pushed, seconds, peak_mb, cpu })
}

/// One row per record and per audit entry, as the bureau stores them: `(kind, id, body)`.
pub(crate) type Row = (&'static str, String, String);

/// The rows a push of the device in `device_dir` carries (inspections with their answers,
/// certificate checks, audit entries), for the raw inserts the pushes are measured against.
pub(crate) fn push_rows(device_dir: &Path) -> Result<Vec<Row>> {
    let device = Device::open(device_dir, OpenMode::MustExist)?;
    // Everything a push would carry, in one unsigned-size page.
    let items: Vec<PushItem> = device.next_push_page(usize::MAX >> 1)?.map(|p| p.items).unwrap_or_default();
    let mut rows: Vec<Row> = Vec::new();
    for item in &items {
        match item {
            PushItem::Audit(run) => {
                for entry in run.entries()? {
                    rows.push(("audit", entry.seq.to_string(), serde_json::to_string(&entry)?));
                }
            }
            other => rows.push((other.kind().as_str(), other.id(), serde_json::to_string(other)?)),
        }
    }
    Ok(rows)
}

/// Inserts the rows a push carries straight into a fresh SQLite file in one transaction: the
/// floor under any server that stores them.
fn straight_sqlite_rate(device_dir: &Path, db: &Path) -> Result<f64> {
    let rows = push_rows(device_dir)?;
    let mut conn = rusqlite::Connection::open(db)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         CREATE TABLE records (kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, id));",
    )?;
    let started = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare("INSERT INTO records (kind, id, body) VALUES (?1, ?2, ?3)")?;
        for (kind, id, body) in &rows {
            stmt.execute(rusqlite::params![kind, id, body])?;
        }
    }
    tx.commit()?;
    Ok(INSPECTIONS as f64 / started.elapsed().as_secs_f64())
}
