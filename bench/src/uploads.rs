//! Evidence upload, fieldcase device to fieldcase bureau over loopback (8 MiB chunks, each with
//! its SHA-256; the bureau hashing every byte as it lands and verifying the whole file):
//!
//! - `evidence_upload_1gib`: the upload's throughput against the official Node tus pair
//!   (`tus-js-client` to `@tus/server` with `@tus/file-store`, no checksums) sending the same
//!   file in the same run ([`crate::tus_reference`]). Target: ratio at least 1.0.
//! - `evidence_upload_peak_rss_2gib_device` and `_bureau`: the peak resident memory (VmHWM) of
//!   the `fieldcase evidence upload` process and of the bureau while a 2 GiB file goes.
//!   Target: under 64 MB each.
//! - `evidence_resume_resent_bytes`: the bytes sent again per interruption when the link is
//!   cut mid-chunk three times, from the bytes the bureau was sent over a counting link,
//!   against the same upload without cuts. Target: at most one chunk.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fieldcase_core::upload::DEFAULT_CHUNK_BYTES;
use fieldcase_device::demo::{answer_all, check_two_officers};
use fieldcase_device::evidence::sample::boxes::ftyp;
use fieldcase_device::sync;
use fieldcase_device::uploads::{UploadState, upload_queued};
use fieldcase_device::{Device, ImportOptions, OpenMode, SharedDevice};
use fieldcase_tests::FaultyLink;

use crate::evidence::make_file;
use crate::prepared::{BureauProcess, copy_dir, prepared_pair};
use crate::report::{Figure, results_dir};
use crate::sync_push::median;
use crate::tus_reference;

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;
const PEAK_CEILING_MB: f64 = 64.0;
const ROUNDS: usize = 5;
/// The officer of the prepared pair.
const OFFICER: (&str, &str) = ("JC-0107", "107107");

pub fn run() -> Result<()> {
    let work = results_dir().join("work").join("uploads");
    std::fs::create_dir_all(&work)?;
    let template = prepared_pair(&work, 1)?;

    let file = work.join("shift-1gib.mp4");
    make_recording(&file, GIB)?;
    // Rounds alternate, so both sides meet the machine in the same moods; medians count.
    let (mut fieldcase, mut node) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let pair = Pair::new(&work, &template, &file, None)?;
        let started = Instant::now();
        pair.upload()?;
        fieldcase.push(GIB as f64 / 1e6 / started.elapsed().as_secs_f64());
        pair.expect_verified()?;
        drop(pair);
        node.push(tus_reference::measure(&file, &work)?.mb_per_s);
    }
    let (ours, reference) = (median(fieldcase), median(node));
    Figure {
        name: "evidence_upload_1gib",
        value: ours,
        unit: "MB/s",
        reference_name: "@tus/server 2 + @tus/file-store from tus-js-client (no checksums)",
        reference,
        reference_unit: "MB/s",
        target: format!(
            "ratio >= 1.0 (8 MiB chunks; fieldcase with a SHA-256 per chunk and the whole file verified; medians of {ROUNDS} rounds)"
        ),
        met: ours >= reference,
    }
    .emit()?;

    let big = work.join("shift-2gib.mp4");
    make_recording(&big, 2 * GIB)?;
    let pair = Pair::new(&work, &template, &big, None)?;
    let device_peak = pair.upload_in_a_process()?;
    let bureau_peak = pair.bureau.peak_rss_mb()?;
    pair.expect_verified()?;
    drop(pair);
    std::fs::remove_file(&big)?;
    for (side, peak) in [("device", device_peak), ("bureau", bureau_peak)] {
        Figure {
            name: &format!("evidence_upload_peak_rss_2gib_{side}"),
            value: peak,
            unit: "MB",
            reference_name: "ceiling",
            reference: PEAK_CEILING_MB,
            reference_unit: "MB",
            target: format!("< {PEAK_CEILING_MB} MB (peak resident memory while a 2 GiB file uploads, VmHWM)"),
            met: peak < PEAK_CEILING_MB,
        }
        .emit()?;
    }

    let resent = resent_per_interruption(&work, &template)?;
    let chunk_mb = DEFAULT_CHUNK_BYTES as f64 / 1e6;
    Figure {
        name: "evidence_resume_resent_bytes",
        value: resent / 1e6,
        unit: "MB per interruption",
        reference_name: "one chunk",
        reference: chunk_mb,
        reference_unit: "MB",
        target: "<= one chunk sent again per cut connection (3 cuts mid-chunk)".into(),
        met: resent <= DEFAULT_CHUNK_BYTES as f64,
    }
    .emit()
}

/// The bytes sent again per cut: a 64 MiB upload cut three times mid-chunk against the same
/// upload uncut, both over a link that counts what reaches the bureau.
fn resent_per_interruption(work: &Path, template: &Path) -> Result<f64> {
    let file = work.join("shift-64mib.mp4");
    make_recording(&file, 64 * MIB)?;
    // One link for both, on the address the device knows (it outlives the pairs).
    let address = std::fs::read_to_string(template.join("address"))?;
    let link = FaultyLink::start_on(address.trim(), "127.0.0.1:9")?;
    let clean = Pair::new(work, template, &file, Some(&link))?;
    let before = link.forwarded();
    clean.upload()?;
    let uncut = link.forwarded() - before;
    drop(clean);

    let cut = Pair::new(work, template, &file, Some(&link))?;
    let before = link.forwarded();
    let chunk = DEFAULT_CHUNK_BYTES;
    link.cut_after(&[chunk + chunk / 2, 3 * chunk + chunk / 3, 5 * chunk + 3 * chunk / 4]);
    let mut failures = 0;
    while cut.upload().is_err() {
        failures += 1;
        if failures > 3 {
            bail!("the upload did not finish after 3 cuts");
        }
    }
    cut.expect_verified()?;
    let sent = link.forwarded() - before;
    std::fs::remove_file(&file)?;
    Ok(sent.saturating_sub(uncut) as f64 / 3.0)
}

