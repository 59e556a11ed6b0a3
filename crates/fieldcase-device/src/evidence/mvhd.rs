//! The movie header (`mvhd`) of an MP4/MOV file: when recording started and how long it
//! lasted. Only box headers are read on the way to it: the media data (`mdat`, gigabytes in
//! a body-cam file) is seeked past, wherever `moov` lies.

use std::io::{self, Read, Seek, SeekFrom};

use chrono::{DateTime, Utc};

/// Seconds from 1904-01-01 (the ISO base media epoch) to 1970-01-01.
const EPOCH_1904_TO_UNIX: i64 = 2_082_844_800;

/// A file with more boxes than this before `moov` is not one a recorder wrote.
const MAX_BOXES: usize = 4096;

/// The longest duration believed: a year.
const MAX_DURATION_MS: u64 = 366 * 24 * 3600 * 1000;

/// What `mvhd` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MovieHeader {
    /// The creation time as written (the format says UTC; many recorders write local time,
    /// which the recorder check's clock offset corrects). `None` when it is 0: a recorder
    /// whose clock was never set.
    pub created: Option<DateTime<Utc>>,
    /// `None` when the file says its duration is unknown.
    pub duration_ms: Option<u64>,
}

/// The movie header of the ISO base media file `r` (of `len` bytes), if it has one that
/// parses. A box that runs past the end of the file or a size that cannot be stops the walk.
pub fn read<R: Read + Seek>(r: &mut R, len: u64) -> io::Result<Option<MovieHeader>> {
    let Some((moov_start, moov_end)) = find_box(r, 0, len, b"moov")? else { return Ok(None) };
    let Some((mvhd_start, mvhd_end)) = find_box(r, moov_start, moov_end, b"mvhd")? else { return Ok(None) };
    // The largest mvhd body: version 1 with its fixed fields (108 bytes).
    let body_len = (mvhd_end - mvhd_start).min(120) as usize;
    let mut body = vec![0; body_len];
    r.seek(SeekFrom::Start(mvhd_start))?;
    r.read_exact(&mut body)?;
    Ok(parse_mvhd(&body))
}

/// The body of the first box of `kind` between `start` and `end`: (first byte after its
/// header, end).
fn find_box<R: Read + Seek>(r: &mut R, start: u64, end: u64, kind: &[u8; 4]) -> io::Result<Option<(u64, u64)>> {
    let mut at = start;
    for _ in 0..MAX_BOXES {
        if end.saturating_sub(at) < 8 {
            return Ok(None);
        }
        r.seek(SeekFrom::Start(at))?;
        let mut header = [0u8; 16];
        r.read_exact(&mut header[..8])?;
        let size32 = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let (size, header_len) = match size32 {
            // The box runs to the end of its parent (a recorder still writing its last mdat).
            0 => (end - at, 8),
            // A 64-bit size follows the type: every mdat over 4 GiB has one.
            1 => {
                if end - at < 16 {
                    return Ok(None);
                }
                r.read_exact(&mut header[8..16])?;
                let large = u64::from_be_bytes(header[8..16].try_into().unwrap_or_default());
                (large, 16)
            }
            n => (u64::from(n), 8),
        };
        if size < header_len || size > end - at {
            return Ok(None);
        }
        if &header[4..8] == kind {
            return Ok(Some((at + header_len, at + size)));
        }
        at += size;
    }
    Ok(None)
}

fn parse_mvhd(body: &[u8]) -> Option<MovieHeader> {
    let be32 = |at: usize| body.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let be64 = |at: usize| body.get(at..at + 8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes);
    let (created, timescale, duration) = match body.first()? {
        0 => {
            let duration = be32(16)?;
            (u64::from(be32(4)?), be32(12)?, (duration != u32::MAX).then_some(u64::from(duration)))
        }
        1 => {
            let duration = be64(24)?;
            (be64(4)?, be32(20)?, (duration != u64::MAX).then_some(duration))
        }
        _ => return None,
    };
    let created = match created {
        0 => None,
        t => Some(DateTime::<Utc>::from_timestamp(i64::try_from(t).ok()? - EPOCH_1904_TO_UNIX, 0)?),
    };
    let duration_ms = match (duration, timescale) {
        (Some(d), ts) if ts > 0 => u64::try_from(u128::from(d) * 1000 / u128::from(ts)).ok(),
        _ => None,
    }
    // A duration of more than a year is a corrupt header, not a recording.
    .filter(|&ms| ms <= MAX_DURATION_MS);
    Some(MovieHeader { created, duration_ms })
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use chrono::TimeZone;

    use super::*;
    use crate::evidence::sample::boxes;

    fn at(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(s, 0).unwrap()
    }

    #[test]
    fn version_0_and_1_read_alike() {
        let when = at(1_796_088_600);
        for version in [0u8, 1] {
            let mut file = boxes::ftyp(b"isom");
            file.extend(boxes::moov(version, when, 90_000 * 125, 90_000));
            file.extend(boxes::mdat(&[7; 100]));
            let got = read(&mut Cursor::new(&file), file.len() as u64).unwrap().unwrap();
            assert_eq!(got, MovieHeader { created: Some(when), duration_ms: Some(125_000) }, "version {version}");
        }
    }

    #[test]
    fn an_unset_clock_keeps_the_duration_and_a_broken_box_gives_nothing() {
        let mut file = boxes::ftyp(b"isom");
        file.extend(boxes::moov(0, at(-EPOCH_1904_TO_UNIX), 3000, 1000));
        let got = read(&mut Cursor::new(&file), file.len() as u64).unwrap();
        assert_eq!(got, Some(MovieHeader { created: None, duration_ms: Some(3000) }));

        let mut cut = boxes::ftyp(b"isom");
        cut.extend(boxes::moov(0, at(1_796_088_600), 1000, 1000));
        cut.truncate(cut.len() - 30);
        assert_eq!(read(&mut Cursor::new(&cut), cut.len() as u64).unwrap(), None, "moov runs past the end");
    }

    /// Counts the bytes read through it.
    struct Counting<R> {
        inner: R,
        read: u64,
    }
    impl<R: Read> Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.read += n as u64;
            Ok(n)
        }
    }
    impl<R: Seek> Seek for Counting<R> {
        fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
            self.inner.seek(pos)
        }
    }

    #[test]
    fn moov_after_a_huge_mdat_is_found_without_reading_the_media() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.mp4");
        let mdat_len: u64 = 5 << 30;
        let when = at(1_796_092_200);
        let mut head = boxes::ftyp(b"mp42");
        head.extend_from_slice(&1u32.to_be_bytes());
        head.extend_from_slice(b"mdat");
        head.extend_from_slice(&(mdat_len + 16).to_be_bytes());
        let moov = boxes::moov(1, when, 600 * 1000, 1000);
        // Sparse: the 5 GiB of media are a hole, so the test costs no disk.
        let file = std::fs::File::create(&path).unwrap();
        std::io::Write::write_all(&mut &file, &head).unwrap();
        let moov_at = head.len() as u64 + mdat_len;
        file.set_len(moov_at).unwrap();
        std::os::unix::fs::FileExt::write_all_at(&file, &moov, moov_at).unwrap();
        let len = file.metadata().unwrap().len();

        let mut counted = Counting { inner: std::fs::File::open(&path).unwrap(), read: 0 };
        let got = read(&mut counted, len).unwrap().unwrap();
        assert_eq!(got, MovieHeader { created: Some(when), duration_ms: Some(600_000) });
        assert!(counted.read < 512, "only box headers and mvhd are read, not the media ({} bytes read)", counted.read);
    }
}
