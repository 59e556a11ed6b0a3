//! The default backend: one SQLite file in the bureau's data directory, WAL mode (so the
//! administration commands can run beside a running server), foreign keys on, migrations
//! embedded and run at open. One module per table, each with its row mapping and queries;
//! they take a `&Connection` so the caller decides the transaction. Every call runs on
//! tokio's blocking pool.

mod audit_entries;
mod certificate_checks;
mod changes;
mod devices;
mod enrollment_codes;
mod evidence;
mod inspections;
mod reviews;
mod sites;
mod templates;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, ErrorCode, Row, Transaction, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

use fieldcase_core::audit::AuditEntry;
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::certificate::CertificateCheck;
use fieldcase_core::checklist::default_template;
use fieldcase_core::evidence::EvidenceRef;
use fieldcase_core::ids::{CheckId, DeviceId, OfficerId, SiteId};
use fieldcase_core::inspection::Inspection;
use fieldcase_core::site::Site;
use fieldcase_core::time::record_instant;
use fieldcase_core::uscc::Uscc;
use fieldcase_core::wire::{ItemResult, PushItem};

use super::{
    BureauStore, ChangePage, DeviceRecord, DirectorySite, Enrollment, NewEnrollmentCode, ReceivedInspection, Result, ReviewItem,
    ReviewReason, ReviewScope, StoreError, TokenHash,
};
use crate::push::{self, NewReview, PushLedger};

/// Embedded, ordered, never edited once landed: add a new file for every change.
const MIGRATIONS: &[M<'static>] = &[M::up(include_str!("../../../migrations/0001_foundation.sql"))];

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt(e.to_string()),
            Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => StoreError::ReadOnly(e.to_string()),
            _ => match e {
                rusqlite::Error::FromSqlConversionFailure(..) | rusqlite::Error::InvalidColumnType(..) => {
                    StoreError::Corrupt(format!("a stored value could not be read: {e}"))
                }
                other => StoreError::Other(other.to_string()),
            },
        }
    }
}

impl From<rusqlite_migration::Error> for StoreError {
    fn from(e: rusqlite_migration::Error) -> Self {
        match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => err.into(),
            other => StoreError::Other(format!("database migration failed: {other}")),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(format!("a stored record could not be read: {e}"))
    }
}

/// The bureau's SQLite database.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file, brings its schema up to date and makes
    /// sure the default checklist template is published. Blocking: call it off the runtime.
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // A damaged or foreign file fails here, before anything is written to it.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::ReadOnly(format!("journal mode stayed {mode}")));
        }
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Migrations::from_slice(MIGRATIONS).to_latest(&mut conn)?;
        {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            templates::insert_if_missing(&tx, &default_template(), now())?;
            tx.commit()?;
        }
        Ok(SqliteStore { conn: Arc::new(Mutex::new(conn)), path: path.to_owned() })
    }

    /// [`SqliteStore::open`] on the blocking pool.
    pub async fn open_async(path: PathBuf) -> Result<Self> {
        tokio::task::spawn_blocking(move || Self::open(&path)).await.map_err(|e| StoreError::Other(format!("opening the database stopped: {e}")))?
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn read<T: Send + 'static>(&self, f: impl FnOnce(&Connection) -> Result<T> + Send + 'static) -> Result<T> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let conn = conn.lock().map_err(|_| StoreError::Other("a database call panicked earlier".into()))?;
            f(&conn)
        })
        .await
        .map_err(|e| StoreError::Other(format!("a database call stopped: {e}")))?
    }

    /// One write transaction, taken at once (`BEGIN IMMEDIATE`) so a concurrent writer (an
    /// administration command) waits instead of failing half-way; committed only if `f`
    /// succeeds.
    async fn write<T: Send + 'static>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static) -> Result<T> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().map_err(|_| StoreError::Other("a database call panicked earlier".into()))?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })
        .await
        .map_err(|e| StoreError::Other(format!("a database call stopped: {e}")))?
    }
}

