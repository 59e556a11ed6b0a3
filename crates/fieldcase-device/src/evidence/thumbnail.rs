//! Small previews of photos for the evidence panel.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageError, ImageReader, Limits};

/// The largest photo side decoded for a thumbnail (a 200-megapixel phone photo is 16320
/// pixels wide).
pub const MAX_PHOTO_SIDE: u32 = 20_000;
/// What decoding one photo may allocate: bounds memory for a hostile or broken file.
pub const MAX_PHOTO_BYTES: u64 = 512 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ThumbnailError {
    #[error("cannot open {}: {source}", path.display())]
    Open { path: PathBuf, source: std::io::Error },
    #[error(
        "{} is too large to preview (more than {MAX_PHOTO_SIDE} pixels a side or {} MiB decoded); it is imported all the same",
        path.display(),
        MAX_PHOTO_BYTES >> 20
    )]
    TooLarge { path: PathBuf },
    #[error("{} cannot be previewed ({source}); it is imported all the same", path.display())]
    Decode { path: PathBuf, source: ImageError },
}

/// A JPEG no larger than `max_side` on either side showing the photo at `path` upright (as its
/// EXIF orientation says), decoded within [`MAX_PHOTO_SIDE`] and [`MAX_PHOTO_BYTES`].
pub fn thumbnail_jpeg(path: &Path, max_side: u32) -> Result<Vec<u8>, ThumbnailError> {
    let decode_error = |source: ImageError| match source {
        ImageError::Limits(_) => ThumbnailError::TooLarge { path: path.to_owned() },
        source => ThumbnailError::Decode { path: path.to_owned(), source },
    };
    let file = File::open(path).map_err(|source| ThumbnailError::Open { path: path.to_owned(), source })?;
    let mut reader = ImageReader::new(BufReader::new(file))
        .with_guessed_format()
        .map_err(|source| ThumbnailError::Open { path: path.to_owned(), source })?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_PHOTO_SIDE);
    limits.max_image_height = Some(MAX_PHOTO_SIDE);
    limits.max_alloc = Some(MAX_PHOTO_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let orientation = decoder.orientation().map_err(decode_error)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);
    let small = image.thumbnail(max_side.max(1), max_side.max(1)).into_rgb8();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 80).encode_image(&small).map_err(decode_error)?;
    Ok(out)
}
