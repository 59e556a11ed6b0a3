//! `first_screen`: the desktop app started on a laptop holding 1,000 inspections (some five
//! weeks of a team's work), timed from the process's start until its first screen (home,
//! with the day's records read from the device) is painted; beside it, a bare Tauri window
//! showing a static page (`bench/bare-window`), timed the same way on the same machine in the
//! same run. Both windows tell their app once the page is painted (the second animation
//! frame), and the app writes one line to standard error, which ends the timing.
//!
//! The launches alternate, after one unmeasured launch of each that brings the libraries and
//! WebKit's processes into the page cache; the medians of the rounds are compared.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::report::Figure;

const INSPECTIONS: usize = 1_000;
/// Launches of each, after the warming one. A window's start varies by a tenth between
/// launches on a busy machine; fifteen keep the medians' ratio within a few hundredths.
const ROUNDS: usize = 15;
/// Target: within this many times the bare window's time.
const TARGET_RATIO: f64 = 1.5;
/// What both apps write once their first screen is painted.
const DRAWN: &str = "fieldcase: first screen drawn";

pub fn run() -> Result<()> {
    if std::env::var_os("DISPLAY").is_none() {
        bail!("first_screen opens real windows and needs a display: run it under `xvfb-run -a` (make bench does)");
    }
    let exe = std::env::current_exe()?;
    let app = exe.with_file_name("fieldcase-desktop");
    let bare = exe.with_file_name("fieldcase-bare-window");
    let data = tempfile::tempdir()?;
    crate::records::fill(data.path(), INSPECTIONS)?;
    let data_dir = data.path().to_str().context("a UTF-8 temporary path")?;

    let (mut apps, mut bares) = (Vec::with_capacity(ROUNDS), Vec::with_capacity(ROUNDS));
    for round in 0..=ROUNDS {
        let app_ms = time_to_first_screen(&app, &["--data-dir", data_dir])?;
        let bare_ms = time_to_first_screen(&bare, &[])?;
        // Round 0 warms the page cache.
        if round > 0 {
            apps.push(app_ms);
            bares.push(bare_ms);
        }
    }
    let (app_ms, bare_ms) = (median(&mut apps), median(&mut bares));
    Figure {
        name: "first_screen",
        value: app_ms,
        unit: &format!("ms to the first screen, 1,000 inspections (median of {ROUNDS})"),
        reference_name: "a bare Tauri window with a static page",
        reference: bare_ms,
        reference_unit: "ms",
        target: format!("ratio <= {TARGET_RATIO}"),
        met: app_ms <= TARGET_RATIO * bare_ms,
    }
    .emit()
}

/// Starts `binary` with `args`, waits for the line that says its first screen is painted,
/// and returns the milliseconds since the start; then ends the app and every process it
/// started (WebKit's), which share its process group.
fn time_to_first_screen(binary: &Path, args: &[&str]) -> Result<f64> {
    let started = Instant::now();
    let mut child = Command::new(binary)
        .args(args)
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("{} is built beside the bench (make bench builds it)", binary.display()))?;
    let stderr = child.stderr.take().context("stderr is piped")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.starts_with(DRAWN) {
                let _ = tx.send(started.elapsed());
            }
        }
    });
    let drawn = rx.recv_timeout(Duration::from_secs(60));
    let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).status();
    let _ = child.wait();
    let drawn = drawn.with_context(|| format!("{} never said its first screen was drawn", binary.display()))?;
    Ok(drawn.as_secs_f64() * 1000.0)
}

fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}
