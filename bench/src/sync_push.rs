//! Issue target: push 10,000 finalized inspections (10 answers and 2 certificate checks
//! each) from one device to a local bureau: at least 5,000 inspections/s end to end, the
//! bureau under 200 MB at its peak, and at least 0.3 of the rate of inserting the same rows
//! straight into one SQLite file in one transaction.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use fieldcase_core::wire::PushItem;
use fieldcase_device::sync;
use fieldcase_device::{Device, OpenMode, SharedDevice};

use crate::report::{Figure, results_dir};

const INSPECTIONS: usize = 10_000;

pub fn run() -> Result<()> {
    let work = results_dir().join("work");
    let template = prepared_device(&work, INSPECTIONS)?;

    // The machine's own noise moves one run by a tenth either way: each side is measured
    // in several rounds, taken in turns, and the median of each is compared.
    let mut rates = Vec::with_capacity(ROUNDS);
    let mut references = Vec::with_capacity(ROUNDS);
    let mut peak_mb: f64 = 0.0;
    for round in 1..=ROUNDS {
        let pushed = push_once(&work, &template)?;
        eprintln!(
            "(round {round}: {} items pushed in {:.2} s, bureau peak {:.1} MB)",
            pushed.items, pushed.seconds, pushed.peak_mb
        );
        rates.push(INSPECTIONS as f64 / pushed.seconds);
        peak_mb = peak_mb.max(pushed.peak_mb);
        let tmp = tempfile::tempdir_in(&work)?;
        references.push(straight_sqlite_rate(&template, &tmp.path().join("reference.db"))?);
    }
    let (rate, reference) = (median(rates), median(references));
    Figure {
        name: "push_10k_inspections",
        value: rate,
        unit: "inspections/s",
        reference_name: "sqlite_one_transaction",
        reference,
        reference_unit: "inspections/s",
        target: format!(">= 5000 inspections/s and ratio >= 0.3 (medians of {ROUNDS} rounds)"),
        met: rate >= 5000.0 && rate / reference >= 0.3,
    }
    .emit()?;
    Figure {
        name: "bureau_peak_memory_push_10k",
        value: peak_mb,
        unit: "MB",
        reference_name: "ceiling",
        reference: 200.0,
        reference_unit: "MB",
        target: format!("< 200 MB (the highest of {ROUNDS} rounds)"),
        met: peak_mb < 200.0,
    }
    .emit()?;
    Ok(())
}

/// A device with `inspections` finalized inspections to push, made once and kept in `work`
/// for every later run; each push copies it.
pub(crate) fn prepared_device(work: &Path, inspections: usize) -> Result<PathBuf> {
    std::fs::create_dir_all(work)?;
    let template = work.join(format!("device-{inspections}"));
    if !template.join(fieldcase_device::DB_FILE).is_file() {
        eprintln!("preparing a device with {inspections} finalized inspections (once; kept in {})", template.display());
        let partial = work.join("device-partial");
        let _ = std::fs::remove_dir_all(&partial);
        let mut device = Device::open(&partial, OpenMode::CreateIfMissing)?;
        let site = device.add_site(fieldcase_core::site::NewSite {
            name: "基准测试建设有限公司".into(),
            uscc: "91350100M000100Y43".into(),
            ..Default::default()
        })?;
        fieldcase_device::demo::finalized_inspections(&mut device, site.id, inspections)?;
        drop(device);
        std::fs::rename(&partial, &template)?;
    }
    Ok(template)
}

/// Rounds of each measurement.
const ROUNDS: usize = 3;

pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

struct Pushed {
    items: usize,
    seconds: f64,
    peak_mb: f64,
}

/// A fresh copy of the template device enrolled with a fresh bureau, ready to push: what
/// every push round starts from.
pub(crate) struct Enrolled {
    pub(crate) bureau: BureauProcess,
    pub(crate) device: SharedDevice,
    pub(crate) runtime: tokio::runtime::Runtime,
    /// Where the copy and the bureau live; removed when dropped.
    pub(crate) _tmp: tempfile::TempDir,
}

