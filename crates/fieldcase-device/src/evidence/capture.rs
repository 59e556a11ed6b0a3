//! When a file was captured: from its content where it says, else from its name.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use fieldcase_core::time::{beijing, check_instant};
use serde::Serialize;

use super::{CaptureSource, MediaKind, mvhd};

/// A container other than JPEG is read for EXIF only up to this size: kamadak-exif reads a
/// TIFF whole, and a photo is never this large.
const MAX_EXIF_CONTAINER: u64 = 64 << 20;

/// When a recording or photo was taken, and where that was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CaptureTime {
    pub start: DateTime<Utc>,
    /// `start` plus the duration, for recordings whose `mvhd` gives one.
    pub end: Option<DateTime<Utc>>,
    pub source: CaptureSource,
    pub duration_ms: Option<u64>,
}

/// When the file at `path` (of `kind`, from [`super::detect`]) was captured, trying in turn:
///
/// 1. the `mvhd` box of an MP4/MOV (creation time and duration), seeking past the media data;
/// 2. a photo's EXIF `DateTimeOriginal`, with `SubSecTimeOriginal` and `OffsetTimeOriginal`
///    when present. **Without `OffsetTimeOriginal` the time is taken as Beijing time
///    (UTC+08:00)**: cameras write local time, and every officer's camera is in China;
/// 3. a 14-digit timestamp `YYYYMMDDHHMMSS` in the file name (or `YYYYMMDD` and `HHMMSS`
///    with one separator between), taken as Beijing time. Recorders name files in many
///    patterns: a name is a hint, used only when the content says nothing.
///
/// A time outside the years records may hold (an unset clock reads 1904, 1970 or 2000) is
/// no time. `None` when no source gives one, or the file cannot be read.
pub fn read_capture_time(path: &Path, kind: MediaKind) -> Option<CaptureTime> {
    let header = match kind {
        MediaKind::Video | MediaKind::Audio => read_mvhd(path),
        MediaKind::Photo => None,
    };
    let duration_ms = header.and_then(|h| h.duration_ms);
    if let Some(start) = header.and_then(|h| h.created).and_then(plausible) {
        return Some(timed(start, CaptureSource::Mvhd, duration_ms));
    }
    if kind == MediaKind::Photo
        && let Some(start) = read_exif(path)
    {
        return Some(timed(start, CaptureSource::Exif, None));
    }
    // The name gives the start; a movie whose clock was unset still knows how long it ran.
    let start = path.file_name()?.to_str().and_then(timestamp_in_name)?;
    let start = plausible(beijing().from_local_datetime(&start).single()?.with_timezone(&Utc))?;
    Some(timed(start, CaptureSource::FileName, duration_ms))
}

fn timed(start: DateTime<Utc>, source: CaptureSource, duration_ms: Option<u64>) -> CaptureTime {
    let end = duration_ms
        .and_then(|ms| i64::try_from(ms).ok())
        .and_then(TimeDelta::try_milliseconds)
        .and_then(|d| start.checked_add_signed(d));
    CaptureTime { start, end, source, duration_ms: end.and(duration_ms) }
}

/// `at`, if it is a time a record may hold: an unset clock reads 1904, 1970 or the like.
fn plausible(at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    check_instant("capture time", at).ok()
}

fn read_mvhd(path: &Path) -> Option<mvhd::MovieHeader> {
    let mut file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    mvhd::read(&mut file, len).ok()?
}

/// When the photo at `path` was taken, by its EXIF.
fn read_exif(path: &Path) -> Option<DateTime<Utc>> {
    let mut file = File::open(path).ok()?;
    let exif = match jpeg_exif_segment(&mut file) {
        Some(segment) => exif::Reader::new().read_raw(segment).ok()?,
        None => {
            if file.metadata().ok()?.len() > MAX_EXIF_CONTAINER {
                return None;
            }
            file.seek(SeekFrom::Start(0)).ok()?;
            exif::Reader::new().read_from_container(&mut BufReader::new(file)).ok()?
        }
    };
    let ascii = |tag| match exif.get_field(tag, exif::In::PRIMARY).map(|f| &f.value) {
        Some(exif::Value::Ascii(parts)) => parts.first().cloned(),
        _ => None,
    };
    let mut taken = exif::DateTime::from_ascii(&ascii(exif::Tag::DateTimeOriginal)?).ok()?;
    if let Some(subsec) = ascii(exif::Tag::SubSecTimeOriginal) {
        let _ = taken.parse_subsec(&subsec);
    }
    if let Some(offset) = ascii(exif::Tag::OffsetTimeOriginal) {
        let _ = taken.parse_offset(&offset);
    }
    let local = NaiveDate::from_ymd_opt(taken.year.into(), taken.month.into(), taken.day.into())?.and_hms_nano_opt(
        taken.hour.into(),
        taken.minute.into(),
        taken.second.into(),
        taken.nanosecond.unwrap_or(0),
    )?;
    let offset = match taken.offset {
        Some(minutes) => FixedOffset::east_opt(i32::from(minutes) * 60)?,
        None => beijing(),
    };
    plausible(offset.from_local_datetime(&local).single()?.with_timezone(&Utc))
}

