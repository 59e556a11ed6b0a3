use chrono::{Duration, TimeZone, Utc};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::{DeviceId, EvidenceId};
use fieldcase_core::upload::VerdictOutcome;

use super::hashing::{ChunkChecksum, FileHasher};
use super::*;
use crate::blobs::StagedState;
use crate::store::Lease;

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, minute, 0).unwrap()
}

fn device(n: u128) -> DeviceId {
    format!("0190f3a2-1b2c-7d4e-8f00-{n:012}").parse().unwrap()
}

fn upload(state: UploadState) -> UploadRecord {
    UploadRecord {
        id: "0123abcd".into(),
        device_id: device(1),
        evidence_id: "0190f3a2-1b2c-7d4e-8f00-999999999999".parse::<EvidenceId>().unwrap(),
        length: 100,
        offset: 40,
        hasher: FileHasher::default().state(),
        staged: StagedState::default(),
        state,
        created_at: at(0),
        expires_at: at(30),
        lease: None,
    }
}

fn held(size: u64) -> HeldEvidence {
    HeldEvidence {
        evidence_id: "0190f3a2-1b2c-7d4e-8f00-999999999999".parse::<EvidenceId>().unwrap(),
        device_id: device(1),
        sha256: ContentHash::of_bytes(b"file"),
        size,
    }
}

#[test]
fn only_the_pushing_device_may_upload_a_file_of_the_pushed_size() {
    assert!(admit(Some(held(4)), device(1), 4).is_ok());
    assert!(matches!(admit(None, device(1), 4), Err(UploadRefusal::EvidenceUnknown(_))));
    assert!(
        matches!(admit(Some(held(4)), device(2), 4), Err(UploadRefusal::EvidenceUnknown(_))),
        "another device's evidence is as unknown"
    );
    assert!(matches!(admit(Some(held(4)), device(1), 5), Err(UploadRefusal::SizeDiffers(_))));
}

#[test]
fn an_upload_is_written_by_its_device_while_open_and_fresh() {
    assert!(writable(Some(upload(UploadState::Open)), "x", device(1), at(10)).is_ok());
    assert!(matches!(
        writable(Some(upload(UploadState::Open)), "x", device(2), at(10)),
        Err(UploadRefusal::Missing(_))
    ));
    assert!(matches!(writable(None, "x", device(1), at(10)), Err(UploadRefusal::Missing(_))));
    assert!(matches!(
        writable(Some(upload(UploadState::Open)), "x", device(1), at(30)),
        Err(UploadRefusal::Gone { why: "expired", .. })
    ));
    assert!(matches!(
        writable(Some(upload(UploadState::Terminated)), "x", device(1), at(1)),
        Err(UploadRefusal::Gone { .. })
    ));
    assert!(is_expired(&upload(UploadState::Open), at(31)));
    assert!(!is_expired(&upload(UploadState::Completed), at(31)), "a completed upload does not expire");
}

#[test]
fn a_chunk_starts_where_the_upload_stands() {
    assert_eq!(check_offset(&upload(UploadState::Open), 40), Ok(()));
    assert_eq!(
        check_offset(&upload(UploadState::Open), 0),
        Err(UploadRefusal::OffsetMismatch { current: 40, claimed: 0 })
    );
}

#[test]
fn one_lease_at_a_time_until_it_runs_out() {
    let mut leased = upload(UploadState::Open);
    assert!(may_lease(&leased, "a", at(1)));
    leased.lease = Some(Lease { holder: "a".into(), until: at(3) });
    assert!(!may_lease(&leased, "b", at(2)), "another request waits");
    assert!(may_lease(&leased, "a", at(2)), "the holder keeps it");
    assert!(may_lease(&leased, "b", at(3)), "a lease whose request died runs out");
    assert!(LEASE_TERM > Duration::from_std(LEASE_RENEWAL).unwrap() * 2, "renewed well before it runs out");
}

#[test]
fn only_the_reference_hash_and_size_verify() {
    let reference = held(4);
    assert_eq!(verdict(&reference, &ContentHash::of_bytes(b"file"), 4), VerdictOutcome::Verified);
    assert_eq!(verdict(&reference, &ContentHash::of_bytes(b"fil3"), 4), VerdictOutcome::Mismatch);
    assert_eq!(verdict(&reference, &ContentHash::of_bytes(b"file"), 5), VerdictOutcome::Mismatch);
}

#[test]
fn the_file_hash_resumes_from_its_kept_state() {
    let mut first = FileHasher::default();
    first.update(b"hello ");
    let kept = first.state();
    let mut resumed = FileHasher::restore(&kept).expect("a kept state restores");
    resumed.update(b"world");
    assert_eq!(resumed.finish(), ContentHash::of_bytes(b"hello world"));
    assert!(FileHasher::restore(b"not a state").is_none());
}

#[test]
fn checksums_in_sha256_and_sha1_are_read_and_checked() {
    use base64::Engine;
    let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
    let sha256 = format!("sha256 {}", b64(ContentHash::of_bytes(b"chunk").as_bytes()));
    let checksum = ChunkChecksum::parse(&sha256).unwrap();
    let mut hasher = checksum.hasher();
    hasher.update(b"chunk");
    assert!(hasher.matches(&checksum));
    let mut other = checksum.hasher();
    other.update(b"chunK");
    assert!(!other.matches(&checksum), "a flipped byte does not match");
    // sha1("abc") = a9993e36…
    let sha1 = format!("sha1 {}", b64(&hex::decode("a9993e364706816aba3e25717850c26c9cd0d89d").unwrap()));
    let checksum = ChunkChecksum::parse(&sha1).unwrap();
    let mut hasher = checksum.hasher();
    hasher.update(b"abc");
    assert!(hasher.matches(&checksum));
    assert!(ChunkChecksum::parse("md5 AAAA").unwrap_err().contains("md5"));
    assert!(ChunkChecksum::parse("sha256 !!!").is_err());
    assert!(ChunkChecksum::parse("sha256 AAAA").is_err(), "a digest of the wrong length");
}

#[test]
fn metadata_names_an_evidence_id_and_never_a_path() {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let id = "0190f3a2-1b2c-7d4e-8f00-999999999999".parse::<EvidenceId>().unwrap();
    let header = format!(
        "filename {},{METADATA} {}",
        b64("a.mp4"),
        b64(&id.to_string()),
        METADATA = fieldcase_core::upload::METADATA_EVIDENCE_ID
    );
    assert_eq!(evidence_id_from_metadata(Some(&header)), Ok(id));
    for bad in ["../../etc/passwd", "/srv/a.mp4", "C:\\a.mp4"] {
        let header = format!("evidence_id {}", b64(bad));
        let refused = evidence_id_from_metadata(Some(&header)).unwrap_err();
        assert!(refused.to_string().contains("path"), "{bad}: {refused}");
    }
    assert!(evidence_id_from_metadata(None).is_err());
    assert!(evidence_id_from_metadata(Some("evidence_id !!")).is_err());
    assert!(evidence_id_from_metadata(Some(&format!("evidence_id {}", b64("nope")))).is_err());
}
