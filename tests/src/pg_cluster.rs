//! A throwaway PostgreSQL cluster, one per process: for the bureau's tests (a fresh database
//! for every test) and for `make bench` (a fresh database for every round).
//!
//! `initdb` makes the cluster in a temporary folder (as the `postgres` user through `runuser`
//! when running as root, since PostgreSQL refuses to run as root; directly otherwise),
//! and `pg_ctl` starts it on a free loopback port with its socket in that folder. A watcher
//! process stops the cluster and removes the folder when this process exits, however it
//! exits (a static is never dropped, and a panic or a kill skips any clean-up in the process
//! itself).
//!
//! Without PostgreSQL's server programs, [`database`] prints a skip line and gives None on a
//! developer's machine, but fails the test in CI (`CI=true`), where
//! `scripts/install-deps.sh test` has installed the `postgresql` package; [`cluster`] gives
//! the reason, for callers that decide themselves.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// The cluster's superuser, whatever user runs the tests.
const SUPERUSER: &str = "postgres";

/// A running cluster.
#[derive(Debug)]
pub struct Cluster {
    port: u16,
    /// The PEM certificate of the authority that signed the server's TLS certificate.
    authority: PathBuf,
}

impl Cluster {
    /// Its loopback port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Makes the empty database `name` (or a copy of `template`) and gives its `postgres://` URL.
    pub async fn create_database(&self, name: &str, template: Option<&str>) -> Result<String, String> {
        let copy = template.map(|t| format!(" TEMPLATE {t}")).unwrap_or_default();
        self.admin(&format!("CREATE DATABASE {name}{copy}"))
            .await
            .map_err(|e| format!("cannot create the database {name}: {e}"))?;
        Ok(self.url(name))
    }

    /// Drops database `name` (its connections closed first), so that nothing of it, such as
    /// autovacuum going over what was written there, runs on beside what comes next.
    pub async fn drop_database(&self, name: &str) -> Result<(), String> {
        self.admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .map_err(|e| format!("cannot drop the database {name}: {e}"))
    }

    /// Runs `sql` as the superuser in the `postgres` database.
    async fn admin(&self, sql: &str) -> Result<(), String> {
        let admin = format!("host=127.0.0.1 port={} user={SUPERUSER} dbname=postgres", self.port);
        let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
            .await
            .map_err(|e| format!("cannot connect to the throwaway cluster: {e}"))?;
        let driving = tokio::spawn(connection);
        let done = client.batch_execute(sql).await.map_err(|e| e.to_string());
        drop(client);
        let _ = driving.await;
        done
    }

    /// The `postgres://` URL of database `name` in this cluster.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{name}", self.port)
    }

    /// The URL of database `name` over TLS, the server's certificate checked against the
    /// cluster's own authority (`authority`, when given, instead).
    pub fn tls_url(&self, name: &str, authority: Option<&Path>) -> String {
        let authority = authority.unwrap_or(&self.authority).display().to_string().replace(' ', "%20");
        format!("{}?sslmode=verify-full&sslrootcert={authority}", self.url(name))
    }
}

/// This process's cluster, started at the first call; Err says why it could not start (it
/// begins with [`MISSING`] when PostgreSQL is not installed).
pub fn cluster() -> Result<&'static Cluster, &'static str> {
    CLUSTER.get_or_init(start).as_ref().map_err(String::as_str)
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static DATABASES: AtomicU32 = AtomicU32::new(0);

/// A new, empty database in this process's cluster, as a `postgres://` URL; None (having said
/// why) when PostgreSQL is not installed outside CI.
pub async fn database() -> Option<String> {
    let cluster = match cluster() {
        Ok(cluster) => cluster,
        Err(why) if why.starts_with(MISSING) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{why}");
            }
            eprintln!("skipped: this test needs PostgreSQL; {why}");
            return None;
        }
        Err(why) => panic!("the test cluster did not start: {why}"),
    };
    let name = format!("t_{}_{}", std::process::id(), DATABASES.fetch_add(1, Ordering::Relaxed));
    Some(cluster.create_database(&name, None).await.expect("a fresh database"))
}

/// How a failure to start begins when PostgreSQL is not installed.
pub const MISSING: &str = "PostgreSQL's server programs (initdb, pg_ctl) are not installed";

