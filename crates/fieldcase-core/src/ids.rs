//! Newtype identifiers, so an officer id cannot be passed where a site id belongs.
//!
//! Records made on a device get UUIDv7 ids (time-ordered, made without coordination).
//! Officers are identified by the staff number the bureau assigns them.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::{NoContext, Timestamp, Uuid};

/// An id string that is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{input}' is not a valid {kind} id (expected a UUID such as 0190f3c2-7b1a-7c3e-9a55-2f1d0e6b8a41)")]
pub struct IdParseError {
    pub kind: &'static str,
    pub input: String,
}

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[serde(transparent)]
        #[ts(export, type = "string")]
        pub struct $name(Uuid);

        impl $name {
            /// A new time-ordered id for a record made at `at`.
            pub fn generate(at: DateTime<Utc>) -> Self {
                let secs = u64::try_from(at.timestamp()).unwrap_or(0);
                Self(Uuid::new_v7(Timestamp::from_unix(NoContext, secs, at.timestamp_subsec_nanos())))
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| IdParseError { kind: $kind, input: s.to_owned() })
            }
        }
    };
}

uuid_id!(
    /// One version of an inspection record.
    InspectionId, "inspection"
);
uuid_id!(
    /// An employer or construction project that can be inspected.
    SiteId, "site"
);
uuid_id!(
    /// One recorded certificate check.
    CheckId, "certificate check"
);
uuid_id!(
    /// One piece of evidence (a body-cam recording, a photo).
    EvidenceId, "evidence"
);
uuid_id!(
    /// One recorded check of a body-cam before an inspection (battery, storage, clock).
    RecorderCheckId, "recorder check"
);
uuid_id!(
    /// An officer's laptop, known to the bureau after enrollment.
    DeviceId, "device"
);

/// An officer's staff number, assigned by the bureau (e.g. `JC-0042`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(transparent)]
#[ts(export, type = "string")]
pub struct OfficerId(String);

impl OfficerId {
    /// Staff numbers are short printable tokens; anything else is a typing error.
    pub fn parse(s: &str) -> Result<Self, IdParseError> {
        let s = s.trim();
        let ok = !s.is_empty()
            && s.len() <= crate::limits::OFFICER_ID
            && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if ok { Ok(Self(s.to_owned())) } else { Err(IdParseError { kind: "officer", input: s.to_owned() }) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for OfficerId {
    type Err = IdParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for OfficerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn generated_ids_are_v7_and_ordered_by_time() {
        let a = InspectionId::generate(Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap());
        let b = InspectionId::generate(Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap());
        assert_eq!(a.as_uuid().get_version_num(), 7);
        assert!(a < b, "ids made later must sort later");
        assert_eq!(a.to_string().parse::<InspectionId>().unwrap(), a);
    }

    #[test]
    fn bad_ids_name_their_kind() {
        let err = "42".parse::<SiteId>().unwrap_err();
        assert!(err.to_string().contains("site id"), "{err}");
        assert!(OfficerId::parse("JC-0042").is_ok());
        assert!(OfficerId::parse("has space").is_err());
    }
}
