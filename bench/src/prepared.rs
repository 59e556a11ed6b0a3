//! What the push benchmarks start from: a bureau and a device enrolled with it, the device
//! holding many finalized inspections not yet pushed. Made once and kept; every round
//! pushes from fresh copies of both.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fieldcase_device::sync;
use fieldcase_device::{Device, OpenMode, SharedDevice};

/// The officer who makes the records, and their PIN.
const OFFICER: (&str, &str) = ("JC-0107", "107107");
/// The officer's unit, which the benchmark's laptop serves.
const UNIT: &str = "执法一队";

/// A folder with `bureau/`, `device/` and `address` (where the bureau listened): the device
/// enrolled, synced once (learning the registry) and an officer signed in, as at the office;
/// then `inspections` finalized inspections made offline; then the bureau stopped. Made
/// once and kept in `work` for every later run.
pub(crate) fn prepared_pair(work: &Path, inspections: usize) -> Result<PathBuf> {
    prepared(work, &format!("pair-{inspections}"), 1, inspections)
}

/// As [`prepared_pair`], with `devices` devices enrolled with the one bureau, each holding
/// `inspections` of its own: `device/`, then `device-1/`, `device-2/`…
pub(crate) fn prepared_fleet(work: &Path, devices: usize, inspections: usize) -> Result<PathBuf> {
    prepared(work, &format!("fleet-{devices}x{inspections}"), devices, inspections)
}

/// The folder of the `index`th device of a prepared pair or fleet.
pub(crate) fn device_dir(template: &Path, index: usize) -> PathBuf {
    if index == 0 { template.join("device") } else { template.join(format!("device-{index}")) }
}

fn prepared(work: &Path, name: &str, devices: usize, inspections: usize) -> Result<PathBuf> {
    std::fs::create_dir_all(work)?;
    let template = work.join(name);
    if template.join("address").is_file() {
        return Ok(template);
    }
    eprintln!(
        "preparing {devices} device(s) with {inspections} finalized inspections each (once; kept in {})",
        template.display()
    );
    let partial = work.join(format!("{name}-partial"));
    let _ = std::fs::remove_dir_all(&partial);
    let mut bureau = BureauProcess::start(&partial.join("bureau"), "127.0.0.1:0")?;
    let number = format!("3301062024{}", OFFICER.0.trim_start_matches("JC-"));
    bureau.admin(&[
        "cert",
        "issue",
        "--number",
        &number,
        "--officer-id",
        OFFICER.0,
        "--name",
        "王敏",
        "--unit",
        "杭州市西湖区人力资源和社会保障局",
        "--area",
        "劳动保障监察",
        "--valid-from",
        "2024-01-01",
        "--valid-until",
        "2029-12-31",
    ])?;
    // The laptop serves the officer's unit: it holds the PIN verifiers of that unit's officers.
    bureau.admin(&["officer", "set-unit", OFFICER.0, UNIT])?;
    bureau.admin_with_input(&["officer", "set-pin", OFFICER.0], OFFICER.1)?;
    for index in 0..devices {
        let code = bureau.admin(&["enroll-code", "--unit", UNIT])?;
        let device = SharedDevice::new(Device::open(&device_dir(&partial, index), OpenMode::CreateIfMissing)?);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        runtime.block_on(async {
            sync::enroll(&device, &bureau.url, sync::Transport::default(), code.trim(), Some("bench".into())).await?;
            sync::sync_once(&device).await
        })?;
        let mut device = device.lock();
        device.sign_in(OFFICER.0, OFFICER.1)?;
        let site = device.add_site(fieldcase_core::site::NewSite {
            name: "基准测试建设有限公司".into(),
            uscc: "91350100M000100Y43".into(),
            ..Default::default()
        })?;
        fieldcase_device::demo::finalized_inspections(&mut device, site.id, inspections)?;
    }
    bureau.stop();
    std::fs::write(partial.join("address"), bureau.url.trim_start_matches("http://"))?;
    std::fs::rename(&partial, &template)?;
    Ok(template)
}

