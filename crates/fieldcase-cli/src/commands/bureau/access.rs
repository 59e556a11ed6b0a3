//! `fieldcase bureau enroll-code | devices | device-unit | revoke-device | reinstate-device`:
//! which devices may talk to the bureau, and for which units: one-time codes that enroll
//! officers' devices, the enrolled devices, the units they serve, and their revocation.
//! (Administrators' tokens are in `admin_token`.)

use std::path::Path;

use chrono::{Duration, Utc};

use fieldcase_bureau::{OpenMode, admin};
use fieldcase_core::ids::DeviceId;
use fieldcase_core::time::format_beijing;

use super::store::with_store;
use crate::commands::{Context, parse_id};
use crate::output::{Failure, print};

pub(super) fn enroll_code(
    ctx: &Context,
    data_dir: &Path,
    label: Option<String>,
    units: Vec<String>,
    expires_in: Duration,
) -> Result<(), Failure> {
    let issued = with_store(data_dir, OpenMode::CreateIfMissing, async move |store| {
        admin::create_enrollment_code(store, label, &units, expires_in, Utc::now()).await
    })?;
    if issued.units.is_empty() && !ctx.json {
        eprintln!(
            "note: this code gives its device no unit: it will sign no officer in until given one (`fieldcase bureau device-unit <id> --unit <unit>`)"
        );
    }
    print(ctx.json, &issued, |c| c.code.clone());
    Ok(())
}

pub(super) fn devices(ctx: &Context, data_dir: &Path) -> Result<(), Failure> {
    let devices = with_store(data_dir, OpenMode::MustExist, async |store| store.devices().await)?;
    print(ctx.json, &devices, |devices| {
        if devices.is_empty() {
            return "no devices enrolled yet; make a code for one with `fieldcase bureau enroll-code`".into();
        }
        devices
            .iter()
            .map(|d| {
                format!(
                    "{}  {} ({})  units {}  enrolled {}  last seen {}  {}",
                    d.device_id,
                    d.label.as_deref().unwrap_or("-"),
                    d.host_label.as_deref().unwrap_or("-"),
                    if d.units.is_empty() { "none".into() } else { d.units.join(", ") },
                    format_beijing(d.enrolled_at),
                    d.last_seen.map_or_else(|| "never".into(), format_beijing),
                    d.revoked_at.map_or_else(|| "active".into(), |at| format!("revoked {}", format_beijing(at))),
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

pub(super) fn device_units(ctx: &Context, data_dir: &Path, id: &str, units: Vec<String>) -> Result<(), Failure> {
    let id: DeviceId = parse_id(id)?;
    let device = with_store(data_dir, OpenMode::MustExist, async move |store| store.set_device_units(id, units).await)?;
    print(ctx.json, &device, |d| {
        if d.units.is_empty() {
            format!(
                "device {} serves no unit: from its next sync it holds no officer's PIN verifier and signs no one in",
                d.device_id
            )
        } else {
            format!(
                "device {} serves {}: from its next sync it holds the PIN verifiers of their officers, and of no others",
                d.device_id,
                d.units.join(", ")
            )
        }
    });
    Ok(())
}

pub(super) fn revoke_device(ctx: &Context, data_dir: &Path, id: &str) -> Result<(), Failure> {
    let id: DeviceId = parse_id(id)?;
    let device =
        with_store(data_dir, OpenMode::MustExist, async move |store| store.revoke_device(id, Utc::now()).await)?;
    print(ctx.json, &device, |d| {
        format!(
            "device {} revoked: its token no longer works and enrolling again does not lift it; `fieldcase bureau reinstate-device {}` does",
            d.device_id, d.device_id
        )
    });
    Ok(())
}

pub(super) fn reinstate_device(ctx: &Context, data_dir: &Path, id: &str) -> Result<(), Failure> {
    let id: DeviceId = parse_id(id)?;
    let device = with_store(data_dir, OpenMode::MustExist, async move |store| store.reinstate_device(id).await)?;
    print(ctx.json, &device, |d| format!("device {} reinstated: its token works again", d.device_id));
    Ok(())
}

/// `30m`, `24h`, `7d` (also `90s`). How long a code or a token may last is the bureau's to
/// say ([`admin::create_enrollment_code`], [`admin::create_admin_token`]); here a number too
/// large to be a duration at all is refused as such, rather than as no duration.
pub(super) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let bad = || format!("'{text}' is not a duration such as 30m, 24h or 7d");
    let too_long = || format!("'{text}' is too long a time; give a few days, e.g. 7d");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    if number.is_empty() || !["s", "m", "h", "d"].contains(&unit) {
        return Err(bad());
    }
    // Only digits: a number that does not parse is too large.
    let n: i64 = number.parse().map_err(|_| too_long())?;
    let duration = match unit {
        "s" => Duration::try_seconds(n),
        "m" => Duration::try_minutes(n),
        "h" => Duration::try_hours(n),
        _ => Duration::try_days(n),
    }
    .ok_or_else(too_long)?;
    if duration <= Duration::zero() {
        return Err(format!("'{text}' is no time at all; a code or a token must work for a while"));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_officers_write_them() {
        assert_eq!(parse_duration("30m"), Ok(Duration::minutes(30)));
        assert_eq!(parse_duration("24h"), Ok(Duration::hours(24)));
        assert_eq!(parse_duration("7d"), Ok(Duration::days(7)));
        assert!(parse_duration("0h").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("12").is_err(), "a number without a unit is ambiguous");
        assert!(parse_duration("3w").is_err());
        for beyond in ["99999999999999999999d", "9223372036854775807s", "200000000000000d"] {
            let e = parse_duration(beyond).unwrap_err();
            assert!(e.contains("too long"), "{beyond}: {e}");
        }
    }
}
