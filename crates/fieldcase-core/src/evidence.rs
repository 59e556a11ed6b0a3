//! Evidence references: what the device knows of a body-cam recording or photo, the checks
//! of a recorder before an inspection, and the manifest a finalized inspection's seal covers.
//! The bytes live in the evidence vault, addressed by their SHA-256; never in the database.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::ContentHash;
use crate::ids::{EvidenceId, InspectionId, OfficerId, RecorderCheckId};

mod timeline;

pub use timeline::{DEFAULT_GAP_MINUTES, Gap, Recording, Timeline, aligned, find_gaps, gap_id, offset_for, timeline};

/// What a file holds, told by its content (magic bytes), never by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MediaKind {
    Video,
    Audio,
    Photo,
}

impl MediaKind {
    /// The kind as it is stored (`video`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Photo => "photo",
        }
    }
}

/// Where a capture time came from: the MP4/MOV `mvhd` box, the photo's EXIF, or a timestamp
/// in the file name (a hint, the weakest of the three).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CaptureSource {
    Mvhd,
    Exif,
    FileName,
}

/// One evidence file bound to one inspection. Append-only: a file imported into two
/// inspections has two references to the one vault file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceRef {
    pub id: EvidenceId,
    pub inspection_id: InspectionId,
    pub kind: MediaKind,
    /// Where the file was on the laptop when it was imported.
    #[cfg_attr(feature = "openapi", schema(max_length = 4096))]
    pub original_path: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 255))]
    pub original_name: String,
    /// The body-cam's id, as the officer gave it at import.
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub recorder_id: Option<String>,
    #[ts(type = "number")]
    pub size: u64,
    pub sha256: ContentHash,
    /// When the recording began and ended, by the recorder's clock (not yet aligned with the
    /// recorder check's offset; see [`aligned`]).
    pub capture_start: Option<DateTime<Utc>>,
    pub capture_end: Option<DateTime<Utc>>,
    /// Which part of the file gave the capture times.
    pub capture_source: Option<CaptureSource>,
    /// The officer signed in when the file was imported.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub officer_id: Option<OfficerId>,
    pub imported_at: DateTime<Utc>,
    /// Recorded where it lies (hashed, not copied into the vault).
    #[serde(default)]
    pub in_place: bool,
}

/// A body-cam checked before an inspection (国办发〔2018〕118号): its battery, its storage,
/// and its clock against trusted time. The offset aligns its recordings with the inspection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecorderCheck {
    pub id: RecorderCheckId,
    pub inspection_id: InspectionId,
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub recorder_id: String,
    /// The time the recorder showed, read as Beijing time as recorders display it.
    pub recorder_shows: DateTime<Utc>,
    /// Trusted time at the check.
    pub trusted_time: DateTime<Utc>,
    /// `recorder_shows - trusted_time`, in seconds: how far ahead the recorder's clock runs.
    #[ts(type = "number")]
    pub offset_seconds: i64,
    #[cfg_attr(feature = "openapi", schema(maximum = 100))]
    pub battery_percent: Option<u8>,
    #[ts(type = "number | null")]
    pub storage_free_mb: Option<u64>,
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub officer_id: Option<OfficerId>,
    /// The laptop's clock at the check.
    pub checked_at: DateTime<Utc>,
}

/// One file as a sealed inspection names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ManifestFile {
    pub id: EvidenceId,
    pub sha256: ContentHash,
    #[ts(type = "number")]
    pub size: u64,
    pub capture_start: Option<DateTime<Utc>>,
    pub capture_end: Option<DateTime<Utc>>,
}

/// The evidence a finalized inspection rests on: every file (by id, hash and size), the
/// recorder checks, and every gap in recording with the reason written for it. Part of the
/// sealed content, so the signature proves which files belong to the inspection.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceManifest {
    /// Ordered by id.
    pub files: Vec<ManifestFile>,
    /// Ordered by id.
    pub recorder_checks: Vec<RecorderCheckId>,
    /// Ordered by start.
    pub gaps: Vec<Gap>,
}

impl EvidenceManifest {
    /// The manifest of these references, checks and gaps, in its one order.
    pub fn of(evidence: &[EvidenceRef], checks: &[RecorderCheck], gaps: &[Gap]) -> Self {
        let mut files: Vec<ManifestFile> = evidence
            .iter()
            .map(|e| ManifestFile {
                id: e.id,
                sha256: e.sha256,
                size: e.size,
                capture_start: e.capture_start,
                capture_end: e.capture_end,
            })
            .collect();
        files.sort_by_key(|f| f.id);
        let mut recorder_checks: Vec<RecorderCheckId> = checks.iter().map(|c| c.id).collect();
        recorder_checks.sort();
        let mut gaps = gaps.to_vec();
        gaps.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
        EvidenceManifest { files, recorder_checks, gaps }
    }

    pub fn file(&self, id: EvidenceId) -> Option<&ManifestFile> {
        self.files.binary_search_by_key(&id, |f| f.id).ok().map(|i| &self.files[i])
    }

    /// Whether a reference is the file the manifest names: same id, hash and size.
    /// `Err` says how it differs.
    pub fn covers(&self, evidence: &EvidenceRef) -> Result<(), ManifestMismatch> {
        let Some(file) = self.file(evidence.id) else {
            return Err(ManifestMismatch::NotListed);
        };
        if file.sha256 != evidence.sha256 || file.size != evidence.size {
            return Err(ManifestMismatch::Differs { sha256: file.sha256, size: file.size });
        }
        Ok(())
    }
}

/// How a reference differs from the sealed manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ManifestMismatch {
    /// The seal does not name the file.
    NotListed,
    /// The seal names it with this hash and size.
    Differs { sha256: ContentHash, size: u64 },
}