/// A file of `len` random bytes that an import takes for an MP4 recording: an `ftyp` box,
/// then one `mdat` box holding the rest. Made once and kept between runs.
fn make_recording(path: &PathBuf, len: u64) -> Result<()> {
    use std::io::{Seek, Write};
    make_file(path, len)?;
    let mut head = ftyp(b"isom");
    let media = u32::try_from(len - head.len() as u64).context("a recording under 4 GiB")?;
    head.extend_from_slice(&media.to_be_bytes());
    head.extend_from_slice(b"mdat");
    let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.seek(std::io::SeekFrom::Start(0))?;
    file.write_all(&head)?;
    file.sync_all()?;
    Ok(())
}

/// A fresh copy of the prepared pair: the bureau running on the address the device knows,
/// or behind `link` there, and one file imported into an inspection then finalized, whose
/// reference the bureau already holds.
struct Pair {
    bureau: BureauProcess,
    device: SharedDevice,
    data_dir: PathBuf,
    runtime: tokio::runtime::Runtime,
    _tmp: tempfile::TempDir,
}

impl Pair {
    fn new(work: &Path, template: &Path, file: &Path, link: Option<&FaultyLink>) -> Result<Self> {
        let tmp = tempfile::tempdir_in(work)?;
        copy_dir(&template.join("device"), &tmp.path().join("device"))?;
        copy_dir(&template.join("bureau"), &tmp.path().join("bureau"))?;
        let address = std::fs::read_to_string(template.join("address"))?;
        let listen = if link.is_some() { "127.0.0.1:0" } else { address.trim() };
        // The address was the template bureau's; the last pair's bureau may have just left it.
        let deadline = Instant::now() + Duration::from_secs(10);
        let bureau = loop {
            match BureauProcess::start(&tmp.path().join("bureau"), listen) {
                Ok(b) => break b,
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
                Err(e) => return Err(e),
            }
        };
        if let Some(link) = link {
            link.set_upstream(bureau.url.trim_start_matches("http://"));
        }
        let data_dir = tmp.path().join("device");
        let mut device = Device::open(&data_dir, OpenMode::MustExist)?;
        device.sign_in(OFFICER.0, OFFICER.1)?;
        let site = device.sites()?.into_iter().next().context("the prepared device has a site")?;
        let inspection = device.new_inspection(site.id, None, None)?.id;
        let folder = tmp.path().join("recorder");
        std::fs::create_dir_all(&folder)?;
        std::fs::hard_link(file, folder.join("ZFY_A0123_JC0107_20261201093000.MP4"))?;
        let summary =
            device.import_evidence(inspection, &folder, &ImportOptions::default(), &|_| {}, &AtomicBool::new(false))?;
        if summary.imported.len() != 1 {
            bail!("the file was not imported: {summary:?}");
        }
        // Evidence travels after the seal that covers it.
        answer_all(&mut device, inspection, &[])?;
        check_two_officers(&mut device, inspection)?;
        device.finalize(inspection, None)?;
        // The reference first, on its own: only the file's sending is timed.
        // The vault's copy was written past the page cache (direct I/O); read it once, so the
        // upload reads from the cache as the reference's client does.
        for item in device.evidence(Some(inspection))? {
            std::io::copy(&mut std::fs::File::open(&item.stored_at)?, &mut std::io::sink())?;
        }
        device.set_uploads_paused(None, true)?;
        let device = SharedDevice::new(device);
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        runtime.block_on(sync::sync_once(&device))?;
        device.lock().set_uploads_paused(None, false)?;
        Ok(Pair { bureau, device, data_dir, runtime, _tmp: tmp })
    }

    /// Sends the file from this process (the device side of the bench).
    fn upload(&self) -> Result<()> {
        let enrollment = self.device.lock().enrollment()?.context("the prepared device is enrolled")?;
        let http = sync::BureauHttp::for_enrollment(&enrollment)?;
        let options = self.device.lock().upload_options();
        let report = self.runtime.block_on(upload_queued(&self.device, &http, &enrollment.token, &options))?;
        if report.uploaded != 1 {
            bail!("the file was not uploaded: {report:?}");
        }
        Ok(())
    }

    /// Sends the file with `fieldcase evidence upload --once` and returns that process's peak
    /// resident memory, read from `/proc` while it runs.
    fn upload_in_a_process(&self) -> Result<f64> {
        let fieldcase = std::env::current_exe()?.with_file_name("fieldcase");
        let mut child = Command::new(fieldcase)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(["evidence", "upload", "--once"])
            .stdout(std::process::Stdio::null())
            .spawn()?;
        let mut peak = 0.0f64;
        let exit = loop {
            // Gone between two looks once it exits: the last reading stands.
            if let Ok(mb) = crate::report::peak_rss_mb(child.id()) {
                peak = peak.max(mb);
            }
            if let Some(exit) = child.try_wait()? {
                break exit;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        if !exit.success() {
            bail!("fieldcase evidence upload --once failed ({exit})");
        }
        Ok(peak)
    }

    /// Pulls the bureau's verdict and checks the file is verified: a fast upload of bytes the
    /// bureau does not hold is no figure.
    fn expect_verified(&self) -> Result<()> {
        self.runtime.block_on(sync::sync_once(&self.device))?;
        let items = self.device.lock().upload_status()?;
        if items.iter().any(|i| i.state != UploadState::Verified) {
            bail!("the bureau did not verify the upload: {items:?}");
        }
        Ok(())
    }
}
