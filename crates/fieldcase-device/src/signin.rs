//! Officers signing in on the device: a PIN checked offline against the Argon2id verifier
//! the bureau's registry carries, and a lockout against guessing.
//!
//! The lockout is decided so that none of the easy ways around it works:
//! - **parallel attempts**: an attempt is counted (and any lockout it earns is set) in one
//!   write transaction *before* the PIN is checked, so two processes on one data directory
//!   each pay for their guesses; a right PIN then clears the count;
//! - **a clock set forward**: a lockout ends only when it has passed on the trusted clock
//!   *and* in time since boot (which an officer cannot set);
//! - **rebooting, then setting the clock**: wrong PINs are counted until a right one, and
//!   every wrong PIN past the limit locks again at once, for twice as long each time (up to a
//!   day): one guess per reboot at most.
//!
//! Offline guessing: the registry copy holds the PIN verifiers of the officers of the units
//! this device serves only (`fieldcase_core::sign_in_scope`), so an attacker with the
//! laptop's disk can guess the PINs of those officers at the verifier's cost, and of no
//! others. What remains is written in the README's security section.

use chrono::{DateTime, Duration, Utc};

use fieldcase_core::audit::Actor;
use fieldcase_core::certificate::CertificateStatus;
use fieldcase_core::ids::{DeviceId, OfficerId};
use fieldcase_core::registry::OfficerEntry;

use crate::clock::SinceBoot;
use crate::store::registry as copy;
use crate::store::session::{self, Attempts};
use crate::{Device, DeviceError, Result, append_audit};

/// Wrong PINs in a row before an officer is locked out on this device.
pub const MAX_PIN_FAILURES: u32 = 5;
/// How long the first lockout lasts; each wrong PIN after it locks again, twice as long.
pub const LOCKOUT_MINUTES: i64 = 15;
/// The longest a lockout grows to.
const MAX_LOCKOUT_MINUTES: i64 = 24 * 60;

/// How long `failures` wrong PINs in a row lock an officer out, if at all.
pub fn lockout_for(failures: u32) -> Option<Duration> {
    let past = failures.checked_sub(MAX_PIN_FAILURES)?;
    let minutes = LOCKOUT_MINUTES.saturating_mul(1 << past.min(10)).min(MAX_LOCKOUT_MINUTES);
    Some(Duration::minutes(minutes))
}

/// How much longer a lockout holds: until it has passed on the trusted clock and, within the
/// same boot, in time since boot. None when it is over (or there is none).
pub fn lockout_left(attempts: &Attempts, now: DateTime<Utc>, since_boot: Option<&SinceBoot>) -> Option<Duration> {
    let wall = attempts.locked_until.filter(|&until| until > now).map(|until| until - now);
    let booted = match (&attempts.locked_since_boot, since_boot) {
        (Some((boot, until_ms)), Some(now_booted)) if *boot == now_booted.boot_id => {
            let elapsed_ms = u64::try_from(now_booted.elapsed.as_millis()).unwrap_or(u64::MAX);
            until_ms.checked_sub(elapsed_ms).filter(|&ms| ms > 0).map(|ms| Duration::milliseconds(ms as i64))
        }
        _ => None,
    };
    wall.max(booted)
}

