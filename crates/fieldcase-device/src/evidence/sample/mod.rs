//! A recorder folder, generated: what a body cam's USB drive holds after a morning's
//! inspection, for tests, the desktop end-to-end test and demo data. Every file is made
//! here byte by byte, and [`SampleManifest`] says what an import must make of each.
//!
//! The session: 2026-12-01, 09:30 to 10:30 Beijing time, recordings back to back but for
//! one break of eight minutes (09:57 to 10:05), longer than the five-minute gap limit.

pub mod boxes;
pub mod exif;

use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use fieldcase_core::time::beijing;

use super::{CaptureSource, CaptureTime, MediaKind};

/// What the folder holds and what an import must make of it.
#[derive(Debug, Clone)]
pub struct SampleManifest {
    pub root: PathBuf,
    pub entries: Vec<SampleEntry>,
    /// The breaks between consecutive recordings longer than five minutes: (end of one,
    /// start of the next).
    pub gaps_over_five_minutes: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleEntry {
    /// The path relative to the folder.
    pub relative: PathBuf,
    pub expected: Expected,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// Media, with the capture time it must be read with.
    Media { kind: MediaKind, capture: Option<CaptureTime> },
    /// Skipped by a scan, for this reason.
    Skipped(ExpectedSkip),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedSkip {
    NotMedia,
    Empty,
    NotRegularFile,
}

impl SampleManifest {
    /// The media files, in the order a scan lists them.
    pub fn media(&self) -> impl Iterator<Item = (&Path, MediaKind, Option<&CaptureTime>)> {
        self.entries.iter().filter_map(|e| match &e.expected {
            Expected::Media { kind, capture } => Some((e.relative.as_path(), *kind, capture.as_ref())),
            Expected::Skipped(_) => None,
        })
    }

    /// The files a scan skips, with why.
    pub fn skipped(&self) -> impl Iterator<Item = (&Path, ExpectedSkip)> {
        self.entries.iter().filter_map(|e| match e.expected {
            Expected::Skipped(why) => Some((e.relative.as_path(), why)),
            Expected::Media { .. } => None,
        })
    }
}

/// Beijing wall-clock time on the session's day.
fn at(hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    beijing().with_ymd_and_hms(2026, 12, 1, hour, minute, second).single().expect("a valid time").with_timezone(&Utc)
}

/// Media bytes that are the same on every run (so hashes in demo data stay put) and differ
/// from file to file.
fn media(seed: u32, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

/// A recording: `mvhd` says it started at `start` (0 = the recorder's clock was unset) and
/// lasted `minutes`.
struct Clip {
    relative: &'static str,
    brand: &'static [u8; 4],
    version: u8,
    start: Option<DateTime<Utc>>,
    minutes: i64,
    moov_last: bool,
}

/// A recording's bytes as a body cam writes them: `mvhd` says it started at `start` (None:
/// the recorder's clock was unset, which the box gives as 1904) and lasted `seconds`; 48 KB
/// of media made from `seed`, after the `moov` box or, as some recorders write, before it.
pub fn recording(
    brand: &[u8; 4],
    version: u8,
    start: Option<DateTime<Utc>>,
    seconds: u64,
    seed: u32,
    moov_last: bool,
) -> Vec<u8> {
    // Times as the box holds them: whole seconds; an unset clock is 1904 (0).
    let created = start.unwrap_or(DateTime::<Utc>::from_timestamp(-2_082_844_800, 0).expect("1904"));
    let moov = boxes::moov(version, created, seconds * 90_000, 90_000);
    let mdat = boxes::mdat(&media(seed, 48 << 10));
    let mut bytes = boxes::ftyp(brand);
    if moov_last {
        bytes.extend(mdat);
        bytes.extend(moov);
    } else {
        bytes.extend(moov);
        bytes.extend(mdat);
    }
    bytes
}

/// Writes the sample recorder folder into `dir` (which may exist) and says what it holds.
pub fn write_recorder_folder(dir: &Path) -> io::Result<SampleManifest> {
    let mut entries = Vec::new();
    let write = |relative: &str, bytes: &[u8]| -> io::Result<PathBuf> {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, bytes)?;
        Ok(PathBuf::from(relative))
    };

    let clips = [
        Clip {
            relative: "DCIM/100MEDIA/ZFY_A0123_JC0107_20261201093000.MP4",
            brand: b"isom",
            version: 0,
            start: Some(at(9, 30, 0)),
            minutes: 12,
            moov_last: false,
        },
        Clip {
            relative: "DCIM/100MEDIA/ZFY_A0123_JC0107_20261201094300.MP4",
            brand: b"mp42",
            version: 1,
            start: Some(at(9, 43, 0)),
            minutes: 10,
            moov_last: false,
        },
        // The recorder lost its clock (mvhd says 1904): the name is all there is to go on.
        Clip {
            relative: "DCIM/100MEDIA/ZFY_A0123_JC0107_20261201095400.MP4",
            brand: b"avc1",
            version: 0,
            start: None,
            minutes: 3,
            moov_last: false,
        },
        Clip {
            relative: "DCIM/100MEDIA/ZFY_A0123_JC0107_20261201100500.MP4",
            brand: b"mp42",
            version: 0,
            start: Some(at(10, 5, 0)),
            minutes: 15,
            moov_last: true,
        },
        // A brand no table lists, with a name that says nothing.
        Clip {
            relative: "DCIM/101MEDIA/CLIP0005.MOV",
            brand: b"ZFYv",
            version: 0,
            start: Some(at(10, 21, 0)),
            minutes: 9,
            moov_last: false,
        },
    ];
    for (n, clip) in clips.iter().enumerate() {
        let duration_ms = clip.minutes as u64 * 60_000;
        let bytes = recording(clip.brand, clip.version, clip.start, clip.minutes as u64 * 60, n as u32, clip.moov_last);
        let start = clip.start.unwrap_or(at(9, 54, 0));
        let capture = CaptureTime {
            start,
            end: Some(start + TimeDelta::milliseconds(duration_ms as i64)),
            source: if clip.start.is_some() { CaptureSource::Mvhd } else { CaptureSource::FileName },
            duration_ms: Some(duration_ms),
        };
        let relative = write(clip.relative, &bytes)?;
        entries.push(SampleEntry {
            relative,
            expected: Expected::Media { kind: MediaKind::Video, capture: Some(capture) },
        });
    }

    let photo = |start: DateTime<Utc>, source| Expected::Media {
        kind: MediaKind::Photo,
        capture: Some(CaptureTime { start, end: None, source, duration_ms: None }),
    };
    let photos = [
        // Local time, no offset: Beijing time is assumed.
        (
            "DCIM/100MEDIA/IMG_0001.JPG",
            exif::jpeg(320, 240, 1, Some("2026:12:01 09:35:12"), None),
            photo(at(9, 35, 12), CaptureSource::Exif),
        ),
        // A camera set to UTC+9 says so: 11:12:45 there is 10:12:45 in Beijing.
        (
            "DCIM/100MEDIA/IMG_0002.JPG",
            exif::jpeg(240, 320, 2, Some("2026:12:01 11:12:45"), Some("+09:00")),
            photo(at(10, 12, 45), CaptureSource::Exif),
        ),
        // No EXIF: the name's timestamp.
        (
            "PHOTO/IMG_20261201_095500.jpg",
            exif::jpeg(160, 120, 3, None, None),
            photo(at(9, 55, 0), CaptureSource::FileName),
        ),
    ];
    for (relative, bytes, expected) in photos {
        entries.push(SampleEntry { relative: write(relative, &bytes)?, expected });
    }

    let tone: Vec<i16> = (0..8000).map(|i| (((i as f64) * 0.2).sin() * 8000.0) as i16).collect();
    let audio = at(10, 15, 0);
    entries.push(SampleEntry {
        relative: write("AUDIO/DSJ_A0123_20261201101500.WAV", &boxes::wav(8000, &tone))?,
        expected: Expected::Media {
            kind: MediaKind::Audio,
            capture: Some(CaptureTime { start: audio, end: None, source: CaptureSource::FileName, duration_ms: None }),
        },
    });

    let skipped = [
        ("notes.txt", b"site: Jinqiao decoration project, east gate\n".to_vec(), ExpectedSkip::NotMedia),
        ("DCIM/100MEDIA/.MP4", b"not a video, whatever the name says\n".to_vec(), ExpectedSkip::NotMedia),
        ("SYSTEM/device.bin", media(99, 512), ExpectedSkip::NotMedia),
        ("DCIM/100MEDIA/ZFY_A0123_JC0107_20261201103000.MP4", Vec::new(), ExpectedSkip::Empty),
    ];
    for (relative, bytes, why) in skipped {
        entries.push(SampleEntry { relative: write(relative, &bytes)?, expected: Expected::Skipped(why) });
    }
    #[cfg(unix)]
    {
        // Links are not followed: this one would import the first clip a second time.
        let link = dir.join("LATEST.MP4");
        if link.symlink_metadata().is_err() {
            std::os::unix::fs::symlink("DCIM/100MEDIA/ZFY_A0123_JC0107_20261201093000.MP4", &link)?;
        }
        entries.push(SampleEntry {
            relative: "LATEST.MP4".into(),
            expected: Expected::Skipped(ExpectedSkip::NotRegularFile),
        });
    }

    entries.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(SampleManifest { root: dir.to_owned(), entries, gaps_over_five_minutes: vec![(at(9, 57, 0), at(10, 5, 0))] })
}
