//! The bureau server as a library.
//!
//! [`serve`] runs the HTTP API on a listener until a shutdown future resolves; tests bind
//! port 0 and drive it with a real client, `fieldcase bureau serve` binds the configured
//! address. Storage sits behind [`store::BureauStore`] (SQLite by default); the decisions a
//! push makes are in [`push`], shared by every backend; administration is in [`admin`] and
//! on the store, the rules of certificates (and their CSV import) in [`certificates`], and the
//! bureau's signing key, its rotation included, in [`keys`].
//!
//! # Background work with several processes
//!
//! Several `bureau serve` processes may share one PostgreSQL database and one S3 store behind
//! a load balancer. Each piece of work a process does besides answering requests is either
//! guarded by a PostgreSQL advisory lock, so one process does it, or per process and safe to
//! repeat:
//!
//! - **Migrations at start**: one process at a time, under an advisory lock
//!   (`store::postgres` `Lock::Schema`); the next finds them applied.
//! - **The feed's epoch at start** ([`feed_epoch::settle`]): a new database's first epoch is
//!   begun under the feed's advisory lock, and a process that finds one begun keeps it
//!   ([`store::BureauStore::begin_first_feed_epoch`]), so every process serves the same epoch.
//!   A restored database is found by any process's mark and begins a new epoch; every process
//!   must then be restarted (they were stopped for the restore anyway), since each serves the
//!   epoch it read at start.
//! - **The feed's high-water mark** ([`feed_epoch::keep_marking`], every 2 s): per process,
//!   in its own data directory; safe to repeat.
//! - **The signing key at start** ([`keys::current`]): registered under the registry's
//!   advisory lock; a process whose `bureau.key` is not the key the database has active is
//!   refused, so every process must hold a copy of the same key file.
//! - **Stray incoming files** ([`api::tus::clear_stray`], at start): per process; only files
//!   untouched for an hour go, so a folder shared with a running process loses nothing.
//! - **Upload expiry**: no sweeper; the request that finds an upload past its expiry ends it,
//!   by a conditional update only one process wins (the others find it ended), and only the
//!   winner discards the staged bytes.
//! - **Upload leases**: a row locked `FOR UPDATE`; a PATCH at any process takes it only when
//!   free or run out, and the staged state (offset, hasher, S3 parts) is in the upload's row,
//!   so a PATCH at another process goes on from there.
//! - **The WAL checkpointer** (`store::sqlite::checkpointer`): SQLite only, one per process;
//!   a PostgreSQL bureau has none.

// Unit tests may unwrap: a panic there is a failed test with its reason.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod admin;
pub mod api;
pub mod blobs;
pub mod certificates;
pub mod config;
pub mod credentials;
pub mod enrollment;
mod error;
pub mod feed_epoch;
pub mod keys;
pub mod push;
pub mod registry;
pub mod store;
pub mod tls;
pub mod transfer;
pub mod uploads;

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use fieldcase_core::signing::{PublicKey, SecretKey};
use tokio::net::TcpListener;

pub use config::{Config, Secret};
pub use error::BureauError;
use store::BureauStore;
use store::sqlite::SqliteStore;

/// The SQLite database file inside the data directory.
pub const DB_FILE: &str = "bureau.db";

/// Whether opening may start a new bureau in the data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Make the directory and database if they are not there (serving, making codes, seeding).
    CreateIfMissing,
    /// Refuse a directory without a bureau database (listing, revoking).
    MustExist,
}

/// A bureau ready to serve: its data directory checked, its key and store open.
#[derive(Debug)]
pub struct Bureau {
    config: Config,
    key: SecretKey,
    store: Arc<dyn BureauStore>,
    /// Where evidence bytes are kept.
    blobs: Arc<dyn blobs::BlobStore>,
    /// The change feed's epoch, settled at open (see [`feed_epoch`]).
    feed_epoch: String,
}

