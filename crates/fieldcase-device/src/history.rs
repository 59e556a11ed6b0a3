//! One inspection's history for its read-only view: every audit entry about it (and the
//! versions it corrects, and its certificate checks), and each evidence file's chain of
//! custody.

use serde::Serialize;
use ts_rs::TS;

use fieldcase_core::audit::AuditEntry;
use fieldcase_core::ids::{EvidenceId, InspectionId};

use crate::store::{audit_log, certificate_checks};
use crate::{Device, Result};

/// What was done to an inspection and to its evidence, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InspectionHistory {
    /// Entries about the inspection, the versions it corrects and its certificate checks.
    pub audit: Vec<AuditEntry>,
    pub custody: Vec<FileCustody>,
}

/// One evidence file's chain of custody: import, each re-verification, the bureau taking it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FileCustody {
    pub evidence_id: EvidenceId,
    pub name: String,
    pub entries: Vec<AuditEntry>,
}

impl Device {
    pub fn inspection_history(&self, id: InspectionId) -> Result<InspectionHistory> {
        let inspection = self.inspection(id)?;
        let lineage = self.lineage(&inspection)?;
        let checks = self.read(|c| certificate_checks::for_inspections(c, &lineage))?;
        let subjects: Vec<String> =
            lineage.iter().map(ToString::to_string).chain(checks.iter().map(|c| c.id.to_string())).collect();
        let mut audit = Vec::new();
        for subject in &subjects {
            audit.extend(self.read(|c| audit_log::about(c, subject))?);
        }
        audit.sort_by_key(|e| e.seq);
        let custody = self
            .evidence(Some(id))?
            .into_iter()
            .map(|item| {
                let evidence_id = item.reference.id;
                Ok(FileCustody { evidence_id, name: item.reference.original_name, entries: self.custody(evidence_id)? })
            })
            .collect::<Result<_>>()?;
        Ok(InspectionHistory { audit, custody })
    }
}
