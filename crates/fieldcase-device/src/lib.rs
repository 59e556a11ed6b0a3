//! Everything on the officer's laptop except the window.
//!
//! [`Device`] is the one entry point the desktop shell and the `fieldcase` command use: it
//! owns the data directory (the SQLite store and the device key), runs every change in a
//! transaction together with its audit entry, and applies the rules of `fieldcase-core`
//! with the time from its [`Clock`].

// Unit tests may unwrap: a panic there is a failed test with its reason.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod audit;
mod checklist;
pub mod clock;
pub mod demo;
mod error;
pub mod evidence;
mod evidence_import;
mod evidence_records;
mod history;
pub mod home;
mod inspections;
pub mod keys;
pub mod preferences;
pub mod qr;
pub mod record;
mod recorder;
pub mod records;
pub mod registry;
mod settings;
mod shared;
pub mod signin;
pub mod sites;
pub mod store;
pub mod sync;
pub mod uploads;
pub mod views;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use fieldcase_core::audit::Actor;
use fieldcase_core::checklist::default_template;
use fieldcase_core::ids::DeviceId;
use fieldcase_core::signing::SecretKey;
use fieldcase_core::time::check_instant;

use audit::append_audit;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::DeviceError;
pub use evidence_import::{
    AlreadyThere, ImportOptions, ImportProgress, ImportSummary, ImportedFile, SkippedFile, VAULT_DIR,
};
pub use evidence_records::{EvidenceItem, InspectionEvidence, Mismatch, VerifyReport};
pub use history::{FileCustody, InspectionHistory};
pub use home::{HomeGroup, HomeOverview};
pub use inspections::NewCheck;
pub use recorder::NewRecorderCheck;
pub use settings::{DEFAULT_SESSION_HOURS, DeviceSettings, GAP_MINUTES_ENV, SESSION_HOURS_ENV, UPLOAD_CHUNK_ENV};
pub use shared::SharedDevice;
use store::{Store, device};
pub use views::{AppInfo, AuditReport, InspectionDetail, InspectionSummary, SignedIn};

pub type Result<T, E = DeviceError> = std::result::Result<T, E>;

/// The database file inside the data directory.
pub const DB_FILE: &str = "fieldcase.db";

/// The data directory when none is given: the platform's data directory (on Linux
/// `~/.local/share/fieldcase`).
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("fieldcase")
}

/// Whether opening may start a new data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Make the directory, key and database if they are not there (the app, `site add`).
    CreateIfMissing,
    /// Refuse a directory without a database (commands that only read or change records).
    MustExist,
}

/// One officer's laptop: its data directory, opened.
#[derive(Debug)]
pub struct Device {
    data_dir: PathBuf,
    store: Store,
    key: SecretKey,
    id: DeviceId,
    clock: Arc<dyn Clock>,
    max_registry_age: chrono::Duration,
    /// How long a sign-in lasts when set for this run (`FIELDCASE_SESSION_HOURS`); else as
    /// chosen in the settings kept in the store (see `preferences`).
    session_override: Option<chrono::Duration>,
    /// The longest stretch without recording in an inspection that needs no reason.
    gap_limit: chrono::Duration,
    /// The laptop time this process last wrote down as the latest seen (see
    /// `note_laptop_time`).
    laptop_time_noted: Option<DateTime<Utc>>,
    /// Bytes per evidence upload request.
    upload_chunk_bytes: u64,
    /// The progress of the evidence file this process is uploading.
    live_uploads: uploads::LiveUploads,
}

impl Device {
    /// Opens the data directory with the laptop's clock and the default settings.
    pub fn open(data_dir: &Path, mode: OpenMode) -> Result<Self> {
        Self::open_with_clock(data_dir, mode, Arc::new(SystemClock))
    }

    /// Opens the data directory with the laptop's clock and these settings (the desktop app
    /// and the command line take them from the environment: [`DeviceSettings::from_env`]).
    pub fn open_with(data_dir: &Path, mode: OpenMode, settings: &DeviceSettings) -> Result<Self> {
        let mut device = Self::open(data_dir, mode)?;
        device.set_max_registry_age(settings.max_registry_age);
        device.session_override = settings.session_length;
        device.gap_limit = settings.gap_limit;
        device.upload_chunk_bytes = settings.upload_chunk_bytes;
        Ok(device)
    }

