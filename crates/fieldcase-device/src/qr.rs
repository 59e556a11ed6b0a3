//! Reading a certificate's QR code from a photo or screenshot.
//!
//! A photo's size on disk says little about what it takes to decode: a 16000×16000 image of
//! one colour is a PNG of a few hundred KB and 256 MB of pixels, before the greyscale copy and
//! the QR detector's own. So the decoder is told how large an image may be before it
//! allocates anything, and refuses anything larger. Decoding takes no device lock: callers
//! decode first, then hand the text to the device.

use std::io::Cursor;

use image::{DynamicImage, ImageError, ImageReader, Limits};

use crate::DeviceError;

/// The widest and tallest photo read, in pixels: the full resolution of a 50-megapixel phone
/// camera (8160×6120), with room to spare.
pub const MAX_QR_IMAGE_SIDE: u32 = 8192;

/// The most memory the decoded pixels may take: a 50-megapixel photo in colour (8160×6120,
/// three bytes a pixel, 150 MB); the greyscale copy and the detector take at most as much again.
pub const MAX_QR_IMAGE_BYTES: u64 = 150 * 1024 * 1024;

/// The text of the first QR code found in an image (PNG or JPEG).
pub fn decode_qr_image(bytes: &[u8]) -> Result<String, DeviceError> {
    let image = decode_bounded(bytes)?.into_luma8();
    // A photo's sensor noise and JPEG blocks can spoil single modules of a code that is
    // plainly there; the same image smoothed (a light blur) reads where the sharp one did not.
    let mut outcome = read_grids(&image);
    if matches!(outcome, Grids::Unreadable(_)) {
        let smoothed = image::imageops::blur(&image, 1.2);
        if let Grids::Read(text) = read_grids(&smoothed) {
            outcome = Grids::Read(text);
        }
    }
    match outcome {
        Grids::Read(text) => Ok(text),
        Grids::None => Err(DeviceError::Invalid(
            "no QR code was found in the image; take the photo again, closer, flat and in focus, or type the certificate number".into(),
        )),
        Grids::Unreadable(error) => Err(DeviceError::Invalid(format!(
            "a QR code was found but could not be read ({error}); take the photo again, or type the certificate number"
        ))),
    }
}

/// What the QR detector made of an image.
enum Grids {
    Read(String),
    None,
    /// Found, but no grid decoded; the last decoder error.
    Unreadable(String),
}

fn read_grids(image: &image::GrayImage) -> Grids {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| image.get_pixel(x as u32, y as u32).0[0]);
    let grids = prepared.detect_grids();
    if grids.is_empty() {
        return Grids::None;
    }
    let mut last_error = String::new();
    for grid in grids {
        match grid.decode() {
            Ok((_, text)) => return Grids::Read(text),
            Err(e) => last_error = e.to_string(),
        }
    }
    Grids::Unreadable(last_error)
}

/// [`decode_qr_image`] on a blocking thread of the runtime, for async callers (the window's
/// commands): decoding a photo takes a while, and must hold neither the runtime nor the device.
pub async fn decode_qr_image_async(bytes: Vec<u8>) -> Result<String, DeviceError> {
    tokio::task::spawn_blocking(move || decode_qr_image(&bytes)).await.map_err(|e| {
        DeviceError::Invalid(format!(
            "the image could not be read (the decoder stopped: {e}); use a PNG or JPEG photo or screenshot of the QR code"
        ))
    })?
}

/// Decodes the image within [`MAX_QR_IMAGE_SIDE`] and [`MAX_QR_IMAGE_BYTES`]: the decoder
/// checks the dimensions in the file's header, and what its pixels will take, before it
/// allocates them.
fn decode_bounded(bytes: &[u8]) -> Result<DynamicImage, DeviceError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        DeviceError::Invalid(format!(
            "the image could not be read ({e}); use a PNG or JPEG photo or screenshot of the QR code"
        ))
    };
    let reader = || ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| unreadable(&e));
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_QR_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_QR_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_QR_IMAGE_BYTES);
    let mut bounded = reader()?;
    bounded.limits(limits);
    match bounded.decode() {
        Ok(image) => Ok(image),
        Err(ImageError::Limits(_)) => {
            // The header alone says how large it is; nothing more is decoded to say so.
            let size = reader()?.into_dimensions().map(|(w, h)| format!(" ({w}×{h} pixels)")).unwrap_or_default();
            Err(DeviceError::Invalid(format!(
                "the image is too large to read{size}: a photo of a QR code may be at most \
                 {MAX_QR_IMAGE_SIDE}×{MAX_QR_IMAGE_SIDE} pixels and about 50 megapixels; take it again at a lower \
                 resolution or crop it to the code, or type the certificate number"
            )))
        }
        Err(e) => Err(unreadable(&e)),
    }
}
