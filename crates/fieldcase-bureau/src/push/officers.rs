//! The two-officer rule, re-checked at the bureau: the checks it holds for an inspection,
//! against the registry's history at the inspection's start; and an inspection whose start is
//! known only roughly (the laptop's clock set back, or never synced) is flagged for a person,
//! with its certificates re-checked as they stood when it reached the bureau too.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use fieldcase_core::certificate::{AREA_LABOR_INSPECTION, CertificateCheck, CheckResult};
use fieldcase_core::codes::RecordKind;
use fieldcase_core::ids::{CheckId, OfficerId};
use fieldcase_core::inspection::Inspection;
use fieldcase_core::rules::MIN_CHECKED_OFFICERS;
use fieldcase_core::time::{beijing, format_beijing};

use super::PushLedger;
use crate::store::{Result, ReviewReason};

/// What a person must look at in an inspection, or None: too few officers with valid
/// certificates at its start, or a start known only roughly.
///
/// A start known only roughly lies between `started_at` (a lower bound on the trusted clock)
/// and the record's arrival at the bureau (`arrived`): a certificate revoked in between may
/// have been revoked before the inspection, so the reviewer is told how it stood at both.
pub(super) fn inspection_flag(
    ledger: &mut dyn PushLedger,
    inspection: &Inspection,
    arrived: DateTime<Utc>,
) -> Result<Option<String>> {
    let mut parts = Vec::new();
    if let Some(shortfall) = officer_shortfall(ledger, inspection, inspection.started_at, "the inspection's start")? {
        parts.push(shortfall);
    }
    if let Some(clock) = inspection.start_clock.as_ref().filter(|c| c.uncertain()) {
        let mut detail = if clock.anchored {
            format!(
                "the laptop's clock had been set back (it read {} Beijing time at the start), so the inspection began at {} Beijing time or later",
                format_beijing(clock.laptop),
                format_beijing(inspection.started_at)
            )
        } else {
            format!(
                "the device had never synced with the bureau, so the inspection's start ({} Beijing time) is the laptop's clock, unchecked",
                format_beijing(clock.laptop)
            )
        };
        match officer_shortfall(ledger, inspection, arrived, "its arrival at the bureau")? {
            Some(later) => {
                detail.push_str("; ");
                detail.push_str(&later);
            }
            None => detail.push_str("; the officers' certificates were still valid when it reached the bureau"),
        }
        parts.push(detail);
    }
    if parts.is_empty() {
        return Ok(None);
    }
    parts.push("stored, to be reviewed (the flag is settled if missing checks arrive and settle it)".into());
    Ok(Some(parts.join("; ")))
}

/// Why an inspection does not rest on two distinct officers whose certificates were valid
/// at `at` (`when` names that moment for the reviewer), or None when it does.
///
/// Each check the bureau holds counts if the device found the certificate valid and the
/// registry agrees for the inspection's start: the certificate's status then, its validity
/// dates against the Beijing date then, the area of labor-security inspection, and its holder.
/// A sample check (registry version 0) of a number the registry never knew is taken as the
/// device recorded it; one the registry knows is held to what the registry says.
fn officer_shortfall(
    ledger: &mut dyn PushLedger,
    inspection: &Inspection,
    at: DateTime<Utc>,
    when: &str,
) -> Result<Option<String>> {
    let checks = ledger.held_checks(&inspection.officer_checks)?;
    let mut valid: BTreeSet<OfficerId> = BTreeSet::new();
    let mut problems: Vec<String> = Vec::new();
    for check in &checks {
        match standing(ledger, check, at)? {
            Standing::Valid => {
                valid.insert(check.officer_id.clone());
            }
            Standing::NotValid(problem) => problems.push(problem),
        }
    }
    if valid.len() >= MIN_CHECKED_OFFICERS {
        return Ok(None);
    }
    let named = if valid.is_empty() {
        "none".to_owned()
    } else {
        valid.iter().map(OfficerId::as_str).collect::<Vec<_>>().join(", ")
    };
    let mut detail = format!(
        "two-officer rule (劳动保障监察条例 art. 16): at {when} ({} Beijing time) the bureau holds valid certificate checks of {} distinct officer(s) ({named}), at least {MIN_CHECKED_OFFICERS} are needed",
        format_beijing(at),
        valid.len()
    );
    for problem in &problems {
        detail.push_str("; ");
        detail.push_str(problem);
    }
    let missing = inspection.officer_checks.len().saturating_sub(checks.len());
    if missing > 0 {
        detail.push_str(&format!("; {missing} of the inspection's certificate checks have not reached the bureau yet"));
    }
    Ok(Some(detail))
}