impl Device {
    /// Signs an officer in with their PIN, verified offline against the registry's verifier.
    pub fn sign_in(&mut self, officer: &str, pin: &str) -> Result<OfficerEntry> {
        let officer_id = OfficerId::parse(officer).map_err(|e| DeviceError::Invalid(e.to_string()))?;
        // A clock years off would be noted as the latest time seen, and time the lockout.
        let at = self.record_time()?;
        self.note_laptop_time()?;
        let now = self.trusted_time()?.trusted;
        let since_boot = self.clock.since_boot();
        let entry = self.read(|c| copy::officer(c, officer_id.as_str()))?.ok_or_else(|| {
            DeviceError::SignIn(format!(
                "officer {officer_id} is not in this device's registry; sync with the bureau, or check the staff number"
            ))
        })?;
        let certificates = self.read(|c| copy::certificates_of(c, officer_id.as_str()))?;
        if !certificates.iter().any(|c| c.status == CertificateStatus::Active) {
            return Err(DeviceError::SignIn(format!(
                "officer {officer_id} holds no active enforcement certificate (suspended or revoked) and cannot sign in"
            )));
        }
        let Some(verifier) = entry.pin_verifier.clone() else {
            let units = self.read(copy::meta)?.and_then(|m| m.units);
            return Err(DeviceError::SignIn(no_verifier(&entry, units.as_deref(), self.id())));
        };

        // Counted before it is checked, in one transaction (see the module's notes).
        let attempt = self.write(|tx| {
            let mut attempts = session::attempts(tx, &officer_id)?;
            if let Some(left) = lockout_left(&attempts, now, since_boot.as_ref()) {
                return Ok(Err(left));
            }
            attempts.failures += 1;
            if let Some(lock) = lockout_for(attempts.failures) {
                attempts.locked_until = Some(now + lock);
                attempts.locked_since_boot = since_boot.as_ref().map(|b| {
                    let until = b.elapsed + lock.to_std().unwrap_or_default();
                    (b.boot_id.clone(), u64::try_from(until.as_millis()).unwrap_or(u64::MAX))
                });
            }
            session::set_attempts(tx, &officer_id, &attempts)?;
            Ok(Ok(attempts.failures))
        })?;
        let failures = attempt.map_err(|left| {
            DeviceError::SignIn(format!(
                "too many wrong PINs: officer {officer_id} is locked on this device for another {} minute(s)",
                (left.num_seconds() + 59) / 60
            ))
        })?;

        let actor = self.actor()?;
        if !verify_pin(pin, &verifier) {
            self.write(|tx| {
                let payload = serde_json::json!({ "failures": failures });
                append_audit(tx, at, &actor, "officer.signin.refuse", officer_id.as_str(), &payload)?;
                Ok(())
            })?;
            return Err(DeviceError::SignIn(match lockout_for(failures) {
                Some(lock) => format!(
                    "wrong PIN; officer {officer_id} is now locked on this device for {} minutes",
                    lock.num_minutes()
                ),
                None => format!(
                    "wrong PIN ({} more attempt(s) before a {LOCKOUT_MINUTES}-minute lock)",
                    MAX_PIN_FAILURES - failures
                ),
            }));
        }
        let device = self.id();
        self.write(|tx| {
            // On the trusted clock, which the sign-in's length is measured on.
            session::sign_in(tx, &officer_id, now)?;
            let actor = Actor::Officer { officer: officer_id.clone(), device };
            let payload = serde_json::json!({ "officer": officer_id });
            append_audit(tx, at, &actor, "officer.signin", officer_id.as_str(), &payload)?;
            Ok(())
        })?;
        Ok(entry)
    }

    pub fn sign_out(&mut self) -> Result<()> {
        let (at, actor) = (self.record_time()?, self.actor()?);
        self.write(|tx| {
            session::sign_out(tx)?;
            append_audit(tx, at, &actor, "officer.signout", &actor.to_string(), &())?;
            Ok(())
        })
    }

    /// The officer signed in on this device, with their registry entry. A sign-in ends when
    /// it has lasted the session length (on the trusted clock, so a clock set back does not
    /// stretch it), and when the registry copy no longer shows the officer holding an active
    /// certificate (suspended or revoked at the bureau, learned at the last sync).
    pub fn signed_in(&self) -> Result<Option<OfficerEntry>> {
        let Some((officer, since)) = self.read(session::current)? else { return Ok(None) };
        if self.trusted_time()?.trusted >= since + self.session_length()? {
            return Ok(None);
        }
        let certificates = self.read(|c| copy::certificates_of(c, officer.as_str()))?;
        if !certificates.iter().any(|c| c.status == CertificateStatus::Active) {
            return Ok(None);
        }
        Ok(self.read(|c| copy::officer(c, officer.as_str()))?.or(Some(OfficerEntry {
            officer,
            name: String::new(),
            unit: None,
            pin_verifier: None,
        })))
    }

