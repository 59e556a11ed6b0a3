//! Evidence references and recorder checks against the seal of the inspection they name:
//! the bureau takes a reference only when the manifest the inspection's signature covers lists
//! that file with the same hash and size, and a recorder check only when it lists the check.

use fieldcase_core::ErrorCode;
use fieldcase_core::evidence::{EvidenceManifest, EvidenceRef, ManifestMismatch, RecorderCheck};
use fieldcase_core::ids::InspectionId;

use super::PushLedger;
use crate::store::Result;

/// Why a reference or check is refused: its code and the words for it.
pub type Refusal = (ErrorCode, String);

/// The manifest of the sealed inspection `id`, or why there is none to check against.
fn manifest(ledger: &mut dyn PushLedger, id: InspectionId, what: &str) -> Result<Result<EvidenceManifest, Refusal>> {
    let Some(inspection) = ledger.held_inspection(id)? else {
        return Ok(Err((
            ErrorCode::EvidenceInspectionUnknown,
            format!(
                "{what} names inspection {id}, which the bureau does not hold: push the finalized inspection first (a device sends it before its evidence); kept for review"
            ),
        )));
    };
    Ok(inspection.evidence.ok_or_else(|| {
        (
            ErrorCode::EvidenceNotInSeal,
            format!(
                "inspection {id} was sealed without an evidence manifest, so its seal covers no {what}; make a correction of it that includes the evidence; kept for review"
            ),
        )
    }))
}

/// None when the seal of the reference's inspection covers it.
pub fn check_evidence(ledger: &mut dyn PushLedger, evidence: &EvidenceRef) -> Result<Option<Refusal>> {
    let what = format!("evidence {}", evidence.id);
    let manifest = match manifest(ledger, evidence.inspection_id, &what)? {
        Ok(manifest) => manifest,
        Err(refusal) => return Ok(Some(refusal)),
    };
    Ok(match manifest.covers(evidence) {
        Ok(()) => None,
        Err(ManifestMismatch::NotListed) => Some((
            ErrorCode::EvidenceNotInSeal,
            format!(
                "{what} ({}) is not in the evidence manifest sealed with inspection {}: the seal does not prove it belongs there; kept for review",
                evidence.original_name, evidence.inspection_id
            ),
        )),
        Err(ManifestMismatch::Differs { sha256, size }) => Some((
            ErrorCode::EvidenceMismatch,
            format!(
                "{what} is sealed with inspection {} as sha256 {sha256}, {size} bytes, but pushed as sha256 {}, {} bytes: the reference was changed after sealing; kept for review",
                evidence.inspection_id, evidence.sha256, evidence.size
            ),
        )),
    })
}

/// None when the seal of the check's inspection lists it.
pub fn check_recorder_check(ledger: &mut dyn PushLedger, check: &RecorderCheck) -> Result<Option<Refusal>> {
    let what = format!("recorder check {}", check.id);
    let manifest = match manifest(ledger, check.inspection_id, &what)? {
        Ok(manifest) => manifest,
        Err(refusal) => return Ok(Some(refusal)),
    };
    Ok((manifest.recorder_checks.binary_search(&check.id).is_err()).then(|| {
        (
            ErrorCode::EvidenceNotInSeal,
            format!(
                "{what} is not in the evidence manifest sealed with inspection {}; kept for review",
                check.inspection_id
            ),
        )
    }))
}