#[async_trait]
impl BureauStore for SqliteStore {
    async fn add_enrollment_code(&self, code: NewEnrollmentCode) -> Result<()> {
        self.write(move |tx| enrollment_codes::insert(tx, &code)).await
    }

    async fn enroll(&self, enrollment: Enrollment, now: DateTime<Utc>) -> Result<DeviceRecord> {
        self.write(move |tx| {
            if !enrollment_codes::usable(tx, &enrollment.code_hash, now)? {
                return Err(StoreError::EnrollmentCodeInvalid);
            }
            let device = match devices::get(tx, enrollment.device_id)? {
                Some(known) if known.public_key != enrollment.public_key => {
                    return Err(StoreError::DeviceKeyMismatch { device: enrollment.device_id });
                }
                Some(_) => devices::reenroll(tx, &enrollment, now)?,
                None => devices::insert(tx, &enrollment, now)?,
            };
            enrollment_codes::mark_used(tx, &enrollment.code_hash, enrollment.device_id, now)?;
            Ok(device)
        })
        .await
    }

    async fn device_by_token(&self, token: TokenHash) -> Result<Option<DeviceRecord>> {
        self.read(move |c| devices::by_token(c, token)).await
    }

    async fn touch_device(&self, device: DeviceId, now: DateTime<Utc>) -> Result<()> {
        self.write(move |tx| devices::touch(tx, device, now)).await
    }

    async fn devices(&self) -> Result<Vec<DeviceRecord>> {
        self.read(devices::list).await
    }

    async fn revoke_device(&self, device: DeviceId, now: DateTime<Utc>) -> Result<DeviceRecord> {
        self.write(move |tx| {
            devices::revoke(tx, device, now)?;
            devices::get(tx, device)?.ok_or_else(|| StoreError::NotFound { what: "device", id: device.to_string() })
        })
        .await
    }

    async fn push(&self, device: &DeviceRecord, items: Vec<PushItem>, now: DateTime<Utc>) -> Result<Vec<ItemResult>> {
        let device = device.clone();
        let now = record_instant(now);
        self.write(move |tx| {
            let results = push::apply_page(&mut SqliteLedger { tx }, &device, &items, now)?;
            devices::touch(tx, device.device_id, now)?;
            Ok(results)
        })
        .await
    }

    async fn changes(&self, after: u64, limit: usize) -> Result<ChangePage> {
        self.read(move |c| changes::page(c, after, limit)).await
    }

    async fn add_site(&self, site: Site, now: DateTime<Utc>) -> Result<bool> {
        self.write(move |tx| {
            if sites::by_uscc(tx, &site.uscc)?.is_some() {
                return Ok(false);
            }
            sites::insert(tx, &site, None, record_instant(now))?;
            Ok(true)
        })
        .await
    }

    async fn sites(&self) -> Result<Vec<DirectorySite>> {
        self.read(sites::list).await
    }

    async fn inspections(&self) -> Result<Vec<ReceivedInspection>> {
        self.read(inspections::list).await
    }

    async fn reviews(&self, scope: ReviewScope) -> Result<Vec<ReviewItem>> {
        self.read(move |c| reviews::list(c, scope)).await
    }
}

/// The push decisions' view of one SQLite transaction.
struct SqliteLedger<'t, 'c> {
    tx: &'t Transaction<'c>,
}

impl PushLedger for SqliteLedger<'_, '_> {
    fn stored_hash(&mut self, device: DeviceId, item: &PushItem) -> Result<Option<ContentHash>> {
        match item {
            PushItem::Site(s) => sites::stored_hash(self.tx, s.id),
            PushItem::Inspection(i) => inspections::stored_hash(self.tx, i.id),
            PushItem::CertificateCheck(c) => certificate_checks::stored_hash(self.tx, c.id),
            PushItem::Evidence(e) => evidence::stored_hash(self.tx, e.id),
            PushItem::Audit(a) => audit_entries::stored_hash(self.tx, device, a.seq),
        }
    }

