//! The certificate registry copy, certificate checks, trusted time and officer sign-in.
//!
//! Every registry update is verified against a bureau key this device trusts (pinned at
//! enrollment, or vouched for by a trusted key in a rotation) before anything of it is
//! written; an update that fails, or would go back to an older version, is refused and the
//! copy held stays as it was.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use ts_rs::TS;

use fieldcase_core::certificate::{
    AREA_LABOR_INSPECTION, Certificate, CertificateCheck, CertificateStatus, CheckMethod, CheckResult,
};
use fieldcase_core::ids::{DeviceId, InspectionId, OfficerId};
use fieldcase_core::limits;
use fieldcase_core::registry::{Credential, KeyRotation, RegistryError, SignedRegistryUpdate};
use fieldcase_core::time::{TrustedTime, beijing, trusted_time};

use crate::store::registry::{self as copy, Meta};
use crate::store::{enrollment, sync_state};
use crate::{Device, DeviceError, NewCheck, Result, append_audit};

/// How far the laptop clock moves on before the latest time seen is written down again; a
/// thirtieth of the tolerance for a clock set back.
const NOTE_STEP_SECONDS: i64 = 10;
const _: () = assert!(NOTE_STEP_SECONDS * 30 <= fieldcase_core::time::CLOCK_TOLERANCE_SECONDS);

/// Units as a person reads them in a message.
pub(crate) fn units_text(units: Option<&[String]>) -> String {
    match units {
        None => "every unit (a copy from before units)".into(),
        Some([]) => "no unit".into(),
        Some(units) => units.join(", "),
    }
}

/// A copy older than this still answers, but every check made with it says it is stale.
pub const DEFAULT_MAX_REGISTRY_AGE_DAYS: i64 = 7;
/// The environment variable that sets the allowed registry age, in days.
pub const MAX_AGE_ENV: &str = "FIELDCASE_REGISTRY_MAX_AGE_DAYS";

/// The allowed registry age from `FIELDCASE_REGISTRY_MAX_AGE_DAYS` as given (None: the default).
pub fn max_registry_age(setting: Option<&str>) -> Result<Duration> {
    match setting.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Duration::days(DEFAULT_MAX_REGISTRY_AGE_DAYS)),
        Some(text) => match text.parse::<i64>() {
            Ok(days) if (1..=365).contains(&days) => Ok(Duration::days(days)),
            _ => Err(DeviceError::Invalid(format!("{MAX_AGE_ENV}={text} is not a number of days from 1 to 365"))),
        },
    }
}

/// The registry copy as the officer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RegistryStatus {
    #[ts(type = "number | null")]
    pub version: Option<u64>,
    pub issued_at: Option<String>,
    /// Since the bureau last confirmed this copy (it arrived, or a sync found nothing newer).
    #[ts(type = "number | null")]
    pub age_seconds: Option<i64>,
    pub stale: bool,
}

/// What a certificate check found, with everything the record keeps beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CheckReport {
    pub result: CheckResult,
    pub certificate_number: String,
    pub officer_id: Option<OfficerId>,
    pub officer_name: Option<String>,
    pub method: CheckMethod,
    pub registry: RegistryStatus,
    pub time: TrustedTime,
    /// The recorded check, when it was made for an inspection.
    pub recorded: Option<CertificateCheck>,
}

/// How the certificate reached the officer.
#[derive(Debug, Clone)]
pub enum CheckInput {
    /// A number typed by hand, or text from a keyboard-wedge scanner (a scanned QR code
    /// carries the credential; a scanned barcode the number).
    Text { text: String, scanned: bool },
    /// The text decoded from a photo or screenshot of the QR code.
    QrImage(String),
}

impl Device {
    /// Sets how old the registry copy may be before checks say it is stale.
    pub fn set_max_registry_age(&mut self, age: Duration) {
        self.max_registry_age = age;
    }

    /// The current time as decisions see it, and what is wrong with the laptop's clock.
    pub fn trusted_time(&self) -> Result<TrustedTime> {
        let row = self.read(sync_state::get)?;
        let laptop = self.now();
        Ok(trusted_time(laptop, row.bureau_time.zip(row.local_time), row.max_local_time))
    }

    /// Remembers the latest laptop time seen, so that a clock set back is noticed.
    ///
    /// Written down again only once the clock has moved on by [`NOTE_STEP_SECONDS`]: far
    /// inside the tolerance a clock set back must exceed to be noticed, so nothing is missed,
    /// while checks in quick succession do not each wait for a write to reach the disk.
    pub(crate) fn note_laptop_time(&mut self) -> Result<()> {
        let now = self.now();
        if self.laptop_time_noted.is_some_and(|noted| now < noted + Duration::seconds(NOTE_STEP_SECONDS)) {
            return Ok(());
        }
        self.write(|tx| Ok(sync_state::note_local_time(tx, now)?))?;
        self.laptop_time_noted = Some(now);
        Ok(())
    }

