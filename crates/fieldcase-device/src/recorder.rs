//! Recorder checks before an inspection, the inspection's timeline of recordings, the
//! reasons written for its gaps, and the evidence manifest its seal covers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use fieldcase_core::audit::Actor;
use fieldcase_core::evidence::{EvidenceManifest, Gap, RecorderCheck, Timeline, timeline};
use fieldcase_core::ids::{InspectionId, OfficerId, RecorderCheckId};
use fieldcase_core::inspection::Inspection;
use fieldcase_core::limits::{self, GAP_ID, GAP_REASON, IDENTIFIER};
use fieldcase_core::time::check_instant;

use crate::audit::append_audit;
use crate::store::{evidence_refs, gap_reasons, recorder_checks};
use crate::{Device, DeviceError, Result};

/// A recorder check as the officer gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRecorderCheck {
    pub inspection_id: InspectionId,
    pub recorder_id: String,
    /// The time the recorder shows (its display read as Beijing time, as a UTC instant).
    pub shows: DateTime<Utc>,
    pub battery_percent: Option<u8>,
    pub storage_free_mb: Option<u64>,
}

/// The officer an actor names (records are made by a signed-in officer).
pub(crate) fn officer_of(actor: &Actor) -> Option<OfficerId> {
    match actor {
        Actor::Officer { officer, .. } => Some(officer.clone()),
        Actor::Device { .. } => None,
    }
}

impl Device {
    /// Records a check of a body-cam for a draft: its clock against trusted time (the offset
    /// aligns its recordings with the inspection), its battery and storage.
    pub fn record_recorder_check(&mut self, new: NewRecorderCheck) -> Result<RecorderCheck> {
        let actor = self.officer_actor()?;
        let recorder_id = new.recorder_id.trim();
        if recorder_id.is_empty() {
            return Err(DeviceError::Invalid(
                "a recorder check needs the recorder's id, as printed on the body-cam (e.g. A0123)".into(),
            ));
        }
        limits::check("recorder id", recorder_id, IDENTIFIER)?;
        if new.battery_percent.is_some_and(|b| b > 100) {
            return Err(DeviceError::Invalid("the battery level is a percentage from 0 to 100".into()));
        }
        check_instant("the time the recorder shows", new.shows)
            .map_err(|e| DeviceError::Invalid(format!("{e}; give the date and time the recorder's screen shows")))?;
        self.draft(new.inspection_id)?;
        let now = self.record_time()?;
        self.note_laptop_time()?;
        let time = self.trusted_time()?;
        let check = RecorderCheck {
            id: RecorderCheckId::generate(now),
            inspection_id: new.inspection_id,
            recorder_id: recorder_id.to_owned(),
            recorder_shows: new.shows,
            trusted_time: time.trusted,
            offset_seconds: (new.shows - time.trusted).num_seconds(),
            battery_percent: new.battery_percent,
            storage_free_mb: new.storage_free_mb,
            officer_id: officer_of(&actor),
            checked_at: now,
        };
        self.write(|tx| {
            recorder_checks::insert(tx, &check)?;
            append_audit(tx, now, &actor, "recorder.check", &check.id.to_string(), &check)?;
            Ok(check)
        })
    }

    /// The recorder checks of an inspection and of the versions it corrects.
    pub fn recorder_checks(&self, id: InspectionId) -> Result<Vec<RecorderCheck>> {
        let lineage = self.lineage(&self.inspection(id)?)?;
        self.read(|c| recorder_checks::for_inspections(c, &lineage))
    }

    /// The inspection's recordings on its timeline (capture times aligned by each recorder's
    /// offset) and the gaps longer than the limit, with the reasons written so far. A draft's
    /// window runs to now.
    pub fn timeline(&self, id: InspectionId) -> Result<Timeline> {
        let inspection = self.inspection(id)?;
        let end = match inspection.ended_at {
            Some(end) => end,
            None => self.trusted_time()?.trusted,
        };
        self.timeline_until(&inspection, end)
    }

    fn timeline_until(&self, inspection: &Inspection, end: DateTime<Utc>) -> Result<Timeline> {
        let lineage = self.lineage(inspection)?;
        let evidence = self.read(|c| evidence_refs::list(c, Some(&lineage)))?;
        let checks = self.read(|c| recorder_checks::for_inspections(c, &lineage))?;
        let reasons = self.read(|c| gap_reasons::of(c, inspection.id))?;
        Ok(timeline(
            inspection.started_at,
            end.max(inspection.started_at),
            &evidence,
            &checks,
            &reasons,
            self.gap_limit,
        ))
    }

    /// Writes why nothing was recorded in one gap of a draft's timeline.
    pub fn set_gap_reason(&mut self, id: InspectionId, gap_id: &str, reason: &str) -> Result<Gap> {
        let actor = self.officer_actor()?;
        let reason = limits::check("gap reason", reason.trim(), GAP_REASON)?;
        if reason.is_empty() {
            return Err(DeviceError::Invalid(
                "a gap needs a reason in words: why nothing was recorded (e.g. the recorder's battery was changed)"
                    .into(),
            ));
        }
        let gap_id = limits::check("gap id", gap_id.trim(), GAP_ID)?;
        self.draft(id)?;
        let timeline = self.timeline(id)?;
        let Some(gap) = timeline.gaps.iter().find(|g| g.id == gap_id) else {
            let known: Vec<&str> = timeline.gaps.iter().map(|g| g.id.as_str()).collect();
            return Err(DeviceError::Invalid(format!(
                "inspection {id} has no gap '{gap_id}'; its gaps are: {}",
                if known.is_empty() { "none".to_owned() } else { known.join(", ") }
            )));
        };
        let now = self.record_time()?;
        let gap = Gap { reason: Some(reason.to_owned()), ..gap.clone() };
        let by = actor.to_string();
        self.write(|tx| {
            gap_reasons::set(tx, id, &gap.id, reason, now, &by)?;
            append_audit(tx, now, &actor, "inspection.gap_reason", &id.to_string(), &gap)?;
            Ok(gap)
        })
    }

    /// The evidence manifest a draft would be sealed with at `now`: its files, recorder checks
    /// and gaps (with their reasons).
    pub(crate) fn manifest_at(&self, draft: &Inspection, now: DateTime<Utc>) -> Result<EvidenceManifest> {
        let lineage = self.lineage(draft)?;
        let evidence = self.read(|c| evidence_refs::list(c, Some(&lineage)))?;
        let checks = self.read(|c| recorder_checks::for_inspections(c, &lineage))?;
        let timeline = self.timeline_until(draft, now)?;
        Ok(EvidenceManifest::of(&evidence, &checks, &timeline.gaps))
    }

    /// This inspection version and those it corrects, newest first.
    pub(crate) fn lineage(&self, inspection: &Inspection) -> Result<Vec<InspectionId>> {
        let mut ids = vec![inspection.id];
        let mut next = inspection.supersedes;
        while let Some(id) = next {
            ids.push(id);
            next = self.inspection(id)?.supersedes;
        }
        Ok(ids)
    }
}
