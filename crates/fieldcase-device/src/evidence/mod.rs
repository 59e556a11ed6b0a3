//! The evidence engine: what a recorder folder holds, when each file was captured, and a
//! content-addressed vault that copies and hashes each file in one read.
//!
//! No database here: the records side (`Device`) decides which inspection a file belongs to
//! and writes the references; this module only finds, dates, stores and re-checks bytes.

mod capture;
mod detect;
mod mvhd;
mod pump;
pub mod sample;
mod scan;
mod thumbnail;
mod vault;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use capture::{CaptureTime, read_capture_time};
pub use detect::{describe, detect};
pub use scan::{Candidate, Scan, SkipReason, Skipped, scan};
pub use thumbnail::{ThumbnailError, thumbnail_jpeg};
pub use vault::{ImportError, Stored, Vault};

/// What a file holds, as its content says (never its extension).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MediaKind {
    Video,
    Audio,
    Photo,
}

/// Where a capture time was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CaptureSource {
    /// The `mvhd` box of an MP4/MOV file: creation time and duration.
    Mvhd,
    /// A photo's EXIF `DateTimeOriginal`.
    Exif,
    /// A timestamp in the file's name: a hint, used only when the content says nothing.
    FileName,
}
