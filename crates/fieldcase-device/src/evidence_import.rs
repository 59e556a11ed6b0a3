//! Importing a recorder folder into an inspection: each media file read once into the vault
//! (or hashed where it lies), dated, and referenced from the inspection, with progress and
//! cancel; the same bytes are stored once and referenced once per inspection.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde::Serialize;
use ts_rs::TS;

use fieldcase_core::audit::Actor;
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::evidence::{EvidenceRef, MediaKind};
use fieldcase_core::ids::{EvidenceId, InspectionId};
use fieldcase_core::limits::{self, FILE_NAME, FILE_PATH, IDENTIFIER};

use crate::audit::append_audit;
use crate::evidence::{self, ImportError, Vault};
use crate::recorder::officer_of;
use crate::store::evidence_refs;
use crate::{Device, DeviceError, Result, non_empty};

/// The folder beside the database that holds evidence files, named by their SHA-256.
pub const VAULT_DIR: &str = "vault";

/// How an import is made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The body-cam the files come from.
    pub recorder_id: Option<String>,
    /// Record each file where it lies (hashed, not copied).
    pub in_place: bool,
}

/// How far an import has come, for the window and the command line.
#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ImportProgress {
    pub files_done: u32,
    pub files_total: u32,
    #[ts(type = "number")]
    pub bytes_done: u64,
    #[ts(type = "number")]
    pub bytes_total: u64,
    /// Bytes a second so far.
    pub bytes_per_second: f64,
    /// Seconds left at that rate (None before any byte was read).
    pub seconds_left: Option<f64>,
    /// The file being read, relative to the folder.
    pub current: String,
}

/// A file imported now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportedFile {
    pub id: EvidenceId,
    pub path: String,
    pub kind: MediaKind,
    pub sha256: ContentHash,
    #[ts(type = "number")]
    pub size: u64,
}

/// A file the inspection already held (the same bytes), with the reference it has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AlreadyThere {
    pub path: String,
    pub id: EvidenceId,
}

/// A file not imported, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportSummary {
    pub inspection_id: Option<InspectionId>,
    pub imported: Vec<ImportedFile>,
    pub already_there: Vec<AlreadyThere>,
    pub skipped: Vec<SkippedFile>,
    /// Stopped by the officer: the files before stay imported, the one being read left nothing.
    pub cancelled: bool,
}

impl Device {
    /// The evidence vault of this device.
    pub fn vault(&self) -> Result<Vault> {
        let root = self.data_dir.join(VAULT_DIR);
        Vault::open(&root).map_err(|e| DeviceError::Io {
            path: root,
            detail: format!("{e}; the evidence vault cannot be opened: check the data directory can be written"),
        })
    }

