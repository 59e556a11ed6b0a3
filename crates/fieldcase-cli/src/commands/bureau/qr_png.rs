//! A certificate card's QR code written as a PNG file.

use fieldcase_core::ErrorCode;
use std::path::Path;

use qrcode::{Color, EcLevel, QrCode};

use crate::output::Failure;

/// A QR code as a greyscale PNG: 8 pixels a module, with the four-module quiet zone readers need.
pub(super) fn write_qr_png(text: &str, out: &Path) -> Result<(), Failure> {
    let fail = |message: String| Failure { exit: 1, code: ErrorCode::QrFailed, message };
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| fail(format!("the credential does not fit a QR code: {e}")))?;
    const SCALE: usize = 8;
    const QUIET: usize = 4;
    let modules = code.width();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color != Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + QUIET, i / modules + QUIET);
        for y in my * SCALE..(my + 1) * SCALE {
            pixels[y * side + mx * SCALE..y * side + (mx + 1) * SCALE].fill(0);
        }
    }
    let file = std::fs::File::create(out).map_err(|e| fail(format!("cannot write {}: {e}", out.display())))?;
    let side = u32::try_from(side).map_err(|_| fail("the QR code is too large".into()))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let png_fail = |e: png::EncodingError| fail(format!("cannot write {}: {e}", out.display()));
    let mut writer = encoder.write_header().map_err(png_fail)?;
    writer.write_image_data(&pixels).map_err(png_fail)?;
    writer.finish().map_err(png_fail)
}
