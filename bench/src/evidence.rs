//! Evidence import, each figure beside what the machine itself can do on the same file in
//! the same run (the file in the page cache for every side):
//!
//! - `evidence_import_1gib`: copy into the vault and hash, fsynced, against the slower of
//!   `openssl dgst -sha256` (the hash's limit on this CPU) and `cp` then `sync` (the disk's
//!   limit). Target: at least 0.8 of it, which the hash can only reach by hiding behind the
//!   writes on the other core.
//! - `evidence_import_in_place_1gib`: hashing in place against `openssl dgst -sha256`.
//!   Target: at least 0.8.
//! - `evidence_import_peak_rss_2gib`: the peak resident memory of a process importing a 2 GiB
//!   file, read from `/proc/PID/status` (VmHWM) by this process. Target: under 64 MB.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use fieldcase_device::evidence::Vault;

use crate::report::{Figure, results_dir};
use crate::sync_push::median;

const GIB: u64 = 1 << 30;
const ROUNDS: usize = 5;
const TARGET: f64 = 0.8;
const PEAK_CEILING_MB: f64 = 64.0;
/// SHA-256 of 2 GiB of zero bytes (`head -c 2147483648 /dev/zero | sha256sum`).
const ZEROS_2GIB: &str = "a7c744c13cc101ed66c29f672f92455547889cc586ce6d44fe76ae824958ea51";
/// The hidden subcommand the peak-memory figure runs this binary with.
pub const CHILD: &str = "evidence-import-child";

