//! Officers' PINs and units, each batch published as one registry version: a PIN's verifier
//! reaches the devices that serve the officer's unit, and a new unit moves it from the old
//! unit's devices to the new one's (see [`super::serve`]).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use fieldcase_core::ids::OfficerId;
use fieldcase_core::sign_in_scope::unit_name;
use fieldcase_core::signing::SecretKey;

use super::RegistryLedger;
use super::publish::publish;
use super::signing_keys::ensure_active;
use crate::certificates::{Refusal, RefusalKind};
use crate::store::Result;

/// Sets the PIN verifiers (Argon2id PHC strings) of officers the registry knows, and
/// publishes one registry version for them.
pub fn set_officer_pins(
    ledger: &mut dyn RegistryLedger,
    pins: &[(OfficerId, String)],
    key: &SecretKey,
    now: DateTime<Utc>,
) -> Result<u64> {
    if pins.is_empty() {
        return Err(Refusal::new(RefusalKind::Invalid, None, "no PINs to set").into());
    }
    ensure_active(ledger, &key.public_key())?;
    let version = ledger.latest_registry_version()? + 1;
    let mut changed = BTreeSet::new();
    for (index, (officer, verifier)) in pins.iter().enumerate() {
        if !ledger.set_officer_pin(officer, verifier, now)? {
            return Err(unknown_officer(officer, "set the PIN").at_item(index).into());
        }
        changed.insert(officer.clone());
    }
    publish(ledger, key, version, &BTreeSet::new(), &changed, now)?;
    Ok(version)
}

/// Sets (or, with None, clears) the units of officers the registry knows, and publishes one
/// registry version for them. An officer without a unit signs in on no device.
pub fn set_officer_units(
    ledger: &mut dyn RegistryLedger,
    units: &[(OfficerId, Option<String>)],
    key: &SecretKey,
    now: DateTime<Utc>,
) -> Result<u64> {
    if units.is_empty() {
        return Err(Refusal::new(RefusalKind::Invalid, None, "no officers' units to set").into());
    }
    ensure_active(ledger, &key.public_key())?;
    let version = ledger.latest_registry_version()? + 1;
    let mut changed = BTreeSet::new();
    for (index, (officer, unit)) in units.iter().enumerate() {
        let unit = unit
            .as_deref()
            .map(unit_name)
            .transpose()
            .map_err(|e| Refusal::invalid("unit", e.to_string()).at_item(index))?;
        if !ledger.set_officer_unit(officer, unit.as_deref(), now)? {
            return Err(unknown_officer(officer, "set the unit").at_item(index).into());
        }
        changed.insert(officer.clone());
    }
    publish(ledger, key, version, &BTreeSet::new(), &changed, now)?;
    Ok(version)
}

fn unknown_officer(officer: &OfficerId, then: &str) -> Refusal {
    Refusal::new(
        RefusalKind::NotFound,
        Some("officer_id"),
        format!(
            "officer {officer} is not in the registry; issue their certificate first (`fieldcase bureau cert issue`), then {then}"
        ),
    )
}
