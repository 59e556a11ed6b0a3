//! Inspections on the device: drafts begun, certificate checks recorded for them,
//! finalizing (rules checked, hashed, signed), and corrections that supersede. What an
//! officer fills in on a draft's checklist is in `checklist.rs`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use fieldcase_core::RecordKind;
use fieldcase_core::certificate::{CertificateCheck, CheckMethod, CheckResult};
use fieldcase_core::checklist::{ChecklistTemplate, default_template};
use fieldcase_core::ids::{CheckId, InspectionId, OfficerId, SiteId};
use fieldcase_core::inspection::{Inspection, Outcome, Seal};
use fieldcase_core::limits::{self, CERTIFICATE_NUMBER, LOCATION};
use fieldcase_core::rules::{self, RuleViolation, RuleViolations};
use fieldcase_core::signing::Signed;
use fieldcase_core::site::Site;
use fieldcase_core::time::check_date;

use crate::audit::append_audit;
use crate::store::{certificate_checks, evidence_refs, inspections, outbox, recorder_checks, sites, templates};
use crate::{Device, DeviceError, InspectionDetail, InspectionSummary, Result, non_empty};

/// Sums inspections up for a list, reading each site and template once however many of
/// the inspections share it.
pub(crate) struct Summarize<'d> {
    device: &'d Device,
    sites: HashMap<SiteId, Site>,
    templates: HashMap<(String, u32), ChecklistTemplate>,
}

impl<'d> Summarize<'d> {
    pub(crate) fn new(device: &'d Device) -> Self {
        Summarize { device, sites: HashMap::new(), templates: HashMap::new() }
    }

    pub(crate) fn one(
        &mut self,
        inspection: &Inspection,
        superseded_by: Option<InspectionId>,
    ) -> Result<InspectionSummary> {
        if !self.sites.contains_key(&inspection.site_id) {
            let site = self.device.site(inspection.site_id)?;
            self.sites.insert(site.id, site);
        }
        let key = (inspection.template_id.0.clone(), inspection.template_version);
        if !self.templates.contains_key(&key) {
            self.templates.insert(key.clone(), self.device.template_for(inspection)?);
        }
        Ok(InspectionSummary::new(inspection, &self.sites[&inspection.site_id], &self.templates[&key], superseded_by))
    }
}

/// A certificate check as the checking code hands it to the device for recording.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCheck {
    pub inspection_id: InspectionId,
    pub officer_id: OfficerId,
    pub certificate_number: String,
    pub method: CheckMethod,
    pub result: CheckResult,
    pub registry_version: u64,
    /// The trusted time validity was decided on (None before any sync with the bureau).
    pub trusted_time: Option<DateTime<Utc>>,
    pub registry_stale: bool,
}

impl Device {
    pub(crate) fn install_template(&mut self, template: &ChecklistTemplate) -> Result<()> {
        // Every start installs the shipped template: the clock is held to account only when
        // that records something, so a laptop with its clock wrong still opens its records.
        let (now, actor) = (self.record_time(), self.actor()?);
        self.write(|tx| {
            if templates::insert_if_missing(tx, template)? {
                let subject = format!("{}@{}", template.id.0, template.version);
                append_audit(tx, now?, &actor, "template.install", &subject, template)?;
            }
            Ok(())
        })
    }

    pub fn templates(&self) -> Result<Vec<ChecklistTemplate>> {
        self.read(templates::latest)
    }

    pub fn template_for(&self, inspection: &Inspection) -> Result<ChecklistTemplate> {
        let (id, version) = (&inspection.template_id.0, inspection.template_version);
        self.read(|c| templates::get(c, id, version))?.ok_or_else(|| DeviceError::Damaged {
            path: self.db_path(),
            detail: format!("checklist {id} v{version} of inspection {} is missing", inspection.id),
        })
    }

