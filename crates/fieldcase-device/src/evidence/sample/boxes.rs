//! Byte writers for the ISO base media boxes a recorder's MP4/MOV starts with, and for a WAV.

use chrono::{DateTime, Utc};

/// Seconds from 1904-01-01 (the ISO base media epoch) to 1970-01-01.
const EPOCH_1904_TO_UNIX: i64 = 2_082_844_800;

/// A box: its 32-bit size, its type, its body.
pub fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let size = u32::try_from(body.len() + 8).expect("sample boxes are small");
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(&size.to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

/// `ftyp` with `brand` as the major brand, compatible with itself and `isom`.
pub fn ftyp(brand: &[u8; 4]) -> Vec<u8> {
    let mut body = brand.to_vec();
    body.extend_from_slice(&0x200u32.to_be_bytes());
    body.extend_from_slice(brand);
    body.extend_from_slice(b"isom");
    boxed(b"ftyp", &body)
}

/// `moov` holding an `mvhd` of `version` 0 (32-bit times) or 1 (64-bit), created (and
/// modified) at `created`, lasting `duration` units of `timescale` per second, and an
/// empty user-data box after it, as recorders write their own tags there.
pub fn moov(version: u8, created: DateTime<Utc>, duration: u64, timescale: u32) -> Vec<u8> {
    let since_1904 = u64::try_from(created.timestamp() + EPOCH_1904_TO_UNIX).unwrap_or(0);
    let mut body = vec![version, 0, 0, 0];
    if version == 1 {
        body.extend_from_slice(&since_1904.to_be_bytes());
        body.extend_from_slice(&since_1904.to_be_bytes());
        body.extend_from_slice(&timescale.to_be_bytes());
        body.extend_from_slice(&duration.to_be_bytes());
    } else {
        let t = u32::try_from(since_1904).unwrap_or(0);
        body.extend_from_slice(&t.to_be_bytes());
        body.extend_from_slice(&t.to_be_bytes());
        body.extend_from_slice(&timescale.to_be_bytes());
        body.extend_from_slice(&u32::try_from(duration).unwrap_or(u32::MAX).to_be_bytes());
    }
    body.extend_from_slice(&0x0001_0000u32.to_be_bytes()); // rate 1.0
    body.extend_from_slice(&0x0100u16.to_be_bytes()); // volume 1.0
    body.extend_from_slice(&[0; 10]); // reserved
    for m in [0x0001_0000u32, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
        body.extend_from_slice(&m.to_be_bytes()); // the identity matrix
    }
    body.extend_from_slice(&[0; 24]); // pre-defined
    body.extend_from_slice(&2u32.to_be_bytes()); // next track id
    let mut moov = boxed(b"mvhd", &body);
    moov.extend(boxed(b"udta", &[]));
    boxed(b"moov", &moov)
}

/// `mdat` holding `media`.
pub fn mdat(media: &[u8]) -> Vec<u8> {
    boxed(b"mdat", media)
}

/// A PCM WAV file, mono, 16-bit, at `rate` samples per second, holding `samples`.
pub fn wav(rate: u32, samples: &[i16]) -> Vec<u8> {
    let data_len = u32::try_from(samples.len() * 2).expect("sample audio is short");
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes()); // bytes per second
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}
