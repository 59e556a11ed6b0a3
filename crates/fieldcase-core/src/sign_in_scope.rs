//! Which officers' PIN verifiers a device's copy of the registry carries: only those of the
//! units (e.g. 执法一队) the device serves.
//!
//! Certificates, names and units are in every device's copy, so any officer can be checked
//! at any site; the PIN verifier is what lets a thief who copied a laptop's disk guess PINs
//! offline, so a device holds only the verifiers of the officers it signs in. The bureau
//! scopes each registry update as it serves it to a device and signs the scoped update; the
//! scope travels inside the signed body, so a device knows which units its copy was made for
//! and notices when the bureau's scope for it changed.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::ids::DeviceId;
use crate::limits;
use crate::registry::RegistryUpdate;

/// Whom a registry update was made for: one device, and the units it serves (sorted, no
/// repeats; empty for a device that was given no unit: it then holds no verifier at all).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistryScope {
    pub device: DeviceId,
    pub units: Vec<String>,
}

/// Why a list of units was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    #[error("a unit name is blank; give the unit's name, e.g. 执法一队")]
    Blank,
    #[error("{0}")]
    TooLong(#[from] limits::TooLong),
    #[error("{given} units is more than one device serves (at most {max}); give the few units whose officers use it")]
    TooMany { given: usize, max: usize },
}

/// One unit's name as kept: trimmed, not blank, within [`limits::CERTIFICATE_TEXT`].
pub fn unit_name(unit: &str) -> Result<String, UnitError> {
    let unit = unit.trim();
    if unit.is_empty() {
        return Err(UnitError::Blank);
    }
    limits::check("unit", unit, limits::CERTIFICATE_TEXT)?;
    Ok(unit.to_owned())
}

/// A device's units as kept and compared: each a [`unit_name`], sorted, without repeats, at
/// most [`limits::UNITS_PER_DEVICE`].
pub fn unit_list<S: AsRef<str>>(units: impl IntoIterator<Item = S>) -> Result<Vec<String>, UnitError> {
    let units = units.into_iter().map(|u| unit_name(u.as_ref())).collect::<Result<BTreeSet<_>, _>>()?;
    if units.len() > limits::UNITS_PER_DEVICE {
        return Err(UnitError::TooMany { given: units.len(), max: limits::UNITS_PER_DEVICE });
    }
    Ok(units.into_iter().collect())
}

impl RegistryScope {
    /// Whether this device signs in officers of `unit` (an officer with no unit: nowhere).
    pub fn serves(&self, unit: Option<&str>) -> bool {
        unit.is_some_and(|u| self.units.iter().any(|served| served == u))
    }
}

impl RegistryUpdate {
    /// This update as the device of `scope` may hold it: every certificate and officer as
    /// they are, but a PIN verifier only for officers of the units it serves; and the scope
    /// itself, so the device knows what its copy was made for.
    pub fn scoped(mut self, scope: RegistryScope) -> Self {
        for officer in &mut self.officers {
            if !scope.serves(officer.unit.as_deref()) {
                officer.pin_verifier = None;
            }
        }
        self.scope = Some(scope);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OfficerId;
    use crate::registry::OfficerEntry;
    use chrono::{TimeZone, Utc};

    fn officer(id: &str, unit: Option<&str>) -> OfficerEntry {
        OfficerEntry {
            officer: OfficerId::parse(id).unwrap(),
            name: id.into(),
            unit: unit.map(str::to_owned),
            pin_verifier: Some(format!("$argon2id$v=19${id}")),
        }
    }

    #[test]
    fn a_scoped_update_keeps_only_the_verifiers_of_the_units_served() {
        let update = RegistryUpdate {
            version: 3,
            from_version: Some(2),
            issued_at: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
            certificates: vec![],
            officers: vec![officer("JC-1", Some("执法一队")), officer("JC-2", Some("执法二队")), officer("JC-3", None)],
            scope: None,
        };
        let device = DeviceId::generate(Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap());
        let scope = RegistryScope { device, units: vec!["执法一队".into()] };
        let scoped = update.clone().scoped(scope.clone());
        let verifiers: Vec<bool> = scoped.officers.iter().map(|o| o.pin_verifier.is_some()).collect();
        assert_eq!(verifiers, [true, false, false], "only the unit's officer keeps a verifier; none without a unit");
        assert_eq!(scoped.officers.len(), 3, "every officer stays in the registry, verifier or not");
        assert_eq!(scoped.scope, Some(scope));
        let none = update.scoped(RegistryScope { device, units: vec![] });
        assert!(none.officers.iter().all(|o| o.pin_verifier.is_none()), "a device with no unit holds no verifier");
    }

    #[test]
    fn unit_lists_are_trimmed_sorted_and_bounded() {
        assert_eq!(unit_list([" 执法二队", "执法一队", "执法二队 "]).unwrap(), ["执法一队", "执法二队"]);
        assert_eq!(unit_list([" "]), Err(UnitError::Blank));
        assert!(matches!(unit_list(["队".repeat(101)]), Err(UnitError::TooLong(_))));
        let many: Vec<String> = (0..=limits::UNITS_PER_DEVICE).map(|n| format!("unit {n}")).collect();
        assert!(matches!(unit_list(&many), Err(UnitError::TooMany { .. })));
    }
}
