//! [`UploadStore`] on PostgreSQL: each call one transaction. Whether a lease may be taken is
//! decided by [`crate::uploads::may_lease`] with the upload's row locked, so two processes
//! asking at once are answered one after the other.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use fieldcase_core::ids::EvidenceId;
use fieldcase_core::upload::EvidenceVerdict;
use fieldcase_storage::columns::record_text;

use super::feed::{self, Kind};
use super::{PostgresStore, upload_rows as rows};
use crate::store::{
    CustodyEntry, EvidenceBlob, HeldEvidence, Lease, Leasing, Progress, Result, StoreError, UploadRecord, UploadState,
    UploadStore,
};

#[async_trait]
impl UploadStore for PostgresStore {
    async fn held_evidence(&self, id: EvidenceId) -> Result<Option<HeldEvidence>> {
        self.run(move |l| l.block(rows::held_evidence(l.tx, id))).await
    }

    async fn create_upload(&self, upload: UploadRecord, created: CustodyEntry) -> Result<()> {
        self.run(move |l| {
            l.block(rows::insert_upload(l.tx, &upload))?;
            l.block(rows::append_custody(l.tx, &created))
        })
        .await
    }

    async fn upload(&self, id: String) -> Result<Option<UploadRecord>> {
        self.run(move |l| l.block(rows::upload_row(l.tx, &id, false))).await
    }

    // Leases and progress are committed without waiting for the disk: a crash may take them
    // back, and then a lease lapses and the client sends the last chunks again.
    async fn lease_upload(&self, id: String, lease: Lease, now: DateTime<Utc>) -> Result<Leasing> {
        self.run_unsynced(move |l| {
            let Some(mut upload) = l.block(rows::upload_row(l.tx, &id, true))? else { return Ok(Leasing::Missing) };
            if !crate::uploads::may_lease(&upload, &lease.holder, now) {
                return Ok(Leasing::Held(upload));
            }
            l.block(rows::set_lease(l.tx, &id, &lease))?;
            upload.lease = Some(lease);
            Ok(Leasing::Taken(upload))
        })
        .await
    }

    async fn renew_lease(&self, id: String, holder: String, until: DateTime<Utc>) -> Result<bool> {
        self.run_unsynced(move |l| l.block(rows::renew_lease(l.tx, &id, &holder, until))).await
    }

    async fn advance_upload(&self, id: String, holder: String, progress: Progress) -> Result<bool> {
        self.run_unsynced(move |l| l.block(rows::advance(l.tx, &id, &holder, &progress))).await
    }

    async fn release_lease(&self, id: String, holder: String) -> Result<()> {
        self.run_unsynced(move |l| l.block(rows::release_lease(l.tx, &id, &holder))).await
    }

    async fn complete_upload(
        &self,
        blob: EvidenceBlob,
        verdict: EvidenceVerdict,
        custody: Vec<CustodyEntry>,
    ) -> Result<()> {
        self.run(move |l| {
            if !l.block(rows::close(l.tx, &blob.upload_id, UploadState::Completed))? {
                return Err(StoreError::Other(format!(
                    "upload {} was no longer open when it completed",
                    blob.upload_id
                )));
            }
            l.block(rows::insert_blob(l.tx, &blob))?;
            for entry in &custody {
                l.block(rows::append_custody(l.tx, entry))?;
            }
            let record = record_text(&verdict)?;
            let id = verdict.evidence_id.to_string();
            l.block(feed::append(
                l.tx,
                Kind::EvidenceVerdict,
                &id,
                &record,
                verdict.decided_at,
                Some(verdict.device_id),
            ))
        })
        .await
    }

    async fn end_upload(&self, id: String, state: UploadState, entry: CustodyEntry) -> Result<bool> {
        self.run(move |l| {
            if !l.block(rows::close(l.tx, &id, state))? {
                return Ok(false);
            }
            l.block(rows::append_custody(l.tx, &entry))?;
            Ok(true)
        })
        .await
    }

    async fn evidence_blobs(&self) -> Result<Vec<EvidenceBlob>> {
        self.run(|l| l.block(rows::blobs(l.tx))).await
    }

    async fn evidence_custody(&self, evidence: EvidenceId) -> Result<Vec<CustodyEntry>> {
        self.run(move |l| l.block(rows::custody_of(l.tx, evidence))).await
    }
}
