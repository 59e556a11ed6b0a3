//! Pages of drawing operations written as a PDF: one Type0 font (Identity-H) over the
//! subset of the CJK font holding exactly the glyphs used, with a ToUnicode map so the
//! text can be searched and copied; QR modules as filled squares; streams deflated.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;

use super::flow::{Op, PAGE_HEIGHT, PAGE_WIDTH, Page};
use super::font::Font;

const FONT_NAME: Name<'static> = Name(b"F1");
const IDENTITY: SystemInfo<'static> = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };

/// Why a PDF could not be written (the font could not be cut down).
#[derive(Debug, thiserror::Error)]
#[error("the font could not be subset for the PDF: {0}")]
pub struct WriteError(String);

/// The glyphs the pages use, renumbered compactly for the subset.
struct Glyphs {
    remapper: GlyphRemapper,
    /// For the ToUnicode map: the character each new glyph id stands for.
    chars: BTreeMap<u16, char>,
}

impl Glyphs {
    fn of(pages: &[Page], font: &Font<'_>) -> Self {
        let mut glyphs = Glyphs { remapper: GlyphRemapper::new(), chars: BTreeMap::new() };
        for op in pages.iter().flat_map(|p| &p.ops) {
            if let Op::Text { text, .. } = op {
                for c in text.chars() {
                    let new = glyphs.remapper.remap(font.glyph(c));
                    glyphs.chars.entry(new).or_insert(c);
                }
            }
        }
        glyphs
    }

    /// The text as two-byte ids of the subset's glyphs (Identity-H).
    fn encode(&self, font: &Font<'_>, text: &str) -> Vec<u8> {
        text.chars().flat_map(|c| self.remapper.get(font.glyph(c)).unwrap_or(0).to_be_bytes()).collect()
    }
}

/// Writes the pages as a PDF titled `title`.
pub fn write_pdf(pages: &[Page], font: &Font<'_>, title: &str) -> Result<Vec<u8>, WriteError> {
    let glyphs = Glyphs::of(pages, font);
    let subset = subsetter::subset(font.data, font.index, &glyphs.remapper).map_err(|e| WriteError(e.to_string()))?;

    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        next += 1;
        Ref::new(next - 1)
    };
    let (catalog, tree, info) = (alloc(), alloc(), alloc());
    let (type0, cid, descriptor, file, cmap) = (alloc(), alloc(), alloc(), alloc(), alloc());
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    pdf.catalog(catalog).pages(tree);
    pdf.document_info(info).title(TextStr(title)).producer(TextStr("fieldcase"));
    pdf.pages(tree).kids(page_ids.iter().map(|(page, _)| *page)).count(pages.len() as i32);
    for (page, (page_id, content_id)) in pages.iter().zip(&page_ids) {
        let mut writer = pdf.page(*page_id);
        writer.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        writer.parent(tree);
        writer.contents(*content_id);
        writer.resources().fonts().pair(FONT_NAME, type0);
        writer.finish();
        let content = deflate(&draw(page, &glyphs, font));
        pdf.stream(*content_id, &content).filter(Filter::FlateDecode);
    }

    // A subset's name starts with six capitals that differ between subsets.
    let tag: String = glyphs
        .chars
        .keys()
        .fold(0u32, |h, g| h.wrapping_mul(31).wrapping_add(u32::from(*g)))
        .to_string()
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(6)
        .map(|b| char::from(b'A' + (b - b'0')))
        .collect();
    let base_font = format!("{tag}+{}", font.postscript_name);

    pdf.type0_font(type0)
        .base_font(Name(base_font.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap);
    let mut cid_font = pdf.cid_font(cid);
    cid_font
        .subtype(if font.cff { CidFontType::Type0 } else { CidFontType::Type2 })
        .base_font(Name(base_font.as_bytes()))
        .system_info(IDENTITY)
        .font_descriptor(descriptor)
        .default_width(0.0);
    if !font.cff {
        cid_font.cid_to_gid_map_predefined(Name(b"Identity"));
    }
    let widths: Vec<f32> = glyphs.remapper.remapped_gids().map(|old| font.advance(old)).collect();
    cid_font.widths().consecutive(0, widths);
    cid_font.finish();

    let face = &font.face;
    let bbox = face.global_bounding_box();
    let mut descriptor_writer = pdf.font_descriptor(descriptor);
    descriptor_writer
        .name(Name(base_font.as_bytes()))
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            font.scaled(bbox.x_min),
            font.scaled(bbox.y_min),
            font.scaled(bbox.x_max),
            font.scaled(bbox.y_max),
        ))
        .italic_angle(0.0)
        .ascent(font.scaled(face.ascender()))
        .descent(font.scaled(face.descender()))
        .cap_height(font.scaled(face.capital_height().unwrap_or(face.ascender())))
        .stem_v(80.0);
    if font.cff {
        descriptor_writer.font_file3(file);
    } else {
        descriptor_writer.font_file2(file);
    }
    descriptor_writer.finish();

    // A CFF font goes in bare (FontFile3, CIDFontType0C); a TrueType one whole.
    let program = if font.cff { cff_table(&subset)? } else { subset };
    let program = deflate(&program);
    let mut stream = pdf.stream(file, &program);
    stream.filter(Filter::FlateDecode);
    if font.cff {
        stream.pair(Name(b"Subtype"), Name(b"CIDFontType0C"));
    }
    stream.finish();

    let mut unicode = UnicodeCmap::new(Name(b"Adobe-Identity-UCS"), IDENTITY);
    for (glyph, c) in &glyphs.chars {
        unicode.pair(*glyph, *c);
    }
    let unicode = deflate(&unicode.finish());
    pdf.cmap(cmap, &unicode).name(Name(b"Adobe-Identity-UCS")).system_info(IDENTITY).filter(Filter::FlateDecode);

    Ok(pdf.finish())
}

