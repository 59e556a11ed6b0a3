//! The `Upload-Metadata` header of a new upload: comma-separated `key base64(value)` pairs,
//! of which the bureau needs one, [`METADATA_EVIDENCE_ID`].

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use fieldcase_core::ids::EvidenceId;
use fieldcase_core::upload::METADATA_EVIDENCE_ID;

use super::UploadRefusal;

/// The evidence id `Upload-Metadata` names. A value that looks like a path is refused as such,
/// so a client that sent a file name learns what it did wrong.
pub fn evidence_id_from_metadata(header: Option<&str>) -> Result<EvidenceId, UploadRefusal> {
    let missing = || {
        UploadRefusal::BadMetadata(format!(
            "Upload-Metadata must name the evidence: '{METADATA_EVIDENCE_ID} <base64 of the evidence id>'"
        ))
    };
    let header = header.ok_or_else(missing)?;
    let mut found = None;
    for pair in header.split(',') {
        let mut parts = pair.trim().splitn(2, ' ');
        let key = parts.next().unwrap_or_default();
        if key == METADATA_EVIDENCE_ID {
            let encoded = parts.next().unwrap_or_default().trim();
            let bytes = STANDARD.decode(encoded).map_err(|_| {
                UploadRefusal::BadMetadata(format!("the {METADATA_EVIDENCE_ID} in Upload-Metadata is not base64"))
            })?;
            let text = String::from_utf8(bytes).map_err(|_| {
                UploadRefusal::BadMetadata(format!("the {METADATA_EVIDENCE_ID} in Upload-Metadata is not text"))
            })?;
            found = Some(text);
        }
    }
    let text = found.ok_or_else(missing)?;
    if text.contains('/') || text.contains('\\') || text.contains("..") || text.contains(':') {
        return Err(UploadRefusal::BadMetadata(format!(
            "the {METADATA_EVIDENCE_ID} in Upload-Metadata looks like a path ('{text}'); send the evidence id (a UUID), not a file's path"
        )));
    }
    text.parse::<EvidenceId>().map_err(|e| UploadRefusal::BadMetadata(format!("Upload-Metadata: {e}")))
}
