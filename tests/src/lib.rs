//! The end-to-end harness: the built `fieldcase` and `fieldcase-desktop` binaries, and a
//! WebDriver session on the real desktop window through tauri-driver and WebKitWebDriver.
//!
//! The binaries are built before the tests run (`make test` does it); a missing one fails
//! the test with a message saying so, rather than skipping it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};

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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free loopback port")
}

fn tauri_driver_path() -> PathBuf {
    let in_cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|d| d.join("bin/tauri-driver"));
    match in_cargo_home {
        Some(p) if p.is_file() => p,
        _ => PathBuf::from("tauri-driver"),
    }
}

/// A running tauri-driver, on its own ports so test runs do not collide. Stopped with
/// SIGTERM on drop, so that it takes WebKitWebDriver down with it.
#[derive(Debug)]
pub struct TauriDriver {
    child: Child,
    port: u16,
}

impl TauriDriver {
    pub fn start() -> Result<Self> {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "the desktop tests open a real window and need a display: run them under `xvfb-run -a` (make test does)"
        );
        let (port, native_port) = (free_port(), free_port());
        let child = Command::new(tauri_driver_path())
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("tauri-driver could not start; `make test` installs it with `cargo install tauri-driver --locked`")?;
        let driver = TauriDriver { child, port };
        driver.wait_ready(Duration::from_secs(30))?;
        Ok(driver)
    }

    /// tauri-driver accepts connections before WebKitWebDriver is up; `/status` says when.
    fn wait_ready(&self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let req = format!("GET /status HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", self.port);
                let mut body = String::new();
                if s.write_all(req.as_bytes()).is_ok() && s.read_to_string(&mut body).is_ok() && body.contains("\"ready\":true") {
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        bail!("tauri-driver did not become ready on port {} within {timeout:?}", self.port)
    }

    /// Starts the app with `args` and opens a WebDriver session on its window.
    pub async fn launch(&self, app: &Path, args: &[&str]) -> Result<Client> {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert("tauri:options".into(), serde_json::json!({ "application": app, "args": args }));
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .context("no WebDriver session on the app")?;
        Ok(client)
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for an element to appear, for up to 20 seconds.
pub async fn wait_for(client: &Client, css: &str) -> Result<fantoccini::elements::Element> {
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("'{css}' did not appear"))
}

/// The ids of the inspections listed in the window.
pub async fn listed_ids(client: &Client) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    for row in client.find_all(Locator::Css("[data-testid=inspection-row]")).await? {
        ids.push(row.attr("data-id").await?.unwrap_or_default());
    }
    Ok(ids)
}