/// The content stream of one page.
fn draw(page: &Page, glyphs: &Glyphs, font: &Font<'_>) -> Vec<u8> {
    let mut content = Content::new();
    content.set_line_width(0.6);
    for op in &page.ops {
        match op {
            Op::Text { x, y, size, text } => {
                content.begin_text();
                content.set_font(FONT_NAME, *size);
                content.set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, *y]);
                content.show(Str(&glyphs.encode(font, text)));
                content.end_text();
            }
            Op::Line { x1, y1, x2, y2 } => {
                content.move_to(*x1, *y1).line_to(*x2, *y2).stroke();
            }
            Op::Qr { x, y, side, modules, dark } => {
                let module = side / *modules as f32;
                for (row, cells) in dark.chunks(*modules).enumerate() {
                    let top = y + side - row as f32 * module;
                    let mut col = 0;
                    while col < cells.len() {
                        if !cells[col] {
                            col += 1;
                            continue;
                        }
                        let start = col;
                        while col < cells.len() && cells[col] {
                            col += 1;
                        }
                        // A run of dark modules as one square strip, a hair taller so
                        // rows touch without a seam when rendered.
                        let (w, h) = ((col - start) as f32 * module, module + 0.05);
                        content.rect(x + start as f32 * module, top - module - 0.05, w, h);
                    }
                }
                content.fill_nonzero();
            }
        }
    }
    content.finish().into_vec()
}

/// The `CFF ` table of an OpenType font.
fn cff_table(font: &[u8]) -> Result<Vec<u8>, WriteError> {
    let raw = ttf_parser::RawFace::parse(font, 0).map_err(|e| WriteError(e.to_string()))?;
    raw.table(ttf_parser::Tag::from_bytes(b"CFF "))
        .map(<[u8]>::to_vec)
        .ok_or_else(|| WriteError("the subset has no CFF table".into()))
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}
