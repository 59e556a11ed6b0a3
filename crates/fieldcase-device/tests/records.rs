//! The records list filtered as the records screen asks, the review before finalizing, and a
//! credit code checked as typed.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use fieldcase_core::inspection::{InspectionStatus, Outcome};
use fieldcase_core::rules::RuleViolation;
use fieldcase_core::site::NewSite;
use fieldcase_device::records::{RecordFilter, RecordSync};
use fieldcase_device::sites::{UsccCheck, UsccProblem};
use fieldcase_device::{Device, ManualClock, OpenMode, demo};

mod common;

fn device_at(clock: &Arc<ManualClock>) -> (tempfile::TempDir, Device) {
    let dir = tempfile::tempdir().unwrap();
    let mut device = Device::open_with_clock(dir.path(), OpenMode::CreateIfMissing, clock.clone()).unwrap();
    common::signed_in(&mut device);
    (dir, device)
}

fn new_site(device: &mut Device, name: &str, uscc: &str) -> fieldcase_core::site::Site {
    device.add_site(NewSite { name: name.into(), uscc: uscc.into(), ..Default::default() }).unwrap()
}

#[test]
fn the_records_filter_by_beijing_days_site_status_and_sync_state() {
    // 2026-03-02 09:30 Beijing.
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 1, 30, 0).unwrap()));
    let (_dir, mut device) = device_at(&clock);
    let a = new_site(&mut device, "甲建设有限公司", "91350100M000100Y43");
    let b = new_site(&mut device, "乙建设有限公司", "91110000600037341L");
    let first = device.new_inspection(a.id, None, None).unwrap();
    // 16:30 UTC is already 3 March in Beijing.
    clock.advance(Duration::hours(15));
    // A new day's session.
    device.sign_in(common::OFFICER.0, common::OFFICER.1).unwrap();
    let second = device.new_inspection(b.id, None, None).unwrap();
    demo::answer_all(&mut device, second.id, &[]).unwrap();
    demo::check_two_officers(&mut device, second.id).unwrap();
    device.finalize(second.id, Some(Outcome::NoViolation)).unwrap();
    clock.advance(Duration::days(2));
    device.sign_in(common::OFFICER.0, common::OFFICER.1).unwrap();
    let third = device.new_inspection(a.id, None, None).unwrap();

    let ids = |f: RecordFilter| device.records(&f).unwrap().into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(RecordFilter::default()), vec![third.id, second.id, first.id], "newest first");
    assert_eq!(ids(RecordFilter { site: Some(a.id), ..Default::default() }), vec![third.id, first.id]);
    let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 3, d);
    assert_eq!(ids(RecordFilter { from: day(3), to: day(3), ..Default::default() }), vec![second.id], "a Beijing day");
    assert_eq!(ids(RecordFilter { to: day(2), ..Default::default() }), vec![first.id]);
    assert_eq!(ids(RecordFilter { from: day(3), site: Some(a.id), ..Default::default() }), vec![third.id]);
    assert_eq!(
        ids(RecordFilter { status: Some(InspectionStatus::Draft), ..Default::default() }),
        vec![third.id, first.id]
    );
    assert_eq!(ids(RecordFilter { sync: Some(RecordSync::Waiting), ..Default::default() }), vec![second.id]);
    assert!(ids(RecordFilter { sync: Some(RecordSync::Synced), ..Default::default() }).is_empty());

    let rows = device.records(&RecordFilter::default()).unwrap();
    assert_eq!(rows[1].site_name, "乙建设有限公司");
    assert_eq!((rows[1].status, rows[1].sync), (InspectionStatus::Finalized, RecordSync::Waiting));
    assert_eq!(rows[0].sync, RecordSync::Draft);

    let err = device.records(&RecordFilter { from: day(5), to: day(4), ..Default::default() }).unwrap_err();
    assert!(err.to_string().contains("before it starts"), "{err}");
}

#[test]
fn the_review_lists_what_blocks_finalizing_until_nothing_does() {
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 1, 30, 0).unwrap()));
    let (_dir, mut device) = device_at(&clock);
    let site = new_site(&mut device, "甲建设有限公司", "91350100M000100Y43");
    let draft = device.new_inspection(site.id, None, None).unwrap();

    let blocking = device.review(draft.id, None).unwrap();
    assert!(matches!(blocking[0], RuleViolation::MissingAnswers { ref items } if !items.is_empty()), "{blocking:?}");
    assert!(
        blocking.iter().any(|v| matches!(v, RuleViolation::TooFewCheckedOfficers { officers } if officers.is_empty()))
    );
    // The review records nothing, and finalize refuses on the same rules.
    assert!(device.finalize(draft.id, None).is_err());

    demo::answer_all(&mut device, draft.id, &["wage_account"]).unwrap();
    clock.advance(Duration::minutes(1));
    demo::check_two_officers(&mut device, draft.id).unwrap();
    clock.advance(Duration::minutes(1));
    // A "no" is a finding: an outcome is needed, and "no violation" contradicts it.
    assert_eq!(device.review(draft.id, None).unwrap(), vec![RuleViolation::OutcomeRequired { findings: 1 }]);
    assert_eq!(
        device.review(draft.id, Some(Outcome::NoViolation)).unwrap(),
        vec![RuleViolation::OutcomeContradictsFindings { findings: 1 }]
    );
    assert!(device.review(draft.id, Some(Outcome::CaseFiled)).unwrap().is_empty());
    device.finalize(draft.id, Some(Outcome::CaseFiled)).unwrap();
    assert!(matches!(device.review(draft.id, None).unwrap()[..], [RuleViolation::NotDraft { .. }]));
}

#[test]
fn a_credit_code_is_checked_as_typed_by_the_core_rules() {
    let ok = UsccCheck::of("９１３５ ０１００m０００１００y４３");
    assert_eq!(ok.code.as_deref(), Some("91350100M000100Y43"), "full-width, spaces and lower case are read");
    assert!(ok.problem.is_none());
    assert_eq!(UsccCheck::of("9135").problem, Some(UsccProblem::Length { found: 4 }));
    let wrong = UsccCheck::of("91350100M000100Y44");
    assert_eq!(
        wrong.problem,
        Some(UsccProblem::CheckCharacter { expected: "3".into(), found: "4".into() }),
        "{:?}",
        wrong.message
    );
    assert!(wrong.code.is_none() && wrong.message.is_some());
}
