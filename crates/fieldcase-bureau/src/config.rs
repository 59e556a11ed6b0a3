//! The bureau's settings, in layers: defaults, then a TOML file (`<data_dir>/bureau.toml` if
//! present, or a file named explicitly), then `FIELDCASE_*` environment variables. The
//! command line applies its own options last.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::blobs::settings::BlobSettings;

/// The settings file looked for in the data directory.
pub const CONFIG_FILE: &str = "bureau.toml";

/// Where the bureau listens when nothing says otherwise: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
pub const DEFAULT_PULL_PAGE_LIMIT: usize = 500;
/// The JSON of one pull page's changes, at most (one change larger than this goes alone): a
/// second or so on a poor mobile connection, well within a device's time-out.
pub const DEFAULT_PULL_PAGE_BYTES: usize = 1024 * 1024;
/// How long an evidence upload may rest between chunks before the bureau drops it.
pub const DEFAULT_UPLOAD_EXPIRY_HOURS: u64 = 72;
/// The largest evidence file the bureau takes: a long shift of body-cam video, and more.
pub const DEFAULT_UPLOAD_MAX_BYTES: u64 = 64 * 1024 * 1024 * 1024;

/// A setting whose value must never reach a log or a terminal (a database URL carries a
/// password). `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The address to listen on (`FIELDCASE_LISTEN`).
    pub listen: SocketAddr,
    /// Where the database, the bureau's key and `bureau.toml` live (`FIELDCASE_DATA_DIR`).
    pub data_dir: PathBuf,
    /// The largest request body accepted (`FIELDCASE_MAX_BODY_BYTES`).
    pub max_body_bytes: usize,
    /// The most changes one pull returns (`FIELDCASE_PULL_PAGE_LIMIT`).
    pub pull_page_limit: usize,
    /// The most bytes of changes one pull returns, unless a single change is larger
    /// (`FIELDCASE_PULL_PAGE_BYTES`).
    pub pull_page_bytes: usize,
    /// Where records are kept (`FIELDCASE_DATABASE_URL`): unset for SQLite in the data
    /// directory, a `postgres://` URL for PostgreSQL (see [`crate::store::postgres`]).
    pub database_url: Option<Secret>,
    /// The PEM certificate chain and private key to serve HTTPS with (`FIELDCASE_TLS_CERT`,
    /// `FIELDCASE_TLS_KEY`); both or neither: without them the bureau serves plain HTTP.
    pub tls: Option<TlsFiles>,
    /// Where evidence bytes are kept (`[blobs]`, see [`crate::blobs::settings`];
    /// `FIELDCASE_BLOBS_STORE=fs` forces the bureau's own disk).
    pub blobs: BlobSettings,
    /// How evidence uploads are held (`[uploads]`).
    pub uploads: UploadsConfig,
}

/// The `[uploads]` settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadsConfig {
    /// How long an upload may rest between chunks before it expires (`expiry_hours`,
    /// `FIELDCASE_UPLOADS_EXPIRY_HOURS`; 72 hours by default).
    pub expiry: std::time::Duration,
    /// The largest `Upload-Length` taken (`max_bytes`, `FIELDCASE_UPLOADS_MAX_BYTES`).
    pub max_bytes: u64,
}

impl Default for UploadsConfig {
    fn default() -> Self {
        UploadsConfig {
            expiry: std::time::Duration::from_secs(DEFAULT_UPLOAD_EXPIRY_HOURS * 3600),
            max_bytes: DEFAULT_UPLOAD_MAX_BYTES,
        }
    }
}

/// The files the bureau serves HTTPS with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// A setting that could not be used; the message names it and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

/// The keys a settings file may hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLayer {
    listen: Option<String>,
    max_body_bytes: Option<usize>,
    pull_page_limit: Option<usize>,
    pull_page_bytes: Option<usize>,
    database_url: Option<Secret>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    blobs: Option<BlobSettings>,
    uploads: Option<UploadsLayer>,
}

/// `[uploads]` in a settings file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadsLayer {
    expiry_hours: Option<u64>,
    max_bytes: Option<u64>,
}

