//! Which evidence store a bureau uses, as `bureau.toml` says it:
//!
//! ```toml
//! [blobs]
//! store = "s3"            # or "fs", the default: the bureau's own disk
//!
//! [blobs.s3]
//! endpoint = "https://s3.example.internal:9000"   # left out for AWS itself
//! bucket = "evidence"
//! region = "us-east-1"                            # the default
//! access_key_id = "..."
//! secret_access_key = "..."
//! allow_http = false                              # true only for a store on loopback or a lab
//! ```
//!
//! Several bureau processes behind one load balancer must share one store, so they name the
//! same bucket; one bureau on its own disk needs no `[blobs]` at all.

use std::fmt;

use serde::Deserialize;

use crate::config::Secret;

/// The region S3-compatible servers other than AWS expect when they expect any.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Where evidence bytes are kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "BlobsTable")]
pub enum BlobSettings {
    /// On the bureau's own disk, in its data directory.
    #[default]
    Fs,
    /// In a bucket of an S3-compatible store, shared by every bureau process.
    S3(S3Settings),
}

/// How to reach the bucket evidence is kept in.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Settings {
    /// The store's URL, e.g. `http://127.0.0.1:9000`; none for AWS S3 itself.
    #[serde(default)]
    pub endpoint: Option<String>,
    pub bucket: String,
    #[serde(default = "default_region")]
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: Secret,
    /// Whether a plain `http://` endpoint is accepted (a store on loopback, a lab).
    #[serde(default)]
    pub allow_http: bool,
}

fn default_region() -> String {
    DEFAULT_REGION.to_owned()
}

/// The `[blobs]` table as written, before its parts are checked against each other.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlobsTable {
    #[serde(default)]
    store: StoreKind,
    #[serde(default)]
    s3: Option<S3Settings>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "lowercase")]
enum StoreKind {
    #[default]
    Fs,
    S3,
}

/// A `[blobs]` table whose parts do not fit together; the message says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobSettingsError(String);

impl fmt::Display for BlobSettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BlobSettingsError {}

impl TryFrom<BlobsTable> for BlobSettings {
    type Error = BlobSettingsError;

    fn try_from(table: BlobsTable) -> Result<Self, Self::Error> {
        match (table.store, table.s3) {
            (StoreKind::Fs, _) => Ok(BlobSettings::Fs),
            (StoreKind::S3, None) => Err(BlobSettingsError(
                "[blobs] store = \"s3\" needs a [blobs.s3] table with bucket, access_key_id and secret_access_key (and endpoint unless the store is AWS S3 itself)".into(),
            )),
            (StoreKind::S3, Some(s3)) => s3.checked().map(BlobSettings::S3),
        }
    }
}

impl S3Settings {
    /// The settings, unless one of them cannot work (said before the first upload needs them).
    fn checked(self) -> Result<Self, BlobSettingsError> {
        if self.bucket.trim().is_empty() {
            return Err(BlobSettingsError("[blobs.s3] bucket is empty: name the bucket evidence is kept in".into()));
        }
        if let Some(endpoint) = &self.endpoint {
            if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
                return Err(BlobSettingsError(format!(
                    "[blobs.s3] endpoint {endpoint:?} is not a URL: write it as https://host:port"
                )));
            }
            if endpoint.starts_with("http://") && !self.allow_http {
                return Err(BlobSettingsError(format!(
                    "[blobs.s3] endpoint {endpoint} is plain HTTP, which would send evidence unencrypted: use https://, or set allow_http = true for a store on loopback or in a lab"
                )));
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct File {
        #[serde(default)]
        blobs: BlobSettings,
    }

    fn parse(text: &str) -> Result<BlobSettings, String> {
        toml::from_str::<File>(text).map(|f| f.blobs).map_err(|e| e.to_string())
    }

    #[test]
    fn no_blobs_table_and_store_fs_both_mean_the_bureaus_own_disk() {
        assert_eq!(parse("").unwrap(), BlobSettings::Fs);
        assert_eq!(parse("[blobs]\nstore = \"fs\"\n").unwrap(), BlobSettings::Fs);
    }

    #[test]
    fn an_s3_table_is_read_whole_with_its_defaults() {
        let text = r#"
            [blobs]
            store = "s3"
            [blobs.s3]
            endpoint = "http://127.0.0.1:9000"
            bucket = "evidence"
            access_key_id = "AK"
            secret_access_key = "very secret"
            allow_http = true
        "#;
        let BlobSettings::S3(s3) = parse(text).unwrap() else { panic!("store = \"s3\" must give the S3 store") };
        assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(s3.bucket, "evidence");
        assert_eq!(s3.region, DEFAULT_REGION);
        assert_eq!(s3.secret_access_key.expose(), "very secret");
        assert!(!format!("{s3:?}").contains("very secret"), "the secret key must never reach a log");
    }

    #[test]
    fn settings_that_cannot_work_are_refused_with_the_fix() {
        let missing = parse("[blobs]\nstore = \"s3\"\n").unwrap_err();
        assert!(missing.contains("needs a [blobs.s3] table"), "{missing}");
        let plain = parse(
            "[blobs]\nstore = \"s3\"\n[blobs.s3]\nendpoint = \"http://10.0.0.5:9000\"\nbucket = \"b\"\naccess_key_id = \"a\"\nsecret_access_key = \"s\"\n",
        )
        .unwrap_err();
        assert!(plain.contains("allow_http = true"), "{plain}");
        let unknown = parse("[blobs]\nstore = \"s4\"\n").unwrap_err();
        assert!(unknown.contains("s4"), "{unknown}");
        let typo = parse("[blobs]\nstore = \"s3\"\n[blobs.s3]\nbuckett = \"b\"\n").unwrap_err();
        assert!(typo.contains("buckett"), "{typo}");
    }
}
