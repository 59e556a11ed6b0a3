//! What the device records of uploads: each file's state in `evidence_uploads`, and every
//! step an entry of the file's chain of custody (its audit entries, subject the evidence id).

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use fieldcase_core::audit::Actor;
use fieldcase_core::ids::EvidenceId;
use fieldcase_core::upload::{EvidenceVerdict, VerdictOutcome};

use super::{LiveUploads, UploadCounts, UploadItem, UploadState};
use crate::store::evidence_uploads::{self as table, Stored, UploadRow};
use crate::{Device, DeviceError, Result, append_audit};

/// A file the agent is to send, and where its bytes are.
#[derive(Debug, Clone)]
pub(crate) struct ToSend {
    pub row: UploadRow,
    pub path: PathBuf,
}

fn state_of(row: &UploadRow) -> UploadState {
    match row.state {
        None | Some(Stored::Queued) if row.reference_waiting => UploadState::Imported,
        None | Some(Stored::Queued) => UploadState::Queued,
        Some(Stored::Uploading) => UploadState::Uploading,
        Some(Stored::Uploaded) => UploadState::Uploaded,
        Some(Stored::Verified) => UploadState::Verified,
        Some(Stored::Damaged) => UploadState::Damaged,
        Some(Stored::Mismatch) => UploadState::Mismatch,
    }
}

fn item(row: UploadRow, live: &LiveUploads) -> UploadItem {
    let state = state_of(&row);
    let progress = live.of(row.reference.id);
    let size = row.reference.size;
    let sent = match state {
        UploadState::Uploaded | UploadState::Verified => size,
        _ => progress.map_or(row.sent_bytes, |p| p.sent),
    };
    UploadItem {
        evidence_id: row.reference.id,
        inspection_id: row.reference.inspection_id,
        name: row.reference.original_name,
        size,
        state,
        paused: row.paused,
        sent_bytes: sent,
        percent: if size == 0 { 100.0 } else { (sent as f64 * 100.0 / size as f64).min(100.0) },
        bytes_per_second: progress.and_then(|p| p.bytes_per_second),
        seconds_left: progress.and_then(|p| p.seconds_left),
        problem: row.problem,
        safe_to_delete: state == UploadState::Verified,
        verified_at: row.verified_at,
    }
}

impl Device {
    /// Every evidence file's upload, in import order.
    pub fn upload_status(&self) -> Result<Vec<UploadItem>> {
        let rows = self.read(table::list)?;
        Ok(rows.into_iter().map(|row| item(row, &self.live_uploads)).collect())
    }

    /// How many files stand where: what home shows of them.
    pub fn upload_counts(&self) -> Result<UploadCounts> {
        Ok(UploadCounts::of(&self.upload_status()?))
    }

    /// The progress of the file this process is sending (shared with the upload agent).
    pub fn live_uploads(&self) -> LiveUploads {
        self.live_uploads.clone()
    }

    /// How the agent sends, as this device is set up.
    pub fn upload_options(&self) -> super::UploadOptions {
        super::UploadOptions { chunk_bytes: self.upload_chunk_bytes }
    }

    /// Pauses (or resumes) one file, or every file not yet at the bureau; says how many
    /// changed. A paused file is left alone by the agent, from its next chunk on.
    pub fn set_uploads_paused(&mut self, id: Option<EvidenceId>, paused: bool) -> Result<u32> {
        let rows = match id {
            Some(id) => {
                let row = self.read(|c| table::get(c, &id.to_string()))?.ok_or_else(|| DeviceError::NotFound {
                    what: "evidence",
                    id: id.to_string(),
                    hint: "`fieldcase evidence status` lists the evidence files and their uploads",
                })?;
                if !unfinished(&row) {
                    return Err(DeviceError::Invalid(format!(
                        "evidence {id} is {}: there is no upload left to {}",
                        table_state_words(&row),
                        if paused { "pause" } else { "resume" }
                    )));
                }
                vec![row]
            }
            None => self.read(table::list)?.into_iter().filter(unfinished).collect(),
        };
        let (now, actor) = (self.record_time()?, self.actor()?);
        // Not "resume": that is the agent going on from where the bureau got to.
        let action = if paused { "evidence.upload.pause" } else { "evidence.upload.unpause" };
        self.write(|tx| {
            let mut changed = 0;
            for row in rows {
                let id = row.reference.id.to_string();
                if table::set_paused(tx, &id, paused, now)? {
                    append_audit(tx, now, &actor, action, &id, &serde_json::json!({ "sent_bytes": row.sent_bytes }))?;
                    changed += 1;
                }
            }
            Ok(changed)
        })
    }

    /// The next file to send, skipping those this pass already gave up on.
    pub(crate) fn next_upload(&self, skip: &[String]) -> Result<Option<ToSend>> {
        let Some(row) = self.read(|c| table::next_to_send(c, skip))? else { return Ok(None) };
        let path = self.evidence_path(&row.reference)?;
        Ok(Some(ToSend { row, path }))
    }

