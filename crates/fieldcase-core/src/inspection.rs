//! Inspections: the record of one visit to a site, from draft to sealed.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::audit::Actor;
use crate::canonical::ContentHash;
use crate::checklist::{AnswerValue, ChecklistTemplate, TemplateId};
use crate::evidence::EvidenceManifest;
use crate::ids::{CheckId, InspectionId, SiteId};
use crate::signing::Signature;
use crate::time::TrustedTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum InspectionStatus {
    /// Being worked on; editable; stays on the device.
    Draft,
    /// Sealed: hashed, signed, immutable.
    Finalized,
}

/// What the inspection concluded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    NoViolation,
    /// 责令改正: the employer must put things right by `deadline` (a Beijing date).
    RectificationOrder {
        deadline: NaiveDate,
    },
    /// 立案: a case is opened for investigation.
    CaseFiled,
}

impl Outcome {
    /// The outcome's kind as it travels (`no_violation`, `rectification_order`, `case_filed`).
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::NoViolation => "no_violation",
            Outcome::RectificationOrder { .. } => "rectification_order",
            Outcome::CaseFiled => "case_filed",
        }
    }
}

/// A suspected violation, raised from a checklist item answered "no" or written by the officer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// The checklist item it is raised from, if any: that item is answered "no".
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub item_id: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub description: String,
    /// The legal basis of the item it is raised from (e.g. 保障农民工工资支付条例 第二十六条).
    /// Absent in findings written without an item and in records sealed before findings kept
    /// it (their hashes stay as sealed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub basis: Option<String>,
}

/// The seal of a finalized inspection: the hash of its content and the device's signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Seal {
    pub content_hash: ContentHash,
    pub signature: Signature,
}

/// What the device's clocks said when an inspection began.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartClock {
    /// The laptop's own clock, which its user can set.
    pub laptop: DateTime<Utc>,
    /// Whether the trusted time rested on the bureau's clock (false: the device had never
    /// synced, and `started_at` is the laptop's clock as it was).
    pub anchored: bool,
    /// Whether the laptop's clock had been set back: `started_at` is then the last moment
    /// known to have passed, and the inspection began at that moment or later.
    pub set_back: bool,
}

impl StartClock {
    /// Whether the start is known only roughly: a reviewer must look at certificates over
    /// the time from `started_at` to when the record reached the bureau.
    pub fn uncertain(&self) -> bool {
        !self.anchored || self.set_back
    }
}

/// One version of an inspection record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inspection {
    pub id: InspectionId,
    /// The finalized version this one corrects, if it is a correction.
    pub supersedes: Option<InspectionId>,
    pub site_id: SiteId,
    pub template_id: TemplateId,
    pub template_version: u32,
    /// Where on the site, in the officer's words (e.g. 3号楼项目部).
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub location: Option<String>,
    /// When the inspection began, on the device's trusted clock (see [`StartClock`]); for
    /// records made before the device recorded that, the laptop's clock.
    pub started_at: DateTime<Utc>,
    /// How far `started_at` can be trusted, with the laptop's own reading beside it as
    /// evidence. Absent in records made before it was kept (their hashes stay as sealed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub start_clock: Option<StartClock>,
    /// Set when the inspection is finalized.
    pub ended_at: Option<DateTime<Utc>>,
    /// Answers by checklist item id.
    pub answers: BTreeMap<String, AnswerValue>,
    /// Findings written by the officer or raised from items answered "no" (see
    /// [`crate::draft`]); finalizing raises any still missing from items whose "no" is a
    /// finding by the checklist.
    pub findings: Vec<Finding>,
    /// The officer's notes on checklist items, by item id; part of the sealed content.
    /// Absent when there are none, so records sealed before notes were kept keep their hash.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub notes: BTreeMap<String, String>,
    pub outcome: Option<Outcome>,
    /// The certificate checks the finalization rests on.
    pub officer_checks: Vec<CheckId>,
    pub created_by: Actor,
    pub status: InspectionStatus,
    pub seal: Option<Seal>,
    /// The evidence the sealed record rests on, set at finalizing; absent in drafts and in
    /// records sealed before evidence was kept (their hashes stay as sealed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub evidence: Option<EvidenceManifest>,
}

impl Inspection {
    /// A new, empty draft.
    pub fn draft(
        id: InspectionId,
        site_id: SiteId,
        template: &ChecklistTemplate,
        location: Option<String>,
        at: &TrustedTime,
        created_by: Actor,
    ) -> Self {
        Inspection {
            id,
            supersedes: None,
            site_id,
            template_id: template.id.clone(),
            template_version: template.version,
            location,
            started_at: at.trusted,
            start_clock: Some(StartClock { laptop: at.laptop, anchored: at.anchored, set_back: at.set_back }),
            ended_at: None,
            answers: BTreeMap::new(),
            findings: Vec::new(),
            notes: BTreeMap::new(),
            outcome: None,
            officer_checks: Vec::new(),
            created_by,
            status: InspectionStatus::Draft,
            seal: None,
            evidence: None,
        }
    }

    /// A draft correcting this finalized version. It keeps the content and the time of the
    /// inspection; the seal goes, to be made anew when the correction is finalized.
    pub fn correction(&self, id: InspectionId, created_by: Actor) -> Self {
        Inspection {
            id,
            supersedes: Some(self.id),
            ended_at: None,
            officer_checks: Vec::new(),
            status: InspectionStatus::Draft,
            seal: None,
            evidence: None,
            created_by,
            // Findings raised from items stay with the answers they rest on: changing such an
            // answer in the correction withdraws its finding, as in any draft.
            ..self.clone()
        }
    }

    pub fn is_draft(&self) -> bool {
        self.status == InspectionStatus::Draft
    }

    /// The hash a seal covers: every field but the status and the seal itself.
    pub fn content_hash(&self) -> ContentHash {
        let mut value = serde_json::to_value(self).expect("inspections serialize to JSON");
        if let Some(map) = value.as_object_mut() {
            map.remove("status");
            map.remove("seal");
        }
        ContentHash::of(&value)
    }
}
