//! Recognising media by its first bytes.

use super::MediaKind;

/// How many bytes of a file [`detect`] and [`describe`] look at (enough for every signature
/// they know).
pub const HEAD_LEN: usize = 8192;

/// The kind of media `head` (the first bytes of a file, up to [`HEAD_LEN`]) starts, by its
/// content alone. An ISO base media file (MP4, MOV, 3GP, M4A, HEIC) is any file with `ftyp`
/// at offset 4: recorders write brands no table lists, so the brand only tells audio and
/// still images apart from video.
pub fn detect(head: &[u8]) -> Option<MediaKind> {
    if let Some(brand) = ftyp_brand(head) {
        return Some(match &brand {
            b"M4A " | b"M4B " | b"M4P " | b"F4A " | b"F4B " => MediaKind::Audio,
            b"heic" | b"heix" | b"heim" | b"heis" | b"mif1" | b"msf1" | b"avif" | b"avis" => MediaKind::Photo,
            _ => MediaKind::Video,
        });
    }
    let found = infer::get(head)?;
    match found.matcher_type() {
        infer::MatcherType::Video => Some(MediaKind::Video),
        infer::MatcherType::Audio => Some(MediaKind::Audio),
        infer::MatcherType::Image => Some(MediaKind::Photo),
        _ => None,
    }
}

/// What `head` looks like, in words, for a file that is not media: its MIME type when the
/// signature is known, else whether it reads as text.
pub fn describe(head: &[u8]) -> String {
    if let Some(found) = infer::get(head) {
        return found.mime_type().to_owned();
    }
    // A cut in the middle of a multi-byte character at the end of the head is still text.
    let text = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > head.len(),
    };
    if text && !head.contains(&0) { "text".to_owned() } else { "unrecognised binary data".to_owned() }
}

fn ftyp_brand(head: &[u8]) -> Option<[u8; 4]> {
    if head.len() >= 12 && &head[4..8] == b"ftyp" { head[8..12].try_into().ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(brand: &[u8; 4]) -> Vec<u8> {
        let mut b = vec![0, 0, 0, 24];
        b.extend_from_slice(b"ftyp");
        b.extend_from_slice(brand);
        b.extend_from_slice(&[0; 12]);
        b
    }

    #[test]
    fn any_ftyp_is_iso_media_whatever_the_brand() {
        assert_eq!(detect(&ftyp(b"isom")), Some(MediaKind::Video));
        assert_eq!(detect(&ftyp(b"qt  ")), Some(MediaKind::Video));
        assert_eq!(detect(&ftyp(b"ZFY1")), Some(MediaKind::Video), "an unlisted brand is still a movie");
        assert_eq!(detect(&ftyp(b"M4A ")), Some(MediaKind::Audio));
        assert_eq!(detect(&ftyp(b"heic")), Some(MediaKind::Photo));
    }

    #[test]
    fn other_signatures() {
        assert_eq!(detect(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F']), Some(MediaKind::Photo));
        let mut wav = b"RIFF\x24\0\0\0WAVEfmt ".to_vec();
        wav.extend_from_slice(&[0; 16]);
        assert_eq!(detect(&wav), Some(MediaKind::Audio));
        assert_eq!(detect(b"ID3\x03\0\0\0\0\0\0"), Some(MediaKind::Audio));
        assert_eq!(detect(b"hello, this is a note"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn non_media_is_described() {
        assert_eq!(describe(b"meeting notes\n"), "text");
        assert_eq!(describe(b"%PDF-1.7\n"), "application/pdf");
        assert_eq!(describe(&[0, 1, 2, 3, 0xFE]), "unrecognised binary data");
    }
}