    pub fn open_with_clock(data_dir: &Path, mode: OpenMode, clock: Arc<dyn Clock>) -> Result<Self> {
        let db = data_dir.join(DB_FILE);
        if mode == OpenMode::MustExist && !db.is_file() {
            return Err(DeviceError::NoData { path: data_dir.to_owned() });
        }
        prepare_data_dir(data_dir)?;
        let store = Store::open(&db).map_err(|e| DeviceError::from(e).in_file(&db))?;
        let key = keys::load_or_create(data_dir)?;
        let mut device = Device {
            data_dir: data_dir.to_owned(),
            store,
            key,
            id: DeviceId::from_uuid(Default::default()),
            clock,
            max_registry_age: chrono::Duration::days(registry::DEFAULT_MAX_REGISTRY_AGE_DAYS),
            session_override: None,
            gap_limit: chrono::Duration::minutes(fieldcase_core::evidence::DEFAULT_GAP_MINUTES),
            laptop_time_noted: None,
            upload_chunk_bytes: fieldcase_core::upload::DEFAULT_CHUNK_BYTES,
            live_uploads: uploads::LiveUploads::default(),
        };
        device.id = device.identity()?;
        device.install_template(&default_template())?;
        Ok(device)
    }

    /// This device's id, made at first start; the stored public key must match the key file.
    fn identity(&mut self) -> Result<DeviceId> {
        let public_key = self.key.public_key();
        let db = self.db_path();
        let stored = self.read(device::get)?;
        match stored {
            Some(row) if row.public_key == public_key => Ok(row.device_id),
            Some(_) => Err(DeviceError::Damaged {
                path: self.data_dir.join(keys::KEY_FILE),
                detail: "the device key does not match the key this device was created with".into(),
            }),
            None => {
                let now = self.record_time()?;
                self.write(|tx| {
                    let row = device::DeviceRow { device_id: DeviceId::generate(now), public_key, created_at: now };
                    device::insert(tx, &row)?;
                    let actor = Actor::Device { device: row.device_id };
                    append_audit(
                        tx,
                        now,
                        &actor,
                        "device.create",
                        &row.device_id.to_string(),
                        &public_key.to_string(),
                    )?;
                    Ok(row.device_id)
                })
                .map_err(|e| e.in_file(&db))
            }
        }
    }

    pub fn id(&self) -> DeviceId {
        self.id
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Who acts: the officer signed in on this device (while the sign-in lasts and their
    /// certificate is active), else the device itself.
    pub fn actor(&self) -> Result<Actor> {
        Ok(match self.signed_in()? {
            Some(entry) => Actor::Officer { officer: entry.officer, device: self.id },
            None => Actor::Device { device: self.id },
        })
    }

    /// The officer who makes or changes a record: records are made by a signed-in officer
    /// (a court asks who made each one), so this refuses while nobody is signed in or the
    /// sign-in has ended. What the device does by itself (syncing, installing templates,
    /// applying the registry) is recorded with [`Device::actor`].
    pub(crate) fn officer_actor(&self) -> Result<Actor> {
        // A clock years off ends every sign-in; say what is wrong with it first.
        self.record_time()?;
        match self.signed_in()? {
            Some(entry) => Ok(Actor::Officer { officer: entry.officer, device: self.id }),
            None => Err(DeviceError::SigninRequired),
        }
    }

    pub fn public_key(&self) -> fieldcase_core::signing::PublicKey {
        self.key.public_key()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The clock this device reads, for a caller that must read it without holding the device
    /// (the sync agent, as an answer from the bureau arrives).
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// Now, for a record: refused while the laptop's clock is outside the years a record may
    /// fall in (a laptop whose battery ran down wakes in 1970). The bureau would reject such a
    /// record, and a rejected audit entry would hold up the rest of the chain behind it.
    pub(crate) fn record_time(&self) -> Result<DateTime<Utc>> {
        let now = self.clock.now();
        check_instant("the laptop's clock", now).map_err(|e| DeviceError::ClockOutOfRange { reads: e.value })
    }

    pub fn info(&self) -> AppInfo {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: self.data_dir.display().to_string(),
            device_id: self.id.to_string(),
            public_key: self.key.public_key().to_string(),
        }
    }

    // ----- internals -----

    fn db_path(&self) -> PathBuf {
        self.data_dir.join(DB_FILE)
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> store::Result<T>) -> Result<T> {
        f(self.store.conn()).map_err(|e| DeviceError::from(e).in_file(&self.db_path()))
    }

    fn write<T>(&mut self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let db = self.db_path();
        self.store.write(f).map_err(|e| e.in_file(&db))
    }
}

/// Makes the data directory if needed and proves it can be written.
fn prepare_data_dir(dir: &Path) -> Result<()> {
    fieldcase_storage::data_dir::prepare(dir)
        .map_err(|e| DeviceError::DataDir { path: dir.to_owned(), detail: e.to_string() })
}

pub(crate) fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}
