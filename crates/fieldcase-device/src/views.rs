//! What the device shows: records joined with what a screen or a command prints beside them.
//! These cross the IPC boundary, so their TypeScript types are generated.

use serde::Serialize;
use ts_rs::TS;

use fieldcase_core::certificate::CertificateCheck;
use fieldcase_core::checklist::ChecklistTemplate;
use fieldcase_core::ids::{InspectionId, SiteId};
use fieldcase_core::inspection::{Inspection, InspectionStatus, Outcome};
use fieldcase_core::site::Site;

/// One line of the inspection list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InspectionSummary {
    pub id: InspectionId,
    pub site_id: SiteId,
    pub site_name: String,
    pub project_name: Option<String>,
    pub status: InspectionStatus,
    pub supersedes: Option<InspectionId>,
    pub superseded_by: Option<InspectionId>,
    pub started_at: String,
    pub ended_at: Option<String>,
    /// Required checklist items, and how many of them are answered.
    pub required: u32,
    pub required_answered: u32,
    pub findings: u32,
    pub outcome: Option<Outcome>,
}

impl InspectionSummary {
    pub fn new(
        inspection: &Inspection,
        site: &Site,
        template: &ChecklistTemplate,
        superseded_by: Option<InspectionId>,
    ) -> Self {
        let required = template.items.iter().filter(|i| i.required);
        InspectionSummary {
            id: inspection.id,
            site_id: site.id,
            site_name: site.name.clone(),
            project_name: site.project_name.clone(),
            status: inspection.status,
            supersedes: inspection.supersedes,
            superseded_by,
            started_at: inspection.started_at.to_rfc3339(),
            ended_at: inspection.ended_at.map(|t| t.to_rfc3339()),
            required: required.clone().count() as u32,
            required_answered: required.filter(|i| inspection.answers.contains_key(&i.id)).count() as u32,
            findings: inspection.findings.len() as u32,
            outcome: inspection.outcome.clone(),
        }
    }
}

/// One inspection with everything its screen shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InspectionDetail {
    pub summary: InspectionSummary,
    pub inspection: Inspection,
    pub site: Site,
    pub template: ChecklistTemplate,
    pub checks: Vec<CertificateCheck>,
    /// Its evidence files, recorder checks and timeline with gaps.
    pub evidence: crate::InspectionEvidence,
}

/// What the device is, for its about box and for scripts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub device_id: String,
    pub public_key: String,
}

/// The result of walking the audit chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AuditReport {
    #[ts(type = "number")]
    pub entries: u64,
    pub last_hash: Option<String>,
}

/// The officer signed in on the device, as the window shows them (never the PIN verifier).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SignedIn {
    pub officer_id: String,
    pub name: String,
}

impl From<&fieldcase_core::registry::OfficerEntry> for SignedIn {
    fn from(e: &fieldcase_core::registry::OfficerEntry) -> Self {
        SignedIn { officer_id: e.officer.to_string(), name: e.name.clone() }
    }
}