/// The EXIF segment of a JPEG file, read segment by segment up to the image data (where
/// EXIF can no longer be), so a JPEG without EXIF is not read to its end.
fn jpeg_exif_segment(file: &mut File) -> Option<Vec<u8>> {
    let mut r = BufReader::new(file);
    let mut two = [0u8; 2];
    r.read_exact(&mut two).ok()?;
    if two != [0xFF, 0xD8] {
        return None;
    }
    loop {
        r.read_exact(&mut two).ok()?;
        if two[0] != 0xFF {
            return None;
        }
        let marker = two[1];
        // Start of scan or end of image: no EXIF before the pixels.
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        r.read_exact(&mut two).ok()?;
        let len = usize::from(u16::from_be_bytes(two)).checked_sub(2)?;
        let mut segment = vec![0; len];
        r.read_exact(&mut segment).ok()?;
        if marker == 0xE1 && segment.starts_with(b"Exif\0\0") {
            segment.drain(..6);
            return Some(segment);
        }
    }
}

/// The first run of exactly 14 digits (`YYYYMMDDHHMMSS`), or of 8 digits, one separator
/// (`_`, `-`, `T` or a space) and 6 digits, that makes a valid date and time.
fn timestamp_in_name(name: &str) -> Option<NaiveDateTime> {
    let b = name.as_bytes();
    let digits_at = |at: usize, n: usize| b.get(at..at + n).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let digit_before = |at: usize| at > 0 && b[at - 1].is_ascii_digit();
    for at in 0..b.len() {
        if digit_before(at) || !digits_at(at, 8) {
            continue;
        }
        let joined = digits_at(at, 14) && !b.get(at + 14).is_some_and(u8::is_ascii_digit);
        let split = b.get(at + 8).is_some_and(|c| matches!(c, b'_' | b'-' | b'T' | b' '))
            && digits_at(at + 9, 6)
            && !b.get(at + 15).is_some_and(u8::is_ascii_digit);
        let text = if joined {
            name.get(at..at + 14)?.to_owned()
        } else if split {
            format!("{}{}", name.get(at..at + 8)?, name.get(at + 9..at + 15)?)
        } else {
            continue;
        };
        if let Ok(t) = NaiveDateTime::parse_from_str(&text, "%Y%m%d%H%M%S") {
            return Some(t);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn timestamps_in_recorder_names() {
        let t = Some(local("2026-12-01 09:30:00"));
        assert_eq!(timestamp_in_name("ZFY_A0123_JC0107_20261201093000.MP4"), t);
        assert_eq!(timestamp_in_name("20261201093000_0001.mp4"), t);
        assert_eq!(timestamp_in_name("IMG_20261201_093000.jpg"), t);
        assert_eq!(timestamp_in_name("DSJ-20261201-093000-A.wav"), t);
    }

    #[test]
    fn names_without_a_valid_timestamp() {
        assert_eq!(timestamp_in_name("MOV_0001.MP4"), None);
        assert_eq!(timestamp_in_name("202612010930001.MP4"), None, "15 digits are not a timestamp");
        assert_eq!(timestamp_in_name("20261341093000.MP4"), None, "month 13");
        assert_eq!(
            timestamp_in_name("id123456789012345_20261201093000.MP4"),
            Some(local("2026-12-01 09:30:00")),
            "a longer run of digits before is skipped"
        );
    }

    #[test]
    fn a_name_is_beijing_time() {
        let got = read_capture_time(Path::new("/nowhere/ZFY_A0123_20261201093000.MP4"), MediaKind::Video).unwrap();
        assert_eq!(got.start, Utc.with_ymd_and_hms(2026, 12, 1, 1, 30, 0).unwrap());
        assert_eq!((got.source, got.end), (CaptureSource::FileName, None));
        let unset = read_capture_time(Path::new("/nowhere/19700101080000.MP4"), MediaKind::Video);
        assert_eq!(unset, None, "an unset clock is no time");
    }
}