    /// An upload was opened at the bureau (`resumed_at` None) or found there holding some bytes.
    pub(crate) fn upload_opened(&mut self, id: EvidenceId, url: &str, resumed_at: Option<u64>) -> Result<()> {
        let (now, actor, subject) = (self.record_time()?, self.actor()?, id.to_string());
        self.write(|tx| {
            table::set_state(tx, &subject, Stored::Uploading, None, now)?;
            table::set_progress(tx, &subject, Some(url), resumed_at.unwrap_or(0), now)?;
            let (action, payload) = match resumed_at {
                None => ("evidence.upload.start", serde_json::json!({ "upload": url })),
                Some(offset) => {
                    ("evidence.upload.resume", serde_json::json!({ "upload": url, "bureau_holds": offset }))
                }
            };
            append_audit(tx, now, &actor, action, &subject, &payload)?;
            Ok(())
        })
    }

    /// The bureau now holds `sent` bytes of the open upload; says whether the officer has
    /// paused the file meanwhile (here or from another process).
    pub(crate) fn upload_advanced(&mut self, id: EvidenceId, url: &str, sent: u64) -> Result<bool> {
        let (now, subject) = (self.record_time()?, id.to_string());
        self.write(|tx| {
            table::set_progress(tx, &subject, Some(url), sent, now)?;
            Ok(table::is_paused(tx, &subject)?)
        })
    }

    /// The bureau no longer knows the open upload (it expired there): the next try opens another.
    pub(crate) fn upload_forgotten(&mut self, id: EvidenceId, why: &str) -> Result<()> {
        let (now, actor, subject) = (self.record_time()?, self.actor()?, id.to_string());
        self.write(|tx| {
            table::set_progress(tx, &subject, None, 0, now)?;
            append_audit(tx, now, &actor, "evidence.upload.restart", &subject, &serde_json::json!({ "why": why }))?;
            Ok(())
        })
    }

    /// Every byte is at the bureau; its verdict comes with the next pull.
    pub(crate) fn upload_finished(&mut self, id: EvidenceId, sent: u64) -> Result<()> {
        let (now, actor, subject) = (self.record_time()?, self.actor()?, id.to_string());
        self.write(|tx| {
            table::set_state(tx, &subject, Stored::Uploaded, None, now)?;
            table::set_progress(tx, &subject, None, sent, now)?;
            append_audit(tx, now, &actor, "evidence.upload.complete", &subject, &serde_json::json!({ "bytes": sent }))?;
            Ok(())
        })
    }

    /// The local bytes no longer match the import hash: never to be sent.
    pub(crate) fn upload_damaged(&mut self, id: EvidenceId, problem: &str) -> Result<()> {
        let (now, actor, subject) = (self.record_time()?, self.actor()?, id.to_string());
        self.write(|tx| {
            table::set_state(tx, &subject, Stored::Damaged, Some(problem), now)?;
            table::set_progress(tx, &subject, None, 0, now)?;
            append_audit(tx, now, &actor, "evidence.damaged", &subject, &serde_json::json!({ "problem": problem }))?;
            Ok(())
        })
    }

    /// A failure that leaves the file queued for the next try (None: it went away).
    pub(crate) fn upload_problem(&mut self, id: EvidenceId, problem: Option<&str>) -> Result<()> {
        let now = self.record_time()?;
        self.write(|tx| Ok(table::set_problem(tx, &id.to_string(), problem, now)?))
    }
}

/// Applies the bureau's verdict on one of this device's files, inside the pull's
/// transaction; says whether it changed anything. A verified verdict counts only when the
/// bureau's hash and size are the reference's own: "safe to delete" rests on that.
pub(crate) fn apply_verdict(
    tx: &Connection,
    now: DateTime<Utc>,
    actor: &Actor,
    verdict: &EvidenceVerdict,
) -> Result<bool> {
    let subject = verdict.evidence_id.to_string();
    let Some(row) = table::get(tx, &subject)? else { return Ok(false) };
    if row.state == Some(Stored::Verified) {
        return Ok(false);
    }
    let reference = &row.reference;
    let matches = verdict.outcome == VerdictOutcome::Verified
        && verdict.received_sha256 == reference.sha256
        && verdict.received_bytes == reference.size;
    if matches {
        table::set_state(tx, &subject, Stored::Verified, None, now)?;
        append_audit(tx, now, actor, "evidence.verified", &subject, verdict)?;
    } else {
        let problem = format!(
            "the bureau received {} bytes hashing to {}, not the file imported ({} bytes, {}): it keeps them apart for review; keep the original on the recorder and report it to the bureau",
            verdict.received_bytes, verdict.received_sha256, reference.size, reference.sha256
        );
        table::set_state(tx, &subject, Stored::Mismatch, Some(&problem), now)?;
        append_audit(tx, now, actor, "evidence.mismatch", &subject, verdict)?;
    }
    Ok(true)
}

/// Not yet at the bureau nor refused for good: an upload the officer may pause or resume.
fn unfinished(row: &UploadRow) -> bool {
    matches!(row.state, None | Some(Stored::Queued | Stored::Uploading))
}

fn table_state_words(row: &UploadRow) -> &'static str {
    match row.state {
        Some(Stored::Uploaded) => "uploaded already",
        Some(Stored::Verified) => "verified by the bureau already",
        Some(Stored::Damaged) => "damaged (its bytes changed since import)",
        Some(Stored::Mismatch) => "held apart by the bureau as a mismatch",
        _ => "waiting",
    }
}
