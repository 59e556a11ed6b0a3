//! The registry copy, certificate checks, trusted time and sign-in, with a real signed
//! registry and real credentials made with a bureau key.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use fieldcase_core::ErrorCode;
use fieldcase_core::certificate::{CertificateStatus, CheckMethod, CheckResult};
use fieldcase_core::ids::OfficerId;
use fieldcase_core::registry::{Credential, CredentialClaims, KeyId, SignedRegistryUpdate};
use fieldcase_core::signing::SecretKey;
use fieldcase_core::wire::{Change, ChangeRecord, PullResponse};
use fieldcase_device::registry::CheckInput;
use fieldcase_device::{Device, ManualClock, OpenMode};

mod common;
use common::{AREA, bureau_key, cert, d, registry};

fn pull(changes: Vec<ChangeRecord>) -> PullResponse {
    common::pull(changes, now())
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    device: Device,
}

/// An enrolled device holding registry version 1, synced at `now()`.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(now()));
    let mut device = Device::open_with_clock(dir.path(), OpenMode::CreateIfMissing, clock.clone()).unwrap();
    common::enroll_with_registry(&mut device);
    Fixture { _dir: dir, clock, device }
}

fn typed(number: &str) -> CheckInput {
    CheckInput::Text { text: number.into(), scanned: false }
}

fn credential(number: &str, key: &SecretKey, until: NaiveDate) -> String {
    Credential::sign(
        CredentialClaims {
            number: number.into(),
            holder: OfficerId::parse("JC-0001").unwrap(),
            holder_name: "officer".into(),
            areas: vec![AREA.into()],
            valid_from: d(2024, 1, 1),
            valid_until: until,
            key_id: KeyId::of(&key.public_key()),
        },
        key,
    )
    .encode()
}

#[test]
fn every_check_result_comes_from_the_registry_and_credentials() {
    let mut f = fixture();
    let cases = [
        ("C-VALID", CheckResult::Valid),
        ("C-EXPIRED", CheckResult::Expired),
        ("C-FUTURE", CheckResult::NotYetValid),
        ("C-SUSPENDED", CheckResult::Suspended),
        ("C-REVOKED", CheckResult::Revoked),
        ("C-NOBODY", CheckResult::Unknown),
        ("C-SAFETY", CheckResult::WrongArea),
    ];
    for (number, expected) in cases {
        let report = f.device.check_certificate(typed(number), None).unwrap();
        assert_eq!(report.result, expected, "{number}");
        assert_eq!(report.registry.version, Some(1));
        assert!(!report.registry.stale);
    }
    let genuine = credential("C-VALID", &bureau_key(), d(2028, 12, 31));
    let report = f.device.check_certificate(CheckInput::Text { text: genuine, scanned: true }, None).unwrap();
    assert_eq!((report.result, report.method), (CheckResult::Valid, CheckMethod::Scanned));
    let revoked = credential("C-REVOKED", &bureau_key(), d(2028, 12, 31));
    assert_eq!(
        f.device.check_certificate(CheckInput::QrImage(revoked), None).unwrap().result,
        CheckResult::Revoked,
        "revocation comes from the registry copy"
    );
    let foreign = credential("C-VALID", &SecretKey::from_seed([7; 32]), d(2028, 12, 31));
    assert_eq!(
        f.device.check_certificate(CheckInput::QrImage(foreign), None).unwrap().result,
        CheckResult::ForeignSignature
    );
    let err = f.device.check_certificate(CheckInput::QrImage("FC1.garbage".into()), None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput, "a garbled code is bad input, not a check: {err}");
}

#[test]
fn a_changed_byte_or_an_older_version_is_refused_and_the_copy_kept() {
    let mut f = fixture();
    let mut tampered = SignedRegistryUpdate::sign(&registry(2), &bureau_key());
    tampered.body = tampered.body.replacen("\"revoked\"", "\"active\"", 1);
    let changes = f.device.apply_changes(&pull(vec![ChangeRecord::Registry(tampered)])).unwrap();
    assert_eq!(changes.refused.len(), 1, "{changes:?}");
    assert_eq!(f.device.registry_status().unwrap().version, Some(1), "the old copy is kept");
    assert_eq!(f.device.check_certificate(typed("C-REVOKED"), None).unwrap().result, CheckResult::Revoked);

    let v3 = SignedRegistryUpdate::sign(&registry(3), &bureau_key());
    assert!(f.device.apply_changes(&pull(vec![ChangeRecord::Registry(v3)])).unwrap().refused.is_empty());
    let replay = SignedRegistryUpdate::sign(&registry(2), &bureau_key());
    let changes = f.device.apply_changes(&pull(vec![ChangeRecord::Registry(replay)])).unwrap();
    assert_eq!(changes.applied, 0, "an older version is never applied: {changes:?}");
    assert!(changes.refused.is_empty(), "a feed pulled again from its start is no error: {changes:?}");
    assert_eq!(f.device.registry_status().unwrap().version, Some(3), "the copy never goes back");

    let foreign = SignedRegistryUpdate::sign(&registry(9), &SecretKey::from_seed([7; 32]));
    assert_eq!(f.device.apply_changes(&pull(vec![ChangeRecord::Registry(foreign)])).unwrap().refused.len(), 1);
    assert_eq!(f.device.registry_status().unwrap().version, Some(3));
    f.device.verify_audit().unwrap();
}

