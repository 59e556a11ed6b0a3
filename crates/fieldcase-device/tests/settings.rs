//! The settings an officer changes in the window: how long a sign-in lasts (enforced by the
//! device, kept across restarts, changed only by a signed-in officer and in the audit chain),
//! the bureau's address, and the window's language.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use fieldcase_core::ErrorCode;
use fieldcase_device::preferences::Language;
use fieldcase_device::{DB_FILE, Device, ManualClock, OpenMode};

mod common;
use common::OFFICER;

fn open(dir: &Path, clock: &Arc<ManualClock>) -> Device {
    Device::open_with_clock(dir, OpenMode::CreateIfMissing, clock.clone()).unwrap()
}

fn last_action(dir: &Path) -> (String, String) {
    let conn = rusqlite::Connection::open(dir.join(DB_FILE)).unwrap();
    conn.query_row("SELECT action, subject FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .unwrap()
}

#[test]
fn a_shorter_sign_in_chosen_in_the_settings_ends_the_sign_in_and_holds_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()));
    let mut device = open(dir.path(), &clock);
    common::enroll_with_registry(&mut device);
    assert_eq!(device.settings().unwrap().session_hours, 12, "a shift by default");

    // Only a signed-in officer chooses it.
    let err = device.set_session_hours(2).unwrap_err();
    assert_eq!(err.code(), ErrorCode::SigninRequired, "{err}");
    device.sign_in(OFFICER.0, OFFICER.1).unwrap();
    for refused in [0, 13] {
        let err = device.set_session_hours(refused).unwrap_err();
        assert!(err.to_string().contains("1 to 12 hours"), "the message says the range: {err}");
    }
    device.set_session_hours(2).unwrap();
    assert_eq!(
        last_action(dir.path()),
        ("device.session_hours".into(), "2".into()),
        "the change is in the audit chain"
    );
    assert_eq!(device.settings().unwrap().session_hours, 2);

    // Kept in the store: a restart (or the command line) keeps it, and the device enforces it.
    drop(device);
    let mut device = open(dir.path(), &clock);
    assert_eq!(device.settings().unwrap().session_hours, 2);
    let site = device
        .add_site(fieldcase_core::site::NewSite {
            name: "甲".into(),
            uscc: "91350100M000100Y43".into(),
            ..Default::default()
        })
        .unwrap();
    let draft = device.new_inspection(site.id, None, None).unwrap();
    clock.advance(Duration::hours(1) + Duration::minutes(59));
    device.answer(draft.id, "wage_account", "yes").expect("within the two hours");
    clock.advance(Duration::minutes(2));
    assert!(device.signed_in().unwrap().is_none(), "the sign-in ended after two hours");
    let err = device.answer(draft.id, "wage_account", "no").unwrap_err();
    assert_eq!(err.code(), ErrorCode::SigninRequired, "no record is made after it: {err}");

    // A length set for this run (as FIELDCASE_SESSION_HOURS does) is not changed from the window.
    device.sign_in(OFFICER.0, OFFICER.1).unwrap();
    device.set_session_length(Duration::hours(8));
    let view = device.settings().unwrap();
    assert!(view.session_hours_fixed && view.session_hours == 8, "{view:?}");
    let err = device.set_session_hours(4).unwrap_err();
    assert!(err.to_string().contains("FIELDCASE_SESSION_HOURS"), "the message names what fixed it: {err}");
    device.verify_audit().unwrap();
}

#[test]
fn the_bureau_address_changes_for_the_next_sync_and_a_bad_one_is_refused_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()));
    let mut device = open(dir.path(), &clock);
    let err = device.set_bureau_url("https://bureau.example.cn").unwrap_err();
    assert!(err.to_string().contains("not enrolled"), "{err}");
    assert!(device.settings().unwrap().enrollment.is_none());

    common::signed_in(&mut device);
    let before = device.enrollment().unwrap().unwrap().bureau_url;
    for (typed, reason) in [("bureau.example.cn:8443", "https://"), ("ftp://bureau.example.cn", "ftp")] {
        let err = device.set_bureau_url(typed).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(err.to_string().contains(reason), "{err}");
        assert_eq!(device.enrollment().unwrap().unwrap().bureau_url, before, "a refused address changes nothing");
    }
    let kept = device.set_bureau_url(" ｈｔｔｐｓ：／／Bureau2.example.cn:8443/ ").unwrap();
    assert_eq!(kept, "https://bureau2.example.cn:8443");
    let view = device.settings().unwrap();
    let enrollment = view.enrollment.expect("still enrolled");
    assert_eq!(enrollment.bureau_url, kept);
    assert_eq!(device.sync_status().unwrap().bureau_url.as_deref(), Some(kept.as_str()), "the next sync goes there");
    assert_eq!(last_action(dir.path()), ("device.bureau_url".into(), kept.clone()));

    device.sign_out().unwrap();
    let err = device.set_bureau_url("https://bureau3.example.cn").unwrap_err();
    assert_eq!(err.code(), ErrorCode::SigninRequired, "only a signed-in officer moves where records go: {err}");
    device.verify_audit().unwrap();
}

#[test]
fn the_language_is_kept_for_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()));
    let mut device = open(dir.path(), &clock);
    assert_eq!(device.settings().unwrap().language, None, "never chosen: the window's default");
    device.set_language(Language::En).unwrap();
    drop(device);
    let mut device = open(dir.path(), &clock);
    assert_eq!(device.settings().unwrap().language, Some(Language::En));
    device.set_language(Language::ZhCn).unwrap();
    assert_eq!(device.settings().unwrap().language, Some(Language::ZhCn));
}
