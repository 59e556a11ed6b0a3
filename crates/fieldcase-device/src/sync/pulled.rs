//! The changes pulled from the bureau's feed, applied on the device: sites, checklist
//! templates, registry versions and key rotations, each verified against a bureau key the
//! device trusts.

use fieldcase_core::registry::RegistryError;
use fieldcase_core::wire::{Change, ChangeRecord, PullResponse};

use crate::store::registry as copy;
use crate::store::{sites, sync_state, templates};
use crate::{Device, Result, append_audit};

/// What one pull page did to the device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PulledChanges {
    pub applied: usize,
    /// A registry delta did not follow the version held: a snapshot is owed (and recorded as
    /// owed in the store, see [`Device::registry_snapshot_owed`]).
    pub needs_snapshot: bool,
    /// Updates refused (bad signature, unknown key, rollback), with why.
    pub refused: Vec<String>,
}

impl Device {
    /// Applies pulled changes and moves the cursor, in one transaction. A site whose unified
    /// social credit code is already here is the same site: the local record stays. A
    /// registry update that fails verification is refused (the copy stays) and noted in
    /// the audit chain; one that does not follow the version held asks for a snapshot, and
    /// that need is stored with the cursor that passed the update, so it outlives this sync.
    pub fn apply_changes(&mut self, pull: &PullResponse) -> Result<PulledChanges> {
        let (now, actor, device) = (self.record_time()?, self.actor()?, self.id());
        self.write(|tx| {
            let mut applied = PulledChanges::default();
            // The bureau signs what it serves with the key in force as it serves it, so a change
            // before a rotation in the feed may already be signed by the new key: the page's
            // rotations are taken first (each is verified by a key already trusted, in order).
            let is_rotation = |c: &&Change| matches!(c.record, ChangeRecord::KeyRotation(_));
            let rotations_first = pull.changes.iter().filter(is_rotation).chain(pull.changes.iter().filter(|c| !is_rotation(c)));
            for change in rotations_first {
                // A site, a template or a verdict must be signed by a key this device trusts: a
                // directory, a checklist or a "safe to delete" no one vouches for is refused, and noted.
                if matches!(
                    change.record,
                    ChangeRecord::Site(_) | ChangeRecord::Template(_) | ChangeRecord::EvidenceVerdict(_)
                )
                    && let Err(e) = change.verify_seal(|id| copy::key(tx, id).ok().flatten())
                {
                    let payload = serde_json::json!({ "cursor": change.cursor, "refused": e.to_string() });
                    append_audit(tx, now, &actor, "feed.refuse", "feed", &payload)?;
                    applied.refused.push(format!("change {} of the bureau's feed was refused: {e}", change.cursor));
                    continue;
                }
                match &change.record {
                    ChangeRecord::Site(site) => {
                        if sites::by_uscc(tx, site.uscc.as_str())?.is_none() && sites::get(tx, site.id)?.is_none() {
                            sites::insert(tx, site)?;
                            append_audit(tx, now, &actor, "site.pull", &site.id.to_string(), site)?;
                            applied.applied += 1;
                        }
                    }
                    ChangeRecord::Template(t) => {
                        if templates::insert_if_missing(tx, t)? {
                            append_audit(tx, now, &actor, "template.install", &format!("{}@{}", t.id.0, t.version), t)?;
                            applied.applied += 1;
                        }
                    }
                    ChangeRecord::Registry(signed) => {
                        let outcome = Device::apply_registry_update(tx, signed, device, now)?;
                        let payload = serde_json::json!({ "key_id": signed.key_id, "outcome": outcome.as_ref().map_err(ToString::to_string) });
                        match outcome {
                            Ok(_) => {
                                append_audit(tx, now, &actor, "registry.update", "registry", &payload)?;
                                applied.applied += 1;
                            }
                            // The snapshot brings the copy up to date, and to the device's
                            // units when they changed.
                            Err(RegistryError::Gap { .. } | RegistryError::ScopeChanged { .. }) => {
                                applied.needs_snapshot = true;
                            }
                            // A version no newer than the one held (a feed pulled again from
                            // its start, or an old update replayed): never applied, and no
                            // error for the officer; the audit chain notes it.
                            Err(RegistryError::Rollback { .. }) => {
                                append_audit(tx, now, &actor, "registry.skip", "registry", &payload)?;
                            }
                            // Signed by a key from before this device enrolled: the bureau's
                            // current snapshot, signed by the pinned key, replaces it.
                            Err(e @ RegistryError::UnknownKey(_)) => {
                                append_audit(tx, now, &actor, "registry.refuse", "registry", &payload)?;
                                applied.refused.push(e.to_string());
                                applied.needs_snapshot = true;
                            }
                            Err(e) => {
                                append_audit(tx, now, &actor, "registry.refuse", "registry", &payload)?;
                                applied.refused.push(e.to_string());
                            }
                        }
                    }
                    ChangeRecord::KeyRotation(rotation) => match Device::apply_key_rotation(tx, rotation, now)? {
                        Ok(()) => {
                            append_audit(tx, now, &actor, "registry.key", &rotation.new_key.to_string(), rotation)?;
                        }
                        Err(e) => {
                            append_audit(tx, now, &actor, "registry.key.refuse", &rotation.new_key.to_string(), rotation)?;
                            applied.refused.push(e.to_string());
                        }
                    },
                    // The bureau's word on a file this device uploaded (served to no other).
                    ChangeRecord::EvidenceVerdict(verdict) => {
                        if verdict.device_id == device && crate::uploads::apply_verdict(tx, now, &actor, verdict)? {
                            applied.applied += 1;
                        }
                    }
                }
            }
            // The bureau now scopes this device's copy to other units than it was made for
            // (the device was given other units, or the copy is from before units): the
            // snapshot brings the verifiers it newly needs and drops those it may not hold.
            if let Some(units) = &pull.registry_units
                && copy::meta(tx)?.is_some_and(|m| m.units.as_ref() != Some(units))
            {
                applied.needs_snapshot = true;
            }
            if applied.needs_snapshot {
                sync_state::set_registry_snapshot_owed(tx, true)?;
            }
            sync_state::set_pull_cursor(tx, pull.next_cursor)?;
            Ok(applied)
        })
    }
}
