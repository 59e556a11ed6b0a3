//! The rules a record must satisfy before it is sealed.
//!
//! Each rule is a pure function of the record, its context and the time; a refusal names
//! every rule that failed and how to satisfy it.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::certificate::{CertificateCheck, CheckResult};
use crate::checklist::{AnswerValue, ChecklistTemplate};
use crate::draft::finding_from_item;
use crate::evidence::EvidenceManifest;
use crate::ids::{InspectionId, OfficerId};
use crate::inspection::{Finding, Inspection, InspectionStatus, Outcome};
use crate::time::beijing;

/// 劳动保障监察条例 art. 16: at least two officers at every inspection.
pub const MIN_CHECKED_OFFICERS: usize = 2;

/// One rule that refused an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[ts(export)]
pub enum RuleViolation {
    #[error("inspection {id} is already finalized and cannot change; make a correction instead")]
    NotDraft { id: InspectionId },
    #[error("inspection {id} was made with checklist {found} but the checklist given is {expected}")]
    TemplateMismatch { id: InspectionId, expected: String, found: String },
    #[error("required checklist items are not answered: {}; answer each before finalizing", items.join(", "))]
    MissingAnswers { items: Vec<String> },
    #[error(
        "two-officer rule (劳动保障监察条例 art. 16): at least {MIN_CHECKED_OFFICERS} distinct officers need a valid certificate check recorded for this inspection, {} found{}; check the certificate of each officer present",
        officers.len(),
        if officers.is_empty() { String::new() } else { format!(" ({})", officers.iter().map(|o| o.as_str()).collect::<Vec<_>>().join(", ")) }
    )]
    TooFewCheckedOfficers { officers: Vec<OfficerId> },
    #[error(
        "{findings} finding(s) were recorded, so an outcome is needed: a rectification order with a deadline, or a case filed"
    )]
    OutcomeRequired { findings: usize },
    #[error(
        "the outcome 'no violation' contradicts the {findings} finding(s) recorded; choose a rectification order or a case filed, or correct the answers"
    )]
    OutcomeContradictsFindings { findings: usize },
    #[error("the rectification deadline {deadline} must be after the inspection day {day}")]
    DeadlineNotAfterInspection { deadline: String, day: String },
    #[error(
        "whole-process recording: {} gap(s) in recording longer than the limit have no written reason: {}; write why nothing was recorded for each (`fieldcase inspection gap-reason {id} GAP_ID TEXT`, or the gap's field on the evidence timeline)",
        gaps.len(),
        gaps.join(", ")
    )]
    GapsWithoutReason { id: InspectionId, gaps: Vec<String> },
}

impl RuleViolation {
    /// A stable code the UI switches on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotDraft { .. } => "not_draft",
            Self::TemplateMismatch { .. } => "template_mismatch",
            Self::MissingAnswers { .. } => "missing_answers",
            Self::TooFewCheckedOfficers { .. } => "too_few_checked_officers",
            Self::OutcomeRequired { .. } => "outcome_required",
            Self::OutcomeContradictsFindings { .. } => "outcome_contradicts_findings",
            Self::DeadlineNotAfterInspection { .. } => "deadline_not_after_inspection",
            Self::GapsWithoutReason { .. } => "gaps_without_reason",
        }
    }
}

/// Every rule that refused an action; never empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RuleViolations(pub Vec<RuleViolation>);

impl fmt::Display for RuleViolations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuleViolations {}

/// The officers with a valid check for this inspection made between its start and `now`.
/// `checks` are those recorded for the inspection and for the versions it corrects.
pub fn checked_officers<'a>(
    inspection: &Inspection,
    checks: &'a [CertificateCheck],
    now: DateTime<Utc>,
) -> Vec<&'a CertificateCheck> {
    checks
        .iter()
        .filter(|c| c.result == CheckResult::Valid)
        // On the trusted clock, as the inspection's start and `now` are (the laptop's reading
        // for checks recorded before the device kept the trusted time).
        .filter(|c| {
            let at = c.trusted_time.unwrap_or(c.checked_at);
            at >= inspection.started_at && at <= now
        })
        .collect()
}