#[test]
fn a_delta_applies_on_the_version_it_names_and_a_gap_asks_for_a_snapshot() {
    let mut f = fixture();
    let mut delta = registry(2);
    delta.from_version = Some(1);
    delta.certificates =
        vec![cert("C-VALID", "JC-0001", CertificateStatus::Revoked, d(2024, 1, 1), d(2028, 12, 31), AREA)];
    delta.officers = vec![];
    f.device
        .apply_changes(&pull(vec![ChangeRecord::Registry(SignedRegistryUpdate::sign(&delta, &bureau_key()))]))
        .unwrap();
    assert_eq!(f.device.check_certificate(typed("C-VALID"), None).unwrap().result, CheckResult::Revoked);
    assert_eq!(
        f.device.check_certificate(typed("C-VALID2"), None).unwrap().result,
        CheckResult::Valid,
        "the rest stays"
    );

    let mut gap = registry(5);
    gap.from_version = Some(4);
    let changes = f
        .device
        .apply_changes(&pull(vec![ChangeRecord::Registry(SignedRegistryUpdate::sign(&gap, &bureau_key()))]))
        .unwrap();
    assert!(changes.needs_snapshot);
}

/// The need for a snapshot is stored with the page that showed it, and only a snapshot
/// settles it; until then the copy is stale, however recently it synced.
#[test]
fn a_snapshot_owed_is_kept_until_a_snapshot_is_applied() {
    let mut f = fixture();
    let mut gap = registry(5);
    gap.from_version = Some(4);
    f.device
        .apply_changes(&pull(vec![ChangeRecord::Registry(SignedRegistryUpdate::sign(&gap, &bureau_key()))]))
        .unwrap();
    assert!(f.device.registry_snapshot_owed().unwrap());
    assert!(f.device.registry_status().unwrap().stale, "a copy known to be behind is not current");

    f.device.apply_changes(&pull(vec![])).unwrap();
    assert!(f.device.registry_snapshot_owed().unwrap(), "a later page does not settle it");
    let foreign = SignedRegistryUpdate::sign(&registry(6), &SecretKey::from_seed([7; 32]));
    assert!(f.device.apply_registry_snapshot(&foreign).is_err());
    assert!(f.device.registry_snapshot_owed().unwrap(), "nor does a snapshot refused");

    // A snapshot at the version held: the copy was the bureau's latest after all.
    f.device.apply_registry_snapshot(&SignedRegistryUpdate::sign(&registry(1), &bureau_key())).unwrap();
    assert!(!f.device.registry_snapshot_owed().unwrap());
    assert!(!f.device.registry_status().unwrap().stale);

    f.device
        .apply_changes(&pull(vec![ChangeRecord::Registry(SignedRegistryUpdate::sign(&gap, &bureau_key()))]))
        .unwrap();
    assert_eq!(f.device.apply_registry_snapshot(&SignedRegistryUpdate::sign(&registry(5), &bureau_key())).unwrap(), 5);
    assert!(!f.device.registry_snapshot_owed().unwrap());
    assert_eq!(f.device.registry_status().unwrap().version, Some(5));
    f.device.verify_audit().unwrap();
}

#[test]
fn a_clock_set_back_a_year_does_not_make_an_expired_certificate_valid() {
    let mut f = fixture();
    assert_eq!(f.device.check_certificate(typed("C-EXPIRED"), None).unwrap().result, CheckResult::Expired);
    f.clock.advance(-Duration::days(365));
    let report = f.device.check_certificate(typed("C-EXPIRED"), None).unwrap();
    assert_eq!(report.result, CheckResult::Expired, "the laptop says 2025, but 2026 has already been seen");
    assert!(report.time.warning.as_deref().is_some_and(|w| w.contains("set back")), "{:?}", report.time);
    assert!(report.time.laptop < report.time.trusted, "both clocks are kept");
}

