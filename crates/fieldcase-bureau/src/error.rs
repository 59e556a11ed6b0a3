//! What stops the bureau from starting or an administration function from running. Each
//! message says what was wrong and how to put it right.

use std::path::PathBuf;

use crate::config::ConfigError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum BureauError {
    #[error("the bureau's data directory {} cannot be used: {detail}; make it writable by the user running the bureau, or choose another with --data-dir (FIELDCASE_DATA_DIR)", path.display())]
    DataDir { path: PathBuf, detail: String },
    #[error("no bureau data at {}; start the bureau there once with `fieldcase bureau serve --data-dir {}`, or point --data-dir (FIELDCASE_DATA_DIR) at the bureau's data directory", path.display(), path.display())]
    NoData { path: PathBuf },
    #[error("the bureau's signing key {} cannot be used: {detail}", path.display())]
    Key { path: PathBuf, detail: String },
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("the TLS setting {} cannot be used: {detail}; give a PEM certificate chain (tls_cert) and its PEM private key (tls_key), or unset both to serve plain HTTP on loopback", path.display())]
    Tls { path: PathBuf, detail: String },
    /// The database `database_url` names cannot be used (the message says why and what to do).
    #[error("{0}")]
    Database(String),
    #[error("the bureau's database {}: {source}", path.display())]
    Store { path: PathBuf, source: StoreError },
    #[error("{0}")]
    Admin(#[from] StoreError),
    #[error("the evidence store ([blobs] in bureau.toml) cannot be used: {0}")]
    Blobs(#[from] crate::blobs::BlobError),
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
}
