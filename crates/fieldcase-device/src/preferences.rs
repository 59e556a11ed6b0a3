//! What an officer sees and changes in the window's settings: the bureau's address and the
//! enrollment, the window's language, how long a sign-in lasts.
//!
//! They are kept in the store, so the window and the command line on one data directory
//! agree, and the changes a court may ask about (where the records are sent, how long a
//! sign-in lasts) are made by a signed-in officer and written in the audit chain with them.

use std::ops::RangeInclusive;

use chrono::Duration;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::store::{enrollment, settings};
use crate::sync::{Transport, parse_bureau_url};
use crate::{DEFAULT_SESSION_HOURS, Device, DeviceError, Result, VAULT_DIR, append_audit};

/// The hours an officer may choose for a sign-in: one to a long shift.
pub const SESSION_HOURS_CHOICES: RangeInclusive<u32> = 1..=12;

/// The window's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum Language {
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("'{0}' is not a language of this app; choose zh-CN or en")]
pub struct UnknownLanguage(String);

impl std::str::FromStr for Language {
    type Err = UnknownLanguage;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s {
            "zh-CN" => Ok(Language::ZhCn),
            "en" => Ok(Language::En),
            other => Err(UnknownLanguage(other.to_owned())),
        }
    }
}

/// Everything the settings screen shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SettingsView {
    pub device_id: String,
    pub data_dir: String,
    /// Where imported evidence files are kept.
    pub vault_dir: String,
    /// None: not enrolled with a bureau yet.
    pub enrollment: Option<EnrollmentView>,
    /// None: never chosen (the window's default, Simplified Chinese).
    pub language: Option<Language>,
    /// How long a sign-in lasts now.
    pub session_hours: u32,
    pub session_hours_min: u32,
    pub session_hours_max: u32,
    /// Set for this run by `FIELDCASE_SESSION_HOURS`: the window cannot change it.
    pub session_hours_fixed: bool,
}

/// The bureau this laptop is enrolled with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EnrollmentView {
    pub bureau_url: String,
    /// RFC 3339.
    pub enrolled_at: String,
    /// Plain http:// to another machine allowed (a lab).
    pub insecure_http: bool,
    /// The bureau's certificate is trusted through its own authority.
    pub own_authority: bool,
}

impl Device {
    /// The settings as they stand.
    pub fn settings(&self) -> Result<SettingsView> {
        let stored = self.read(settings::get)?;
        let enrollment = self.enrollment()?.map(|e| EnrollmentView {
            bureau_url: e.bureau_url,
            enrolled_at: e.enrolled_at.to_rfc3339(),
            insecure_http: e.insecure_http,
            own_authority: e.ca_pem.is_some(),
        });
        Ok(SettingsView {
            device_id: self.id().to_string(),
            data_dir: self.data_dir.display().to_string(),
            vault_dir: self.data_dir.join(VAULT_DIR).display().to_string(),
            enrollment,
            language: stored.language,
            session_hours: u32::try_from(self.session_length()?.num_hours()).unwrap_or(u32::MAX),
            session_hours_min: *SESSION_HOURS_CHOICES.start(),
            session_hours_max: *SESSION_HOURS_CHOICES.end(),
            session_hours_fixed: self.session_override.is_some(),
        })
    }

    /// How long a sign-in lasts: as set for this run, else as chosen in the settings, else a shift.
    pub(crate) fn session_length(&self) -> Result<Duration> {
        if let Some(length) = self.session_override {
            return Ok(length);
        }
        let hours = self.read(settings::get)?.session_hours.map_or(DEFAULT_SESSION_HOURS, i64::from);
        Ok(Duration::hours(hours))
    }

    /// Sets how long a sign-in lasts, from the next check on: a sign-in already longer than
    /// that ends at once. Only a signed-in officer may, and it is written in the audit chain.
    pub fn set_session_hours(&mut self, hours: u32) -> Result<()> {
        if self.session_override.is_some() {
            return Err(DeviceError::Invalid(format!(
                "{} sets how long a sign-in lasts for this run of the app; unset it and start the app again to choose it here",
                crate::SESSION_HOURS_ENV
            )));
        }
        if !SESSION_HOURS_CHOICES.contains(&hours) {
            return Err(DeviceError::Invalid(format!(
                "a sign-in may last {} to {} hours, not {hours}; choose a number in that range",
                SESSION_HOURS_CHOICES.start(),
                SESSION_HOURS_CHOICES.end()
            )));
        }
        let (at, actor) = (self.record_time()?, self.officer_actor()?);
        self.write(|tx| {
            settings::set_session_hours(tx, hours)?;
            let payload = serde_json::json!({ "session_hours": hours });
            append_audit(tx, at, &actor, "device.session_hours", &hours.to_string(), &payload)?;
            Ok(())
        })
    }

    /// Keeps the window's language for the next start.
    pub fn set_language(&mut self, language: Language) -> Result<()> {
        self.write(|tx| Ok(settings::set_language(tx, language)?))
    }

    /// Moves this laptop's enrollment to another address of the same bureau (it moved, or is
    /// reached another way): the next sync goes there, and the bureau's key pinned at
    /// enrollment still decides what is trusted. Returns the address as kept.
    pub fn set_bureau_url(&mut self, typed: &str) -> Result<String> {
        let Some(current) = self.enrollment()? else {
            return Err(DeviceError::Invalid(
                "this laptop is not enrolled with a bureau yet, so it has no address to change; enroll it first with an enrollment code from the administrator".into(),
            ));
        };
        let url = parse_bureau_url(typed, &Transport::of_enrollment(&current))
            .map_err(|(_, message)| DeviceError::Invalid(message))?;
        let (at, actor) = (self.record_time()?, self.officer_actor()?);
        if url == current.bureau_url {
            return Ok(url);
        }
        self.write(|tx| {
            enrollment::set_url(tx, &url)?;
            let payload = serde_json::json!({ "from": current.bureau_url, "to": url });
            append_audit(tx, at, &actor, "device.bureau_url", &url, &payload)?;
            Ok(())
        })?;
        Ok(url)
    }
}
