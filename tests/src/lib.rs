//! The end-to-end harness: the built `fieldcase` and `fieldcase-desktop` binaries, and a
//! WebDriver session on the real desktop window through tauri-driver and WebKitWebDriver.
//!
//! The binaries are built before the tests run (`make test` does it); a missing one fails
//! the test with a message saying so, rather than skipping it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

mod a11y;
pub mod pg_cluster;
mod proxy;
mod upload_scene;
mod window;

pub use a11y::assert_accessible;
pub use proxy::{Cut, CuttingProxy, FaultyLink, RoundRobin};
pub use upload_scene::{MARKER, Recording, UploadScene, write_recording};
pub use window::{
    TauriDriver, choose, click, listed_ids, publish_screenshots, save_screenshot, text_of, type_into, wait_for,
};

/// The directory the test binary was built into (`target/debug`), where the app's binaries are.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    // target/debug/deps/<test> → target/debug
    exe.parent().and_then(Path::parent).expect("tests run from target/<profile>/deps").to_owned()
}

/// A built binary of the workspace, or a failure saying how to build it.
pub fn binary(name: &str) -> PathBuf {
    let path = target_dir().join(name);
    assert!(path.is_file(), "{} is not built; run `make test`, which builds the app before testing it", path.display());
    path
}

/// Runs `fieldcase` with a data directory and returns its stdout, failing on a non-zero exit.
pub fn fieldcase(data_dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new(binary("fieldcase")).arg("--data-dir").arg(data_dir).args(args).output()?;
    if !out.status.success() {
        bail!("fieldcase {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// Runs `fieldcase` with a data directory and `input` on standard input (a PIN), and
/// returns what it printed and how it ended.
pub fn fieldcase_with_input(data_dir: &Path, args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new(binary("fieldcase"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("fieldcase runs");
    child.stdin.take().expect("piped").write_all(format!("{input}\n").as_bytes()).expect("input written");
    child.wait_with_output().expect("fieldcase finishes")
}

/// The officer the tests sign in as: the first of the device's sample officers, whose
/// certificate the sample checks name, with a six-digit PIN.
pub const OFFICER: (&str, &str) = ("JC-0107", "107107");

/// The unit of the officers the tests sign in, which the test laptops serve (a laptop holds
/// the PIN verifiers of its units' officers only).
pub const UNIT: &str = "执法一队";

/// A running `fieldcase bureau serve`, on a port of its own, with its data directory.
#[derive(Debug)]
pub struct Bureau {
    child: Option<Child>,
    pub data_dir: PathBuf,
    pub addr: String,
}

impl Bureau {
    /// Starts a bureau on a free loopback port.
    pub fn start(data_dir: &Path) -> Result<Self> {
        Self::start_on(data_dir, "127.0.0.1:0")
    }

    /// Starts a bureau on `listen` and waits until it says where it listens. Its log (one
    /// line per request) goes to [`Bureau::log_path`], kept beside the data directory.
    pub fn start_on(data_dir: &Path, listen: &str) -> Result<Self> {
        use std::io::BufRead;
        let log = std::fs::OpenOptions::new().create(true).append(true).open(Self::log_path(data_dir))?;
        let mut child = Command::new(binary("fieldcase"))
            .args(["bureau", "serve", "--listen", listen, "--data-dir"])
            .arg(data_dir)
            .env("FIELDCASE_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let addr = loop {
            let Some(line) = lines.next() else { bail!("the bureau stopped before listening") };
            if let Some(url) = line?.strip_prefix("listening on http://") {
                break url.trim().to_owned();
            }
        };
        // Keep draining stdout so the bureau never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(Bureau { child: Some(child), data_dir: data_dir.to_owned(), addr })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Where the bureau on `data_dir` logs: `<data_dir>.log`, outside the data it serves.
    pub fn log_path(data_dir: &Path) -> PathBuf {
        data_dir.with_extension("log")
    }

    /// What this bureau has logged so far, every start of it on this data directory.
    pub fn log(&self) -> String {
        std::fs::read_to_string(Self::log_path(&self.data_dir)).unwrap_or_default()
    }

    /// Runs an administrator's command on this bureau's data directory.
    pub fn admin(&self, args: &[&str]) -> Result<String> {
        let mut full = vec!["bureau"];
        full.extend_from_slice(args);
        fieldcase(&self.data_dir, &full)
    }

    /// Issues `officer` a certificate (unless they hold one), gives them [`UNIT`] and sets their
    /// PIN, as the administrator does before an officer's first sign-in; a device of that unit
    /// learns them at its next sync.
    pub fn add_officer(&self, officer: &str, pin: &str) -> Result<()> {
        let number = format!("3301062024{}", officer.trim_start_matches("JC-"));
        let held: serde_json::Value = serde_json::from_str(&self.admin(&["cert", "list", "--json"])?)?;
        let holds = held.as_array().is_some_and(|certs| certs.iter().any(|c| c["number"] == number.as_str()));
        if !holds {
            self.admin(&[
                "cert",
                "issue",
                "--number",
                &number,
                "--officer-id",
                officer,
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
        }
        self.admin(&["officer", "set-unit", officer, UNIT])?;
        let out = fieldcase_with_input(&self.data_dir, &["bureau", "officer", "set-pin", officer], pin);
        if !out.status.success() {
            bail!("set-pin {officer}: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }

    /// A one-time code for a laptop that serves [`UNIT`].
    pub fn enroll_code(&self) -> Result<String> {
        Ok(self.admin(&["enroll-code", "--label", "test", "--unit", UNIT])?.trim().to_owned())
    }

    /// Stops the bureau the way an operator does (SIGTERM) and waits for it to exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills the bureau outright (SIGKILL), as a crash or a lost machine would: requests under
    /// way are cut wherever they are.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the stopped bureau again on the same address and data.
    pub fn restart(&mut self) -> Result<()> {
        self.stop();
        self.child = Bureau::start_again_on(&self.data_dir, &self.addr)?.child.take();
        Ok(())
    }

    /// Starts a bureau on the address another one just left (its devices know that address).
    pub fn start_again_on(data_dir: &Path, addr: &str) -> Result<Self> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match Bureau::start_on(data_dir, addr) {
                Ok(b) => return Ok(b),
                // The port can stay busy for a moment after the old process exits.
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for Bureau {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A device's data directory driven through the `fieldcase` command.
#[derive(Debug)]
pub struct DeviceDir {
    pub dir: PathBuf,
}

impl DeviceDir {
    pub fn new(dir: PathBuf) -> Self {
        DeviceDir { dir }
    }

    pub fn cli(&self, args: &[&str]) -> Result<String> {
        fieldcase(&self.dir, args)
    }

    pub fn json(&self, args: &[&str]) -> Result<serde_json::Value> {
        let mut full = args.to_vec();
        full.push("--json");
        Ok(serde_json::from_str(&self.cli(&full)?)?)
    }

    pub fn enroll(&self, bureau_url: &str, code: &str) -> Result<()> {
        self.cli(&["device", "enroll", "--bureau", bureau_url, "--code", code]).map(drop)
    }

    /// `fieldcase signin OFFICER`, the PIN on standard input.
    pub fn sign_in(&self, officer: &str, pin: &str) -> std::process::Output {
        fieldcase_with_input(&self.dir, &["signin", officer], pin)
    }

    /// As at the office on an officer's first day: the laptop enrolls with `bureau`, syncs
    /// (learning the bureau's clock and the registry), and [`OFFICER`] signs in, so that
    /// records can be made.
    pub fn enroll_and_sign_in(&self, bureau: &Bureau) -> Result<()> {
        self.enroll_and_sign_in_through(bureau, &bureau.url())
    }

    /// As [`DeviceDir::enroll_and_sign_in`], the laptop reaching the bureau at `url` (a link
    /// in between that the test controls).
    pub fn enroll_and_sign_in_through(&self, bureau: &Bureau, url: &str) -> Result<()> {
        bureau.add_officer(OFFICER.0, OFFICER.1)?;
        self.enroll(url, &bureau.enroll_code()?)?;
        let out = self.sync_once();
        if !out.status.success() {
            bail!("the first sync failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let out = self.sign_in(OFFICER.0, OFFICER.1);
        if !out.status.success() {
            bail!("{} could not sign in: {}", OFFICER.0, String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }

    /// `fieldcase device sync --once`, with its exit status and output.
    pub fn sync_once(&self) -> std::process::Output {
        Command::new(binary("fieldcase"))
            .arg("--data-dir")
            .arg(&self.dir)
            .args(["device", "sync", "--once"])
            .output()
            .expect("fieldcase runs")
    }

    /// Records still waiting to be sent, of every kind.
    pub fn pending(&self) -> Result<u64> {
        let status = self.json(&["device", "status"])?;
        Ok(status["pending"].as_object().map_or(0, |p| p.values().filter_map(|v| v.as_u64()).sum()))
    }
}

/// Polls `check` until it holds or `timeout` passes.
pub fn eventually(timeout: Duration, mut check: impl FnMut() -> Result<bool>) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        match check() {
            Ok(true) => return Ok(()),
            Ok(false) | Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
            Ok(false) => bail!("the condition did not hold within {timeout:?}"),
            Err(e) => return Err(e),
        }
    }
}

/// Makes `n` finalized inspections (every item answered, two officers checked) in a
/// device's data directory, as officers would over a day; returns their ids.
pub fn finalize_inspections(data_dir: &Path, n: usize) -> Result<Vec<String>> {
    use fieldcase_device::{Device, OpenMode};

    let mut device = Device::open(data_dir, OpenMode::CreateIfMissing)?;
    let site = match device.sites()?.into_iter().next() {
        Some(site) => site,
        None => device.add_site(fieldcase_core::site::NewSite {
            name: "测试建设有限公司".into(),
            uscc: "91350100M000100Y43".into(),
            ..Default::default()
        })?,
    };
    let ids = fieldcase_device::demo::finalized_inspections(&mut device, site.id, n)?;
    Ok(ids.iter().map(ToString::to_string).collect())
}

/// Copies the files of a data directory (a device's or a bureau's) into `to`; a test that
/// changes or breaks its copy leaves the original as it was.
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// Puts in `to` a copy of a laptop enrolled with a bureau and with [`OFFICER`] signed in.
/// The laptop is made once per test binary (its bureau then stopped), since enrolling and
/// signing in take seconds.
pub fn signed_in_laptop(to: &Path) -> Result<()> {
    static TEMPLATE: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("a temp dir");
        let bureau = Bureau::start(&tmp.path().join("bureau")).expect("a bureau");
        DeviceDir::new(tmp.path().join("d")).enroll_and_sign_in(&bureau).expect("enrolled and signed in");
        tmp
    });
    copy_dir(&template.path().join("d"), to)
}
