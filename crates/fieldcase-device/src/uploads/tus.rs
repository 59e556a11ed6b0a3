//! The tus 1.0.0 requests the upload agent makes (<https://tus.io/protocols/resumable-upload>):
//! creation, the offset (HEAD), a checked chunk (PATCH with `Upload-Checksum`), termination.
//! Authenticated with the device's token, on the sync agent's client, so an upload reaches
//! the bureau exactly as a sync does (https, or http to loopback or in a lab).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, LOCATION};

use fieldcase_core::ids::EvidenceId;
use fieldcase_core::upload::{CHECKSUM_MISMATCH_STATUS, METADATA_EVIDENCE_ID, TUS_VERSION, UPLOADS_PATH};

use crate::sync::{BureauHttp, SyncError};

const TUS_RESUMABLE: &str = "Tus-Resumable";
const UPLOAD_OFFSET: &str = "Upload-Offset";

/// Long enough for a chunk over a poor site link (8 MiB at 1 Mbit/s is about 70 s); a cut
/// connection fails at once, and a stalled one within this.
const PATCH_TIME: Duration = Duration::from_secs(15 * 60);

/// How the bureau answered a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Patched {
    /// Taken: the bureau now holds this many bytes.
    Taken(u64),
    /// The chunk's checksum did not match what arrived (damaged on the way): send it again.
    ChecksumMismatch,
    /// The offset sent is not the bureau's: ask for its offset and go on from there.
    OffsetConflict,
    /// Another request is writing this upload (a previous connection not yet closed there).
    Locked,
    /// The bureau no longer knows the upload (it expired, or was ended): open another.
    Gone,
}