/// Checks in quick succession do not each write the latest laptop time down; it is written
/// again once the clock has moved on by ten seconds, and a clock set back from there is
/// still held to it.
#[test]
fn the_latest_laptop_time_is_written_down_as_the_clock_moves_on() {
    let mut f = fixture();
    let first = f.device.check_certificate(typed("C-VALID"), None).unwrap().time.laptop;
    f.clock.advance(Duration::seconds(4));
    f.device.check_certificate(typed("C-VALID"), None).unwrap();
    f.clock.advance(Duration::seconds(7));
    let latest = f.device.check_certificate(typed("C-VALID"), None).unwrap().time.laptop;
    assert_eq!(latest - first, Duration::seconds(11));

    f.clock.advance(-Duration::hours(1));
    let report = f.device.check_certificate(typed("C-VALID"), None).unwrap();
    assert!(report.time.warning.as_deref().is_some_and(|w| w.contains("set back")), "{:?}", report.time);
    assert_eq!(report.time.trusted, latest, "the time last written down, not the first");
}

#[test]
fn a_copy_older_than_allowed_still_answers_but_says_it_is_stale() {
    let mut f = fixture();
    f.clock.advance(Duration::days(8));
    let report = f.device.check_certificate(typed("C-VALID"), None).unwrap();
    assert_eq!(report.result, CheckResult::Valid);
    assert!(report.registry.stale);
}

#[test]
fn a_check_on_an_inspection_is_recorded_with_registry_and_both_clocks() {
    let mut f = fixture();
    f.device.sign_in(common::OFFICER.0, common::OFFICER.1).unwrap();
    let site = f
        .device
        .add_site(fieldcase_core::site::NewSite {
            name: "甲".into(),
            uscc: "91350100M000100Y43".into(),
            ..Default::default()
        })
        .unwrap();
    let draft = f.device.new_inspection(site.id, None, None).unwrap();
    f.clock.advance(Duration::minutes(5));
    let report = f.device.check_certificate(typed("C-VALID"), Some(draft.id)).unwrap();
    let check = report.recorded.expect("recorded on the inspection");
    assert_eq!(check.registry_version, 1);
    assert_eq!(check.trusted_time, Some(report.time.trusted));
    assert_eq!(check.checked_at, report.time.laptop);
    assert_eq!(f.device.inspection_detail(draft.id).unwrap().checks.len(), 1);
    // Unknown certificates have no officer to record against; the attempt is audited.
    let report = f.device.check_certificate(typed("C-NOBODY"), Some(draft.id)).unwrap();
    assert!(report.recorded.is_none());
    f.device.verify_audit().unwrap();
}

#[test]
fn sign_in_checks_the_pin_locks_after_five_failures_and_refuses_suspended_officers() {
    let mut f = fixture();
    let err = f.device.sign_in("JC-0005", "246800").unwrap_err();
    assert!(err.to_string().contains("no active enforcement certificate"), "{err}");
    let err = f.device.sign_in("JC-0404", "1").unwrap_err();
    assert!(err.to_string().contains("not in this device's registry"), "{err}");

    for attempt in 1..=4 {
        let err = f.device.sign_in("JC-0001", "000000").unwrap_err();
        assert!(err.to_string().contains("wrong PIN"), "attempt {attempt}: {err}");
    }
    let err = f.device.sign_in("JC-0001", "000000").unwrap_err();
    assert!(err.to_string().contains("locked"), "{err}");
    let err = f.device.sign_in("JC-0001", "135790").unwrap_err();
    assert!(err.to_string().contains("locked"), "even the right PIN waits out the lock: {err}");
    f.clock.advance(Duration::minutes(16));
    let entry = f.device.sign_in("JC-0001", "135790").unwrap();
    assert_eq!(entry.officer.as_str(), "JC-0001");
    assert_eq!(
        f.device.actor().unwrap().to_string(),
        format!("officer:JC-0001@{}", f.device.id()),
        "records are made in the officer's name"
    );
    f.device.sign_out().unwrap();
    assert!(f.device.signed_in().unwrap().is_none());
}

