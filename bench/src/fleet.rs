//! Issue 13's target for several bureau processes on one PostgreSQL database: four devices,
//! 2,500 finalized inspections each, push at once through two bureau processes (two devices
//! each); their aggregate rate is at least 1.5 times that of one device pushing 10,000
//! through one process (`push_10k_inspections_postgres`), and each process stays under 200 MB
//! at its peak. Its rounds alternate with that figure's (see `push_postgres`), so that a
//! stretch of time when the machine is slower weighs on both sides of the ratio alike.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use fieldcase_device::{Device, OpenMode, SharedDevice, sync};
use fieldcase_tests::pg_cluster::Cluster;

use crate::cpu::{CpuMeter, cores, undisturbed};
use crate::prepared::{BureauProcess, copy_dir, device_dir, prepared_fleet};
use crate::push_postgres::{ROUNDS, fresh, gone, import_bureau};
use crate::report::{Figure, results_dir};
use crate::sync_push::{Pushed, Rounds};

const DEVICES: usize = 4;
const EACH: usize = 2_500;

/// The prepared fleet, its records moved into the cluster once: each round pushes into a
/// fresh copy of them.
pub(crate) struct Fleet {
    cluster: &'static Cluster,
    work: PathBuf,
    template: PathBuf,
    database: String,
    runtime: tokio::runtime::Runtime,
}

impl Fleet {
    pub(crate) fn prepare(cluster: &'static Cluster) -> Result<Self> {
        let work = results_dir().join("work");
        let template = prepared_fleet(&work, DEVICES, EACH)?;
        let database = import_bureau(cluster, &template, "bench_fleet")?;
        // The four devices share one runtime of two threads, one per core of the machine the
        // figure's target is set for.
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        Ok(Fleet { cluster, work, template, database, runtime })
    }

    /// Round `round`: the four devices push at once into a fresh copy of the records.
    pub(crate) fn round(&self, round: usize, rounds: &mut Rounds) -> Result<()> {
        let pushed = undisturbed("the fleet's push", || {
            let name = format!("fleet_{round}");
            let url = self.runtime.block_on(fresh(self.cluster, &name, Some(&self.database)))?;
            let pushed = push_once(&self.work, &self.template, &url, &self.runtime);
            self.runtime.block_on(gone(self.cluster, &name))?;
            pushed
        })?;
        eprintln!(
            "(fleet round {round}: {} inspections from {DEVICES} devices through 2 bureaus in {:.2} s, peak {:.1} MB, {})",
            DEVICES * EACH,
            pushed.seconds,
            pushed.peak_mb,
            pushed.cpu
        );
        rounds.keep(DEVICES * EACH, &pushed);
        Ok(())
    }
}

/// Prints the figures of the fleet's rounds against `single`'s, one device through one process.
pub(crate) fn emit(fleet: &Rounds, single: &Rounds) -> Result<()> {
    let (rate, reference) = (fleet.rate(), single.rate());
    // What the machine allows: the fleet can keep at most every core busy, and one device
    // through one process keeps some busy already. Unless each inspection costs less CPU in
    // the fleet than alone, the ratio cannot pass the quotient of the cores the host leaves
    // and those the single push keeps busy.
    let (single_cpu, fleet_cpu) = (single.cpu(), fleet.cpu());
    eprintln!(
        "(one device through one process kept {single_cpu}, {DEVICES} through two kept {fleet_cpu}: at the same CPU per inspection the fleet can be at most {:.2} times as fast on this machine)",
        (cores() as f64 - fleet_cpu.stolen) / single_cpu.busy
    );
    Figure {
        name: "push_10k_inspections_4_devices_2_bureaus",
        value: rate,
        unit: "inspections/s",
        reference_name: "one_device_one_bureau_postgres",
        reference,
        reference_unit: "inspections/s",
        target: format!("ratio >= 1.5 (medians of {ROUNDS} rounds, alternating with the reference's)"),
        met: rate / reference >= 1.5,
    }
    .emit()?;
    Figure {
        name: "bureau_peak_memory_push_4_devices_2_bureaus_postgres",
        value: fleet.peak_mb,
        unit: "MB",
        reference_name: "ceiling",
        reference: 200.0,
        reference_unit: "MB",
        target: format!("< 200 MB per process (the highest of 2 processes and {ROUNDS} rounds)"),
        met: fleet.peak_mb < 200.0,
    }
    .emit()?;
    Ok(())
}

/// One round: fresh copies of the bureau (twice, one per process, both on `database_url`) and
/// of the devices, the first two pointed at the first process, the other two at the second.
/// Gives the seconds from the first push's start to the last one's end (`seconds`), the
/// higher of the two processes' peak memory, and the machine's cores busy on average meanwhile.
fn push_once(work: &Path, template: &Path, database_url: &str, runtime: &tokio::runtime::Runtime) -> Result<Pushed> {
    let tmp = tempfile::tempdir_in(work)?;
    let mut bureaus = Vec::with_capacity(2);
    for index in 0..2 {
        let data_dir = tmp.path().join(format!("bureau-{index}"));
        copy_dir(&template.join("bureau"), &data_dir)?;
        bureaus.push(BureauProcess::start_on(&data_dir, "127.0.0.1:0", Some(database_url))?);
    }
    let mut devices = Vec::with_capacity(DEVICES);
    for index in 0..DEVICES {
        let dir = tmp.path().join(format!("device-{index}"));
        copy_dir(&device_dir(template, index), &dir)?;
        // The enrollment names the bureau by its address: half the devices reach each process.
        let db = rusqlite::Connection::open(dir.join(fieldcase_device::DB_FILE))?;
        db.execute("UPDATE enrollment SET bureau_url = ?1", [&bureaus[index * 2 / DEVICES].url])?;
        drop(db);
        let device = Device::open(&dir, OpenMode::MustExist)?;
        // A token that worked lately, as in every push bench (see `prepared::Enrolled`).
        let enrollment = device.enrollment()?.context("the prepared device is enrolled")?;
        let http = sync::BureauHttp::for_enrollment(&enrollment)?;
        runtime.block_on(http.pull(&enrollment.token, 0, 1))?;
        devices.push(SharedDevice::new(device));
    }
    let (started, meter) = (Instant::now(), CpuMeter::start()?);
    let reports = runtime.block_on(async {
        let mut pushes = tokio::task::JoinSet::new();
        for device in devices {
            pushes.spawn(async move { sync::sync_once(&device).await });
        }
        let mut reports = Vec::with_capacity(DEVICES);
        while let Some(done) = pushes.join_next().await {
            reports.push(done??);
        }
        anyhow::Ok(reports)
    })?;
    let (seconds, cpu) = (started.elapsed().as_secs_f64(), meter.usage()?);
    let mut peak: f64 = 0.0;
    for bureau in &mut bureaus {
        peak = peak.max(bureau.peak_rss_mb()?);
        bureau.stop();
    }
    let (pushed, refused) = reports.iter().fold((0, 0), |(p, r), report| (p + report.pushed, r + report.refused));
    if refused > 0 || pushed == 0 {
        bail!("the bureaus took {pushed} items and refused {refused}; the figure would mean nothing");
    }
    Ok(Pushed { items: pushed, seconds, peak_mb: peak, cpu })
}