    /// Starts a draft at a site, with the newest version of a template (default: the
    /// construction-site wage checklist).
    pub fn new_inspection(
        &mut self,
        site: SiteId,
        template: Option<&str>,
        location: Option<String>,
    ) -> Result<Inspection> {
        let actor = self.officer_actor()?;
        let site = self.read(|c| sites::get(c, site))?.ok_or_else(|| DeviceError::NotFound {
            what: "site",
            id: site.to_string(),
            hint: "`fieldcase site list` shows the sites",
        })?;
        let template_id = template.unwrap_or(&default_template().id.0).to_owned();
        let templates = self.templates()?;
        let location = non_empty(location);
        limits::check_opt("location", location.as_deref(), LOCATION)?;
        let template = templates.iter().find(|t| t.id.0 == template_id).ok_or_else(|| {
            let known: Vec<_> = templates.iter().map(|t| t.id.0.as_str()).collect();
            DeviceError::Invalid(format!("no checklist template '{template_id}'; available: {}", known.join(", ")))
        })?;
        // Refused while the laptop's clock is years off; then the start on the trusted clock,
        // so that a laptop clock set back cannot move an inspection to before a certificate
        // was revoked; the laptop's reading stays beside it.
        let now = self.record_time()?;
        self.note_laptop_time()?;
        let time = self.trusted_time()?;
        let draft = Inspection::draft(InspectionId::generate(now), site.id, template, location, &time, actor.clone());
        self.write(|tx| {
            inspections::insert(tx, &draft)?;
            append_audit(tx, now, &actor, "inspection.create", &draft.id.to_string(), &draft)?;
            Ok(draft)
        })
    }

    pub fn inspection(&self, id: InspectionId) -> Result<Inspection> {
        self.read(|c| inspections::get(c, id))?.ok_or_else(|| DeviceError::NotFound {
            what: "inspection",
            id: id.to_string(),
            hint: "`fieldcase inspection list` shows the inspections",
        })
    }

    /// Records a certificate check for a draft. The check itself (registry, credentials) is
    /// made by the caller; the device records it, append-only, with its audit entry.
    pub fn record_check(&mut self, new: NewCheck) -> Result<CertificateCheck> {
        let actor = self.officer_actor()?;
        limits::check("certificate number", &new.certificate_number, CERTIFICATE_NUMBER)?;
        self.draft(new.inspection_id)?;
        let now = self.record_time()?;
        // A check given without the trusted time it was decided on is recorded at the
        // trusted time now (once the device knows the bureau's clock), so that the rules
        // weigh it on the same clock as the inspection's start.
        let time = self.trusted_time()?;
        let trusted_time = new.trusted_time.or(time.anchored.then_some(time.trusted));
        let check = CertificateCheck {
            id: CheckId::generate(now),
            inspection_id: new.inspection_id,
            officer_id: new.officer_id,
            certificate_number: new.certificate_number,
            method: new.method,
            result: new.result,
            registry_version: new.registry_version,
            checked_by: actor.clone(),
            checked_at: now,
            trusted_time,
            registry_stale: new.registry_stale,
        };
        self.write(|tx| {
            certificate_checks::insert(tx, &check)?;
            outbox::enqueue(tx, RecordKind::CertificateCheck, &check.id.to_string())?;
            append_audit(tx, now, &actor, "certificate.check", &check.id.to_string(), &check)?;
            Ok(check)
        })
    }

    /// Seals a draft: checks the rules, hashes the record and signs the hash. From then on
    /// the record is immutable.
    pub fn finalize(&mut self, id: InspectionId, outcome: Option<Outcome>) -> Result<Inspection> {
        let actor = self.officer_actor()?;
        let draft = self.inspection(id)?;
        let template = self.template_for(&draft)?;
        let checks = self.checks_of_lineage(&draft)?;
        if let Some(Outcome::RectificationOrder { deadline }) = outcome.as_ref().or(draft.outcome.as_ref()) {
            check_date("deadline", *deadline).map_err(|e| {
                DeviceError::Invalid(format!("{e}; give the day the employer must put things right by"))
            })?;
        }
        // On the trusted clock, as the start and the checks are.
        self.record_time()?;
        self.note_laptop_time()?;
        let now = self.trusted_time()?.trusted;
        let manifest = self.manifest_at(&draft, now)?;
        let mut sealed = rules::finalize_with_evidence(&draft, &template, &checks, Some(manifest), outcome, now)?;
        let content_hash = sealed.content_hash();
        sealed.seal = Some(Seal { content_hash, signature: self.key.sign(Signed::Inspection, &content_hash) });
        self.write(|tx| {
            inspections::replace_draft(tx, &sealed)?;
            outbox::enqueue(tx, RecordKind::Inspection, &sealed.id.to_string())?;
            // Evidence travels after the seal that covers it, so the bureau can check each
            // reference against the manifest it holds.
            for evidence in evidence_refs::list(tx, Some(&[sealed.id]))? {
                outbox::enqueue(tx, RecordKind::Evidence, &evidence.id.to_string())?;
            }
            for check in recorder_checks::for_inspections(tx, &[sealed.id])? {
                outbox::enqueue(tx, RecordKind::RecorderCheck, &check.id.to_string())?;
            }
            append_audit(tx, now, &actor, "inspection.finalize", &sealed.id.to_string(), &sealed.seal)?;
            Ok(sealed)
        })
    }