impl Config {
    /// The defaults, for a data directory.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Config {
            listen: DEFAULT_LISTEN.parse().expect("the default address parses"),
            data_dir: data_dir.into(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            pull_page_limit: DEFAULT_PULL_PAGE_LIMIT,
            pull_page_bytes: DEFAULT_PULL_PAGE_BYTES,
            database_url: None,
            tls: None,
            blobs: BlobSettings::Fs,
            uploads: UploadsConfig::default(),
        }
    }

    /// Defaults, then the settings file, then the process environment.
    pub fn load(data_dir: impl Into<PathBuf>, file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_with_env(data_dir, file, |name| std::env::var(name).ok())
    }

    /// [`Config::load`] with the environment given, for tests.
    pub fn load_with_env(
        data_dir: impl Into<PathBuf>,
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut config = Config::new(data_dir);
        let default_file = config.data_dir.join(CONFIG_FILE);
        let file = match file {
            Some(path) => Some(path.to_owned()),
            None if default_file.is_file() => Some(default_file),
            None => None,
        };
        if let Some(path) = file {
            config.apply_file(&path)?;
        }
        config.apply_env(env)?;
        config.validate()?;
        Ok(config)
    }

    fn apply_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("cannot read the settings file {}: {e}", path.display())))?;
        let layer: FileLayer = toml::from_str(&text).map_err(|e| {
            ConfigError(format!(
                "the settings file {} is not valid: {e}; its keys are listen, max_body_bytes, pull_page_limit, pull_page_bytes, database_url, tls_cert and tls_key, and the tables [blobs] (store) and [uploads] (expiry_hours, max_bytes)",
                path.display()
            ))
        })?;
        let source = path.display().to_string();
        if let Some(listen) = layer.listen {
            self.listen = parse_listen(&listen, &source)?;
        }
        self.max_body_bytes = layer.max_body_bytes.unwrap_or(self.max_body_bytes);
        self.pull_page_limit = layer.pull_page_limit.unwrap_or(self.pull_page_limit);
        self.pull_page_bytes = layer.pull_page_bytes.unwrap_or(self.pull_page_bytes);
        self.database_url = layer.database_url.or(self.database_url.take());
        self.set_tls(layer.tls_cert, layer.tls_key, &source)?;
        if let Some(blobs) = layer.blobs {
            self.blobs = blobs;
        }
        if let Some(uploads) = layer.uploads {
            if let Some(hours) = uploads.expiry_hours {
                self.uploads.expiry = hours_to_duration(hours, &source)?;
            }
            self.uploads.max_bytes = uploads.max_bytes.unwrap_or(self.uploads.max_bytes);
        }
        Ok(())
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let var = |name: &str| env(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        if let Some(listen) = var("FIELDCASE_LISTEN") {
            self.listen = parse_listen(&listen, "FIELDCASE_LISTEN")?;
        }
        if let Some(bytes) = var("FIELDCASE_MAX_BODY_BYTES") {
            self.max_body_bytes = parse_count(&bytes, "FIELDCASE_MAX_BODY_BYTES")?;
        }
        if let Some(limit) = var("FIELDCASE_PULL_PAGE_LIMIT") {
            self.pull_page_limit = parse_count(&limit, "FIELDCASE_PULL_PAGE_LIMIT")?;
        }
        if let Some(bytes) = var("FIELDCASE_PULL_PAGE_BYTES") {
            self.pull_page_bytes = parse_count(&bytes, "FIELDCASE_PULL_PAGE_BYTES")?;
        }
        if let Some(url) = var("FIELDCASE_DATABASE_URL") {
            self.database_url = Some(Secret::new(url));
        }
        if let Some(store) = var("FIELDCASE_BLOBS_STORE") {
            self.blobs = blob_store_from_env(&store, &self.blobs)?;
        }
        if let Some(hours) = var("FIELDCASE_UPLOADS_EXPIRY_HOURS") {
            let hours = parse_count(&hours, "FIELDCASE_UPLOADS_EXPIRY_HOURS")?;
            self.uploads.expiry = hours_to_duration(hours as u64, "FIELDCASE_UPLOADS_EXPIRY_HOURS")?;
        }
        if let Some(bytes) = var("FIELDCASE_UPLOADS_MAX_BYTES") {
            self.uploads.max_bytes = parse_count(&bytes, "FIELDCASE_UPLOADS_MAX_BYTES")? as u64;
        }
        let (cert, key) = (var("FIELDCASE_TLS_CERT").map(PathBuf::from), var("FIELDCASE_TLS_KEY").map(PathBuf::from));
        if cert.is_some() || key.is_some() {
            self.set_tls(cert, key, "FIELDCASE_TLS_CERT/FIELDCASE_TLS_KEY")?;
        }
        Ok(())
    }

    /// Both files or neither: a certificate without its key (or a key alone) is a mistake.
    fn set_tls(&mut self, cert: Option<PathBuf>, key: Option<PathBuf>, source: &str) -> Result<(), ConfigError> {
        match (cert, key) {
            (Some(cert), Some(key)) => self.tls = Some(TlsFiles { cert, key }),
            (None, None) => {}
            _ => {
                return Err(ConfigError(format!(
                    "{source} names a TLS certificate without its key, or a key without its certificate; give both tls_cert and tls_key, or neither"
                )));
            }
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.max_body_bytes < 1024 {
            return Err(ConfigError(format!(
                "max_body_bytes is {}, too small for any push; use at least 1024",
                self.max_body_bytes
            )));
        }
        if !(1..=10_000).contains(&self.pull_page_limit) {
            return Err(ConfigError(format!(
                "pull_page_limit is {}; use a number from 1 to 10000",
                self.pull_page_limit
            )));
        }
        if self.pull_page_bytes < 1024 {
            return Err(ConfigError(format!(
                "pull_page_bytes is {}, too small for a page of changes; use at least 1024 (the default is {DEFAULT_PULL_PAGE_BYTES})",
                self.pull_page_bytes
            )));
        }
        if self.uploads.max_bytes == 0 {
            return Err(ConfigError(format!(
                "[uploads] max_bytes is 0, which refuses every evidence file; use the largest file size to take (the default is {DEFAULT_UPLOAD_MAX_BYTES})"
            )));
        }
        Ok(())
    }
}

