//! The reference the evidence upload figures are set beside: the official Node tus pair,
//! `@tus/server` 2 with `@tus/file-store` 2 (`scripts/tus-peers/serve.mjs`) receiving a file
//! from `tus-js-client` 4.3 under Node (`scripts/tus-peers/upload.mjs`) in 8 MiB chunks over
//! loopback, without checksums (tus-js-client sends none).
//!
//! [`measure`] gives its throughput and the server's peak memory for one file; `fieldcase-bench
//! tus-reference` prints them alone for a 1 GiB file.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::report::results_dir;

/// The chunk size of the comparison, the device's default too.
pub const CHUNK: u64 = 8 * 1024 * 1024;
const GIB: u64 = 1 << 30;

/// One upload through the Node pair.
#[derive(Debug, Clone, Copy)]
pub struct Reference {
    /// The file's bytes over the upload's own time (Node's start-up left out), in MB/s.
    pub mb_per_s: f64,
    /// The server's peak resident memory (VmHWM), in MB.
    pub server_peak_mb: f64,
}

/// Uploads `file` from tus-js-client to a fresh @tus/server keeping uploads under `work`,
/// checks the server holds the same bytes, and says how fast and how much memory it took.
pub fn measure(file: &Path, work: &Path) -> Result<Reference> {
    let peers = peers_dir();
    if !peers.join("node_modules").join("@tus").join("server").is_dir() {
        bail!("the Node tus peers are not installed in {}: run scripts/install-deps.sh test", peers.display());
    }
    let size = std::fs::metadata(file).with_context(|| format!("the file to upload, {}", file.display()))?.len();
    let store = work.join("tus-server-files");
    let _ = std::fs::remove_dir_all(&store);
    std::fs::create_dir_all(&store)?;

    let server = Server::start(&peers, &store)?;
    let out = Command::new("node")
        .arg(peers.join("upload.mjs"))
        .arg("--endpoint")
        .arg(format!("http://127.0.0.1:{}/files/", server.port))
        .arg("--file")
        .arg(file)
        .args(["--evidence-id", "bench", "--chunk-size", &CHUNK.to_string(), "--report-seconds"])
        .output()
        .context("running node scripts/tus-peers/upload.mjs")?;
    if !out.status.success() {
        bail!("tus-js-client's upload failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr));
    }
    let server_peak_mb = server.peak_mb()?;
    drop(server);

    let printed = String::from_utf8_lossy(&out.stdout);
    let mut lines = printed.lines();
    let url = lines.next().context("upload.mjs printed no upload URL")?;
    let seconds: f64 = lines
        .next()
        .and_then(|l| l.strip_prefix("seconds "))
        .and_then(|s| s.trim().parse().ok())
        .with_context(|| format!("upload.mjs printed no time: {printed}"))?;
    let id = url.rsplit('/').next().unwrap_or_default();
    let stored = store.join(id);
    // A fast upload of the wrong bytes is no reference.
    if !same_bytes(file, &stored)? {
        bail!("@tus/server's copy {} differs from {}", stored.display(), file.display());
    }
    std::fs::remove_dir_all(&store)?;
    Ok(Reference { mb_per_s: size as f64 / 1e6 / seconds, server_peak_mb })
}

/// `fieldcase-bench tus-reference`: the Node pair alone on a 1 GiB file, printed, not scored.
pub fn run() -> Result<()> {
    let work = results_dir().join("work").join("tus-reference");
    std::fs::create_dir_all(&work)?;
    let file = work.join("shift-1gib.mp4");
    crate::evidence::make_file(&file, GIB)?;
    let reference = measure(&file, &work)?;
    println!(
        "reference tus_js_client_to_tus_server_1gib: {:.1} MB/s, server peak {:.1} MB \
         (@tus/server 2 + @tus/file-store 2 from tus-js-client 4.3, 8 MiB chunks, loopback, no checksums)",
        reference.mb_per_s, reference.server_peak_mb
    );
    Ok(())
}

/// `scripts/tus-peers` of this checkout.
fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("scripts").join("tus-peers")
}

/// `serve.mjs` running, killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(peers: &Path, store: &Path) -> Result<Self> {
        let mut child = Command::new("node")
            .arg(peers.join("serve.mjs"))
            .args(["--port", "0", "--dir"])
            .arg(store)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .context("starting node scripts/tus-peers/serve.mjs (is Node.js installed?)")?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("the server's stdout")?).read_line(&mut line)?;
        // Killed on drop from here on, should the port be missing.
        let mut server = Server { child, port: 0 };
        match line.trim().strip_prefix("port ").and_then(|p| p.parse().ok()) {
            Some(port) => server.port = port,
            None => bail!("serve.mjs did not say its port (it printed {line:?}); its errors are above"),
        }
        Ok(server)
    }

    /// The server's peak resident memory so far, in MB.
    fn peak_mb(&self) -> Result<f64> {
        crate::report::peak_rss_mb(self.child.id())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether two files hold the same bytes, read a MiB at a time.
fn same_bytes(a: &Path, b: &Path) -> Result<bool> {
    let (mut a, mut b) = (File::open(a)?, File::open(b).with_context(|| format!("{}", b.display()))?);
    if a.metadata()?.len() != b.metadata()?.len() {
        return Ok(false);
    }
    let (mut x, mut y) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let n = a.read(&mut x)?;
        if n == 0 {
            return Ok(true);
        }
        b.read_exact(&mut y[..n])?;
        if x[..n] != y[..n] {
            return Ok(false);
        }
    }
}