/// What one check shows of a certificate at an inspection's start.
enum Standing {
    Valid,
    /// What was wrong with it, in words for the reviewer.
    NotValid(String),
}

/// Whether one check shows a certificate valid at `started_at`, or what was wrong with it.
fn standing(ledger: &mut dyn PushLedger, check: &CertificateCheck, started_at: DateTime<Utc>) -> Result<Standing> {
    let number = &check.certificate_number;
    let officer = &check.officer_id;
    if check.result != CheckResult::Valid {
        let result =
            serde_json::to_value(check.result).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        return Ok(Standing::NotValid(format!("the check of certificate {number} of {officer} found it {result}")));
    }
    let Some(record) = ledger.certificate_at(number, started_at)? else {
        return Ok(if check.registry_version == 0 {
            Standing::Valid
        } else {
            Standing::NotValid(format!("certificate {number} of {officer} is not in the bureau's registry"))
        });
    };
    let certificate = &record.state;
    if certificate.holder != *officer {
        return Ok(Standing::NotValid(format!(
            "certificate {number} belongs to {} ({}), not to {officer}, who was checked with it",
            certificate.holder, certificate.holder_name
        )));
    }
    let date = started_at.with_timezone(&beijing()).date_naive();
    let since = record.at.with_timezone(&beijing()).date_naive();
    let problem = match certificate.result_on(date, AREA_LABOR_INSPECTION) {
        CheckResult::Valid => return Ok(Standing::Valid),
        CheckResult::Revoked => {
            format!("certificate {number} of {officer} was revoked on {since}, before the inspection")
        }
        CheckResult::Suspended => {
            format!("certificate {number} of {officer} was suspended on {since}, before the inspection")
        }
        CheckResult::Expired => {
            format!(
                "certificate {number} of {officer} had expired: valid until {}, before the inspection on {date}",
                certificate.valid_until
            )
        }
        CheckResult::NotYetValid => {
            format!(
                "certificate {number} of {officer} was valid only from {}, after the inspection on {date}",
                certificate.valid_from
            )
        }
        CheckResult::WrongArea => format!("certificate {number} of {officer} does not cover {AREA_LABOR_INSPECTION}"),
        other => format!("certificate {number} of {officer} was not valid at the inspection ({other:?})"),
    };
    Ok(Standing::NotValid(problem))
}

/// A check that arrives after the inspection citing it may settle that inspection's flag,
/// or tell more precisely what is wrong.
pub(super) fn settle_officer_flags(ledger: &mut dyn PushLedger, check: CheckId, now: DateTime<Utc>) -> Result<()> {
    for (device, inspection) in ledger.inspections_citing(check)? {
        let id = inspection.id.to_string();
        match inspection_flag(ledger, &inspection, now)? {
            None => ledger.resolve_reviews(
                device,
                RecordKind::Inspection,
                &id,
                ReviewReason::Flagged,
                "the certificate checks of two officers arrived",
                now,
            )?,
            Some(detail) => {
                ledger.refresh_reviews(device, RecordKind::Inspection, &id, ReviewReason::Flagged, &detail)?
            }
        }
    }
    Ok(())
}
