//! The default backend: one SQLite file in the bureau's data directory, WAL mode (so the
//! administration commands can run beside a running server), foreign keys on, migrations
//! embedded and run at open. One module per table, each with its row mapping and queries;
//! they take a `&Connection` so the caller decides the transaction. Every call runs on
//! tokio's blocking pool.
//!
//! Writes go through one connection, one transaction at a time. Reads have connections of
//! their own ([`Readers`]): in WAL mode a reader sees the last committed state and never
//! waits for a write in progress, so a device is authenticated for its next page, and that
//! page examined, while its last page is still being stored.

mod admin_tokens;
mod audit_entries;
mod certificate_checks;
mod certificate_history;
mod certificates;
mod changes;
mod devices;
mod enrollment_codes;
mod evidence;
mod inspections;
mod officers;
mod registry_versions;
mod reviews;
mod signing_keys;
mod sites;
mod templates;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, ErrorCode, OpenFlags, Row, Transaction, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

use fieldcase_core::audit::AuditRun;
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::certificate::CertificateCheck;
use fieldcase_core::checklist::default_template;
use fieldcase_core::evidence::EvidenceRef;
use fieldcase_core::ids::{CheckId, DeviceId, OfficerId, SiteId};
use fieldcase_core::inspection::Inspection;
use fieldcase_core::registry::{KeyId, KeyRotation, SignedRegistryUpdate};
use fieldcase_core::signing::{PublicKey, SecretKey};
use fieldcase_core::site::Site;
use fieldcase_core::time::record_instant;
use fieldcase_core::uscc::Uscc;
use fieldcase_core::wire::{ItemResult, PushItem};

use super::{
    AdminRecord, BureauStore, ChangePage, DeviceRecord, DirectorySite, Enrollment, NewEnrollmentCode,
    ReceivedInspection, Result, ReviewItem, ReviewReason, ReviewScope, SigningKeyRecord, StoreError, TokenHash,
};
use crate::certificates::{
    CertificateAction, CertificateChanges, CertificateEvent, CertificateRecord, OfficerRecord, Refusal, RefusalKind,
};
use crate::push::{self, ExaminedItems, NewReview, PushLedger};

/// Embedded, ordered, never edited once landed: add a new file for every change.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../../../migrations/0001_foundation.sql")),
    M::up(include_str!("../../../migrations/0002_certificates.sql")),
    M::up(include_str!("../../../migrations/0003_compact_audit_entries.sql")),
];

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt(e.to_string()),
            Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
                StoreError::ReadOnly(e.to_string())
            }
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
    /// Also where the database file is.
    readers: Arc<Readers>,
    /// When the last write committed, in milliseconds since `opened`.
    last_write: Arc<AtomicU64>,
    opened: Instant,
}

/// Read-only connections to the database, opened when a read finds none idle and kept for
/// the next (up to [`Readers::KEPT`]).
struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    /// As many as reads usually run at once: a few devices and an administrator.
    const KEPT: usize = 4;

    fn take(&self) -> Result<Connection> {
        if let Some(conn) = self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            return Ok(conn);
        }
        // Read-only: a read that tried to write would fail here rather than slip past the
        // write lock.
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.set_prepared_statement_cache_capacity(32);
        Ok(conn)
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < Self::KEPT
        {
            idle.push(conn);
        }
    }
}

/// How long the database must be quiet before the write-ahead log is folded into it.
const CHECKPOINT_WHEN_IDLE: Duration = Duration::from_secs(1);
/// A log this large is folded in even while devices keep pushing.
const CHECKPOINT_LOG_BYTES: u64 = 256 * 1024 * 1024;

