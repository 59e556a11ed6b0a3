//! The record as a PDF: A4, in Chinese or English, with the seal's hash printed and a QR
//! code of it drawn as squares, the CJK font embedded as a subset of the glyphs used.
//!
//! The layout ([`layout`], [`flow`]) is pure and tested without a font; [`font`] finds and
//! reads the font file (the one read from disk); [`writer`] turns pages into bytes.

pub mod flow;
pub mod font;
pub mod labels;
pub mod layout;
pub mod writer;

use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use fieldcase_core::ids::InspectionId;

pub use labels::RecordLang;

use super::RecordSheet;
use crate::{Device, DeviceError, Result};

/// The folder in the data directory where records are saved when no place was chosen.
pub const EXPORTS_DIR: &str = "exports";

/// A record written as a PDF: where, and how big.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ExportedPdf {
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// Writes the record of `sheet` as PDF bytes in the font read from `font_data`.
pub fn render(sheet: &RecordSheet, lang: RecordLang, font_data: &[u8], font_path: &Path) -> Result<Vec<u8>> {
    let font = font::Font::parse(font_data, font_path)?;
    let pages = layout::layout(sheet, lang, &font);
    let title = format!("{} {}", lang.labels().title, sheet.site.name);
    writer::write_pdf(&pages, &font, &title)
        .map_err(|e| DeviceError::Io { path: font_path.to_owned(), detail: e.to_string() })
}

impl Device {
    /// The record of a finalized inspection as PDF bytes; a draft is refused. The font is
    /// found as [`font::locate`] says (`FIELDCASE_CJK_FONT`, else the usual font folders).
    pub fn record_pdf(&self, id: InspectionId, lang: RecordLang) -> Result<Vec<u8>> {
        let sheet = self.record_sheet(id)?;
        let path = font::locate(std::env::var(font::FONT_ENV).ok().as_deref())?;
        let data = std::fs::read(&path).map_err(|e| DeviceError::Io { path: path.clone(), detail: e.to_string() })?;
        render(&sheet, lang, &data, &path)
    }

    /// Writes the record's PDF to `out`, or when none is given to `exports/record-<id>.pdf`
    /// in the data directory.
    pub fn export_record_pdf(&self, id: InspectionId, lang: RecordLang, out: Option<PathBuf>) -> Result<ExportedPdf> {
        let out = match out {
            Some(out) => out,
            None => {
                let dir = self.data_dir().join(EXPORTS_DIR);
                std::fs::create_dir_all(&dir)
                    .map_err(|e| DeviceError::Io { path: dir.clone(), detail: e.to_string() })?;
                dir.join(format!("record-{id}.pdf"))
            }
        };
        let bytes = self.write_record_pdf(id, lang, &out)?;
        Ok(ExportedPdf { path: out.display().to_string(), bytes })
    }

    /// Writes the record's PDF to `out` (made anew, or replaced whole: a half-written file
    /// is never left under the name asked for).
    pub fn write_record_pdf(&self, id: InspectionId, lang: RecordLang, out: &Path) -> Result<u64> {
        let bytes = self.record_pdf(id, lang)?;
        let io = |e: std::io::Error| DeviceError::Io {
            path: out.to_owned(),
            detail: format!("{e}; choose a folder you can write to"),
        };
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "record.pdf".into());
        let partial = out.with_file_name(format!(".{name}.partial"));
        std::fs::write(&partial, &bytes).map_err(io)?;
        std::fs::rename(&partial, out).map_err(io)?;
        Ok(bytes.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pdf_embeds_a_small_font_subset_with_a_unicode_map_and_every_page_laid_out() {
        let path = font::locate(None).expect("fonts-noto-cjk is installed (scripts/install-deps.sh installs it)");
        let data = std::fs::read(&path).unwrap();
        let sheet = layout::tests::sample_sheet();
        let pdf = render(&sheet, RecordLang::Zh, &data, &path).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "a PDF file");
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/ToUnicode"), "searchable text needs a ToUnicode map");
        assert!(text.contains("/Identity-H"));
        let font = font::Font::parse(&data, &path).unwrap();
        let pages = layout::layout(&sheet, RecordLang::Zh, &font).len();
        assert!(text.contains(&format!("/Count {pages}")), "one PDF page for each page laid out ({pages})");
        assert!(pdf.len() < 400_000, "the font is subset, not embedded whole ({} bytes)", pdf.len());
    }
}
