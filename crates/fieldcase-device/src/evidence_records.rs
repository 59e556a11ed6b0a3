//! The evidence an inspection holds: listing it, re-verifying its bytes, its chain of
//! custody (every audit entry about one file), and thumbnails of photos.

use serde::Serialize;
use ts_rs::TS;

use fieldcase_core::audit::AuditEntry;
use fieldcase_core::evidence::{EvidenceRef, MediaKind, RecorderCheck, Timeline};
use fieldcase_core::ids::{EvidenceId, InspectionId};

use crate::audit::append_audit;
use crate::evidence::{Vault, thumbnail_jpeg};
use crate::store::{audit_log, evidence_refs};
use crate::{Device, DeviceError, Result};

/// One evidence file as the window and the command line show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EvidenceItem {
    #[serde(flatten)]
    pub reference: EvidenceRef,
    /// Where its bytes are on this laptop.
    pub stored_at: String,
    /// Whether a thumbnail can be asked for (photos).
    pub has_thumbnail: bool,
}

/// An inspection's evidence: its files, the recorder checks and the timeline with its gaps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InspectionEvidence {
    pub files: Vec<EvidenceItem>,
    pub recorder_checks: Vec<RecorderCheck>,
    pub timeline: Timeline,
}

/// A file whose bytes no longer hash to what was recorded at import, or are gone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Mismatch {
    pub id: EvidenceId,
    pub path: String,
    pub problem: String,
}

/// What a re-verification found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct VerifyReport {
    pub checked: u32,
    pub mismatches: Vec<Mismatch>,
}

impl Device {
    pub fn evidence_ref(&self, id: EvidenceId) -> Result<EvidenceRef> {
        self.read(|c| evidence_refs::get(c, &id.to_string()))?.ok_or_else(|| DeviceError::NotFound {
            what: "evidence",
            id: id.to_string(),
            hint: "`fieldcase evidence list` shows the evidence",
        })
    }

    /// The evidence of one inspection (and the versions it corrects), or of every one.
    pub fn evidence(&self, inspection: Option<InspectionId>) -> Result<Vec<EvidenceItem>> {
        let references = match inspection {
            Some(id) => {
                let lineage = self.lineage(&self.inspection(id)?)?;
                self.read(|c| evidence_refs::list(c, Some(&lineage)))?
            }
            None => self.read(|c| evidence_refs::list(c, None))?,
        };
        references
            .into_iter()
            .map(|reference| {
                Ok(EvidenceItem {
                    stored_at: self.evidence_path(&reference)?.display().to_string(),
                    has_thumbnail: reference.kind == MediaKind::Photo,
                    reference,
                })
            })
            .collect()
    }

    /// An inspection's files, recorder checks and timeline, for its evidence panel.
    pub fn inspection_evidence(&self, id: InspectionId) -> Result<InspectionEvidence> {
        Ok(InspectionEvidence {
            files: self.evidence(Some(id))?,
            recorder_checks: self.recorder_checks(id)?,
            timeline: self.timeline(id)?,
        })
    }

    /// A JPEG thumbnail of a photo, at most `max_side` pixels on its longer side.
    pub fn evidence_thumbnail(&self, id: EvidenceId, max_side: u32) -> Result<Vec<u8>> {
        let reference = self.evidence_ref(id)?;
        if reference.kind != MediaKind::Photo {
            return Err(DeviceError::Invalid(format!(
                "evidence {id} is a {}: only photos have thumbnails",
                reference.kind.as_str()
            )));
        }
        let path = self.evidence_path(&reference)?;
        thumbnail_jpeg(&path, max_side).map_err(|e| DeviceError::Io { path, detail: e.to_string() })
    }

    /// Re-hashes the bytes of one file or of every one, and names each that no longer
    /// matches its import hash. Each check is an entry of the file's chain of custody.
    pub fn verify_evidence(&mut self, id: Option<EvidenceId>) -> Result<VerifyReport> {
        let references = match id {
            Some(id) => vec![self.evidence_ref(id)?],
            None => self.read(|c| evidence_refs::list(c, None))?,
        };
        let mut report = VerifyReport::default();
        for reference in references {
            let path = self.evidence_path(&reference)?;
            let problem = match Vault::verify_file(&path, &reference.sha256, reference.size) {
                Ok(true) => None,
                Ok(false) => Some(format!(
                    "its bytes no longer hash to {} ({} bytes) as recorded at import: the file was changed",
                    reference.sha256, reference.size
                )),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some("the file is missing".to_owned()),
                Err(e) => Some(format!("it cannot be read: {e}")),
            };
            report.checked += 1;
            let (now, actor) = (self.record_time()?, self.actor()?);
            let payload = serde_json::json!({ "path": path.display().to_string(), "matches": problem.is_none(), "problem": problem });
            self.write(|tx| {
                Ok(append_audit(tx, now, &actor, "evidence.verify", &reference.id.to_string(), &payload)?)
            })?;
            if let Some(problem) = problem {
                report.mismatches.push(Mismatch { id: reference.id, path: path.display().to_string(), problem });
            }
        }
        Ok(report)
    }

    /// The chain of custody of one file: every audit entry about it, oldest first (import,
    /// each re-verification, the bureau taking its reference).
    pub fn custody(&self, id: EvidenceId) -> Result<Vec<AuditEntry>> {
        self.evidence_ref(id)?;
        self.read(|c| audit_log::about(c, &id.to_string()))
    }
}