/// Makes and starts the cluster, and the watcher that stops it when this process ends.
fn start() -> Result<Cluster, String> {
    let Some(bin) = find_bin() else {
        return Err(format!("{MISSING}: run scripts/install-deps.sh test (Debian package postgresql)"));
    };
    let as_root = is_root();
    // As root, in /tmp itself: `postgres` could not reach a folder under root's own TMPDIR.
    let parent = if as_root { PathBuf::from("/tmp") } else { std::env::temp_dir() };
    let root = tempfile::Builder::new().prefix("fieldcase-pg-").tempdir_in(parent).map_err(|e| e.to_string())?.keep();
    if as_root {
        // The server runs as `postgres`, which must own its folder.
        run(Command::new("chown").args(["-R", SUPERUSER]).arg(&root))?;
    }
    let data = root.join("data");
    let log = root.join("server.log");
    run(pg(as_root, &bin.join("initdb")).arg("-D").arg(&data).args([
        "-A",
        "trust",
        "-U",
        SUPERUSER,
        "-E",
        "UTF8",
        "--no-sync",
    ]))?;
    let authority = certify(as_root, &root, &data)?;
    let mut last_error = String::new();
    // A port found free may be taken before the server binds it: then try another.
    for _ in 0..5 {
        let port = free_port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c ssl=on",
            root.display()
        );
        let started = run(pg(as_root, &bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", "60", "-o", &options, "start"]));
        match started {
            Ok(()) => {
                watch(as_root, &bin.join("pg_ctl"), &root)?;
                return Ok(Cluster { port, authority });
            }
            Err(e) => last_error = format!("{e}; its log: {}", std::fs::read_to_string(&log).unwrap_or_default()),
        }
    }
    Err(format!("pg_ctl could not start the cluster on a loopback port in five tries: {last_error}"))
}

/// Gives the server a TLS certificate for 127.0.0.1 and localhost (`server.crt` and
/// `server.key` in `data`, where PostgreSQL looks for them), issued by an authority made for
/// this cluster; gives the authority's PEM file. Plain connections are served as before.
fn certify(as_root: bool, root: &Path, data: &Path) -> Result<PathBuf, String> {
    use std::os::unix::fs::PermissionsExt;
    let failed = |e: &dyn std::fmt::Display| format!("cannot make the cluster's TLS certificate: {e}");
    let ca_key = rcgen::KeyPair::generate().map_err(|e| failed(&e))?;
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| failed(&e))?;
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name.push(rcgen::DnType::CommonName, "fieldcase test cluster authority");
    let ca_cert = ca.self_signed(&ca_key).map_err(|e| failed(&e))?;
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = rcgen::KeyPair::generate().map_err(|e| failed(&e))?;
    let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    let cert = rcgen::CertificateParams::new(names).and_then(|p| p.signed_by(&key, &issuer)).map_err(|e| failed(&e))?;
    let authority = root.join("authority.pem");
    std::fs::write(&authority, ca_cert.pem()).map_err(|e| failed(&e))?;
    std::fs::write(data.join("server.crt"), cert.pem()).map_err(|e| failed(&e))?;
    let key_file = data.join("server.key");
    std::fs::write(&key_file, key.serialize_pem()).map_err(|e| failed(&e))?;
    // PostgreSQL refuses a key others may read; as root, the server's user must own it.
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).map_err(|e| failed(&e))?;
    if as_root {
        run(Command::new("chown").arg(SUPERUSER).arg(&key_file).arg(data.join("server.crt")))?;
    }
    Ok(authority)
}

/// A command of PostgreSQL's, as `postgres` when running as root.
fn pg(as_root: bool, program: &Path) -> Command {
    if as_root {
        let mut command = Command::new("runuser");
        command.args(["-u", SUPERUSER, "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// Starts the watcher: it waits for this process to end, then stops the cluster and removes
/// its folder.
fn watch(as_root: bool, pg_ctl: &Path, root: &Path) -> Result<(), String> {
    let stop = pg(as_root, pg_ctl);
    let stop = std::iter::once(stop.get_program().to_string_lossy().into_owned())
        .chain(stop.get_args().map(|a| a.to_string_lossy().into_owned()))
        .map(|word| format!("'{word}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let script = format!(
        "tail --pid={pid} -f /dev/null; {stop} -D '{data}' -m immediate -w stop >/dev/null 2>&1; rm -rf '{root}'",
        pid = std::process::id(),
        data = root.join("data").display(),
        root = root.display(),
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| format!("cannot start the watcher that stops the cluster: {e}"))
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command.stdin(Stdio::null()).output().map_err(|e| format!("{command:?}: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!("{command:?} failed ({}): {}", output.status, String::from_utf8_lossy(&output.stderr)))
}

/// The folder of `initdb` and `pg_ctl`: Debian's newest version, else the PATH.
fn find_bin() -> Option<PathBuf> {
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
        .collect();
    debian.sort_by_key(|bin| {
        bin.parent().and_then(|v| v.file_name()).and_then(|v| v.to_str()).and_then(|v| v.parse::<u32>().ok())
    });
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file());
    debian.pop().or(on_path)
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    listener.local_addr().expect("bound").port()
}
