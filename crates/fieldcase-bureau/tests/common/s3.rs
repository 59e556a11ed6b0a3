//! A real S3 server for the tests: `s3s-fs` serving a temporary folder on a free loopback
//! port, stopped on drop. Any test that runs a story on the S3 evidence store starts one:
//!
//! ```ignore
//! let Some(server) = S3Server::start().await else { return };
//! let store = S3BlobStore::open(&server.settings).await?;
//! ```
//!
//! Without s3s-fs installed, `start` prints a skip line and gives None on a developer's
//! machine, but fails the test in CI (`CI=true`), where `scripts/install-deps.sh test` has
//! installed it.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fieldcase_bureau::Secret;
use fieldcase_bureau::blobs::settings::{DEFAULT_REGION, S3Settings};

pub const BUCKET: &str = "evidence";
const ACCESS_KEY: &str = "fieldcase-test";
const SECRET_KEY: &str = "fieldcase-test-secret";
/// How long s3s-fs may take to accept connections after it starts.
const READY_WITHIN: Duration = Duration::from_secs(15);

/// A running s3s-fs with one bucket, [`BUCKET`].
pub struct S3Server {
    /// Settings that reach the bucket, as `[blobs.s3]` would give them.
    pub settings: S3Settings,
    child: Child,
    root: tempfile::TempDir,
}

impl S3Server {
    /// Starts s3s-fs, or None (having said why) when it is not installed outside CI.
    pub async fn start() -> Option<Self> {
        let Some(binary) = find_binary() else {
            let fix = "s3s-fs is not installed: run scripts/install-deps.sh test (it builds s3s-fs 0.14.1 once)";
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{fix}");
            }
            eprintln!("skipped: the S3 store's test needs a real S3 server; {fix}");
            return None;
        };
        let root = tempfile::tempdir().expect("a temp dir");
        let data = root.path().join("data");
        // To s3s-fs a bucket is a folder of its root.
        std::fs::create_dir_all(data.join(BUCKET)).expect("the bucket's folder");
        let log = root.path().join("s3s-fs.log");
        // A port found free may be taken before s3s-fs binds it: then it exits, and we try another.
        for _ in 0..5 {
            let port = free_port();
            let mut child = Command::new(&binary)
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
                .arg(&data)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(File::create(&log).expect("the server's log file"))
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
            if wait_until_ready(&mut child, port).await {
                let settings = S3Settings {
                    endpoint: Some(format!("http://127.0.0.1:{port}")),
                    bucket: BUCKET.into(),
                    region: DEFAULT_REGION.into(),
                    access_key_id: ACCESS_KEY.into(),
                    secret_access_key: Secret::new(SECRET_KEY),
                    allow_http: true,
                };
                return Some(S3Server { settings, child, root });
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!(
            "s3s-fs did not start on a loopback port in five tries; its log: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// The folder holding the bucket's objects, each at its key's path.
    pub fn bucket_dir(&self) -> PathBuf {
        self.root.path().join("data").join(BUCKET)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `s3s-fs` on the PATH, else where `cargo install` puts it.
fn find_binary() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("s3s-fs"));
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")));
    on_path.chain(cargo_home.map(|home| home.join("bin").join("s3s-fs"))).find(|path| path.is_file())
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    listener.local_addr().expect("bound").port()
}

/// Whether the server accepts connections on `port` before it exits or time runs out.
async fn wait_until_ready(child: &mut Child, port: u16) -> bool {
    let started = Instant::now();
    while started.elapsed() < READY_WITHIN {
        if child.try_wait().expect("the server's status").is_some() {
            return false;
        }
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("s3s-fs did not accept connections on port {port} within {READY_WITHIN:?}");
}