    /// Imports every media file under `dir` into a draft. Each file is one transaction: its
    /// reference and audit entry are written once its bytes are safe in the vault, so a
    /// cancel or a full disk leaves no reference without its file and no half file. A file
    /// that cannot be read is named and skipped; the rest go on.
    pub fn import_evidence(
        &mut self,
        inspection: InspectionId,
        dir: &Path,
        options: &ImportOptions,
        progress: &dyn Fn(&ImportProgress),
        cancel: &AtomicBool,
    ) -> Result<ImportSummary> {
        let actor = self.officer_actor()?;
        let recorder_id = non_empty(options.recorder_id.clone());
        limits::check_opt("recorder id", recorder_id.as_deref(), IDENTIFIER)?;
        self.draft(inspection)?;
        let dir = dir.canonicalize().map_err(|e| DeviceError::Io {
            path: dir.to_owned(),
            detail: format!("{e}; give a folder that exists (the recorder mounted as a drive, a card, any folder)"),
        })?;
        let scan = evidence::scan(&dir)
            .map_err(|e| DeviceError::Io { path: dir.clone(), detail: format!("{e}; the folder cannot be read") })?;
        let vault = self.vault()?;
        let mut summary = ImportSummary { inspection_id: Some(inspection), ..Default::default() };
        summary.skipped =
            scan.skipped.iter().map(|s| SkippedFile { path: shown(&s.path), reason: s.reason.to_string() }).collect();

        let mut state = ImportProgress {
            files_total: u32::try_from(scan.files.len()).unwrap_or(u32::MAX),
            bytes_total: scan.files.iter().map(|f| f.size).sum(),
            ..Default::default()
        };
        let started = Instant::now();
        for file in &scan.files {
            if cancel.load(Ordering::Relaxed) {
                summary.cancelled = true;
                break;
            }
            let path = shown(&file.path);
            state.current = file.relative.display().to_string();
            let before = state.bytes_done;
            let stored = {
                let report = |read: u64| {
                    let mut now = state.clone();
                    now.bytes_done = before + read;
                    rate(&mut now, started);
                    progress(&now);
                };
                if options.in_place {
                    Vault::hash_in_place(&file.path, &report, cancel)
                } else {
                    vault.import_copy(&file.path, &report, cancel)
                }
            };
            state.bytes_done = before + file.size;
            state.files_done += 1;
            rate(&mut state, started);
            let stored = match stored {
                Ok(stored) => stored,
                Err(ImportError::Cancelled) => {
                    summary.cancelled = true;
                    break;
                }
                Err(e @ ImportError::Read { .. }) => {
                    summary.skipped.push(SkippedFile { path, reason: e.to_string() });
                    progress(&state);
                    continue;
                }
                Err(e @ (ImportError::DiskFull { .. } | ImportError::Write { .. })) => {
                    let done = summary.imported.len();
                    return Err(DeviceError::Io {
                        path: file.path.clone(),
                        detail: format!(
                            "{e} ({done} file(s) before it were imported and stay; importing the folder again adds only what is missing)"
                        ),
                    });
                }
            };
            progress(&state);
            if let Some(id) = self.read(|c| evidence_refs::by_hash(c, inspection, &stored.sha256.to_hex()))? {
                summary.already_there.push(AlreadyThere { path, id });
                continue;
            }
            let reference = self.reference(inspection, file, &stored, &actor, recorder_id.clone(), options.in_place)?;
            let now = reference.imported_at;
            let payload = serde_json::json!({ "reference": &reference, "newly_stored": stored.newly_stored });
            self.write(|tx| {
                evidence_refs::insert(tx, &reference)?;
                append_audit(tx, now, &actor, "evidence.import", &reference.id.to_string(), &payload)?;
                Ok(())
            })?;
            summary.imported.push(ImportedFile {
                id: reference.id,
                path,
                kind: reference.kind,
                sha256: reference.sha256,
                size: reference.size,
            });
        }
        let now = self.record_time()?;
        let counts = serde_json::json!({
            "folder": shown(&dir),
            "imported": summary.imported.len(),
            "already_there": summary.already_there.len(),
            "skipped": summary.skipped.len(),
            "cancelled": summary.cancelled,
        });
        self.write(|tx| {
            Ok(append_audit(tx, now, &actor, "evidence.import_folder", &inspection.to_string(), &counts)?)
        })?;
        Ok(summary)
    }

    /// The reference for a file just stored.
    fn reference(
        &self,
        inspection: InspectionId,
        file: &evidence::Candidate,
        stored: &evidence::Stored,
        actor: &Actor,
        recorder_id: Option<String>,
        in_place: bool,
    ) -> Result<EvidenceRef> {
        let now = self.record_time()?;
        let original_path = shown(&file.path);
        let original_name = file.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        limits::check("original path", &original_path, FILE_PATH)?;
        limits::check("original name", &original_name, FILE_NAME)?;
        let capture = evidence::read_capture_time(&file.path, file.kind);
        // A time no clock set right could give (a recorder never set, 1970) is not kept:
        // the bureau would refuse the reference for it.
        let sane = |at: chrono::DateTime<chrono::Utc>| fieldcase_core::time::check_instant("capture", at).ok();
        let capture_start = capture.as_ref().and_then(|c| sane(c.start));
        Ok(EvidenceRef {
            id: EvidenceId::generate(now),
            inspection_id: inspection,
            kind: file.kind,
            original_path,
            original_name,
            recorder_id,
            size: stored.size,
            sha256: stored.sha256,
            capture_start,
            capture_end: capture.as_ref().and_then(|c| c.end).and_then(sane).filter(|_| capture_start.is_some()),
            capture_source: capture.filter(|_| capture_start.is_some()).map(|c| c.source),
            officer_id: officer_of(actor),
            imported_at: now,
            in_place,
        })
    }

    /// Where a reference's bytes are: the vault, or where the file lay for one in place.
    pub fn evidence_path(&self, evidence: &EvidenceRef) -> Result<PathBuf> {
        if evidence.in_place {
            return Ok(PathBuf::from(&evidence.original_path));
        }
        Ok(self.vault()?.path_of(&evidence.sha256))
    }
}

fn rate(state: &mut ImportProgress, started: Instant) {
    let seconds = started.elapsed().as_secs_f64();
    if seconds > 0.0 && state.bytes_done > 0 {
        state.bytes_per_second = state.bytes_done as f64 / seconds;
        state.seconds_left = Some(state.bytes_total.saturating_sub(state.bytes_done) as f64 / state.bytes_per_second);
    }
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}
