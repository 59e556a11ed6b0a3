//! What a device's owner may set for it, in layers: the defaults, then the environment
//! (`FIELDCASE_*`). The desktop app and the command line open a device with the same
//! settings, read in one place.

use chrono::Duration;

use fieldcase_core::evidence::DEFAULT_GAP_MINUTES;

use crate::registry::{MAX_AGE_ENV, max_registry_age};
use crate::{DeviceError, Result};

/// Settings a device is opened with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSettings {
    /// How old the registry copy may be before every check says it is stale.
    pub max_registry_age: Duration,
    /// How long a sign-in lasts, when `FIELDCASE_SESSION_HOURS` (1 to 168) sets it for this
    /// run; None: as chosen in the window's settings (12 hours if never chosen).
    pub session_length: Option<Duration>,
    /// The longest stretch without recording inside an inspection that needs no written
    /// reason (`FIELDCASE_GAP_MINUTES`, 1 to 240; 5 by default).
    pub gap_limit: Duration,
    /// Bytes per evidence upload request (`FIELDCASE_UPLOAD_CHUNK_MB`, 1 to 64 MiB; 8 by
    /// default): smaller sends less again after a cut on a poor link, larger is faster on a good one.
    pub upload_chunk_bytes: u64,
}

/// The environment variable that sets the longest gap in recording needing no reason, in minutes.
pub const GAP_MINUTES_ENV: &str = "FIELDCASE_GAP_MINUTES";

/// The environment variable that sets how long a sign-in lasts, in hours.
pub const SESSION_HOURS_ENV: &str = "FIELDCASE_SESSION_HOURS";
/// A shift, and a little more: an officer signs in once a working day.
pub const DEFAULT_SESSION_HOURS: i64 = 12;

/// The environment variable that sets the evidence upload chunk, in MiB.
pub const UPLOAD_CHUNK_ENV: &str = "FIELDCASE_UPLOAD_CHUNK_MB";

impl Default for DeviceSettings {
    fn default() -> Self {
        DeviceSettings {
            max_registry_age: Duration::days(crate::registry::DEFAULT_MAX_REGISTRY_AGE_DAYS),
            session_length: None,
            gap_limit: Duration::minutes(DEFAULT_GAP_MINUTES),
            upload_chunk_bytes: fieldcase_core::upload::DEFAULT_CHUNK_BYTES,
        }
    }
}

fn upload_chunk_bytes(setting: Option<&str>) -> Result<u64> {
    match setting.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(fieldcase_core::upload::DEFAULT_CHUNK_BYTES),
        Some(text) => match text.parse::<u64>() {
            Ok(mib) if (1..=64).contains(&mib) => Ok(mib << 20),
            _ => Err(DeviceError::Invalid(format!("{UPLOAD_CHUNK_ENV}={text} is not a number of MiB from 1 to 64"))),
        },
    }
}

fn gap_limit(setting: Option<&str>) -> Result<Duration> {
    match setting.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Duration::minutes(DEFAULT_GAP_MINUTES)),
        Some(text) => match text.parse::<i64>() {
            Ok(minutes) if (1..=240).contains(&minutes) => Ok(Duration::minutes(minutes)),
            _ => Err(DeviceError::Invalid(format!(
                "{GAP_MINUTES_ENV}={text} is not a number of minutes from 1 to 240 (four hours)"
            ))),
        },
    }
}

fn session_length(setting: Option<&str>) -> Result<Option<Duration>> {
    match setting.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(text) => match text.parse::<i64>() {
            Ok(hours) if (1..=168).contains(&hours) => Ok(Some(Duration::hours(hours))),
            _ => Err(DeviceError::Invalid(format!(
                "{SESSION_HOURS_ENV}={text} is not a number of hours from 1 to 168 (a week)"
            ))),
        },
    }
}

impl DeviceSettings {
    /// The defaults, overridden by the environment; a value that does not parse is an error
    /// that names the variable and what it takes.
    pub fn from_env() -> Result<Self> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// As [`DeviceSettings::from_env`], with the variables from `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self> {
        Ok(DeviceSettings {
            max_registry_age: max_registry_age(var(MAX_AGE_ENV).as_deref())?,
            session_length: session_length(var(SESSION_HOURS_ENV).as_deref())?,
            gap_limit: gap_limit(var(GAP_MINUTES_ENV).as_deref())?,
            upload_chunk_bytes: upload_chunk_bytes(var(UPLOAD_CHUNK_ENV).as_deref())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_overrides_the_defaults_and_a_bad_value_is_named() {
        assert_eq!(DeviceSettings::from_vars(|_| None).unwrap(), DeviceSettings::default());
        let set = DeviceSettings::from_vars(|name| (name == MAX_AGE_ENV).then(|| "3".to_owned())).unwrap();
        assert_eq!(set.max_registry_age, Duration::days(3));
        let bad = DeviceSettings::from_vars(|name| (name == MAX_AGE_ENV).then(|| "soon".to_owned())).unwrap_err();
        assert!(bad.to_string().contains(MAX_AGE_ENV), "the message names the variable: {bad}");
        let hours = DeviceSettings::from_vars(|name| (name == SESSION_HOURS_ENV).then(|| "8".to_owned())).unwrap();
        assert_eq!(hours.session_length, Some(Duration::hours(8)));
        let bad = DeviceSettings::from_vars(|name| (name == SESSION_HOURS_ENV).then(|| "0".to_owned())).unwrap_err();
        assert!(bad.to_string().contains(SESSION_HOURS_ENV), "{bad}");
        let gaps = DeviceSettings::from_vars(|name| (name == GAP_MINUTES_ENV).then(|| "10".to_owned())).unwrap();
        assert_eq!(gaps.gap_limit, Duration::minutes(10));
        let bad = DeviceSettings::from_vars(|name| (name == GAP_MINUTES_ENV).then(|| "-1".to_owned())).unwrap_err();
        assert!(bad.to_string().contains(GAP_MINUTES_ENV), "{bad}");
        let chunk = DeviceSettings::from_vars(|name| (name == UPLOAD_CHUNK_ENV).then(|| "1".to_owned())).unwrap();
        assert_eq!(chunk.upload_chunk_bytes, 1 << 20);
        let bad = DeviceSettings::from_vars(|name| (name == UPLOAD_CHUNK_ENV).then(|| "65".to_owned())).unwrap_err();
        assert!(bad.to_string().contains(UPLOAD_CHUNK_ENV), "{bad}");
    }
}