impl Bureau {
    /// Prepares the data directory (it must be writable), opens the store, and loads or
    /// makes the bureau's key (agreed with the keys the database records).
    pub async fn open(config: Config) -> Result<Self, BureauError> {
        let store = open_store(&config, OpenMode::CreateIfMissing).await?;
        let key = keys::current(&config.data_dir, store.as_ref(), chrono::Utc::now()).await?;
        let feed_epoch = store.feed_state().await?.map(|state| state.epoch).unwrap_or_default();
        let blobs = blobs::open(&config).await?;
        let stray = api::tus::clear_stray(&config.data_dir.join(api::INCOMING_DIR));
        if stray > 0 {
            tracing::info!(stray, "removed chunk files a stopped bureau left in its incoming folder");
        }
        Ok(Bureau { config, key, store, blobs, feed_epoch })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The bureau's public key as it was when the bureau opened (a rotation while it serves
    /// is picked up by the API at its next use of the key).
    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    pub fn store(&self) -> Arc<dyn BureauStore> {
        Arc::clone(&self.store)
    }

    /// The HTTP API over this bureau.
    pub fn router(&self) -> axum::Router {
        api::router(api::AppState {
            store: self.store(),
            keys: keys::KeyFile::new(&self.config.data_dir),
            max_body_bytes: self.config.max_body_bytes,
            pull_page_limit: self.config.pull_page_limit,
            pull_page_bytes: self.config.pull_page_bytes,
            page_order: Default::default(),
            feed_epoch: self.feed_epoch.clone().into(),
            limits: Default::default(),
            blobs: Arc::clone(&self.blobs),
            uploads: self.config.uploads.clone(),
            incoming: self.config.data_dir.join(api::INCOMING_DIR),
        })
    }

    /// Serves the API on `listener` until `shutdown` resolves, then lets requests under way
    /// finish.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), BureauError> {
        let address = listener.local_addr().map_err(BureauError::Serve)?;
        tracing::info!(%address, data_dir = %self.config.data_dir.display(), bureau_key = %self.public_key(), "bureau serving");
        let marking = tokio::spawn(feed_epoch::keep_marking(self.config.data_dir.clone(), self.store()));
        // With each connection's peer address, which the limits count attempts by.
        let served = match &self.config.tls {
            Some(files) => {
                let listener = tls::TlsListener::new(listener, tls::acceptor(&files.cert, &files.key)?)
                    .map_err(BureauError::Serve)?;
                tracing::info!(cert = %files.cert.display(), "serving HTTPS");
                let app = self.router().into_make_service_with_connect_info::<tls::TlsPeer>();
                axum::serve(listener, app).with_graceful_shutdown(shutdown).await
            }
            None => {
                let app = self.router().into_make_service_with_connect_info::<SocketAddr>();
                axum::serve(listener, app).with_graceful_shutdown(shutdown).await
            }
        };
        marking.abort();
        served.map_err(BureauError::Serve)?;
        tracing::info!("bureau stopped");
        Ok(())
    }
}

/// Serves the bureau described by `config` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), BureauError> {
    Bureau::open(config).await?.serve(listener, shutdown).await
}

/// Opens the bureau's store for administration (or serving): the backend the configuration
/// names (`database_url`: PostgreSQL; unset: SQLite in the data directory). The data
/// directory holds the bureau's key and the feed's mark with either backend.
pub async fn open_store(config: &Config, mode: OpenMode) -> Result<Arc<dyn BureauStore>, BureauError> {
    let db = config.data_dir.join(DB_FILE);
    match mode {
        OpenMode::MustExist if config.database_url.is_none() && !db.is_file() => {
            return Err(BureauError::NoData { path: config.data_dir.clone() });
        }
        OpenMode::MustExist => {}
        OpenMode::CreateIfMissing => prepare_data_dir(&config.data_dir)?,
    }
    let store: Arc<dyn BureauStore> = match &config.database_url {
        Some(url) => Arc::new(open_postgres(url.expose()).await?),
        None => Arc::new(SqliteStore::open_async(db.clone()).await.map_err(|source| match source {
            store::StoreError::ReadOnly(detail) => BureauError::DataDir {
                path: config.data_dir.clone(),
                detail: format!("its database cannot be written ({detail})"),
            },
            source => BureauError::Store { path: db, source },
        })?),
    };
    // Before anything else uses it: a restored database must not add to the feed under the
    // epoch devices already passed.
    feed_epoch::settle(&config.data_dir, store.as_ref(), chrono::Utc::now()).await?;
    Ok(store)
}

/// The PostgreSQL database a `postgres://` URL names.
async fn open_postgres(url: &str) -> Result<store::postgres::PostgresStore, BureauError> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(BureauError::Database(
            "database_url must be a PostgreSQL URL, postgres://USER:PASSWORD@HOST:PORT/DATABASE; unset it (FIELDCASE_DATABASE_URL, or database_url in bureau.toml) to keep records in SQLite in the data directory".into(),
        ));
    }
    store::postgres::PostgresStore::open(url).await.map_err(|e| BureauError::Database(e.to_string()))
}

/// Makes the data directory if needed and proves it can be written.
fn prepare_data_dir(dir: &Path) -> Result<(), BureauError> {
    fieldcase_storage::data_dir::prepare(dir)
        .map_err(|e| BureauError::DataDir { path: dir.to_owned(), detail: e.to_string() })
}