/// `FIELDCASE_BLOBS_STORE`: "fs" forces the bureau's own disk; "s3" only confirms the S3
/// store `[blobs.s3]` in the settings file describes (its address and keys live there).
fn blob_store_from_env(value: &str, filed: &BlobSettings) -> Result<BlobSettings, ConfigError> {
    match (value, filed) {
        ("fs", _) => Ok(BlobSettings::Fs),
        ("s3", BlobSettings::S3(_)) => Ok(filed.clone()),
        ("s3", BlobSettings::Fs) => Err(ConfigError(
            "FIELDCASE_BLOBS_STORE=s3, but bureau.toml has no [blobs.s3] table with the store's endpoint, bucket and keys: add it (see the README), or leave the variable out".into(),
        )),
        (other, _) => Err(ConfigError(format!(
            "FIELDCASE_BLOBS_STORE names the evidence store '{other}'; the bureau knows \"fs\" (files under the data directory) and \"s3\" (the bucket [blobs.s3] in bureau.toml names)"
        ))),
    }
}

fn hours_to_duration(hours: u64, source: &str) -> Result<std::time::Duration, ConfigError> {
    if !(1..=24 * 365).contains(&hours) {
        return Err(ConfigError(format!(
            "{source} sets the upload expiry to {hours} hours; use 1 to 8760 (the default is {DEFAULT_UPLOAD_EXPIRY_HOURS})"
        )));
    }
    Ok(std::time::Duration::from_secs(hours * 3600))
}

fn parse_listen(value: &str, source: &str) -> Result<SocketAddr, ConfigError> {
    value.parse().map_err(|_| {
        ConfigError(format!(
            "listen address '{value}' from {source} is not an IP address with a port, such as 127.0.0.1:8787"
        ))
    })
}