    /// Sets how long a sign-in lasts for this run, over what the settings say (as
    /// `FIELDCASE_SESSION_HOURS` does).
    pub fn set_session_length(&mut self, length: Duration) {
        self.session_override = Some(length);
    }
}

/// Why this device holds no PIN verifier for the officer, and who can change it. A device
/// holds the verifiers of the officers of the units it serves only (`units`, as its registry
/// copy was made for; None for a copy from before units).
fn no_verifier(entry: &OfficerEntry, units: Option<&[String]>, device: DeviceId) -> String {
    let officer = &entry.officer;
    match (units, entry.unit.as_deref()) {
        (Some([]), _) => format!(
            "this laptop serves no unit yet, so it holds no officer's PIN and signs no one in; ask the administrator to give this laptop a unit: `fieldcase bureau device-unit {device} --unit <unit, e.g. 执法一队>`, then sync"
        ),
        (Some(_), None) => format!(
            "officer {officer} has no unit at the bureau, so no laptop signs them in; ask the administrator to give them one: `fieldcase bureau officer set-unit {officer} <unit>`, then sync"
        ),
        (Some(units), Some(unit)) if !units.iter().any(|u| u == unit) => format!(
            "officer {officer} is of {unit}, and this laptop signs in only officers of {}; sign in on a laptop of {unit}, or ask the administrator to add {unit} to this laptop's units: `fieldcase bureau device-unit {device} --unit {unit}` (with --unit for each unit it serves), then sync",
            crate::registry::units_text(Some(units))
        ),
        _ => format!("officer {officer} has no PIN yet; an administrator sets it at the bureau"),
    }
}

fn verify_pin(pin: &str, verifier: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(verifier)
        .is_ok_and(|hash| argon2::Argon2::default().verify_password(pin.as_bytes(), &hash).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn booted(boot: &str, seconds: u64) -> SinceBoot {
        SinceBoot { boot_id: boot.into(), elapsed: std::time::Duration::from_secs(seconds) }
    }

    #[test]
    fn lockouts_start_at_the_limit_and_double_up_to_a_day() {
        assert_eq!(lockout_for(MAX_PIN_FAILURES - 1), None);
        assert_eq!(lockout_for(MAX_PIN_FAILURES), Some(Duration::minutes(15)));
        assert_eq!(lockout_for(MAX_PIN_FAILURES + 1), Some(Duration::minutes(30)));
        assert_eq!(lockout_for(MAX_PIN_FAILURES + 40), Some(Duration::minutes(MAX_LOCKOUT_MINUTES)));
    }

    #[test]
    fn a_lockout_holds_on_both_clocks_within_a_boot() {
        let now: DateTime<Utc> = "2026-03-01T08:00:00Z".parse().unwrap();
        let locked = Attempts {
            failures: 5,
            locked_until: Some(now + Duration::minutes(15)),
            locked_since_boot: Some(("b1".into(), 1000 + 15 * 60 * 1000)),
        };
        assert!(lockout_left(&locked, now, Some(&booted("b1", 1))).is_some());
        // The clock set a day forward: the time since boot says the lock still holds.
        let later = now + Duration::days(1);
        let left = lockout_left(&locked, later, Some(&booted("b1", 61))).expect("still locked");
        assert!(left > Duration::minutes(13), "{left}");
        // Both clocks past it: over.
        assert_eq!(lockout_left(&locked, later, Some(&booted("b1", 16 * 60 + 2))), None);
        // After a reboot only the wall clock can tell; the attempt count still locks again.
        assert_eq!(lockout_left(&locked, later, Some(&booted("b2", 5))), None);
        assert!(lockout_left(&locked, now, Some(&booted("b2", 5))).is_some());
    }
}