/// Folds the write-ahead log into the database file when the bureau is quiet, on a thread of
/// its own, instead of in the middle of a push.
///
/// SQLite would otherwise checkpoint inside whichever commit crosses its threshold, and that
/// push would wait for the copy and its fsync. A commit is durable once it is in the log
/// (`synchronous = FULL`), so when the log is copied does not change what survives a crash.
/// The thread ends soon after the store is dropped; closing the last connection then
/// checkpoints what is left.
fn spawn_checkpointer(path: PathBuf, writer: &Arc<Mutex<Connection>>, last_write: Arc<AtomicU64>, opened: Instant) {
    let writer = Arc::downgrade(writer);
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    let spawned = std::thread::Builder::new().name("checkpoint".into()).spawn(move || {
        let Ok(conn) = Connection::open(&path) else { return };
        let _ = conn.busy_timeout(Duration::from_secs(1));
        let mut checkpointed_at = 0;
        while writer.strong_count() > 0 {
            std::thread::sleep(Duration::from_millis(200));
            let last = last_write.load(Ordering::Relaxed);
            let idle = opened.elapsed().as_millis() as u64 >= last + CHECKPOINT_WHEN_IDLE.as_millis() as u64;
            let log = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
            if (idle && last != checkpointed_at) || log > CHECKPOINT_LOG_BYTES {
                // TRUNCATE: the log file shrinks back to nothing once all of it is copied.
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())) {
                    tracing::warn!("folding the write-ahead log into {} failed: {e}", path.display());
                }
                checkpointed_at = last;
            }
        }
    });
    if let Err(e) = spawned {
        tracing::warn!("no checkpoint thread ({e}); the write-ahead log is folded in when the bureau stops");
    }
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.readers.path).finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file, brings its schema up to date and makes
    /// sure the default checklist template is published. Blocking: call it off the runtime.
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // Every statement of a push is prepared once and reused for the rest of the run.
        conn.set_prepared_statement_cache_capacity(64);
        // A damaged or foreign file fails here, before anything is written to it.
        let mode: String = conn.prepare_cached("PRAGMA journal_mode = WAL")?.query_row([], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::ReadOnly(format!("journal mode stayed {mode}")));
        }
        conn.pragma_update(None, "foreign_keys", true)?;
        // FULL: a page the bureau has acknowledged must survive a power cut, because the
        // device drops it from its outbox on that acknowledgement and never sends it again.
        conn.pragma_update(None, "synchronous", "FULL")?;
        // Checkpoints run on their own thread (see `spawn_checkpointer`).
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Migrations::from_slice(MIGRATIONS).to_latest(&mut conn)?;
        {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            templates::insert_if_missing(&tx, &default_template(), now())?;
            tx.commit()?;
        }
        let conn = Arc::new(Mutex::new(conn));
        let (opened, last_write) = (Instant::now(), Arc::new(AtomicU64::new(0)));
        spawn_checkpointer(path.to_owned(), &conn, Arc::clone(&last_write), opened);
        let readers = Arc::new(Readers { path: path.to_owned(), idle: Mutex::new(Vec::new()) });
        Ok(SqliteStore { conn, readers, last_write, opened })
    }

    /// [`SqliteStore::open`] on the blocking pool.
    pub async fn open_async(path: PathBuf) -> Result<Self> {
        tokio::task::spawn_blocking(move || Self::open(&path))
            .await
            .map_err(|e| StoreError::Other(format!("opening the database stopped: {e}")))?
    }

    pub fn path(&self) -> &Path {
        &self.readers.path
    }

    async fn read<T: Send + 'static>(&self, f: impl FnOnce(&Connection) -> Result<T> + Send + 'static) -> Result<T> {
        let readers = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || {
            let mut conn = readers.take()?;
            // One transaction, so that every query of the read sees the same moment.
            let value = {
                let tx = conn.transaction()?;
                let value = f(&tx)?;
                tx.finish()?;
                value
            };
            readers.give_back(conn);
            Ok(value)
        })
        .await
        .map_err(|e| StoreError::Other(format!("a database call stopped: {e}")))?
    }

    /// One write transaction, taken at once (`BEGIN IMMEDIATE`) so a concurrent writer (an
    /// administration command) waits instead of failing half-way; committed only if `f`
    /// succeeds.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let conn = Arc::clone(&self.conn);
        let (last_write, opened) = (Arc::clone(&self.last_write), self.opened);
        tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().map_err(|_| StoreError::Other("a database call panicked earlier".into()))?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = f(&tx)?;
            tx.commit()?;
            last_write.store(opened.elapsed().as_millis() as u64, Ordering::Relaxed);
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

    async fn push(&self, device: &DeviceRecord, items: ExaminedItems, now: DateTime<Utc>) -> Result<Vec<ItemResult>> {
        let device = device.clone();
        let now = record_instant(now);
        self.write(move |tx| {
            let results = push::apply_page(&mut SqliteLedger::new(tx), &device, items, now)?;
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

    async fn register_signing_key(&self, key: PublicKey, now: DateTime<Utc>) -> Result<SigningKeyRecord> {
        self.write(move |tx| signing_keys::register(tx, &key, record_instant(now))).await
    }

    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>> {
        self.read(signing_keys::list).await
    }

    async fn rotate_signing_key(&self, old: &SecretKey, new: PublicKey, now: DateTime<Utc>) -> Result<KeyRotation> {
        let old = SecretKey::from_seed(old.seed());
        let now = record_instant(now);
        self.write(move |tx| {
            signing_keys::rotate(tx, &old.public_key(), &new, now)?;
            let rotation = KeyRotation::sign(&old, new, now);
            changes::append(tx, changes::Kind::KeyRotation, &KeyId::of(&new).0, &record_text(&rotation)?, now)?;
            Ok(rotation)
        })
        .await
    }

    async fn change_certificates(
        &self,
        actions: Vec<CertificateAction>,
        actor: String,
        key: &SecretKey,
        now: DateTime<Utc>,
    ) -> Result<CertificateChanges> {
        let key = SecretKey::from_seed(key.seed());
        let now = record_instant(now);
        self.write(move |tx| {
            if actions.is_empty() {
                return Err(Refusal::new(RefusalKind::Invalid, None, "no certificates to change").into());
            }
            signing_keys::ensure_active(tx, &key.public_key())?;
            let version = registry_versions::latest(tx)? + 1;
            let mut events = Vec::with_capacity(actions.len());
            let mut numbers = BTreeSet::new();
            let mut officers_changed = BTreeSet::new();
            for (index, action) in actions.iter().enumerate() {
                let at_item = |e: StoreError| match e {
                    StoreError::Refused(refusal) => StoreError::Refused(refusal.at_item(index)),
                    other => other,
                };
                let current = certificates::get(tx, action.number())?;
                let (done, state) =
                    action.apply(current.as_ref().map(|c| &c.certificate)).map_err(|r| r.at_item(index))?;
                if let CertificateAction::Issue(new) = action {
                    if officers::ensure_holder(tx, &new.officer, &new.name, now).map_err(at_item)? {
                        officers_changed.insert(new.officer.clone());
                    }
                    certificates::insert(tx, &state, now, version)?;
                } else {
                    certificates::update(tx, &state, now, version)?;
                }
                let event = CertificateEvent {
                    number: state.number.clone(),
                    action: done,
                    at: now,
                    reason: action.reason().map(str::to_owned),
                    actor: actor.clone(),
                    state,
                    registry_version: version,
                };
                certificate_history::append(tx, &event)?;
                numbers.insert(event.number.clone());
                events.push(event);
            }
            registry_versions::publish(tx, &key, version, &numbers, &officers_changed, now)?;
            Ok(CertificateChanges { registry_version: version, events })
        })
        .await
    }

    async fn set_officer_pins(
        &self,
        pins: Vec<(OfficerId, String)>,
        key: &SecretKey,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let key = SecretKey::from_seed(key.seed());
        let now = record_instant(now);
        self.write(move |tx| {
            if pins.is_empty() {
                return Err(Refusal::new(RefusalKind::Invalid, None, "no PINs to set").into());
            }
            signing_keys::ensure_active(tx, &key.public_key())?;
            let version = registry_versions::latest(tx)? + 1;
            let mut changed = BTreeSet::new();
            for (index, (officer, verifier)) in pins.iter().enumerate() {
                officers::set_pin(tx, officer, verifier, now).map_err(|e| match e {
                    StoreError::Refused(refusal) => StoreError::Refused(refusal.at_item(index)),
                    other => other,
                })?;
                changed.insert(officer.clone());
            }
            registry_versions::publish(tx, &key, version, &BTreeSet::new(), &changed, now)?;
            Ok(version)
        })
        .await
    }

    async fn certificates(&self) -> Result<Vec<CertificateRecord>> {
        self.read(certificates::list).await
    }

    async fn certificate(&self, number: String) -> Result<Option<CertificateRecord>> {
        self.read(move |c| certificates::get(c, &number)).await
    }

    async fn certificate_history(&self, number: Option<String>) -> Result<Vec<CertificateEvent>> {
        self.read(move |c| certificate_history::list(c, number.as_deref())).await
    }

    async fn certificate_at(&self, number: String, at: DateTime<Utc>) -> Result<Option<CertificateEvent>> {
        self.read(move |c| certificate_history::at(c, &number, at)).await
    }

    async fn officers(&self) -> Result<Vec<OfficerRecord>> {
        self.read(officers::list).await
    }

    async fn registry_snapshot(&self, key: &SecretKey, now: DateTime<Utc>) -> Result<SignedRegistryUpdate> {
        let key = SecretKey::from_seed(key.seed());
        let now = record_instant(now);
        // A write: the first snapshot records the signing key as active. One transaction, so
        // the version and the contents are of the same moment.
        self.write(move |tx| {
            signing_keys::ensure_active(tx, &key.public_key())?;
            let version = registry_versions::latest(tx)?;
            let update = registry_versions::snapshot(tx, version, now)?;
            Ok(SignedRegistryUpdate::sign(&update, &key))
        })
        .await
    }

    async fn add_admin_token(&self, token: TokenHash, label: Option<String>, now: DateTime<Utc>) -> Result<()> {
        self.write(move |tx| admin_tokens::insert(tx, token, label.as_deref(), record_instant(now))).await
    }

    async fn admin_by_token(&self, token: TokenHash, now: DateTime<Utc>) -> Result<Option<AdminRecord>> {
        self.write(move |tx| admin_tokens::by_token(tx, token, record_instant(now))).await
    }
}

/// The push decisions' view of one SQLite transaction.
///
/// Within the transaction nobody else writes, so what a page keeps asking can be read once:
/// the device's last audit entry (a chain only grows at its end) and whether a device has
/// open reviews at all (most never do, and every accepted item would otherwise look).
struct SqliteLedger<'t, 'c> {
    tx: &'t Transaction<'c>,
    last_audit: HashMap<DeviceId, Option<(u64, ContentHash)>>,
    has_open_reviews: HashMap<DeviceId, bool>,
    /// Checks stored or read in this transaction: an inspection is re-checked against the
    /// checks of its officers, which mostly came in the same page just before it.
    checks: HashMap<CheckId, CertificateCheck>,
    /// Certificates' histories read in this transaction (the registry does not change
    /// during it): a page re-checks the same few officers' certificates again and again.
    histories: HashMap<String, Vec<CertificateEvent>>,
}

impl<'t, 'c> SqliteLedger<'t, 'c> {
    fn new(tx: &'t Transaction<'c>) -> Self {
        SqliteLedger {
            tx,
            last_audit: HashMap::new(),
            has_open_reviews: HashMap::new(),
            checks: HashMap::new(),
            histories: HashMap::new(),
        }
    }

    fn has_open_reviews(&mut self, device: DeviceId) -> Result<bool> {
        if let Some(&open) = self.has_open_reviews.get(&device) {
            return Ok(open);
        }
        let open = reviews::any_open(self.tx, device)?;
        self.has_open_reviews.insert(device, open);
        Ok(open)
    }
}

impl PushLedger for SqliteLedger<'_, '_> {
    fn stored_hash(&mut self, device: DeviceId, item: &PushItem) -> Result<Option<ContentHash>> {
        match item {
            PushItem::Site(s) => sites::stored_hash(self.tx, s.id),
            PushItem::Inspection(i) => inspections::stored_hash(self.tx, i.id),
            PushItem::CertificateCheck(c) => certificate_checks::stored_hash(self.tx, c.id),
            PushItem::Evidence(e) => evidence::stored_hash(self.tx, e.id),
            // The chain held is entries 1..=last, so a later number is not held.
            PushItem::Audit(run) => match self.audit_head(device)? {
                Some((last, _)) if run.last_seq() <= last => {
                    audit_entries::stored_hash(self.tx, device, run.last_seq())
                }
                _ => Ok(None),
            },
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

    fn insert_inspection(
        &mut self,
        inspection: &Inspection,
        content_hash: ContentHash,
        from: DeviceId,
        at: DateTime<Utc>,
    ) -> Result<()> {
        inspections::insert(self.tx, inspection, content_hash, from, at)
    }

    fn held_checks(&mut self, checks: &[CheckId]) -> Result<Vec<CertificateCheck>> {
        let unseen: Vec<CheckId> = checks.iter().filter(|id| !self.checks.contains_key(id)).copied().collect();
        for check in certificate_checks::held(self.tx, &unseen)? {
            self.checks.insert(check.id, check);
        }
        Ok(checks.iter().filter_map(|id| self.checks.get(id).cloned()).collect())
    }

    fn certificate_at(&mut self, number: &str, at: DateTime<Utc>) -> Result<Option<CertificateEvent>> {
        let history = match self.histories.get(number) {
            Some(history) => history,
            None => {
                let history = certificate_history::of(self.tx, number)?;
                self.histories.entry(number.to_owned()).or_insert(history)
            }
        };
        Ok(CertificateEvent::standing_at(history, at).cloned())
    }

    fn inspections_citing(&mut self, check: CheckId) -> Result<Vec<(DeviceId, Inspection)>> {
        inspections::citing(self.tx, check)
    }

    fn insert_check(
        &mut self,
        check: &CertificateCheck,
        content_hash: ContentHash,
        from: DeviceId,
        at: DateTime<Utc>,
    ) -> Result<()> {
        certificate_checks::insert(self.tx, check, content_hash, from, at)?;
        self.checks.insert(check.id, check.clone());
        Ok(())
    }

    fn insert_evidence(&mut self, evidence: &EvidenceRef, from: DeviceId, at: DateTime<Utc>) -> Result<()> {
        evidence::insert(self.tx, evidence, from, at)
    }

    fn audit_head(&mut self, device: DeviceId) -> Result<Option<(u64, ContentHash)>> {
        if let Some(&head) = self.last_audit.get(&device) {
            return Ok(head);
        }
        let head = audit_entries::head(self.tx, device)?;
        self.last_audit.insert(device, head);
        Ok(head)
    }

    fn insert_audit_entries(
        &mut self,
        device: DeviceId,
        run: &AuditRun,
        hashes: &[ContentHash],
        skip: usize,
        at: DateTime<Utc>,
    ) -> Result<()> {
        audit_entries::insert_run(self.tx, device, run, hashes, skip, at)?;
        if let Some(&last) = hashes.last() {
            self.last_audit.insert(device, Some((run.last_seq(), last)));
        }
        Ok(())
    }

    fn keep_for_review(&mut self, review: &NewReview<'_>) -> Result<()> {
        reviews::keep(self.tx, review)?;
        self.has_open_reviews.insert(review.device, true);
        Ok(())
    }

    fn refresh_reviews(
        &mut self,
        device: DeviceId,
        kind: &str,
        id: &str,
        reason: ReviewReason,
        detail: &str,
    ) -> Result<()> {
        if !self.has_open_reviews(device)? {
            return Ok(());
        }
        reviews::refresh(self.tx, device, kind, id, reason, detail)
    }

    fn resolve_audit_rejections(&mut self, device: DeviceId, through: u64, at: DateTime<Utc>) -> Result<()> {
        if !self.has_open_reviews(device)? {
            return Ok(());
        }
        reviews::resolve_audit_rejections(self.tx, device, through, at)
    }

    fn resolve_reviews(
        &mut self,
        device: DeviceId,
        kind: &str,
        id: &str,
        reason: ReviewReason,
        resolution: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !self.has_open_reviews(device)? {
            return Ok(());
        }
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
    use rusqlite::params;

    #[test]
    fn migrations_are_valid() {
        assert!(Migrations::from_slice(MIGRATIONS).validate().is_ok());
    }

    #[test]
    fn a_bureau_of_the_first_schema_keeps_its_feed_when_the_certificates_arrive() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("bureau.db");
        {
            let mut conn = Connection::open(&path).expect("a database");
            Migrations::from_slice(&MIGRATIONS[..1]).to_latest(&mut conn).expect("the first schema");
            for (kind, id) in [("template", "t@1"), ("site", "s1"), ("site", "s2")] {
                conn.execute("INSERT INTO changes (kind, record_id, record, at) VALUES (?1, ?2, '{}', '2026-01-01T00:00:00.000000Z')", [kind, id])
                    .expect("a change");
            }
            let refused = conn
                .execute("INSERT INTO changes (kind, record_id, record, at) VALUES ('registry', '1', '{}', 'x')", []);
            assert!(refused.is_err(), "the first schema's feed takes sites and templates only");
        }
        let store = SqliteStore::open(&path).expect("migrated");
        let conn = store.conn.lock().expect("the connection");
        let rows: Vec<(i64, String)> = conn
            .prepare("SELECT cursor, record_id FROM changes ORDER BY cursor")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .expect("the feed");
        assert_eq!(
            rows[..3],
            [(1, "t@1".to_owned()), (2, "s1".to_owned()), (3, "s2".to_owned())],
            "every change keeps its cursor"
        );
        assert_eq!(rows.len(), 4, "and the default checklist follows (the fake one was never in `templates`)");
        conn.execute("INSERT INTO changes (kind, record_id, record, at) VALUES ('key_rotation', 'k', '{}', 'x')", [])
            .expect("the new kinds");
        assert_eq!(conn.last_insert_rowid(), 5, "cursors go on growing");
        assert!(conn.execute("UPDATE changes SET record = '' WHERE cursor = 1", []).is_err(), "still append-only");
        assert!(conn.execute("DELETE FROM changes WHERE cursor = 1", []).is_err(), "still append-only");
    }

    /// A device is authenticated for its next page while its last page is being stored: a
    /// read does not wait for a write in progress, and sees what was committed before it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_go_on_beside_an_open_write_and_cannot_write() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let store = SqliteStore::open_async(dir.path().join("bureau.db")).await.expect("a store");
        let (started, wait_started) = std::sync::mpsc::channel();
        let (release, held) = std::sync::mpsc::channel::<()>();
        let writing = {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .write(move |tx| {
                        tx.execute("INSERT INTO admin_tokens (token_hash, created_at) VALUES ('t', 'x')", [])?;
                        started.send(()).expect("the test waits");
                        held.recv().expect("the test releases the write");
                        Ok(())
                    })
                    .await
            })
        };
        tokio::task::spawn_blocking(move || wait_started.recv()).await.expect("joined").expect("the write began");
        // The write holds its transaction open until released: a read that waited for it
        // would never return (the timeout only turns that hang into a failure).
        let devices = tokio::time::timeout(Duration::from_secs(60), store.devices())
            .await
            .expect("the read waited for the write")
            .expect("a read beside the write");
        assert!(devices.is_empty());
        let uncommitted: i64 = store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM admin_tokens", [], |r| r.get(0))?))
            .await
            .expect("counted");
        assert_eq!(uncommitted, 0, "a read sees only what was committed");
        release.send(()).expect("the write is waiting");
        writing.await.expect("joined").expect("the write commits");

        let refused = store.read(|c| Ok(c.execute("DELETE FROM admin_tokens", [])?)).await;
        assert!(matches!(refused, Err(StoreError::ReadOnly(_))), "a read cannot write: {refused:?}");
    }

    #[test]
    fn audit_entries_keep_their_hashes_when_the_table_is_compacted() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("bureau.db");
        let device: DeviceId = "01900000-0000-7000-8000-000000000009".parse().expect("an id");
        let (one, two) = (ContentHash::of_bytes(b"1"), ContentHash::of_bytes(b"2"));
        {
            let mut conn = Connection::open(&path).expect("a database");
            Migrations::from_slice(&MIGRATIONS[..2]).to_latest(&mut conn).expect("the second schema");
            conn.execute(
                "INSERT INTO devices (device_id, public_key, token_hash, enrolled_at) VALUES (?1, 'k', 't', 'x')",
                [device.to_string()],
            )
            .expect("a device");
            for (seq, prev, hash) in [(1, ContentHash::ZERO, one), (2, one, two)] {
                conn.execute(
                    "INSERT INTO audit_entries VALUES (?1, ?2, ?3, 'at', 'actor', 'action', 'subject', ?4, ?5, 'r')",
                    params![device.to_string(), seq, prev.to_hex(), one.to_hex(), hash.to_hex()],
                )
                .expect("an entry");
            }
        }
        let store = SqliteStore::open(&path).expect("migrated");
        let conn = store.conn.lock().expect("the connection");
        assert_eq!(audit_entries::head(&conn, device).expect("the head"), Some((2, two)));
        assert_eq!(audit_entries::stored_hash(&conn, device, 1).expect("entry 1"), Some(one));
        assert!(conn.execute("UPDATE audit_entries SET action = 'x'", []).is_err(), "still append-only");
        assert!(conn.execute("DELETE FROM audit_entries", []).is_err(), "still append-only");
    }
}