impl BureauHttp {
    /// Opens an upload of `length` bytes for the evidence reference `evidence_id`; returns
    /// the upload's id at the bureau, as kept in the store.
    pub(crate) async fn tus_create(
        &self,
        token: &str,
        evidence_id: EvidenceId,
        length: u64,
    ) -> Result<String, SyncError> {
        let metadata = format!("{METADATA_EVIDENCE_ID} {}", BASE64.encode(evidence_id.to_string()));
        let request = self
            .client()
            .post(self.uploads_url())
            .bearer_auth(token)
            .header(TUS_RESUMABLE, TUS_VERSION)
            .header("Upload-Length", length)
            .header("Upload-Metadata", metadata);
        let response = request.send().await.map_err(|e| self.offline(&e))?;
        if response.status() != StatusCode::CREATED {
            return Err(self.refusal(response).await);
        }
        let location = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).ok_or_else(|| {
            SyncError::Protocol("the bureau opened an upload but did not say where (no Location)".into())
        })?;
        self.upload_id(location)
    }

    /// How many bytes the bureau holds of the upload; None when it no longer knows it.
    pub(crate) async fn tus_offset(&self, token: &str, upload: &str) -> Result<Option<u64>, SyncError> {
        let request = self.client().head(self.upload_url(upload)).bearer_auth(token).header(TUS_RESUMABLE, TUS_VERSION);
        let response = request.send().await.map_err(|e| self.offline(&e))?;
        match response.status() {
            StatusCode::OK | StatusCode::NO_CONTENT => offset_of(response.headers()).map(Some),
            StatusCode::NOT_FOUND | StatusCode::GONE => Ok(None),
            // A HEAD answer has no body: name the status.
            StatusCode::UNAUTHORIZED => {
                Err(SyncError::Unauthorized("the bureau did not accept this device's token".into()))
            }
            StatusCode::FORBIDDEN => Err(SyncError::Revoked("the bureau refused this device".into())),
            status => Err(SyncError::Server(format!(
                "the bureau answered {status} when asked how much of an upload it holds"
            ))),
        }
    }

    /// Sends `chunk`, to be written at `offset`, with its SHA-256 for the bureau to check.
    pub(crate) async fn tus_patch(
        &self,
        token: &str,
        upload: &str,
        offset: u64,
        chunk: bytes::Bytes,
        sha256: &[u8],
    ) -> Result<Patched, SyncError> {
        let request = self
            .client()
            .patch(self.upload_url(upload))
            .bearer_auth(token)
            .timeout(PATCH_TIME)
            .header(TUS_RESUMABLE, TUS_VERSION)
            .header(CONTENT_TYPE, "application/offset+octet-stream")
            .header(UPLOAD_OFFSET, offset)
            .header("Upload-Checksum", format!("sha256 {}", BASE64.encode(sha256)))
            .body(chunk);
        let response = request.send().await.map_err(|e| self.offline(&e))?;
        match response.status() {
            StatusCode::NO_CONTENT | StatusCode::OK => Ok(Patched::Taken(offset_of(response.headers())?)),
            StatusCode::CONFLICT => Ok(Patched::OffsetConflict),
            StatusCode::LOCKED => Ok(Patched::Locked),
            StatusCode::NOT_FOUND | StatusCode::GONE => Ok(Patched::Gone),
            status if status.as_u16() == CHECKSUM_MISMATCH_STATUS => Ok(Patched::ChecksumMismatch),
            _ => Err(self.refusal(response).await),
        }
    }

    /// Ends an upload the bureau should not complete (the local file turned out damaged).
    pub(crate) async fn tus_terminate(&self, token: &str, upload: &str) -> Result<(), SyncError> {
        let request =
            self.client().delete(self.upload_url(upload)).bearer_auth(token).header(TUS_RESUMABLE, TUS_VERSION);
        let response = request.send().await.map_err(|e| self.offline(&e))?;
        match response.status() {
            StatusCode::NO_CONTENT | StatusCode::OK | StatusCode::NOT_FOUND | StatusCode::GONE => Ok(()),
            _ => Err(self.refusal(response).await),
        }
    }

    /// Where uploads are created, on this bureau (whose address may have a path of its own).
    fn uploads_url(&self) -> String {
        format!("{}{UPLOADS_PATH}", self.url())
    }

    /// The full address of an upload, by its id.
    fn upload_url(&self, upload: &str) -> String {
        format!("{}/{upload}", self.uploads_url())
    }

    /// The id of the upload the bureau named in `Location`, relative or absolute. It must be
    /// one of this bureau's uploads: the token is never sent anywhere else.
    fn upload_id(&self, location: &str) -> Result<String, SyncError> {
        let base = self.uploads_url();
        let resolved = reqwest::Url::parse(&base).and_then(|b| b.join(location)).map_err(|e| {
            SyncError::Protocol(format!("the bureau named an upload at '{location}', not an address ({e})"))
        })?;
        let id = resolved.as_str().strip_prefix(&base).and_then(|rest| rest.strip_prefix('/'));
        match id {
            Some(id) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') => {
                Ok(id.to_owned())
            }
            _ => Err(SyncError::Protocol(format!(
                "the bureau named an upload at '{location}', not one of its uploads under {base}: refused, so the device's token goes nowhere else"
            ))),
        }
    }
}

fn offset_of(headers: &HeaderMap) -> Result<u64, SyncError> {
    headers
        .get(UPLOAD_OFFSET)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| SyncError::Protocol("the bureau's answer has no readable Upload-Offset".into()))
}

#[cfg(test)]
mod tests {
    use crate::sync::Transport;

    use super::*;

    #[test]
    fn an_upload_named_by_the_bureau_must_be_one_of_its_own() {
        let http = BureauHttp::new("https://bureau.example.cn/district", &Transport::default()).unwrap();
        let base = "https://bureau.example.cn/district/api/v1/uploads";
        assert_eq!(http.upload_id("/district/api/v1/uploads/abc-123").unwrap(), "abc-123", "relative");
        assert_eq!(http.upload_id(&format!("{base}/abc-123")).unwrap(), "abc-123", "absolute");
        assert_eq!(http.upload_url("abc-123"), format!("{base}/abc-123"));
        for elsewhere in [
            "https://evil.example.com/district/api/v1/uploads/abc",
            "/api/v1/uploads/abc",
            "/district/api/v1/uploads/../../x",
            "/district/api/v1/uploads/",
        ] {
            assert!(http.upload_id(elsewhere).is_err(), "{elsewhere}");
        }
    }
}