    fn site_by_uscc(&mut self, uscc: &Uscc) -> Result<Option<SiteId>> {
        sites::by_uscc(self.tx, uscc)
    }

    fn insert_site(&mut self, site: &Site, from: DeviceId, at: DateTime<Utc>) -> Result<()> {
        sites::insert(self.tx, site, Some(from), at)
    }

    fn insert_site_alias(&mut self, pushed: &Site, joins: SiteId, from: DeviceId, at: DateTime<Utc>) -> Result<()> {
        sites::insert_alias(self.tx, pushed, joins, from, at)
    }

    fn insert_inspection(&mut self, inspection: &Inspection, from: DeviceId, at: DateTime<Utc>) -> Result<()> {
        inspections::insert(self.tx, inspection, from, at)
    }

    fn valid_check_officers(&mut self, checks: &[CheckId]) -> Result<BTreeSet<OfficerId>> {
        certificate_checks::valid_officers(self.tx, checks)
    }

    fn inspections_citing(&mut self, check: CheckId) -> Result<Vec<(DeviceId, Inspection)>> {
        inspections::citing(self.tx, check)
    }

    fn insert_check(&mut self, check: &CertificateCheck, from: DeviceId, at: DateTime<Utc>) -> Result<()> {
        certificate_checks::insert(self.tx, check, from, at)
    }

    fn insert_evidence(&mut self, evidence: &EvidenceRef, from: DeviceId, at: DateTime<Utc>) -> Result<()> {
        evidence::insert(self.tx, evidence, from, at)
    }

    fn last_audit_entry(&mut self, device: DeviceId) -> Result<Option<AuditEntry>> {
        audit_entries::last(self.tx, device)
    }

    fn insert_audit_entry(&mut self, device: DeviceId, entry: &AuditEntry, at: DateTime<Utc>) -> Result<()> {
        audit_entries::insert(self.tx, device, entry, at)
    }

    fn keep_for_review(&mut self, review: &NewReview<'_>) -> Result<()> {
        reviews::keep(self.tx, review)
    }

    fn resolve_reviews(&mut self, device: DeviceId, kind: &str, id: &str, reason: ReviewReason, resolution: &str, at: DateTime<Utc>) -> Result<()> {
        reviews::resolve(self.tx, device, kind, id, reason, resolution, at)
    }
}

// ----- column helpers shared by the table modules -----

fn now() -> DateTime<Utc> {
    record_instant(Utc::now())
}

/// Instants as stored: RFC 3339 UTC with microseconds, so text order is time order.
fn instant_text(at: DateTime<Utc>) -> String {
    record_instant(at).to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn conversion_error(column: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
}

/// A text column parsed into a domain value.
fn parsed<T: FromStr>(r: &Row<'_>, column: usize) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    r.get::<_, String>(column)?.parse().map_err(|e| conversion_error(column, e))
}

fn parsed_opt<T: FromStr>(r: &Row<'_>, column: usize) -> rusqlite::Result<Option<T>>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    r.get::<_, Option<String>>(column)?.map(|s| s.parse().map_err(|e| conversion_error(column, e))).transpose()
}

fn instant(r: &Row<'_>, column: usize) -> rusqlite::Result<DateTime<Utc>> {
    parsed::<DateTime<Utc>>(r, column)
}

fn instant_opt(r: &Row<'_>, column: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    parsed_opt::<DateTime<Utc>>(r, column)
}

/// A JSON text column decoded into a record.
fn json<T: serde::de::DeserializeOwned>(r: &Row<'_>, column: usize) -> rusqlite::Result<T> {
    serde_json::from_str(&r.get::<_, String>(column)?).map_err(|e| conversion_error(column, e))
}

/// How a record is kept: its JSON.
fn record_text<T: serde::Serialize + ?Sized>(record: &T) -> Result<String> {
    serde_json::to_string(record).map_err(|e| StoreError::Other(format!("a record could not be written as JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(Migrations::from_slice(MIGRATIONS).validate().is_ok());
    }
}
