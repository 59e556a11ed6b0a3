//! The real desktop window, through tauri-driver and WebKitWebDriver: one session at a time,
//! and the waits a test needs on it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};

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

/// One desktop session at a time in this process. Each session is a WebKitWebDriver, a
/// WebKit web process and the app; started side by side on two cores, a launch can miss
/// WebKitWebDriver's connection deadline and the session fails for a reason the test is
/// not about.
static ONE_WINDOW_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A running tauri-driver, on its own ports so test runs do not collide. Stopped with
/// SIGTERM on drop, so that it takes WebKitWebDriver down with it.
#[derive(Debug)]
pub struct TauriDriver {
    child: Child,
    port: u16,
    // Declared last: released only after the driver and its window are gone.
    _turn: std::sync::MutexGuard<'static, ()>,
}

impl TauriDriver {
    pub fn start() -> Result<Self> {
        Self::start_with_env(&[])
    }

    /// As [`TauriDriver::start`], the apps it launches seeing `vars` in their environment
    /// (the driver passes its own on to them).
    pub fn start_with_env(vars: &[(&str, &str)]) -> Result<Self> {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "the desktop tests open a real window and need a display: run them under `xvfb-run -a` (make test does)"
        );
        // A test that failed while holding the turn poisons the lock; the next may still run.
        let turn = ONE_WINDOW_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (port, native_port) = (free_port(), free_port());
        let child = Command::new(tauri_driver_path())
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .envs(vars.iter().copied())
            // tauri-driver reports a failed forward to WebKitWebDriver only on stdout.
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit())
            .spawn()
            .context(
                "tauri-driver could not start; `make test` installs it with `cargo install tauri-driver --locked`",
            )?;
        let driver = TauriDriver { child, port, _turn: turn };
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
                if s.write_all(req.as_bytes()).is_ok()
                    && s.read_to_string(&mut body).is_ok()
                    && body.contains("\"ready\":true")
                {
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
        let url = format!("http://127.0.0.1:{}", self.port);
        let mut tries = 0;
        loop {
            let mut builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
            builder.capabilities(caps.clone());
            match builder.connect(&url).await {
                Ok(client) => return Ok(client),
                // On two busy cores WebKitWebDriver now and then drops the request for a new
                // session (no answer at all, not a refusal); once more after a breath is enough.
                Err(
                    fantoccini::error::NewSessionError::FailedC(_)
                    | fantoccini::error::NewSessionError::Failed(_)
                    | fantoccini::error::NewSessionError::Lost(_),
                ) if tries == 0 => {
                    tries += 1;
                    // The desktop tests run on a multi-threaded runtime: blocking one worker is fine.
                    std::thread::sleep(Duration::from_secs(1));
                }
                Err(e) => return Err(e).context("no WebDriver session on the app"),
            }
        }
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

/// Clicks an element once it appears. A screen that redraws (the list after a sync) may
/// replace the element between finding and clicking it: then it is found again.
pub async fn click(client: &Client, css: &str) -> Result<()> {
    act_on(client, css, "clicking", async |e| e.click().await).await
}

/// Types into a field once it appears, found again if a redraw replaced it.
pub async fn type_into(client: &Client, css: &str, text: &str) -> Result<()> {
    act_on(client, css, "typing into", async |e| e.send_keys(text).await).await
}

async fn act_on(
    client: &Client,
    css: &str,
    doing: &str,
    act: impl AsyncFn(fantoccini::elements::Element) -> Result<(), fantoccini::error::CmdError>,
) -> Result<()> {
    let mut tries = 0;
    loop {
        match act(wait_for(client, css).await?).await {
            Ok(()) => return Ok(()),
            Err(_) if tries < 5 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => return Err(e).with_context(|| format!("{doing} '{css}'")),
        }
    }
}

/// The ids of the inspections listed in the window.
pub async fn listed_ids(client: &Client) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    for row in client.find_all(Locator::Css("[data-testid=inspection-row]")).await? {
        ids.push(row.attr("data-id").await?.unwrap_or_default());
    }
    Ok(ids)
}

/// Chooses the option with `value` in a select, as a click on it does.
pub async fn choose(client: &Client, select_css: &str, value: &str) -> Result<()> {
    click(client, &format!("{select_css} option[value='{value}']")).await
}

/// Saves what the window shows as `target/e2e/NAME.png`.
pub async fn save_screenshot(client: &Client, name: &str) -> Result<()> {
    let shot = client.screenshot().await?;
    let out = crate::target_dir().join("e2e");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join(format!("{name}.png")), &shot)?;
    Ok(())
}

/// `make screenshot` (`FIELDCASE_UPDATE_SCREENSHOT`): the README's pictures, each a shot the
/// tests saved (`(shot, picture)`: `target/e2e/{shot}.png` becomes `docs/{picture}.png`).
pub fn publish_screenshots(shots: &[(&str, &str)]) -> Result<()> {
    if std::env::var_os("FIELDCASE_UPDATE_SCREENSHOT").is_none() {
        return Ok(());
    }
    let saved = crate::target_dir().join("e2e");
    for (shot, picture) in shots {
        let to = format!("{}/../docs/{picture}.png", env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(saved.join(format!("{shot}.png")), &to).with_context(|| {
            format!("the shot {shot} was not saved by this test (save_screenshot), or {to} cannot be written")
        })?;
    }
    Ok(())
}

/// An element's text once it appears.
pub async fn text_of(client: &Client, css: &str) -> Result<String> {
    Ok(wait_for(client, css).await?.text().await?)
}