/// Setting the laptop's clock forward does not end a lockout (it holds in time since boot
/// too), and once locked, every wrong PIN locks again at once, for longer.
#[test]
fn a_lockout_survives_a_clock_set_forward_and_each_wrong_pin_after_it_locks_again() {
    let mut f = fixture();
    for _ in 0..5 {
        f.device.sign_in("JC-0001", "000000").unwrap_err();
    }
    f.clock.set_wall_clock(Duration::days(2));
    let err = f.device.sign_in("JC-0001", "135790").unwrap_err();
    assert!(err.to_string().contains("locked"), "a clock set forward must not end the lockout: {err}");

    f.clock.advance(Duration::minutes(16));
    let err = f.device.sign_in("JC-0001", "000000").unwrap_err();
    assert!(err.to_string().contains("locked on this device for 30 minutes"), "one more guess, a longer lock: {err}");
    let err = f.device.sign_in("JC-0001", "135790").unwrap_err();
    assert!(err.to_string().contains("locked"), "{err}");
    f.clock.advance(Duration::minutes(31));
    f.device.sign_in("JC-0001", "135790").expect("the right PIN after the lock");
    f.device.sign_out().unwrap();
    let err = f.device.sign_in("JC-0001", "000000").unwrap_err();
    assert!(err.to_string().contains("4 more attempt"), "a right PIN starts the count afresh: {err}");
}

/// A sign-in ends after the session length (12 hours by default), and as soon as the
/// registry copy shows the officer's certificate suspended or revoked. No record can be made
/// or changed then; what the device does by itself is in the device's name.
#[test]
fn a_sign_in_ends_after_its_length_and_when_the_certificate_is_suspended() {
    let mut f = fixture();
    f.device.sign_in("JC-0001", "135790").unwrap();
    let site = f.device.add_site(fieldcase_core::site::NewSite {
        name: "甲".into(),
        uscc: "91350100M000100Y43".into(),
        ..Default::default()
    });
    let draft = f.device.new_inspection(site.unwrap().id, None, None).unwrap();
    f.clock.advance(Duration::hours(11));
    assert!(f.device.signed_in().unwrap().is_some(), "within the shift");
    f.device.answer(draft.id, "wage_account", "yes").unwrap();
    f.clock.advance(Duration::hours(1) + Duration::minutes(1));
    assert!(f.device.signed_in().unwrap().is_none(), "a sign-in lasts twelve hours");
    assert_eq!(f.device.actor().unwrap().to_string(), format!("device:{}", f.device.id()));
    let entries = f.device.verify_audit().unwrap().entries;
    for refused in [
        f.device.answer(draft.id, "wage_account", "no").map(drop),
        f.device.add_finding(draft.id, "未签劳动合同").map(drop),
        f.device.finalize(draft.id, None).map(drop),
        f.device.new_inspection(draft.site_id, None, None).map(drop),
    ] {
        let err = refused.unwrap_err();
        assert_eq!(err.code(), ErrorCode::SigninRequired, "{err}");
        assert!(err.to_string().contains("fieldcase signin"), "the message says how to sign in: {err}");
    }
    assert_eq!(f.device.verify_audit().unwrap().entries, entries, "nothing was recorded");
    assert_eq!(
        f.device.inspection(draft.id).unwrap().answers.get("wage_account"),
        Some(&fieldcase_core::checklist::AnswerValue::Yes),
        "the answer stands as the officer gave it"
    );

    f.device.set_session_length(Duration::hours(2));
    f.device.sign_in("JC-0001", "135790").unwrap();
    let mut suspended = registry(2);
    suspended.certificates[0].status = CertificateStatus::Suspended;
    let changes = f
        .device
        .apply_changes(&pull(vec![ChangeRecord::Registry(SignedRegistryUpdate::sign(&suspended, &bureau_key()))]))
        .unwrap();
    assert!(changes.refused.is_empty(), "{changes:?}");
    assert!(f.device.signed_in().unwrap().is_none(), "a suspended certificate ends the sign-in at once");
}

