//! What a device is served of a published registry version: the version as the bureau kept
//! it, scoped to the device (the PIN verifiers of its units' officers only, see
//! [`fieldcase_core::sign_in_scope`]) and signed as it is served.
//!
//! Why signed as served rather than kept signed per device: the bureau keeps one record of
//! each version, with every verifier, and what a device may hold changes after the version
//! was published (the device is given other units). Scoping at the moment of serving follows
//! the device's units as they now stand, and each officer's unit as the version carries it:
//! an officer given another unit is published again in a later version, which takes the
//! verifier from the old unit's devices and brings it to the new one's. An Ed25519 signature
//! costs some tens of microseconds, far less than the pull's round trip. The signature covers the scope, so a
//! device refuses what was made for another device and notices when its units changed.
//!
//! Versions are signed with the key in force when served. A device that has not yet learned
//! that key (a rotation later in the feed) refuses such a version as signed by a key it does
//! not know, and fetches the snapshot after the pull, as it does for a version signed before
//! it enrolled.

use fieldcase_core::registry::{RegistryScope, RegistryUpdate, SignedRegistryUpdate};
use fieldcase_core::signing::SecretKey;

use crate::store::{Result, StoreError};

/// The published version `kept` as the device of `scope` receives it, signed with `key`.
pub fn serve_to(kept: &SignedRegistryUpdate, scope: &RegistryScope, key: &SecretKey) -> Result<SignedRegistryUpdate> {
    let update: RegistryUpdate = serde_json::from_str(&kept.body).map_err(|e| {
        StoreError::Corrupt(format!(
            "a published registry version cannot be read ({e}); restore the database from a backup"
        ))
    })?;
    Ok(SignedRegistryUpdate::sign(&update.scoped(scope.clone()), key))
}