fn parse_count(value: &str, source: &str) -> Result<usize, ConfigError> {
    value.parse().map_err(|_| ConfigError(format!("{source} is '{value}', not a whole number")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tls_takes_a_certificate_and_its_key_together() {
        let dir = tempfile::tempdir().unwrap();
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        };
        let both = Config::load_with_env(
            dir.path(),
            None,
            env(&[
                ("FIELDCASE_TLS_CERT", "/etc/fieldcase/bureau.crt"),
                ("FIELDCASE_TLS_KEY", "/etc/fieldcase/bureau.key"),
            ]),
        )
        .unwrap();
        assert_eq!(both.tls.unwrap().key, PathBuf::from("/etc/fieldcase/bureau.key"));
        let alone =
            Config::load_with_env(dir.path(), None, env(&[("FIELDCASE_TLS_CERT", "/etc/fieldcase/bureau.crt")]));
        assert!(alone.unwrap_err().to_string().contains("tls_key"), "a certificate without its key is named");
        assert!(Config::load_with_env(dir.path(), None, env(&[])).unwrap().tls.is_none());
    }

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn defaults_then_file_then_environment() {
        let dir = tempfile::tempdir().unwrap();
        let plain = Config::load_with_env(dir.path(), None, env(&[])).unwrap();
        assert_eq!(plain.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(plain.max_body_bytes, 16 * 1024 * 1024);
        assert_eq!(plain.pull_page_limit, 500);
        assert_eq!(plain.pull_page_bytes, 1024 * 1024, "a pull page is bounded by bytes too, 1 MiB by default");

        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "listen = \"0.0.0.0:9000\"\npull_page_limit = 50\npull_page_bytes = 65536\n",
        )
        .unwrap();
        let filed = Config::load_with_env(dir.path(), None, env(&[])).unwrap();
        assert_eq!(filed.listen.to_string(), "0.0.0.0:9000", "the data directory's bureau.toml is read");
        assert_eq!(filed.pull_page_limit, 50);
        assert_eq!(filed.pull_page_bytes, 65536);

        let both = Config::load_with_env(
            dir.path(),
            None,
            env(&[
                ("FIELDCASE_LISTEN", "127.0.0.1:9100"),
                ("FIELDCASE_MAX_BODY_BYTES", "4096"),
                ("FIELDCASE_PULL_PAGE_BYTES", "2048"),
            ]),
        )
        .unwrap();
        assert_eq!(both.listen.to_string(), "127.0.0.1:9100", "the environment overrides the file");
        assert_eq!(both.max_body_bytes, 4096);
        assert_eq!(both.pull_page_bytes, 2048);
        assert_eq!(both.pull_page_limit, 50, "what the environment does not set stays from the file");
    }

    #[test]
    fn bad_settings_name_their_source() {
        let dir = tempfile::tempdir().unwrap();
        let err = Config::load_with_env(dir.path(), None, env(&[("FIELDCASE_MAX_BODY_BYTES", "lots")])).unwrap_err();
        assert!(err.to_string().contains("FIELDCASE_MAX_BODY_BYTES"), "{err}");
        let err = Config::load_with_env(dir.path(), None, env(&[("FIELDCASE_PULL_PAGE_BYTES", "10")])).unwrap_err();
        assert!(err.to_string().contains("pull_page_bytes is 10"), "{err}");
        let file = dir.path().join("other.toml");
        std::fs::write(&file, "lisen = \"1.2.3.4:5\"\n").unwrap();
        let err = Config::load_with_env(dir.path(), Some(&file), env(&[])).unwrap_err();
        assert!(
            err.to_string().contains("other.toml") && err.to_string().contains("lisen"),
            "a misspelt key is refused, not ignored: {err}"
        );
    }

    #[test]
    fn secrets_never_print() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load_with_env(
            dir.path(),
            None,
            env(&[("FIELDCASE_DATABASE_URL", "postgres://bureau:hunter2@db/fieldcase")]),
        )
        .unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "a password must not reach a log: {shown}");
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn uploads_and_blobs_take_their_tables_and_environment() {
        let dir = tempfile::tempdir().unwrap();
        let plain = Config::load_with_env(dir.path(), None, env(&[])).unwrap();
        assert_eq!(plain.blobs, BlobSettings::Fs);
        assert_eq!(plain.uploads.expiry.as_secs(), 72 * 3600, "uploads rest 72 hours by default");
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[blobs]\nstore = \"fs\"\n[uploads]\nexpiry_hours = 24\nmax_bytes = 1000000\n",
        )
        .unwrap();
        let filed = Config::load_with_env(dir.path(), None, env(&[("FIELDCASE_UPLOADS_MAX_BYTES", "5000")])).unwrap();
        assert_eq!(filed.uploads.expiry.as_secs(), 24 * 3600);
        assert_eq!(filed.uploads.max_bytes, 5000, "the environment overrides the file");
        let err = Config::load_with_env(dir.path(), None, env(&[("FIELDCASE_BLOBS_STORE", "tape")])).unwrap_err();
        assert!(err.to_string().contains("tape"), "{err}");
        let err = Config::load_with_env(dir.path(), None, env(&[("FIELDCASE_BLOBS_STORE", "s3")])).unwrap_err();
        assert!(err.to_string().contains("[blobs.s3]"), "{err}");
        let err = Config::load_with_env(dir.path(), None, env(&[("FIELDCASE_UPLOADS_EXPIRY_HOURS", "0")])).unwrap_err();
        assert!(err.to_string().contains("expiry"), "{err}");
    }
}
