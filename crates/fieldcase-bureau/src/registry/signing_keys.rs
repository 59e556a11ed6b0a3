//! Which key signs for the bureau: the first one registered, until a rotation the old key
//! signs hands over to a new one.

use chrono::{DateTime, Utc};

use fieldcase_core::registry::{KeyId, KeyRotation};
use fieldcase_core::signing::{PublicKey, SecretKey};

use super::RegistryLedger;
use crate::store::{Result, SigningKeyRecord, StoreError};

/// Makes `key` the active signing key if the bureau has none yet; fine if it is the active
/// one; [`StoreError::SigningKey`] if it is retired or another key is active.
pub fn register_signing_key(
    ledger: &mut dyn RegistryLedger,
    key: &PublicKey,
    now: DateTime<Utc>,
) -> Result<SigningKeyRecord> {
    let id = KeyId::of(key);
    match (ledger.signing_key(&id)?, ledger.active_signing_key()?) {
        (Some(known), _) if known.active => Ok(known),
        (Some(known), _) => Err(StoreError::SigningKey(format!(
            "the key in bureau.key ({}) was retired {}; devices no longer trust it. Restore the current bureau.key from a backup",
            known.key_id,
            known.retired_at.map(|at| at.to_rfc3339()).unwrap_or_default()
        ))),
        (None, Some(other)) => Err(StoreError::SigningKey(format!(
            "the key in bureau.key ({id}) is not the bureau's active signing key ({}); restore the bureau.key that belongs to this database from a backup (several bureau processes on one database each need a copy of that one file)",
            other.key_id
        ))),
        (None, None) => {
            ledger.insert_active_signing_key(key, now)?;
            ledger
                .signing_key(&id)?
                .ok_or_else(|| StoreError::Other("the signing key vanished while registering it".into()))
        }
    }
}

/// Refuses to sign with anything but the active key.
pub(super) fn ensure_active(ledger: &mut dyn RegistryLedger, key: &PublicKey) -> Result<()> {
    match ledger.signing_key(&KeyId::of(key))? {
        Some(known) if known.active => Ok(()),
        _ => Err(StoreError::SigningKey(format!(
            "key {} is not the bureau's active signing key (it was rotated meanwhile?); try again",
            KeyId::of(key)
        ))),
    }
}

/// Retires `old` (which must be active), makes `new` active, and publishes the rotation `old`
/// signed, before anything `new` signs.
pub fn rotate_signing_key(
    ledger: &mut dyn RegistryLedger,
    old: &SecretKey,
    new: PublicKey,
    now: DateTime<Utc>,
) -> Result<KeyRotation> {
    ensure_active(ledger, &old.public_key())?;
    if ledger.signing_key(&KeyId::of(&new))?.is_some() {
        return Err(StoreError::SigningKey(format!(
            "key {} was already used by this bureau; a rotation needs a new key",
            KeyId::of(&new)
        )));
    }
    ledger.retire_signing_key(&KeyId::of(&old.public_key()), now)?;
    ledger.insert_active_signing_key(&new, now)?;
    let rotation = KeyRotation::sign(old, new, now);
    ledger.publish_key_rotation(&rotation)?;
    Ok(rotation)
}