/// The findings a draft is sealed with: the officer's own; those raised from items whose
/// answer is still "no", each with its item's legal basis as the template states it; and,
/// for items the checklist counts a "no" on as a finding, any not raised yet (drafts made
/// before findings were raised as the answer was given, corrections of such records).
fn sealed_findings(draft: &Inspection, template: &ChecklistTemplate) -> Vec<Finding> {
    let answered_no = |item_id: &str| draft.answers.get(item_id) == Some(&AnswerValue::No);
    let mut findings: Vec<Finding> = draft
        .findings
        .iter()
        .filter_map(|f| match f.item_id.as_deref() {
            None => Some(f.clone()),
            // A finding whose item is not in the template has no "no" to rest on.
            Some(id) => template
                .item(id)
                .filter(|item| answered_no(&item.id))
                .map(|item| Finding { basis: finding_from_item(item, None).basis, ..f.clone() }),
        })
        .collect();
    for item in &template.items {
        if item.no_is_finding && answered_no(&item.id) && draft.finding_of(&item.id).is_none() {
            findings.push(finding_from_item(item, None));
        }
    }
    findings
}

/// Seals a draft's content: checks every rule, settles the findings raised from answers, the
/// the outcome and the time window. The caller hashes and signs the result.
pub fn finalize(
    draft: &Inspection,
    template: &ChecklistTemplate,
    checks: &[CertificateCheck],
    outcome: Option<Outcome>,
    now: DateTime<Utc>,
) -> Result<Inspection, RuleViolations> {
    finalize_with_evidence(draft, template, checks, None, outcome, now)
}

/// [`finalize`], with the evidence the inspection rests on: its manifest becomes part of the
/// sealed content, and every gap in it needs a written reason (whole-process recording).
pub fn finalize_with_evidence(
    draft: &Inspection,
    template: &ChecklistTemplate,
    checks: &[CertificateCheck],
    evidence: Option<EvidenceManifest>,
    outcome: Option<Outcome>,
    now: DateTime<Utc>,
) -> Result<Inspection, RuleViolations> {
    if draft.status != InspectionStatus::Draft {
        return Err(RuleViolations(vec![RuleViolation::NotDraft { id: draft.id }]));
    }
    let mut violations = Vec::new();
    if draft.template_id != template.id || draft.template_version != template.version {
        violations.push(RuleViolation::TemplateMismatch {
            id: draft.id,
            expected: format!("{} v{}", template.id.0, template.version),
            found: format!("{} v{}", draft.template_id.0, draft.template_version),
        });
    }

    let missing: Vec<String> = template
        .items
        .iter()
        .filter(|item| item.required && !draft.answers.contains_key(&item.id))
        .map(|item| item.id.clone())
        .collect();
    if !missing.is_empty() {
        violations.push(RuleViolation::MissingAnswers { items: missing });
    }

    let valid_checks = checked_officers(draft, checks, now);
    let officers: BTreeSet<&OfficerId> = valid_checks.iter().map(|c| &c.officer_id).collect();
    if officers.len() < MIN_CHECKED_OFFICERS {
        violations.push(RuleViolation::TooFewCheckedOfficers { officers: officers.into_iter().cloned().collect() });
    }

    let findings = sealed_findings(draft, template);

    let day = now.with_timezone(&beijing()).date_naive();
    let outcome = match outcome.or_else(|| draft.outcome.clone()) {
        Some(Outcome::NoViolation) if !findings.is_empty() => {
            violations.push(RuleViolation::OutcomeContradictsFindings { findings: findings.len() });
            None
        }
        Some(Outcome::RectificationOrder { deadline }) if deadline <= day => {
            violations.push(RuleViolation::DeadlineNotAfterInspection {
                deadline: deadline.to_string(),
                day: day.to_string(),
            });
            None
        }
        Some(o) => Some(o),
        None if findings.is_empty() => Some(Outcome::NoViolation),
        None => {
            violations.push(RuleViolation::OutcomeRequired { findings: findings.len() });
            None
        }
    };

    if let Some(manifest) = &evidence {
        let beijing_time = |at: DateTime<Utc>| at.with_timezone(&beijing()).format("%H:%M:%S");
        let unexplained: Vec<String> = manifest
            .gaps
            .iter()
            .filter(|gap| gap.reason.as_deref().is_none_or(|r| r.trim().is_empty()))
            .map(|gap| format!("{} ({} to {} Beijing time)", gap.id, beijing_time(gap.start), beijing_time(gap.end)))
            .collect();
        if !unexplained.is_empty() {
            violations.push(RuleViolation::GapsWithoutReason { id: draft.id, gaps: unexplained });
        }
    }

    if !violations.is_empty() {
        return Err(RuleViolations(violations));
    }
    Ok(Inspection {
        evidence,
        ended_at: Some(now),
        findings,
        outcome,
        officer_checks: valid_checks.iter().map(|c| c.id).collect(),
        status: InspectionStatus::Finalized,
        ..draft.clone()
    })
}

#[cfg(test)]
mod tests;
