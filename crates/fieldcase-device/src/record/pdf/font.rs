//! The Chinese font the record is printed in: found where fontconfig keeps fonts, read with
//! ttf-parser for glyph ids and advances, and cut down to the glyphs the record uses.
//!
//! Noto Sans CJK (Debian's `fonts-noto-cjk`) comes as a collection (`.ttc`) of CFF fonts;
//! the Simplified Chinese face is picked from it by name. A TrueType font (WenQuanYi) works
//! too, and `FIELDCASE_CJK_FONT` names any other file.

use std::path::{Path, PathBuf};

use ttf_parser::{Face, GlyphId, name_id};

use super::flow::Measure;
use crate::DeviceError;

/// The environment variable naming the font file to use instead of searching.
pub const FONT_ENV: &str = "FIELDCASE_CJK_FONT";

/// File names searched for, best first.
const FONT_FILES: [&str; 6] = [
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "SourceHanSansSC-Regular.otf",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
];

/// Where fontconfig looks on Linux (`/etc/fonts/fonts.conf`), searched a few levels deep.
fn font_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("/usr/share/fonts"), PathBuf::from("/usr/local/share/fonts")];
    if let Some(home) = dirs::home_dir() {
        dirs.push(home.join(".local/share/fonts"));
        dirs.push(home.join(".fonts"));
    }
    dirs
}

/// Finds the font file: `FIELDCASE_CJK_FONT` if set, else the first of [`FONT_FILES`] under
/// the font directories.
pub fn locate(setting: Option<&str>) -> Result<PathBuf, DeviceError> {
    if let Some(path) = setting.map(str::trim).filter(|s| !s.is_empty()) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(DeviceError::Invalid(format!(
                "{FONT_ENV}={} is not a font file; point it at a .ttc, .otf or .ttf file, or unset it to search the usual places",
                path.display()
            )))
        };
    }
    let dirs = font_dirs();
    for name in FONT_FILES {
        for dir in &dirs {
            if let Some(found) = find_file(dir, name, 4) {
                return Ok(found);
            }
        }
    }
    let searched: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    Err(DeviceError::NoFont { searched: searched.join(", ") })
}

fn find_file(dir: &Path, name: &str, depth: u32) -> Option<PathBuf> {
    let candidate = dir.join(name);
    if candidate.is_file() {
        return Some(candidate);
    }
    if depth == 0 {
        return None;
    }
    let mut subdirs: Vec<PathBuf> =
        std::fs::read_dir(dir).ok()?.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    subdirs.sort();
    subdirs.iter().find_map(|d| find_file(d, name, depth - 1))
}

/// A parsed face of the font file, with the outline kind the PDF embeds it as.
#[derive(Debug)]
pub struct Font<'a> {
    pub data: &'a [u8],
    /// Which face of a collection.
    pub index: u32,
    pub face: Face<'a>,
    /// CFF outlines (embedded as CIDFontType0) or TrueType (CIDFontType2).
    pub cff: bool,
    /// The PostScript name, for the PDF's BaseFont.
    pub postscript_name: String,
}

impl<'a> Font<'a> {
    /// Parses `data`, taking the Simplified Chinese face of a collection when it has one.
    pub fn parse(data: &'a [u8], path: &Path) -> Result<Self, DeviceError> {
        let bad = |detail: String| DeviceError::Io {
            path: path.to_owned(),
            detail: format!(
                "{detail}; it is not a font the record can be printed in: install fonts-noto-cjk, or set {FONT_ENV} to another font"
            ),
        };
        let count = ttf_parser::fonts_in_collection(data).unwrap_or(1);
        let mut chosen = None;
        for index in 0..count {
            let face = Face::parse(data, index).map_err(|e| bad(format!("cannot read face {index}: {e}")))?;
            let simplified = name(&face, name_id::FAMILY).is_some_and(|n| n.ends_with(" SC"));
            if chosen.is_none() || simplified {
                chosen = Some((index, face));
            }
            if simplified {
                break;
            }
        }
        let (index, face) = chosen.ok_or_else(|| bad("no face in the file".into()))?;
        if face.glyph_index('中').is_none() {
            return Err(bad("it has no Chinese characters".into()));
        }
        let cff = face.tables().cff.is_some();
        if !cff && face.tables().glyf.is_none() {
            return Err(bad("it has neither CFF nor TrueType outlines".into()));
        }
        let postscript_name = name(&face, name_id::POST_SCRIPT_NAME)
            .map(|n| n.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect())
            .unwrap_or_else(|| "CJKFont".to_owned());
        Ok(Font { data, index, face, cff, postscript_name })
    }

    /// The glyph of a character, `.notdef` (0) when the font has none.
    pub fn glyph(&self, c: char) -> u16 {
        self.face.glyph_index(c).map(|g| g.0).unwrap_or(0)
    }

    /// A glyph's advance in thousandths of the font size, as a PDF's widths are given.
    pub fn advance(&self, glyph: u16) -> f32 {
        let units = self.face.glyph_hor_advance(GlyphId(glyph)).unwrap_or(0);
        f32::from(units) * 1000.0 / f32::from(self.face.units_per_em())
    }

    /// Converts font units to thousandths of the font size.
    pub fn scaled(&self, units: i16) -> f32 {
        f32::from(units) * 1000.0 / f32::from(self.face.units_per_em())
    }
}

impl Measure for Font<'_> {
    fn char_width(&self, c: char, size: f32) -> f32 {
        self.advance(self.glyph(c)) * size / 1000.0
    }
}

fn name(face: &Face<'_>, id: u16) -> Option<String> {
    face.names().into_iter().filter(|n| n.name_id == id).find_map(|n| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_font_named_in_the_environment_that_is_not_there_is_refused_by_name() {
        let err = locate(Some("/nowhere/font.ttc")).unwrap_err().to_string();
        assert!(err.contains(FONT_ENV) && err.contains("/nowhere/font.ttc"), "{err}");
    }

    #[test]
    fn the_installed_noto_cjk_is_found_and_its_simplified_chinese_face_chosen() {
        let path = locate(None).expect("fonts-noto-cjk is installed (scripts/install-deps.sh installs it)");
        let data = std::fs::read(&path).unwrap();
        let font = Font::parse(&data, &path).unwrap();
        assert!(
            font.postscript_name.to_ascii_lowercase().contains("sc") || !path.to_string_lossy().contains("Noto"),
            "{}",
            font.postscript_name
        );
        assert!(font.glyph('笔') != 0 && font.glyph('A') != 0, "Chinese and Latin glyphs are there");
        let zh = font.char_width('中', 10.0);
        assert!((zh - 10.0).abs() < 0.5, "a Chinese character is one em wide, got {zh}");
    }
}