pub fn run() -> Result<()> {
    let work = results_dir().join("work").join("evidence");
    std::fs::create_dir_all(&work)?;
    let file = work.join("shift-1gib.mp4");
    make_file(&file, GIB)?;
    read_through(&file)?;

    let (mut copy, mut hash_only, mut openssl, mut cp_sync) = (vec![], vec![], vec![], vec![]);
    for round in 1..=ROUNDS {
        let (openssl_says, o) =
            timed(|| run_quietly(Command::new("openssl").args(["dgst", "-sha256", "-r"]).arg(&file)))?;
        let expected = openssl_says.split_whitespace().next().unwrap_or_default().to_owned();
        // Hashing in place right after openssl, both only reading; the writing sides after,
        // each after a sync, so neither pays for what the other left to write or remove.
        let never = AtomicBool::new(false);
        let (hashed, h) = timed(|| Ok(Vault::hash_in_place(&file, &|_| {}, &never)?))?;
        let dest = work.join("cp-copy.mp4");
        sync()?;
        let ((), c) = timed(|| {
            run_quietly(Command::new("sh").args(["-c", r#"cp "$1" "$2" && sync"#, "sh"]).arg(&file).arg(&dest))
                .map(drop)
        })?;
        std::fs::remove_file(&dest)?;
        let vault_dir = work.join("vault");
        let _ = std::fs::remove_dir_all(&vault_dir);
        let vault = Vault::open(&vault_dir)?;
        sync()?;
        let (imported, i) = timed(|| Ok(vault.import_copy(&file, &|_| {}, &never)?))?;
        std::fs::remove_dir_all(&vault_dir)?;
        sync()?;
        // A fast wrong hash is no figure.
        for got in [imported.sha256, hashed.sha256] {
            if got.to_hex() != expected {
                bail!("the import's hash {got} differs from openssl's {expected}");
            }
        }
        eprintln!("(round {round}: import {i:.2} s, in place {h:.2} s, openssl dgst {o:.2} s, cp && sync {c:.2} s)");
        copy.push(i);
        hash_only.push(h);
        openssl.push(o);
        cp_sync.push(c);
    }
    let mb = |seconds: f64| GIB as f64 / 1e6 / seconds;
    let (openssl, cp_sync) = (median(openssl), median(cp_sync));
    let (slower_name, slower) =
        if cp_sync >= openssl { ("cp && sync", cp_sync) } else { ("openssl dgst -sha256", openssl) };
    let import = median(copy);
    Figure {
        name: "evidence_import_1gib",
        value: mb(import),
        unit: "MB/s",
        reference_name: slower_name,
        reference: mb(slower),
        reference_unit: "MB/s",
        target: format!(
            "ratio >= {TARGET} of the slower of openssl dgst ({:.0} MB/s) and cp && sync ({:.0} MB/s); medians of {ROUNDS} rounds",
            mb(openssl),
            mb(cp_sync)
        ),
        met: slower / import >= TARGET,
    }
    .emit()?;
    let in_place = median(hash_only);
    Figure {
        name: "evidence_import_in_place_1gib",
        value: mb(in_place),
        unit: "MB/s",
        reference_name: "openssl dgst -sha256",
        reference: mb(openssl),
        reference_unit: "MB/s",
        target: format!("ratio >= {TARGET} (medians of {ROUNDS} rounds)"),
        met: openssl / in_place >= TARGET,
    }
    .emit()?;

    let big = work.join("shift-2gib.mp4");
    // Sparse: the memory figure does not need the bytes on disk, only read.
    File::create(&big)?.set_len(2 * GIB)?;
    let peak = child_peak_mb(&big, &work.join("vault-2gib"), ZEROS_2GIB)?;
    std::fs::remove_file(&big)?;
    Figure {
        name: "evidence_import_peak_rss_2gib",
        value: peak,
        unit: "MB",
        reference_name: "ceiling",
        reference: PEAK_CEILING_MB,
        reference_unit: "MB",
        target: format!("< {PEAK_CEILING_MB} MB (peak resident memory of the importing process, VmHWM)"),
        met: peak < PEAK_CEILING_MB,
    }
    .emit()
}

/// Runs this binary as [`child`] on `src` and reads its peak memory once the import is done.
fn child_peak_mb(src: &Path, vault: &Path, expected_sha256: &str) -> Result<f64> {
    let _ = std::fs::remove_dir_all(vault);
    let mut child = Command::new(std::env::current_exe()?)
        .arg(CHILD)
        .arg(src)
        .arg(vault)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().context("child stdout")?).read_line(&mut line)?;
    let peak = crate::report::peak_rss_mb(child.id())?;
    drop(child.stdin.take());
    let exit = child.wait()?;
    if !exit.success() || !line.starts_with("imported") {
        bail!("the importing process failed ({exit}): {line}");
    }
    if !line.trim_end().ends_with(expected_sha256) {
        bail!("the importing process hashed the file wrong: {line} (expected {expected_sha256})");
    }
    eprintln!("(2 GiB import: {})", line.trim());
    std::fs::remove_dir_all(vault)?;
    Ok(peak)
}

/// The child side: import `src` into the vault at `vault`, say so, and stay alive (so the
/// parent can read its peak) until the parent closes our stdin.
pub fn child(args: &[String]) -> Result<()> {
    let [src, vault] = args else { bail!("usage: {CHILD} SRC VAULT") };
    let stored = Vault::open(Path::new(vault))?.import_copy(Path::new(src), &|_| {}, &AtomicBool::new(false))?;
    println!("imported {} bytes, sha256 {}", stored.size, stored.sha256);
    std::io::stdout().flush()?;
    std::io::stdin().read_to_end(&mut Vec::new())?;
    Ok(())
}

/// A file of `len` bytes that do not compress or repeat, made once and kept between runs.
pub(crate) fn make_file(path: &PathBuf, len: u64) -> Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == len) {
        return Ok(());
    }
    let mut out = std::io::BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut block = vec![0u8; 1 << 20];
    for _ in 0..len / block.len() as u64 {
        for chunk in block.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes());
        }
        out.write_all(&block)?;
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(())
}

/// Reads the file once, so every side finds it in the page cache.
fn read_through(path: &Path) -> Result<()> {
    std::io::copy(&mut File::open(path)?, &mut std::io::sink())?;
    Ok(())
}

fn sync() -> Result<()> {
    run_quietly(&mut Command::new("sync")).map(drop)
}

/// Runs `command` to its end; what it printed.
fn run_quietly(command: &mut Command) -> Result<String> {
    let out = command.output().with_context(|| format!("running {command:?}"))?;
    if !out.status.success() {
        bail!("{command:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// What `f` gave, and the seconds it took.
fn timed<T>(f: impl FnOnce() -> Result<T>) -> Result<(T, f64)> {
    let started = Instant::now();
    let value = f()?;
    Ok((value, started.elapsed().as_secs_f64()))
}