/// A fresh copy of the prepared pair, the bureau serving on the address the device knows,
/// ready to push: what every push round starts from.
pub(crate) struct Enrolled {
    pub(crate) bureau: BureauProcess,
    pub(crate) device: SharedDevice,
    pub(crate) runtime: tokio::runtime::Runtime,
    /// Where the copies live; removed when dropped.
    pub(crate) _tmp: tempfile::TempDir,
}

impl Enrolled {
    pub(crate) fn copy_of(work: &Path, template: &Path) -> Result<Self> {
        Self::copy_on(work, template, None)
    }

    /// As [`Enrolled::copy_of`], the bureau keeping its records in `database_url` (a fresh
    /// copy of the prepared bureau's database) when given.
    pub(crate) fn copy_on(work: &Path, template: &Path, database_url: Option<&str>) -> Result<Self> {
        let tmp = tempfile::tempdir_in(work)?;
        copy_dir(&template.join("device"), &tmp.path().join("device"))?;
        copy_dir(&template.join("bureau"), &tmp.path().join("bureau"))?;
        let address = std::fs::read_to_string(template.join("address"))?;
        // The address was the template bureau's; the last round's copy may have just left it.
        let deadline = Instant::now() + Duration::from_secs(10);
        let bureau = loop {
            match BureauProcess::start_on(&tmp.path().join("bureau"), address.trim(), database_url) {
                Ok(b) => break b,
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
                Err(e) => return Err(e),
            }
        };
        let device = Device::open(&tmp.path().join("device"), OpenMode::MustExist)?;
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        // A laptop that syncs regularly has a token that worked lately: one read of the feed,
        // as its last sync made, before the clock starts. (The bureau lets such a token
        // through from an address that strangers have got limited; see the flood bench.)
        let enrollment = device.enrollment()?.context("the prepared device is enrolled")?;
        let http = sync::BureauHttp::for_enrollment(&enrollment)?;
        runtime.block_on(http.pull(&enrollment.token, 0, 1))?;
        Ok(Enrolled { bureau, device: SharedDevice::new(device), runtime, _tmp: tmp })
    }
}

/// Copies a data directory, and waits until the copy is on the disk: otherwise the kernel
/// writes its 80 MB back during the push, and the push pays for the setup.
pub(crate) fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
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
    database_url: Option<String>,
    pub(crate) url: String,
}

impl BureauProcess {
    fn fieldcase() -> PathBuf {
        std::env::current_exe().expect("own path").with_file_name("fieldcase")
    }

    pub(crate) fn start(data_dir: &Path, listen: &str) -> Result<Self> {
        Self::start_on(data_dir, listen, None)
    }

    /// A bureau keeping its records in the PostgreSQL database `database_url` (its key still
    /// in `data_dir`), or in SQLite in `data_dir` without one.
    pub(crate) fn start_on(data_dir: &Path, listen: &str, database_url: Option<&str>) -> Result<Self> {
        let mut command = Command::new(Self::fieldcase());
        if let Some(url) = database_url {
            command.env("FIELDCASE_DATABASE_URL", url);
        }
        let mut child = command
            .args(["bureau", "serve", "--listen", listen, "--data-dir"])
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
        Ok(BureauProcess {
            child: Some(child),
            data_dir: data_dir.to_owned(),
            database_url: database_url.map(str::to_owned),
            url,
        })
    }

    pub(crate) fn admin(&self, args: &[&str]) -> Result<String> {
        self.admin_with_input(args, "")
    }

    /// An administrator's command with `input` on its standard input (a PIN).
    pub(crate) fn admin_with_input(&self, args: &[&str], input: &str) -> Result<String> {
        let mut command = Command::new(Self::fieldcase());
        if let Some(url) = &self.database_url {
            command.env("FIELDCASE_DATABASE_URL", url);
        }
        let mut child = command
            .arg("--data-dir")
            .arg(&self.data_dir)
            .arg("bureau")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        child.stdin.take().context("piped")?.write_all(format!("{input}\n").as_bytes())?;
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!("fieldcase bureau {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8(out.stdout)?)
    }

    /// The bureau's peak resident memory so far (VmHWM), in MB.
    pub(crate) fn peak_rss_mb(&self) -> Result<f64> {
        crate::report::peak_rss_mb(self.child.as_ref().map(Child::id).context("running")?)
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
