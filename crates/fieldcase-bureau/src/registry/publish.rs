//! Registry versions: each change of certificates or officers is published to devices as one
//! version, the first a whole snapshot, each later one what changed. The version kept is the
//! bureau's own record, with every verifier; devices are served it scoped ([`super::serve`]).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use fieldcase_core::ids::OfficerId;
use fieldcase_core::registry::{RegistryScope, RegistryUpdate, SignedRegistryUpdate};
use fieldcase_core::signing::SecretKey;

use super::RegistryLedger;
use super::signing_keys::ensure_active;
use crate::store::{Result, StoreError};

/// The whole registry as it now stands, as the latest published version, scoped to one
/// device (the PIN verifiers of its units' officers only) and signed now with `key` (the
/// active key). Version 0 while nothing was ever published.
pub fn snapshot(
    ledger: &mut dyn RegistryLedger,
    key: &SecretKey,
    scope: RegistryScope,
    now: DateTime<Utc>,
) -> Result<SignedRegistryUpdate> {
    ensure_active(ledger, &key.public_key())?;
    let version = ledger.latest_registry_version()?;
    Ok(SignedRegistryUpdate::sign(&whole(ledger, version, now)?.scoped(scope), key))
}

fn whole(ledger: &mut dyn RegistryLedger, version: u64, now: DateTime<Utc>) -> Result<RegistryUpdate> {
    Ok(RegistryUpdate {
        version,
        from_version: None,
        issued_at: now,
        certificates: ledger.certificates()?.into_iter().map(|c| c.certificate).collect(),
        officers: ledger.officer_entries(None)?,
        scope: None,
    })
}

/// Publishes `version`: the first ever is a snapshot, each later one the certificates and
/// officers that changed, as they now stand. Signed with `key`, which must be the active key.
pub(super) fn publish(
    ledger: &mut dyn RegistryLedger,
    key: &SecretKey,
    version: u64,
    numbers: &BTreeSet<String>,
    officers_changed: &BTreeSet<OfficerId>,
    now: DateTime<Utc>,
) -> Result<SignedRegistryUpdate> {
    ensure_active(ledger, &key.public_key())?;
    let previous = ledger.latest_registry_version()?;
    if version != previous + 1 {
        return Err(StoreError::Other(format!("registry version {version} does not follow {previous}")));
    }
    let update = if previous == 0 {
        whole(ledger, version, now)?
    } else {
        let mut changed = Vec::with_capacity(numbers.len());
        for number in numbers {
            let record = ledger
                .certificate(number)?
                .ok_or_else(|| StoreError::Other(format!("certificate {number} vanished while publishing")))?;
            changed.push(record.certificate);
        }
        RegistryUpdate {
            version,
            from_version: Some(previous),
            issued_at: now,
            certificates: changed,
            officers: ledger.officer_entries(Some(officers_changed))?,
            scope: None,
        }
    };
    let signed = SignedRegistryUpdate::sign(&update, key);
    ledger.publish_registry_version(&update, &signed)?;
    Ok(signed)
}
