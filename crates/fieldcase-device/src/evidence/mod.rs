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
mod usage;
mod vault;

pub use capture::{CaptureTime, read_capture_time};
pub use detect::{describe, detect};
pub use scan::{Candidate, Scan, SkipReason, Skipped, scan};
pub use thumbnail::{ThumbnailError, thumbnail_jpeg};
pub use usage::{VaultUsage, vault_usage};
pub use vault::{ImportError, Stored, Vault};

/// The kinds of media and sources of capture times are part of the records (core), where
/// evidence references carry them.
pub use fieldcase_core::evidence::{CaptureSource, MediaKind};