impl Enrolled {
    pub(crate) fn copy_of(work: &Path, template: &Path) -> Result<Self> {
        let tmp = tempfile::tempdir_in(work)?;
        let device_dir = tmp.path().join("device");
        copy_dir(template, &device_dir)?;
        let bureau = BureauProcess::start(&tmp.path().join("bureau"))?;
        let code = bureau.admin(&["enroll-code"])?;
        let device = SharedDevice::new(Device::open(&device_dir, OpenMode::MustExist)?);
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        runtime.block_on(sync::enroll(
            &device,
            &bureau.url,
            sync::Transport::default(),
            code.trim(),
            Some("bench".into()),
        ))?;
        Ok(Enrolled { bureau, device, runtime, _tmp: tmp })
    }
}

/// One push of a fresh copy of the template device to a fresh bureau, end to end.
fn push_once(work: &Path, template: &Path) -> Result<Pushed> {
    let Enrolled { mut bureau, device, runtime, _tmp } = Enrolled::copy_of(work, template)?;
    let started = Instant::now();
    let report = runtime.block_on(sync::sync_once(&device))?;
    let seconds = started.elapsed().as_secs_f64();
    let peak_mb = bureau.peak_rss_mb()?;
    bureau.stop();
    if report.refused > 0 {
        bail!("the bureau refused {} items; the figure would mean nothing", report.refused);
    }
    Ok(Pushed { items: report.pushed, seconds, peak_mb })
}

/// Inserts the rows a push carries (inspections with their answers, certificate checks,
/// audit entries) straight into a fresh SQLite file in one transaction: the floor under
/// any server that stores them.
fn straight_sqlite_rate(device_dir: &Path, db: &Path) -> Result<f64> {
    let device = Device::open(device_dir, OpenMode::MustExist)?;
    // Everything a push would carry, in one unsigned-size page.
    let items: Vec<PushItem> = device.next_push_page(usize::MAX >> 1)?.map(|p| p.items).unwrap_or_default();
    // One row per record and per audit entry, as the bureau stores them.
    let mut rows: Vec<(&'static str, String, String)> = Vec::new();
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

/// Copies the template device, and waits until the copy is on the disk: otherwise the
/// kernel writes its 80 MB back during the push, and the push pays for the setup.
pub(crate) fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let copy = to.join(entry.file_name());
        std::fs::copy(entry.path(), &copy)?;
        std::fs::File::open(&copy)?.sync_all()?;
    }
    Ok(())
}

/// The release `fieldcase bureau serve`, beside this binary.
pub(crate) struct BureauProcess {
    child: Option<Child>,
    data_dir: PathBuf,
    pub(crate) url: String,
}

impl BureauProcess {
    fn fieldcase() -> PathBuf {
        std::env::current_exe().expect("own path").with_file_name("fieldcase")
    }

    pub(crate) fn start(data_dir: &Path) -> Result<Self> {
        let mut child = Command::new(Self::fieldcase())
            .args(["bureau", "serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("the fieldcase binary is built beside the bench (make bench builds both)")?;
        let mut lines = std::io::BufReader::new(child.stdout.take().expect("piped")).lines();
        let url = loop {
            let Some(line) = lines.next() else { bail!("the bureau stopped before listening") };
            if let Some(addr) = line?.strip_prefix("listening on ") {
                break addr.trim().to_owned();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Ok(BureauProcess { child: Some(child), data_dir: data_dir.to_owned(), url })
    }

    pub(crate) fn admin(&self, args: &[&str]) -> Result<String> {
        let out =
            Command::new(Self::fieldcase()).arg("--data-dir").arg(&self.data_dir).arg("bureau").args(args).output()?;
        if !out.status.success() {
            bail!("fieldcase bureau {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8(out.stdout)?)
    }

    /// The bureau's peak resident memory so far (VmHWM), in MB.
    fn peak_rss_mb(&self) -> Result<f64> {
        let pid = self.child.as_ref().map(Child::id).context("running")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("VmHWM in /proc status")?;
        Ok(kb / 1024.0)
    }

    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            let _ = child.wait();
        }
    }
}

impl Drop for BureauProcess {
    fn drop(&mut self) {
        self.stop();
    }
}
