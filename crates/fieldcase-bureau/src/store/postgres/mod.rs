//! The PostgreSQL backend, for a bureau that serves many districts from one database: the same
//! records as [`super::sqlite`], with its own migrations (`migrations/`, recorded in a
//! `schema_migrations` table and applied at open), over a pool of `tokio-postgres`
//! connections. Chosen by a `postgres://` `database_url` (see [`crate::open_store`]).
//!
//! The decisions are not made here: a write hands a [`PgLedger`] over its transaction to
//! [`crate::push`], [`crate::registry`] and [`crate::enrollment`], whose ledger traits are
//! synchronous. So each call of this store runs on tokio's blocking pool (as the SQLite
//! backend's do) and waits there on the queries of its transaction; the connection itself is
//! driven by the runtime. The decisions stay written once, and SQLite keeps its speed. A
//! round trip per query would make a push wait on the network for every item, so a push
//! reads what its page will ask in a few queries first (`prefetch.rs`), and its inserts are
//! kept and sent together, pipelined, before the next read or the commit (`ledger::Write`).
//!
//! # Concurrency
//!
//! SQLite has one writer, which gave the push its guarantees for free. Here several
//! transactions, and several bureau processes, write at once, so:
//!
//! - **Per-device order and idempotency.** A push transaction first takes a transaction-scoped
//!   advisory lock on its device ([`Lock::Device`]). Two pages of one device (even through two
//!   processes) are applied one after the other, each seeing what the other stored; so the
//!   `(id, content hash)` check, the audit chain's head and the device's open reviews read
//!   inside the transaction stay true until it commits, and a chain is joined exactly once
//!   (the primary key `(device_id, seq)` would refuse a second join in any case).
//! - **The pull feed never skips a change committed late.** A cursor is an identity value,
//!   handed out when the row is inserted; were two transactions to take cursors 7 and 8 and
//!   8 commit first, a device pulling then would move past 7 for good. So every append to
//!   the feed first takes one advisory lock ([`Lock::Feed`]) and holds it until its
//!   transaction ends: the cursor is taken under the lock, and PostgreSQL makes a commit
//!   visible before it releases the transaction's locks, so no cursor is handed out while a
//!   smaller one is still uncommitted: cursor order is commit order. Readers need nothing
//!   special. The price is that transactions which append to the feed (a new site, a
//!   registry version, a verdict) are serialized from their append to their commit; a push
//!   of inspections, checks and audit entries appends nothing and is not held. The other way
//!   (readers bounded by the oldest running transaction, `pg_snapshot_xmin`) would keep
//!   appends parallel but hold every pull back behind any long transaction.
//! - **One directory site per credit code.** Looking a site up by its code takes the feed
//!   lock first, since adding it appends to the feed: two devices pushing the same new site
//!   at once make one site and one alias.
//! - **Registry versions** are numbered in a transaction that holds [`Lock::Registry`], so two
//!   administrators' changes publish two versions, one after the other.
//! - **Enrollment codes** are read `FOR UPDATE`, so a code is used once.
//! - **Upload leases** are rows with an expiry, taken with the row locked (`FOR UPDATE`):
//!   they hold across processes as they do on SQLite.

mod bureau_store;
mod device_ledger;
mod feed;
mod import;
mod ledger;
mod migrate;
mod people;
mod prefetch;
mod push_ledger;
mod received;
mod registry_ledger;
mod registry_rows;
mod reviews;
mod rows;
mod tls;
mod upload_rows;
mod upload_store;

use std::fmt;
use std::time::Duration;

use chrono::Utc;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio::runtime::Handle;
use tokio_postgres::error::SqlState;

use fieldcase_core::checklist::default_template;
use fieldcase_core::time::record_instant;

use super::{Result, StoreError};
pub use ledger::Lock;
pub(crate) use ledger::PgLedger;

/// How many connections one bureau process keeps open at most.
const POOL_SIZE: usize = 16;
/// How long a request waits for a free connection, or for a new one to open.
const POOL_WAIT: Duration = Duration::from_secs(30);

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        match e.code() {
            Some(code) if *code == SqlState::READ_ONLY_SQL_TRANSACTION => StoreError::ReadOnly(e.to_string()),
            Some(code) if *code == SqlState::INSUFFICIENT_PRIVILEGE => StoreError::ReadOnly(describe(&e)),
            _ => StoreError::Other(describe(&e)),
        }
    }
}

