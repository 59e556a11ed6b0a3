//! Sample records for the demo, the end-to-end tests and the benchmarks.
//!
//! The certificate checks made here stand in for checks at a real inspection: they are
//! recorded against registry version 0, which no bureau ever issues, so sample records can
//! always be told apart from real ones.

use fieldcase_core::certificate::{CheckMethod, CheckResult};
use fieldcase_core::ids::{InspectionId, OfficerId, SiteId};
use fieldcase_core::inspection::Outcome;

use crate::{Device, NewCheck, Result};

/// The registry version sample checks are recorded against.
pub const SAMPLE_REGISTRY_VERSION: u64 = 0;

/// The two officers of the sample checks: (staff number, certificate number).
pub const SAMPLE_OFFICERS: [(&str, &str); 2] = [("JC-0107", "33010620240107"), ("JC-0112", "33010620240112")];

/// Answers every item of the inspection's checklist: required yes/no items "yes" unless
/// listed in `no`, numbers and texts with plausible values.
pub fn answer_all(device: &mut Device, id: InspectionId, no: &[&str]) -> Result<()> {
    let inspection = device.inspection(id)?;
    let template = device.template_for(&inspection)?;
    for item in &template.items {
        let value = match item.kind {
            fieldcase_core::checklist::AnswerKind::YesNo if no.contains(&item.id.as_str()) => "no",
            fieldcase_core::checklist::AnswerKind::YesNo => "yes",
            fieldcase_core::checklist::AnswerKind::Number => "86",
            fieldcase_core::checklist::AnswerKind::Text => "现场秩序良好",
        };
        device.answer(id, &item.id, value)?;
    }
    Ok(())
}

/// Records a valid sample check of both sample officers for the inspection.
pub fn check_two_officers(device: &mut Device, id: InspectionId) -> Result<()> {
    for (officer, number) in SAMPLE_OFFICERS {
        device.record_check(NewCheck {
            inspection_id: id,
            officer_id: OfficerId::parse(officer).expect("sample officer ids are valid"),
            certificate_number: number.into(),
            method: CheckMethod::Typed,
            result: CheckResult::Valid,
            registry_version: SAMPLE_REGISTRY_VERSION,
            trusted_time: None,
            registry_stale: false,
        })?;
    }
    Ok(())
}

/// Makes `n` finalized inspections at `site`, each fully answered with two officers
/// checked: a day's work of a busy team.
pub fn finalized_inspections(device: &mut Device, site: SiteId, n: usize) -> Result<Vec<InspectionId>> {
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        let draft = device.new_inspection(site, None, Some("项目部".into()))?;
        answer_all(device, draft.id, &[])?;
        check_two_officers(device, draft.id)?;
        ids.push(device.finalize(draft.id, Some(Outcome::NoViolation))?.id);
    }
    Ok(ids)
}
