//! Everything on the officer's laptop except the window.
//!
//! [`Device`] is the one entry point the desktop shell and the `fieldcase` command use: it
//! owns the data directory (the SQLite store and the device key), runs every change in a
//! transaction together with its audit entry, and applies the rules of `fieldcase-core`
//! with the time from its [`Clock`].

// Unit tests may unwrap: a panic there is a failed test with its reason.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod clock;
pub mod demo;
mod error;
pub mod keys;
pub mod qr;
pub mod registry;
pub mod store;
pub mod sync;
pub mod views;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use fieldcase_core::audit::{Actor, AuditEntry, verify_link};
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::certificate::{CertificateCheck, CheckMethod, CheckResult};
use fieldcase_core::checklist::{AnswerValue, ChecklistTemplate, default_template};
use fieldcase_core::ids::{CheckId, DeviceId, InspectionId, OfficerId, SiteId};
use fieldcase_core::inspection::{Finding, Inspection, Outcome, Seal};
use fieldcase_core::rules::{self, RuleViolation, RuleViolations};
use fieldcase_core::signing::{SecretKey, Signed};
use fieldcase_core::site::{NewSite, Site};
use fieldcase_core::uscc::Uscc;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::DeviceError;
use store::{Store, audit_log, certificate_checks, device, inspections, outbox, sites, templates};
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

/// A certificate check as the checking code hands it to the device for recording.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCheck {
    pub inspection_id: InspectionId,
    pub officer_id: OfficerId,
    pub certificate_number: String,
    pub method: CheckMethod,
    pub result: CheckResult,
    pub registry_version: u64,
    /// The trusted time validity was decided on (None before any sync with the bureau).
    pub trusted_time: Option<DateTime<Utc>>,
    pub registry_stale: bool,
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
    /// The laptop time this process last wrote down as the latest seen (see
    /// `note_laptop_time`).
    laptop_time_noted: Option<DateTime<Utc>>,
}

