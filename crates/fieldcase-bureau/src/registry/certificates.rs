//! Batches of certificate actions, each published as one registry version.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use fieldcase_core::signing::SecretKey;

use super::RegistryLedger;
use super::publish::publish;
use super::signing_keys::ensure_active;
use crate::certificates::{
    CertificateAction, CertificateChanges, CertificateEvent, NewCertificate, Refusal, RefusalKind,
};
use crate::store::{Result, StoreError};

/// Applies the actions in order and publishes one registry version for all of them (signed
/// with `key`, which must be the active key). The first refused action refuses the batch
/// ([`StoreError::Refused`], its `item` the action's index); the caller then rolls back.
pub fn change_certificates(
    ledger: &mut dyn RegistryLedger,
    actions: &[CertificateAction],
    actor: &str,
    key: &SecretKey,
    now: DateTime<Utc>,
) -> Result<CertificateChanges> {
    if actions.is_empty() {
        return Err(Refusal::new(RefusalKind::Invalid, None, "no certificates to change").into());
    }
    ensure_active(ledger, &key.public_key())?;
    let version = ledger.latest_registry_version()? + 1;
    let mut events = Vec::with_capacity(actions.len());
    let mut numbers = BTreeSet::new();
    let mut officers_changed = BTreeSet::new();
    for (index, action) in actions.iter().enumerate() {
        let current = ledger.certificate(action.number())?;
        let (done, state) = action.apply(current.as_ref().map(|c| &c.certificate)).map_err(|r| r.at_item(index))?;
        if let CertificateAction::Issue(new) = action {
            if register_holder(ledger, new, now).map_err(|e| e.at_item(index))? {
                officers_changed.insert(new.officer.clone());
            }
            ledger.insert_certificate(&state, now, version)?;
        } else {
            ledger.update_certificate(&state, now, version)?;
        }
        let event = CertificateEvent {
            number: state.number.clone(),
            action: done,
            at: now,
            reason: action.reason().map(str::to_owned),
            actor: actor.to_owned(),
            state,
            registry_version: version,
        };
        ledger.append_certificate_event(&event)?;
        numbers.insert(event.number.clone());
        events.push(event);
    }
    publish(ledger, key, version, &numbers, &officers_changed, now)?;
    Ok(CertificateChanges { registry_version: version, events })
}

/// Registers the holder of a certificate being issued. A new officer is added (true); a known
/// one must be named as registered.
fn register_holder(ledger: &mut dyn RegistryLedger, new: &NewCertificate, now: DateTime<Utc>) -> Result<bool> {
    match ledger.officer_name(&new.officer)? {
        Some(registered) if registered == new.name => Ok(false),
        Some(registered) => Err(StoreError::Refused(Refusal::new(
            RefusalKind::Invalid,
            Some("name"),
            format!(
                "officer {} is registered as {registered}, not {}; give the name as registered (a certificate carries its holder's registered name)",
                new.officer, new.name
            ),
        ))),
        None => {
            ledger.insert_officer(&new.officer, &new.name, now)?;
            Ok(true)
        }
    }
}