/// A site or a checklist in the feed is applied only when a key the device trusts signed it:
/// an unsigned one, one signed by another key, and one altered after signing are refused,
/// and each refusal is in the audit chain.
#[test]
fn a_site_in_the_feed_needs_the_bureau_signature() {
    let mut f = fixture();
    let site = |name: &str, uscc17: &str| fieldcase_core::site::Site {
        id: fieldcase_core::ids::SiteId::generate(now()),
        name: name.into(),
        uscc: fieldcase_core::uscc::Uscc::parse(&fieldcase_core::uscc::with_check_character(uscc17).unwrap()).unwrap(),
        address: None,
        project_name: None,
        general_contractor: None,
        created_at: now(),
    };
    let change = |record| Change::new(1, ChangeRecord::Site(record));
    let answer = |changes: Vec<Change>| {
        let mut p = pull(vec![]);
        p.changes = changes;
        p
    };
    let unsigned = change(site("伪造的工地", "91330106MA2B3C4D5"));
    let foreign = change(site("另一个局的工地", "91330106MA2D5E6F7")).seal(&SecretKey::from_seed([7; 32]));
    let mut altered = change(site("原来的名字", "91330106MA27Q8R9T")).seal(&bureau_key());
    if let ChangeRecord::Site(s) = &mut altered.record {
        s.name = "改过的名字".into();
    }
    let applied = f.device.apply_changes(&answer(vec![unsigned, foreign, altered])).unwrap();
    assert_eq!(applied.applied, 0, "{applied:?}");
    assert_eq!(applied.refused.len(), 3, "{applied:?}");
    assert!(f.device.sites().unwrap().is_empty(), "nothing unsigned reaches the directory");

    let genuine = change(site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5")).seal(&bureau_key());
    assert_eq!(f.device.apply_changes(&answer(vec![genuine])).unwrap().applied, 1);
    assert_eq!(f.device.sites().unwrap().len(), 1);
    f.device.verify_audit().unwrap();
}

/// Guesses made at once from several processes on one data directory each count: the
/// attempt is counted in a transaction before the PIN is checked.
#[test]
fn guesses_in_parallel_each_count_against_the_lockout() {
    let f = fixture();
    let dir = f._dir.path().to_owned();
    let threads: Vec<_> = (0..12)
        .map(|_| {
            let (dir, clock) = (dir.clone(), f.clock.clone());
            std::thread::spawn(move || {
                let mut device = Device::open_with_clock(&dir, OpenMode::MustExist, clock).unwrap();
                device.sign_in("JC-0001", "000000").unwrap_err().to_string()
            })
        })
        .collect();
    let answers: Vec<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let checked = answers.iter().filter(|a| a.starts_with("sign-in refused: wrong PIN")).count();
    assert_eq!(checked, 5, "only five guesses may be checked before the lock: {answers:#?}");
    assert_eq!(answers.iter().filter(|a| a.contains("too many wrong PINs")).count(), 7, "{answers:#?}");
}

#[test]
fn a_qr_code_image_is_read_and_an_image_without_one_is_refused() {
    let text = credential("C-VALID", &bureau_key(), d(2028, 12, 31));
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let image = code.render::<image::Luma<u8>>().min_dimensions(300, 300).build();
    let mut png = Vec::new();
    image::DynamicImage::ImageLuma8(image)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    assert_eq!(fieldcase_device::qr::decode_qr_image(&png).unwrap(), text);

    let blank = image::DynamicImage::ImageLuma8(image::GrayImage::from_pixel(200, 200, image::Luma([255])));
    let mut png = Vec::new();
    blank.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let err = fieldcase_device::qr::decode_qr_image(&png).unwrap_err();
    assert!(err.to_string().contains("no QR code"), "{err}");
    assert!(fieldcase_device::qr::decode_qr_image(b"not an image").is_err());
}

/// 16000×16000 pixels of one colour: a PNG of a few hundred KB that decodes to 256 MB of
/// pixels. Written a row at a time, so the test never holds them either.
fn huge_blank_png() -> Vec<u8> {
    use std::io::Write;
    const SIDE: u32 = 16_000;
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, SIDE, SIDE);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header().unwrap();
    let mut stream = writer.stream_writer().unwrap();
    let row = vec![255u8; SIDE as usize];
    for _ in 0..SIDE {
        stream.write_all(&row).unwrap();
    }
    stream.finish().unwrap();
    writer.finish().unwrap();
    bytes
}

#[test]
fn a_photo_too_large_to_decode_is_refused_from_its_header() {
    let png = huge_blank_png();
    assert!(png.len() < 1024 * 1024, "a small file ({} bytes) with huge dimensions", png.len());
    let err = fieldcase_device::qr::decode_qr_image(&png).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
    let message = err.to_string();
    assert!(
        message.contains("too large") && message.contains("16000×16000") && message.contains("8192×8192"),
        "the officer is told how large this photo is and how large one may be: {message}"
    );
    assert!(message.contains("crop") || message.contains("lower resolution"), "and what to do: {message}");
}

#[test]
fn the_allowed_registry_age_is_configurable_and_checked() {
    use fieldcase_device::registry::max_registry_age;
    assert_eq!(max_registry_age(None).unwrap(), Duration::days(7));
    assert_eq!(max_registry_age(Some("3")).unwrap(), Duration::days(3));
    let err = max_registry_age(Some("soon")).unwrap_err();
    assert!(err.to_string().contains("FIELDCASE_REGISTRY_MAX_AGE_DAYS"), "{err}");
    let mut f = fixture();
    f.device.set_max_registry_age(Duration::days(1));
    f.clock.advance(Duration::days(2));
    assert!(f.device.check_certificate(typed("C-VALID"), None).unwrap().registry.stale);
}