    /// Everything that would refuse finalizing this draft now with `outcome` (the review
    /// page's list): the same rules, clock and evidence `finalize` uses, nothing recorded.
    /// Empty when the draft can be sealed.
    pub fn review(&self, id: InspectionId, outcome: Option<Outcome>) -> Result<Vec<RuleViolation>> {
        let draft = self.inspection(id)?;
        let template = self.template_for(&draft)?;
        let checks = self.checks_of_lineage(&draft)?;
        let now = self.trusted_time()?.trusted;
        let manifest = self.manifest_at(&draft, now)?;
        match rules::finalize_with_evidence(&draft, &template, &checks, Some(manifest), outcome, now) {
            Ok(_) => Ok(Vec::new()),
            Err(RuleViolations(violations)) => Ok(violations),
        }
    }

    /// Starts a correction of a finalized inspection: a new draft that supersedes it.
    /// The original stays exactly as it was sealed.
    pub fn correct(&mut self, id: InspectionId) -> Result<Inspection> {
        let actor = self.officer_actor()?;
        let original = self.inspection(id)?;
        if original.is_draft() {
            return Err(DeviceError::Invalid(format!(
                "inspection {id} is still a draft: change it directly, a correction is for finalized inspections"
            )));
        }
        if let Some(by) = self.read(|c| inspections::superseded_by(c, id))? {
            return Err(DeviceError::Invalid(format!(
                "inspection {id} was already corrected by {by}; correct that version instead"
            )));
        }
        let now = self.record_time()?;
        let correction = original.correction(InspectionId::generate(now), actor.clone());
        self.write(|tx| {
            inspections::insert(tx, &correction)?;
            append_audit(tx, now, &actor, "inspection.correct", &correction.id.to_string(), &correction)?;
            Ok(correction)
        })
    }

    /// Every inspection version, newest first, with its site and progress.
    pub fn inspections(&self) -> Result<Vec<InspectionSummary>> {
        let mut summarize = Summarize::new(self);
        self.read(inspections::list)?.into_iter().map(|(inspection, by)| summarize.one(&inspection, by)).collect()
    }

    /// One inspection with its site, checklist and checks.
    pub fn inspection_detail(&self, id: InspectionId) -> Result<InspectionDetail> {
        let inspection = self.inspection(id)?;
        let site = self.site(inspection.site_id)?;
        let template = self.template_for(&inspection)?;
        let checks = self.read(|c| certificate_checks::for_inspections(c, &[id]))?;
        let superseded_by = self.read(|c| inspections::superseded_by(c, id))?;
        let summary = InspectionSummary::new(&inspection, &site, &template, superseded_by);
        let evidence = self.inspection_evidence(id)?;
        Ok(InspectionDetail { summary, inspection, site, template, checks, evidence })
    }

    pub(crate) fn draft(&self, id: InspectionId) -> Result<Inspection> {
        let inspection = self.inspection(id)?;
        if !inspection.is_draft() {
            return Err(RuleViolations(vec![RuleViolation::NotDraft { id }]).into());
        }
        Ok(inspection)
    }

    /// The checks of a draft and of the versions it corrects: a correction rests on the
    /// checks made at the inspection itself.
    pub(crate) fn checks_of_lineage(&self, inspection: &Inspection) -> Result<Vec<CertificateCheck>> {
        let ids = self.lineage(inspection)?;
        self.read(|c| certificate_checks::for_inspections(c, &ids))
    }
}