impl Device {
    /// Opens the data directory with the laptop's clock.
    pub fn open(data_dir: &Path, mode: OpenMode) -> Result<Self> {
        Self::open_with_clock(data_dir, mode, Arc::new(SystemClock))
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
            laptop_time_noted: None,
        };
        device.id = device.identity()?;
        device.install_template(&default_template())?;
        Ok(device)
    }

    /// This device's id, made at first start; the stored public key must match the key file.
    fn identity(&mut self) -> Result<DeviceId> {
        let public_key = self.key.public_key();
        let now = self.clock.now();
        let db = self.db_path();
        let stored = self.read(device::get)?;
        match stored {
            Some(row) if row.public_key == public_key => Ok(row.device_id),
            Some(_) => Err(DeviceError::Damaged {
                path: self.data_dir.join(keys::KEY_FILE),
                detail: "the device key does not match the key this device was created with".into(),
            }),
            None => self
                .write(|tx| {
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
                .map_err(|e| e.in_file(&db)),
        }
    }

    fn install_template(&mut self, template: &ChecklistTemplate) -> Result<()> {
        let (now, actor) = (self.clock.now(), self.actor());
        self.write(|tx| {
            if templates::insert_if_missing(tx, template)? {
                let subject = format!("{}@{}", template.id.0, template.version);
                append_audit(tx, now, &actor, "template.install", &subject, template)?;
            }
            Ok(())
        })
    }

    pub fn id(&self) -> DeviceId {
        self.id
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Who acts: the officer signed in on this device, else the device itself.
    pub fn actor(&self) -> Actor {
        match self
            .store
            .conn()
            .query_row("SELECT officer_id FROM session WHERE singleton = 1", [], |r| r.get::<_, String>(0))
        {
            Ok(officer) => match OfficerId::parse(&officer) {
                Ok(officer) => Actor::Officer { officer, device: self.id },
                Err(_) => Actor::Device { device: self.id },
            },
            Err(_) => Actor::Device { device: self.id },
        }
    }

    pub fn public_key(&self) -> fieldcase_core::signing::PublicKey {
        self.key.public_key()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn info(&self) -> AppInfo {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: self.data_dir.display().to_string(),
            device_id: self.id.to_string(),
            public_key: self.key.public_key().to_string(),
        }
    }

    // ----- sites -----

    pub fn add_site(&mut self, new: NewSite) -> Result<Site> {
        let name = new.name.trim();
        if name.is_empty() {
            return Err(DeviceError::Invalid(
                "a site needs a name: the employer's registered name as on its business licence".into(),
            ));
        }
        let uscc = Uscc::parse(&new.uscc)
            .map_err(|e| DeviceError::Invalid(format!("unified social credit code '{}': {e}", new.uscc.trim())))?;
        let (now, actor) = (self.clock.now(), self.actor());
        let site = Site {
            id: SiteId::generate(now),
            name: name.to_owned(),
            uscc,
            address: non_empty(new.address),
            project_name: non_empty(new.project_name),
            general_contractor: non_empty(new.general_contractor),
            created_at: now,
        };
        self.write(|tx| {
            if let Some(existing) = sites::by_uscc(tx, site.uscc.as_str())? {
                return Err(DeviceError::DuplicateSite {
                    uscc: site.uscc.to_string(),
                    existing: existing.id.to_string(),
                });
            }
            sites::insert(tx, &site)?;
            outbox::enqueue(tx, "site", &site.id.to_string())?;
            append_audit(tx, now, &actor, "site.create", &site.id.to_string(), &site)?;
            Ok(site)
        })
    }

    pub fn sites(&self) -> Result<Vec<Site>> {
        self.read(sites::list)
    }

    /// A site by its id or its unified social credit code.
    pub fn find_site(&self, reference: &str) -> Result<Site> {
        let not_found = || DeviceError::NotFound {
            what: "site",
            id: reference.to_owned(),
            hint: "`fieldcase site list` shows the sites",
        };
        if let Ok(id) = reference.parse::<SiteId>() {
            return self.read(|c| sites::get(c, id))?.ok_or_else(not_found);
        }
        let uscc = Uscc::parse(reference).map_err(|e| {
            DeviceError::Invalid(format!(
                "'{reference}' is neither a site id nor a valid unified social credit code: {e}"
            ))
        })?;
        self.read(|c| sites::by_uscc(c, uscc.as_str()))?.ok_or_else(not_found)
    }

    // ----- templates -----

    pub fn templates(&self) -> Result<Vec<ChecklistTemplate>> {
        self.read(templates::latest)
    }

    pub fn template_for(&self, inspection: &Inspection) -> Result<ChecklistTemplate> {
        let (id, version) = (&inspection.template_id.0, inspection.template_version);
        self.read(|c| templates::get(c, id, version))?.ok_or_else(|| DeviceError::Damaged {
            path: self.db_path(),
            detail: format!("checklist {id} v{version} of inspection {} is missing", inspection.id),
        })
    }

    // ----- inspections -----

    /// Starts a draft at a site, with the newest version of a template (default: the
    /// construction-site wage checklist).
    pub fn new_inspection(
        &mut self,
        site: SiteId,
        template: Option<&str>,
        location: Option<String>,
    ) -> Result<Inspection> {
        let site = self.read(|c| sites::get(c, site))?.ok_or_else(|| DeviceError::NotFound {
            what: "site",
            id: site.to_string(),
            hint: "`fieldcase site list` shows the sites",
        })?;
        let template_id = template.unwrap_or(&default_template().id.0).to_owned();
        let templates = self.templates()?;
        let template = templates.iter().find(|t| t.id.0 == template_id).ok_or_else(|| {
            let known: Vec<_> = templates.iter().map(|t| t.id.0.as_str()).collect();
            DeviceError::Invalid(format!("no checklist template '{template_id}'; available: {}", known.join(", ")))
        })?;
        let (now, actor) = (self.clock.now(), self.actor());
        let draft =
            Inspection::draft(InspectionId::generate(now), site.id, template, non_empty(location), now, actor.clone());
        self.write(|tx| {
            inspections::insert(tx, &draft)?;
            append_audit(tx, now, &actor, "inspection.create", &draft.id.to_string(), &draft)?;
            Ok(draft)
        })
    }

    pub fn inspection(&self, id: InspectionId) -> Result<Inspection> {
        self.read(|c| inspections::get(c, id))?.ok_or_else(|| DeviceError::NotFound {
            what: "inspection",
            id: id.to_string(),
            hint: "`fieldcase inspection list` shows the inspections",
        })
    }

    /// Records an answer on a draft, given as typed (`yes`/`no`/`na`, a number, or text).
    pub fn answer(&mut self, id: InspectionId, item_id: &str, raw: &str) -> Result<Inspection> {
        let mut draft = self.draft(id)?;
        let template = self.template_for(&draft)?;
        let item = template.item(item_id).ok_or_else(|| DeviceError::UnknownItem {
            template: template.id.0.clone(),
            item: item_id.to_owned(),
            items: template.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>().join(", "),
        })?;
        let value = AnswerValue::parse(item, raw).map_err(|e| DeviceError::Invalid(e.to_string()))?;
        draft.answers.insert(item.id.clone(), value.clone());
        let (now, actor) = (self.clock.now(), self.actor());
        let payload = serde_json::json!({ "item": item.id, "value": value });
        self.update_draft(&draft, now, &actor, "inspection.answer", &payload)?;
        Ok(draft)
    }

    /// Adds a finding in the officer's own words to a draft.
    pub fn add_finding(&mut self, id: InspectionId, description: &str) -> Result<Inspection> {
        let description = description.trim();
        if description.is_empty() {
            return Err(DeviceError::Invalid("a finding needs a description of what was found".into()));
        }
        let mut draft = self.draft(id)?;
        let finding = Finding { item_id: None, description: description.to_owned() };
        draft.findings.push(finding.clone());
        let (now, actor) = (self.clock.now(), self.actor());
        self.update_draft(&draft, now, &actor, "inspection.finding", &finding)?;
        Ok(draft)
    }

    /// Records a certificate check for a draft. The check itself (registry, credentials) is
    /// made by the caller; the device records it, append-only, with its audit entry.
    pub fn record_check(&mut self, new: NewCheck) -> Result<CertificateCheck> {
        self.draft(new.inspection_id)?;
        let (now, actor) = (self.clock.now(), self.actor());
        let check = CertificateCheck {
            id: CheckId::generate(now),
            inspection_id: new.inspection_id,
            officer_id: new.officer_id,
            certificate_number: new.certificate_number,
            method: new.method,
            result: new.result,
            registry_version: new.registry_version,
            checked_by: actor.clone(),
            checked_at: now,
            trusted_time: new.trusted_time,
            registry_stale: new.registry_stale,
        };
        self.write(|tx| {
            certificate_checks::insert(tx, &check)?;
            outbox::enqueue(tx, "certificate_check", &check.id.to_string())?;
            append_audit(tx, now, &actor, "certificate.check", &check.id.to_string(), &check)?;
            Ok(check)
        })
    }

    /// Seals a draft: checks the rules, hashes the record and signs the hash. From then on
    /// the record is immutable.
    pub fn finalize(&mut self, id: InspectionId, outcome: Option<Outcome>) -> Result<Inspection> {
        let draft = self.inspection(id)?;
        let template = self.template_for(&draft)?;
        let checks = self.checks_of_lineage(&draft)?;
        let now = self.clock.now();
        let mut sealed = rules::finalize(&draft, &template, &checks, outcome, now)?;
        let content_hash = sealed.content_hash();
        sealed.seal = Some(Seal { content_hash, signature: self.key.sign(Signed::Inspection, &content_hash) });
        let actor = self.actor();
        self.write(|tx| {
            inspections::replace_draft(tx, &sealed)?;
            outbox::enqueue(tx, "inspection", &sealed.id.to_string())?;
            append_audit(tx, now, &actor, "inspection.finalize", &sealed.id.to_string(), &sealed.seal)?;
            Ok(sealed)
        })
    }

    /// Starts a correction of a finalized inspection: a new draft that supersedes it.
    /// The original stays exactly as it was sealed.
    pub fn correct(&mut self, id: InspectionId) -> Result<Inspection> {
        let original = self.inspection(id)?;
        if original.is_draft() {
            return Err(DeviceError::Invalid(format!(
                "inspection {id} is still a draft: change it directly, a correction is for finalized inspections"
            )));
        }
        if let Some(by) = self.read(|c| inspections::superseded_by(c, id))? {
            return Err(DeviceError::Invalid(format!(
                "inspection {id} was already corrected by {by}; correct that version instead"
            )));
        }
        let (now, actor) = (self.clock.now(), self.actor());
        let correction = original.correction(InspectionId::generate(now), actor.clone());
        self.write(|tx| {
            inspections::insert(tx, &correction)?;
            append_audit(tx, now, &actor, "inspection.correct", &correction.id.to_string(), &correction)?;
            Ok(correction)
        })
    }

    /// Every inspection version, newest first, with its site and progress.
    pub fn inspections(&self) -> Result<Vec<InspectionSummary>> {
        let rows = self.read(inspections::list)?;
        let mut sites_by_id: HashMap<SiteId, Site> = HashMap::new();
        let mut templates_by_id: HashMap<(String, u32), ChecklistTemplate> = HashMap::new();
        rows.into_iter()
            .map(|(inspection, superseded_by)| {
                if !sites_by_id.contains_key(&inspection.site_id) {
                    let site = self.site(inspection.site_id)?;
                    sites_by_id.insert(site.id, site);
                }
                let key = (inspection.template_id.0.clone(), inspection.template_version);
                if !templates_by_id.contains_key(&key) {
                    templates_by_id.insert(key.clone(), self.template_for(&inspection)?);
                }
                Ok(InspectionSummary::new(
                    &inspection,
                    &sites_by_id[&inspection.site_id],
                    &templates_by_id[&key],
                    superseded_by,
                ))
            })
            .collect()
    }

    /// One inspection with its site, checklist and checks.
    pub fn inspection_detail(&self, id: InspectionId) -> Result<InspectionDetail> {
        let inspection = self.inspection(id)?;
        let site = self.site(inspection.site_id)?;
        let template = self.template_for(&inspection)?;
        let checks = self.read(|c| certificate_checks::for_inspections(c, &[id]))?;
        let superseded_by = self.read(|c| inspections::superseded_by(c, id))?;
        let summary = InspectionSummary::new(&inspection, &site, &template, superseded_by);
        Ok(InspectionDetail { summary, inspection, site, template, checks })
    }

    // ----- audit -----

    /// Walks the whole audit chain; names the first entry that does not hold.
    pub fn verify_audit(&self) -> Result<AuditReport> {
        let mut prev: Option<AuditEntry> = None;
        let mut entries = 0;
        let mut failure: Option<DeviceError> = None;
        self.read(|c| {
            audit_log::for_each(c, |row| {
                let checked = match row {
                    Ok(entry) => verify_link(prev.as_ref(), &entry).map(|()| entry).map_err(DeviceError::ChainBroken),
                    Err((seq, _)) => Err(DeviceError::ChainBroken(fieldcase_core::audit::ChainBreak::Altered { seq })),
                };
                match checked {
                    Ok(entry) => {
                        entries += 1;
                        prev = Some(entry);
                        true
                    }
                    Err(e) => {
                        failure = Some(e);
                        false
                    }
                }
            })
        })?;
        match failure {
            Some(e) => Err(e),
            None => Ok(AuditReport { entries, last_hash: prev.map(|e| e.hash.to_hex()) }),
        }
    }

    // ----- internals -----

    fn db_path(&self) -> PathBuf {
        self.data_dir.join(DB_FILE)
    }

    fn site(&self, id: SiteId) -> Result<Site> {
        self.read(|c| sites::get(c, id))?.ok_or_else(|| DeviceError::Damaged {
            path: self.db_path(),
            detail: format!("site {id} referenced by an inspection is missing"),
        })
    }

    fn draft(&self, id: InspectionId) -> Result<Inspection> {
        let inspection = self.inspection(id)?;
        if !inspection.is_draft() {
            return Err(RuleViolations(vec![RuleViolation::NotDraft { id }]).into());
        }
        Ok(inspection)
    }

    /// The checks of a draft and of the versions it corrects: a correction rests on the
    /// checks made at the inspection itself.
    fn checks_of_lineage(&self, inspection: &Inspection) -> Result<Vec<CertificateCheck>> {
        let mut ids = vec![inspection.id];
        let mut next = inspection.supersedes;
        while let Some(id) = next {
            ids.push(id);
            next = self.inspection(id)?.supersedes;
        }
        self.read(|c| certificate_checks::for_inspections(c, &ids))
    }

    fn update_draft<P: Serialize + ?Sized>(
        &mut self,
        draft: &Inspection,
        now: DateTime<Utc>,
        actor: &Actor,
        action: &str,
        payload: &P,
    ) -> Result<()> {
        self.write(|tx| {
            inspections::replace_draft(tx, draft)?;
            append_audit(tx, now, actor, action, &draft.id.to_string(), payload)?;
            Ok(())
        })
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> store::Result<T>) -> Result<T> {
        f(self.store.conn()).map_err(|e| DeviceError::from(e).in_file(&self.db_path()))
    }

    fn write<T>(&mut self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let db = self.db_path();
        self.store.write(f).map_err(|e| e.in_file(&db))
    }
}

/// Appends the audit entry for a change, in the change's own transaction.
fn append_audit<P: Serialize + ?Sized>(
    conn: &Connection,
    at: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    subject: &str,
    payload: &P,
) -> store::Result<AuditEntry> {
    let prev = audit_log::last(conn)?;
    let entry = AuditEntry::next(prev.as_ref(), at, actor, action, subject, ContentHash::of(payload));
    audit_log::insert(conn, &entry)?;
    Ok(entry)
}

/// Makes the data directory if needed and proves it can be written.
fn prepare_data_dir(dir: &Path) -> Result<()> {
    let unusable = |detail: String| DeviceError::DataDir { path: dir.to_owned(), detail };
    std::fs::create_dir_all(dir).map_err(|e| unusable(format!("cannot create it ({e})")))?;
    if !dir.is_dir() {
        return Err(unusable("it is not a directory".into()));
    }
    // A name of its own: the desktop app and the command line may open the same directory at
    // the same moment, and one must not remove the other's probe under it.
    static PROBES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let probe = dir.join(format!(".write-probe-{}-{n}", std::process::id()));
    std::fs::write(&probe, b"")
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|e| unusable(format!("it is not writable ({e})")))
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}