    /// The registry copy held, and whether checks may call it current: not once it is older
    /// than allowed, nor while a pull has shown it behind the bureau's and the snapshot that
    /// would bring it up to date has not come yet, however recent the copy.
    pub fn registry_status(&self) -> Result<RegistryStatus> {
        let meta = self.read(copy::meta)?;
        let sync = self.read(sync_state::get)?;
        let now = self.trusted_time()?.trusted;
        Ok(match meta {
            None => RegistryStatus { version: None, issued_at: None, age_seconds: None, stale: true },
            Some(m) => {
                let confirmed = sync.last_success_at.map_or(m.received_at, |s| s.max(m.received_at));
                let age = now - confirmed;
                RegistryStatus {
                    version: Some(m.version),
                    issued_at: Some(m.issued_at.to_rfc3339()),
                    age_seconds: Some(age.num_seconds().max(0)),
                    stale: sync.registry_snapshot_owed || age > self.max_registry_age,
                }
            }
        })
    }

    /// Verifies and applies one registry update inside the caller's transaction. A refusal
    /// leaves the copy as it was and says why.
    ///
    /// An update made for another device is refused. One made for other units than the copy
    /// held is applied only as a whole snapshot, which replaces every verifier (a delta then
    /// asks for the snapshot, [`RegistryError::ScopeChanged`]): so the copy holds the verifiers
    /// of the units it was last made for, and of no others.
    pub(crate) fn apply_registry_update(
        tx: &rusqlite::Transaction<'_>,
        signed: &SignedRegistryUpdate,
        device: DeviceId,
        now: DateTime<Utc>,
    ) -> Result<Result<u64, RegistryError>> {
        let Some(key) = copy::key(tx, &signed.key_id)? else {
            return Ok(Err(RegistryError::UnknownKey(signed.key_id.clone())));
        };
        let update = match signed.open(&key) {
            Ok(u) => u,
            Err(e) => return Ok(Err(e)),
        };
        if let Some(scope) = update.scope.as_ref().filter(|s| s.device != device) {
            return Ok(Err(RegistryError::AnotherDevice(scope.device)));
        }
        let units = update.scope.as_ref().map(|s| s.units.clone());
        let meta = copy::meta(tx)?;
        let same_units = meta.as_ref().is_none_or(|m| m.units == units);
        let held = meta.as_ref().map(|m| m.version);
        if let Some(held) = held.filter(|&h| update.version <= h) {
            // The snapshot of the version held, made for other units, replaces the copy.
            let rescoped = update.from_version.is_none() && update.version == held && !same_units;
            if !rescoped {
                return Ok(Err(RegistryError::Rollback { held, offered: update.version }));
            }
        }
        match (update.from_version, held) {
            (None, _) => copy::clear(tx)?,
            (Some(from), Some(h)) if from == h && same_units => {}
            (Some(from), Some(h)) if from == h => {
                let held_units = meta.and_then(|m| m.units);
                return Ok(Err(RegistryError::ScopeChanged {
                    held: units_text(held_units.as_deref()),
                    offered: units_text(units.as_deref()),
                }));
            }
            (Some(from), held) => return Ok(Err(RegistryError::Gap { from, held: held.unwrap_or(0) })),
        }
        copy::put_certificates(tx, &update.certificates)?;
        copy::put_officers(tx, &update.officers)?;
        let meta = Meta { version: update.version, issued_at: update.issued_at, received_at: now, units };
        copy::set_meta(tx, &meta)?;
        Ok(Ok(update.version))
    }

    /// Trusts a new bureau key when a trusted key vouches for it.
    pub(crate) fn apply_key_rotation(
        tx: &rusqlite::Transaction<'_>,
        rotation: &KeyRotation,
        now: DateTime<Utc>,
    ) -> Result<Result<(), RegistryError>> {
        let Some(old) = copy::key(tx, &rotation.old_key_id)? else {
            return Ok(Err(RegistryError::UnknownKey(rotation.old_key_id.clone())));
        };
        match rotation.verify(&old) {
            Ok(new) => {
                copy::trust_key(tx, &new, now)?;
                Ok(Ok(()))
            }
            Err(e) => Ok(Err(e)),
        }
    }

    /// Applies a whole snapshot fetched outside the feed (after a gap). Verified like any
    /// update; once applied, no snapshot is owed. One at the very version held settles the
    /// debt too: the copy is then the bureau's latest.
    pub fn apply_registry_snapshot(&mut self, signed: &SignedRegistryUpdate) -> Result<u64> {
        let (now, actor, device) = (self.record_time()?, self.actor()?, self.id());
        self.write(|tx| {
            let outcome = Self::apply_registry_update(tx, signed, device, now)?;
            let payload = serde_json::json!({ "key_id": signed.key_id, "outcome": outcome.as_ref().map_err(ToString::to_string) });
            match outcome {
                Ok(version) => {
                    append_audit(tx, now, &actor, "registry.update", "registry", &payload)?;
                    sync_state::set_registry_snapshot_owed(tx, false)?;
                    Ok(version)
                }
                Err(RegistryError::Rollback { held, offered }) if held == offered => {
                    sync_state::set_registry_snapshot_owed(tx, false)?;
                    Ok(held)
                }
                Err(e) => {
                    append_audit(tx, now, &actor, "registry.refuse", "registry", &payload)?;
                    Err(DeviceError::Invalid(format!("the registry snapshot was refused: {e}")))
                }
            }
        })
    }