/// The server's own message, which `Display` of a database error leaves out.
fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StoreError::Other(format!("no connection to the PostgreSQL server: {e}"))
    }
}

/// Why a PostgreSQL database could not be opened, in words that say how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "database_url is not a PostgreSQL URL ({0}); write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE (FIELDCASE_DATABASE_URL, or database_url in bureau.toml)"
    )]
    BadUrl(String),
    #[error(
        "database_url's TLS settings cannot be used: {0} (sslmode=verify-full&sslrootcert=/path/to/ca.pem asks for TLS to a server whose certificate that authority signed)"
    )]
    Tls(String),
    #[error(
        "cannot reach the PostgreSQL server at {at} ({detail}); check that it runs and accepts connections there, that database_url names the right host, port, user, password and database, and with TLS that sslrootcert names the authority that signed the server's certificate"
    )]
    Unreachable { at: String, detail: String },
    #[error("the PostgreSQL database at {at} cannot be used: {source}")]
    Store { at: String, source: StoreError },
}

/// The bureau's PostgreSQL database.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    /// Host, port and database, never the password: for messages.
    at: String,
    /// The database's identity in its cluster (see [`crate::feed_epoch`]).
    identity: String,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore").field("at", &self.at).finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database `url` names, brings its schema up to date and makes sure the
    /// default checklist template is published.
    pub async fn open(url: &str) -> Result<Self, OpenError> {
        let tls::Settings { config, tls } = tls::settings(url)?;
        let at = where_is(&config);
        let manager = Manager::from_config(config, tls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .wait_timeout(Some(POOL_WAIT))
            .create_timeout(Some(POOL_WAIT))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| OpenError::Store { at: at.clone(), source: StoreError::Other(e.to_string()) })?;
        // The first connection tells an unreachable server from a database that is wrong.
        let client = pool.get().await.map_err(|e| OpenError::Unreachable { at: at.clone(), detail: causes(&e) })?;
        drop(client);
        let mut store = PostgresStore { pool, at: at.clone(), identity: String::new() };
        let prepared = async {
            store.run(|l| l.block(migrate::up(l.tx))).await?;
            store
                .run(|l| {
                    l.block(feed::insert_template_if_missing(l.tx, &default_template(), record_instant(Utc::now())))
                })
                .await?;
            store.identity = store.run(|l| l.block(feed::identity(l.tx))).await?;
            Ok::<_, StoreError>(())
        };
        prepared.await.map_err(|source| OpenError::Store { at, source })?;
        Ok(store)
    }

    /// One transaction on the blocking pool: `f` gets a ledger over it and runs its queries
    /// one after another; committed only if `f` succeeds (on an error or a panic it is rolled
    /// back as it is dropped).
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut PgLedger<'_, '_>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let mut client = self.pool.get().await?;
        let handle = Handle::current();
        tokio::task::spawn_blocking(move || {
            let tx = handle.block_on(client.transaction())?;
            let value = {
                let mut ledger = PgLedger::new(&tx, handle.clone());
                let value = f(&mut ledger)?;
                ledger.flush()?;
                value
            };
            handle.block_on(tx.commit())?;
            Ok(value)
        })
        .await
        .map_err(|e| StoreError::Other(format!("a database call stopped: {e}")))?
    }

    /// [`PostgresStore::run`] for a write committed without waiting for the server's disk
    /// (`synchronous_commit = off` for this transaction only): an upload's lease and progress,
    /// which a crash may take back safely, as the SQLite backend's unsynced writes may.
    async fn run_unsynced<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut PgLedger<'_, '_>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.run(move |l| {
            l.block(async { Ok(l.tx.batch_execute("SET LOCAL synchronous_commit TO OFF").await?) })?;
            f(l)
        })
        .await
    }

    /// [`PostgresStore::run`] for a write that holds `lock` from its start.
    async fn locked<T: Send + 'static>(
        &self,
        lock: Lock,
        f: impl FnOnce(&mut PgLedger<'_, '_>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.run(move |l| {
            l.lock(lock)?;
            f(l)
        })
        .await
    }
}

/// An error with the causes under it, which the pool's message alone leaves out (the refused
/// connection, the unknown database, the wrong password).
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        source = cause.source();
    }
    text
}

/// `host:port/database` of a connection's settings, without user or password.
fn where_is(config: &tokio_postgres::Config) -> String {
    use tokio_postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        Some(Host::Unix(path)) => path.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}/{}", config.get_dbname().unwrap_or("(the user's database)"))
}
