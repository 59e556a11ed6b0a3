//! [`UploadStore`] on SQLite: each call one read or one write transaction. Whether a lease may
//! be taken is decided by [`crate::uploads::may_lease`], inside the transaction that takes it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use fieldcase_core::ids::EvidenceId;
use fieldcase_core::upload::EvidenceVerdict;
use fieldcase_storage::columns::record_text;

use super::{SqliteStore, changes, evidence, evidence_blobs, evidence_custody, uploads};
use crate::store::{
    CustodyEntry, EvidenceBlob, HeldEvidence, Lease, Leasing, Progress, Result, StoreError, UploadRecord, UploadState,
    UploadStore,
};

#[async_trait]
impl UploadStore for SqliteStore {
    async fn held_evidence(&self, id: EvidenceId) -> Result<Option<HeldEvidence>> {
        self.read(move |c| evidence::held(c, id)).await
    }

    async fn create_upload(&self, upload: UploadRecord, created: CustodyEntry) -> Result<()> {
        self.write(move |tx| {
            uploads::insert(tx, &upload)?;
            evidence_custody::append(tx, &created)
        })
        .await
    }

    async fn upload(&self, id: String) -> Result<Option<UploadRecord>> {
        self.read(move |c| uploads::get(c, &id)).await
    }

    // Leases and progress are written without waiting for the disk: a crash may take them
    // back, and then a lease lapses and the client sends the last chunks again.
    async fn lease_upload(&self, id: String, lease: Lease, now: DateTime<Utc>) -> Result<Leasing> {
        self.write_unsynced(move |tx| {
            let Some(mut upload) = uploads::get(tx, &id)? else { return Ok(Leasing::Missing) };
            if !crate::uploads::may_lease(&upload, &lease.holder, now) {
                return Ok(Leasing::Held(upload));
            }
            uploads::set_lease(tx, &id, Some(&lease))?;
            upload.lease = Some(lease);
            Ok(Leasing::Taken(upload))
        })
        .await
    }

    async fn renew_lease(&self, id: String, holder: String, until: DateTime<Utc>) -> Result<bool> {
        self.write_unsynced(move |tx| uploads::renew_lease(tx, &id, &holder, until)).await
    }

    async fn advance_upload(&self, id: String, holder: String, progress: Progress) -> Result<bool> {
        self.write_unsynced(move |tx| uploads::advance(tx, &id, &holder, &progress)).await
    }

    async fn release_lease(&self, id: String, holder: String) -> Result<()> {
        self.write_unsynced(move |tx| uploads::release_lease(tx, &id, &holder)).await
    }

    async fn complete_upload(
        &self,
        blob: EvidenceBlob,
        verdict: EvidenceVerdict,
        custody: Vec<CustodyEntry>,
    ) -> Result<()> {
        self.write(move |tx| {
            if !uploads::close(tx, &blob.upload_id, UploadState::Completed)? {
                return Err(StoreError::Other(format!(
                    "upload {} was no longer open when it completed",
                    blob.upload_id
                )));
            }
            evidence_blobs::insert(tx, &blob)?;
            for entry in &custody {
                evidence_custody::append(tx, entry)?;
            }
            let record = record_text(&verdict)?;
            let kind = changes::Kind::EvidenceVerdict;
            let reader = Some(verdict.device_id);
            changes::append_for(tx, kind, &verdict.evidence_id.to_string(), &record, verdict.decided_at, reader)
        })
        .await
    }

    async fn end_upload(&self, id: String, state: UploadState, entry: CustodyEntry) -> Result<bool> {
        self.write(move |tx| {
            if !uploads::close(tx, &id, state)? {
                return Ok(false);
            }
            evidence_custody::append(tx, &entry)?;
            Ok(true)
        })
        .await
    }

    async fn evidence_blobs(&self) -> Result<Vec<EvidenceBlob>> {
        self.read(evidence_blobs::all).await
    }

    async fn evidence_custody(&self, evidence: EvidenceId) -> Result<Vec<CustodyEntry>> {
        self.read(move |c| evidence_custody::of_evidence(c, evidence)).await
    }
}
