//! Which devices may sync, and for which units: enrollment with a one-time code, revocation,
//! reinstatement, and the units a device serves. Decided here once for every storage backend,
//! over a [`DeviceLedger`] of one transaction.
//!
//! - A device enrolls with a code that is known, unused and unexpired; it has proved it holds
//!   the key it presents (the API checks the request's signature before this runs).
//! - A device id keeps its key for ever: the same id with another key is refused.
//! - A revoked device stays revoked until an administrator reinstates it: enrolling again
//!   does not lift a revocation (a thief with a stolen laptop and a code must not undo it).
//! - The device is named by the label the administrator gave the code; the laptop's own
//!   host name is kept beside it, if it is within `fieldcase_core::limits::LABEL`.
//! - A device serves the units its code gave it (enrolling again with a code that gives
//!   none keeps those it had), until an administrator sets others. Its copy of the registry
//!   carries the PIN verifiers of those units' officers only (`fieldcase_core::sign_in_scope`);
//!   a device with no unit holds none.

use chrono::{DateTime, Utc};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::DeviceId;
use fieldcase_core::limits;
use fieldcase_core::sign_in_scope::unit_list;

use crate::certificates::Refusal;
use crate::store::{DeviceRecord, Enrollment, Result, StoreError};

/// An enrollment code that can still be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsableCode {
    /// What the administrator wrote when making it: who or what it is for.
    pub label: Option<String>,
    /// The units the device that uses it serves (sorted, no repeats; maybe none).
    pub units: Vec<String>,
}

/// The reads and writes enrollment needs, inside one transaction of a backend.
pub trait DeviceLedger {
    /// The code with this hash if it exists, is unused and has not expired at `now`.
    fn usable_code(&mut self, code_hash: &ContentHash, now: DateTime<Utc>) -> Result<Option<UsableCode>>;
    fn use_code(&mut self, code_hash: &ContentHash, device: DeviceId, now: DateTime<Utc>) -> Result<()>;
    fn device(&mut self, id: DeviceId) -> Result<Option<DeviceRecord>>;
    /// A new device, named by the code's label and serving its units, with the enrollment's
    /// key, host label and token.
    fn insert_device(&mut self, enrollment: &Enrollment, code: &UsableCode, now: DateTime<Utc>) -> Result<()>;
    /// A known device's new token (the old one stops working), host label and, if the code
    /// had them, label and units.
    fn renew_device(&mut self, enrollment: &Enrollment, code: &UsableCode, now: DateTime<Utc>) -> Result<()>;
    /// Sets the units the device serves; false when there is no such device.
    fn set_units(&mut self, device: DeviceId, units: &[String]) -> Result<bool>;
    /// Sets or clears the device's revocation; false when there is no such device.
    fn set_revoked(&mut self, device: DeviceId, revoked_at: Option<DateTime<Utc>>) -> Result<bool>;
}

/// Uses up an enrollment code and registers the device with its new token hash. Fails with
/// [`StoreError::EnrollmentCodeInvalid`], [`StoreError::DeviceKeyMismatch`],
/// [`StoreError::DeviceRevoked`], or [`StoreError::Refused`] for a host label over its limit,
/// changing nothing (the code is not used up).
pub fn enroll(ledger: &mut dyn DeviceLedger, enrollment: &Enrollment, now: DateTime<Utc>) -> Result<DeviceRecord> {
    if let Some(label) = &enrollment.host_label {
        limits::check("label", label, limits::LABEL).map_err(|e| {
            Refusal::invalid(
                "label",
                format!("{e}: the label is the device's host name, for administrators; the code is still usable"),
            )
        })?;
    }
    let code = ledger.usable_code(&enrollment.code_hash, now)?.ok_or(StoreError::EnrollmentCodeInvalid)?;
    let id = enrollment.device_id;
    match ledger.device(id)? {
        Some(known) if known.public_key != enrollment.public_key => {
            return Err(StoreError::DeviceKeyMismatch { device: id });
        }
        Some(known) if known.is_revoked() => return Err(StoreError::DeviceRevoked { device: id }),
        Some(_) => ledger.renew_device(enrollment, &code, now)?,
        None => ledger.insert_device(enrollment, &code, now)?,
    }
    ledger.use_code(&enrollment.code_hash, id, now)?;
    enrolled(ledger, id)
}

/// Stops a device's token from working, until an administrator reinstates it.
pub fn revoke(ledger: &mut dyn DeviceLedger, device: DeviceId, now: DateTime<Utc>) -> Result<DeviceRecord> {
    let known = ledger.device(device)?.ok_or_else(|| not_found(device))?;
    if !known.is_revoked() {
        ledger.set_revoked(device, Some(now))?;
    }
    enrolled(ledger, device)
}

/// Lifts a revocation: the device's token works again.
pub fn reinstate(ledger: &mut dyn DeviceLedger, device: DeviceId) -> Result<DeviceRecord> {
    if !ledger.set_revoked(device, None)? {
        return Err(not_found(device));
    }
    enrolled(ledger, device)
}

/// Sets the units a device serves (see [`fieldcase_core::sign_in_scope::unit_list`]): at its
/// next sync it fetches the registry anew, with the PIN verifiers of those units' officers
/// and no others.
pub fn set_units(ledger: &mut dyn DeviceLedger, device: DeviceId, units: &[String]) -> Result<DeviceRecord> {
    let units = unit_list(units).map_err(|e| Refusal::invalid("unit", e.to_string()))?;
    if !ledger.set_units(device, &units)? {
        return Err(not_found(device));
    }
    enrolled(ledger, device)
}

fn enrolled(ledger: &mut dyn DeviceLedger, id: DeviceId) -> Result<DeviceRecord> {
    ledger.device(id)?.ok_or_else(|| StoreError::Other(format!("device {id} vanished while enrolling")))
}

fn not_found(device: DeviceId) -> StoreError {
    StoreError::NotFound { what: "device", id: device.to_string() }
}
