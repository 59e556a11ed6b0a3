//! Reading a certificate's QR code from a photo or screenshot.

use crate::DeviceError;

/// The text of the first QR code found in an image (PNG or JPEG).
pub fn decode_qr_image(bytes: &[u8]) -> Result<String, DeviceError> {
    let image = image::load_from_memory(bytes)
        .map_err(|e| {
            DeviceError::Invalid(format!(
                "the image could not be read ({e}); use a PNG or JPEG photo or screenshot of the QR code"
            ))
        })?
        .to_luma8();
    let (w, h) = (image.width() as usize, image.height() as usize);
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| image.get_pixel(x as u32, y as u32).0[0]);
    let grids = prepared.detect_grids();
    if grids.is_empty() {
        return Err(DeviceError::Invalid(
            "no QR code was found in the image; take the photo again, closer, flat and in focus, or type the certificate number".into(),
        ));
    }
    let mut last_error = String::new();
    for grid in grids {
        match grid.decode() {
            Ok((_, text)) => return Ok(text),
            Err(e) => last_error = e.to_string(),
        }
    }
    Err(DeviceError::Invalid(format!(
        "a QR code was found but could not be read ({last_error}); take the photo again, or type the certificate number"
    )))
}
