//! A JPEG photo with an EXIF block, written byte by byte: a little-endian TIFF structure
//! with IFD0 (camera make and model) and the EXIF IFD (`DateTimeOriginal`, and
//! `OffsetTimeOriginal` when given), in an APP1 segment after the start of the image.

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

const ASCII: u16 = 2;
const LONG: u16 = 4;

/// A decodable `width`×`height` JPEG (a shaded pattern seeded by `seed`), with EXIF saying it
/// was taken at `taken` ("YYYY:MM:DD HH:MM:SS", camera local time) and, if given, the
/// offset of that local time ("+09:00"). Without `taken`, no EXIF at all.
pub fn jpeg(width: u32, height: u32, seed: u8, taken: Option<&str>, offset: Option<&str>) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        let s = u32::from(seed);
        Rgb([
            ((x * 255) / width.max(1)) as u8,
            ((y * 255) / height.max(1)) as u8,
            (((x / 16 + y / 16) * 40 + s * 70) % 256) as u8,
        ])
    });
    let mut encoded = Vec::new();
    JpegEncoder::new_with_quality(&mut encoded, 85).encode_image(&image).expect("a JPEG encodes into memory");
    let Some(taken) = taken else { return encoded };
    let tiff = tiff(taken, offset);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&u16::try_from(tiff.len() + 8).expect("the EXIF block is small").to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    // The encoder's own start-of-image marker is already written above.
    out.extend_from_slice(&encoded[2..]);
    out
}

/// One IFD entry: tag, type, count, value bytes.
type Entry = (u16, u16, u32, Vec<u8>);

fn ascii(tag: u16, text: &str) -> Entry {
    let mut bytes = text.as_bytes().to_vec();
    bytes.push(0);
    (tag, ASCII, bytes.len() as u32, bytes)
}

fn tiff(taken: &str, offset: Option<&str>) -> Vec<u8> {
    let mut ifd0 = vec![ascii(0x010F, "ZFY"), ascii(0x0110, "DSJ-A8"), (0x8769, LONG, 1, vec![0; 4])];
    let mut exif = vec![ascii(0x9003, taken)];
    if let Some(offset) = offset {
        exif.push(ascii(0x9011, offset));
    }
    ifd0.sort_by_key(|e| e.0);
    exif.sort_by_key(|e| e.0);
    let exif_at = 8 + ifd_len(&ifd0);
    // The EXIF IFD pointer: where the second IFD starts.
    if let Some(pointer) = ifd0.iter_mut().find(|e| e.0 == 0x8769) {
        pointer.3 = (exif_at as u32).to_le_bytes().to_vec();
    }
    let mut out = b"II*\0".to_vec();
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend(ifd(&ifd0, 8));
    out.extend(ifd(&exif, exif_at));
    out
}

/// Bytes an IFD takes with the values that do not fit in its entries.
fn ifd_len(entries: &[Entry]) -> usize {
    2 + 12 * entries.len() + 4 + entries.iter().map(|e| if e.3.len() > 4 { e.3.len() } else { 0 }).sum::<usize>()
}

/// An IFD starting at `at` in the TIFF structure, its long values right after it.
fn ifd(entries: &[Entry], at: usize) -> Vec<u8> {
    let mut table = (entries.len() as u16).to_le_bytes().to_vec();
    let mut data = Vec::new();
    let data_at = at + 2 + 12 * entries.len() + 4;
    for (tag, kind, count, value) in entries {
        table.extend_from_slice(&tag.to_le_bytes());
        table.extend_from_slice(&kind.to_le_bytes());
        table.extend_from_slice(&count.to_le_bytes());
        if value.len() <= 4 {
            let mut inline = value.clone();
            inline.resize(4, 0);
            table.extend_from_slice(&inline);
        } else {
            table.extend_from_slice(&((data_at + data.len()) as u32).to_le_bytes());
            data.extend_from_slice(value);
        }
    }
    table.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    table.extend(data);
    table
}