    /// Checks a certificate against the registry copy (and, for a credential, its bureau
    /// signature), with validity decided at the trusted time. With an inspection, the check
    /// is recorded on it and in the audit chain.
    pub fn check_certificate(&mut self, input: CheckInput, inspection: Option<InspectionId>) -> Result<CheckReport> {
        if let Some(id) = inspection {
            self.draft(id)?;
        }
        // A clock years off would be noted as the latest time seen, and decide validity.
        self.record_time()?;
        self.note_laptop_time()?;
        let time = self.trusted_time()?;
        let registry = self.registry_status()?;
        let day = time.trusted.with_timezone(&beijing()).date_naive();

        let (method, text) = match input {
            CheckInput::Text { text, scanned } => {
                (if scanned { CheckMethod::Scanned } else { CheckMethod::Typed }, text)
            }
            CheckInput::QrImage(text) => (CheckMethod::QrImage, text),
        };
        let text = text.trim().to_owned();
        if text.is_empty() {
            return Err(DeviceError::Invalid("type the certificate number, or scan or load its QR code".into()));
        }

        let (number, claimed, result) = if text.starts_with(fieldcase_core::registry::CREDENTIAL_PREFIX) {
            let credential = Credential::decode(&text).map_err(|e| DeviceError::Invalid(e.to_string()))?;
            let key = self.read(|c| copy::key(c, &credential.claims.key_id))?;
            let genuine = key.is_some_and(|k| credential.verify(&k).is_ok());
            let number = credential.claims.number.clone();
            let result = if !genuine {
                CheckResult::ForeignSignature
            } else {
                match self.read(|c| copy::certificate(c, &number))? {
                    Some(cert) => cert.result_on(day, AREA_LABOR_INSPECTION),
                    // Issued after this copy: the signed claims stand, revocation unknown yet.
                    None => claimed_certificate(&credential).result_on(day, AREA_LABOR_INSPECTION),
                }
            };
            (number, Some(credential.claims), result)
        } else {
            let number: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            // No certificate has a longer number; nor is one echoed back to the officer.
            limits::check("certificate number", &number, limits::CERTIFICATE_NUMBER)?;
            let result = match self.read(|c| copy::certificate(c, &number))? {
                Some(cert) => cert.result_on(day, AREA_LABOR_INSPECTION),
                None => CheckResult::Unknown,
            };
            (number, None, result)
        };

        let held = self.read(|c| copy::certificate(c, &number))?;
        let officer_id = held.as_ref().map(|c| c.holder.clone()).or_else(|| claimed.as_ref().map(|c| c.holder.clone()));
        let officer_name = held.as_ref().map(|c| c.holder_name.clone()).or_else(|| claimed.map(|c| c.holder_name));

        let recorded = match (inspection, &officer_id) {
            (Some(inspection_id), Some(officer)) => Some(self.record_check(NewCheck {
                inspection_id,
                officer_id: officer.clone(),
                certificate_number: number.clone(),
                method,
                result,
                registry_version: registry.version.unwrap_or(0),
                trusted_time: time.anchored.then_some(time.trusted),
                registry_stale: registry.stale,
            })?),
            (Some(inspection_id), None) => {
                // No officer to record the check against: the attempt goes in the audit chain.
                let (now, actor) = (self.record_time()?, self.officer_actor()?);
                let payload = serde_json::json!({ "inspection": inspection_id, "number": number, "result": result });
                self.write(|tx| {
                    Ok(append_audit(tx, now, &actor, "certificate.check.unknown", &inspection_id.to_string(), &payload)
                        .map(drop)?)
                })?;
                None
            }
            (None, _) => None,
        };
        Ok(CheckReport {
            result,
            certificate_number: number,
            officer_id,
            officer_name,
            method,
            registry,
            time,
            recorded,
        })
    }

    /// Trusts the key pinned at enrollment (called when enrolling).
    pub(crate) fn trust_pinned_key(tx: &rusqlite::Transaction<'_>, at: DateTime<Utc>) -> Result<()> {
        if let Some(e) = enrollment::get(tx)? {
            copy::trust_key(tx, &e.bureau_public_key, at)?;
        }
        Ok(())
    }
}

/// A certificate as a genuine credential describes it, for one not yet in the copy.
fn claimed_certificate(credential: &Credential) -> Certificate {
    let c = &credential.claims;
    Certificate {
        number: c.number.clone(),
        holder: c.holder.clone(),
        holder_name: c.holder_name.clone(),
        issuing_unit: String::new(),
        areas: c.areas.clone(),
        valid_from: c.valid_from,
        valid_until: c.valid_until,
        status: CertificateStatus::Active,
    }
}
