//! The device's store as an officer and a court rely on it: records kept, seals that hold,
//! an audit chain that tells the truth, bad input refused without harm.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use fieldcase_core::ErrorCode;
use fieldcase_core::certificate::{CheckMethod, CheckResult};
use fieldcase_core::ids::OfficerId;
use fieldcase_core::inspection::{InspectionStatus, Outcome};
use fieldcase_core::limits;
use fieldcase_core::signing::Signed;
use fieldcase_core::site::NewSite;
use fieldcase_device::{DB_FILE, Device, DeviceError, ManualClock, NewCheck, OpenMode};

mod common;

struct Fixture {
    dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    device: Device,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 1, 30, 0).unwrap()));
    let mut device = Device::open_with_clock(dir.path(), OpenMode::CreateIfMissing, clock.clone()).unwrap();
    common::signed_in(&mut device);
    Fixture { dir, clock, device }
}

fn site(device: &mut Device) -> fieldcase_core::site::Site {
    device
        .add_site(NewSite {
            name: "杭州某建设有限公司".into(),
            uscc: "91350100M000100Y43".into(),
            address: Some("西湖区文三路 1 号".into()),
            project_name: Some("文三路安置房项目".into()),
            general_contractor: None,
        })
        .unwrap()
}

/// A draft with every required item answered "yes" and two officers checked.
fn ready_draft(f: &mut Fixture) -> fieldcase_core::inspection::Inspection {
    let site = site(&mut f.device);
    let draft = f.device.new_inspection(site.id, None, Some("项目部".into())).unwrap();
    let template = f.device.templates().unwrap().remove(0);
    for item in template.items.iter().filter(|i| i.required) {
        f.device.answer(draft.id, &item.id, "yes").unwrap();
    }
    for officer in ["JC-0001", "JC-0002"] {
        f.clock.advance(Duration::minutes(1));
        f.device
            .record_check(NewCheck {
                inspection_id: draft.id,
                officer_id: OfficerId::parse(officer).unwrap(),
                certificate_number: format!("3301{officer}"),
                method: CheckMethod::Typed,
                result: CheckResult::Valid,
                registry_version: 1,
                trusted_time: None,
                registry_stale: false,
            })
            .unwrap();
    }
    f.clock.advance(Duration::minutes(30));
    draft
}

#[test]
fn a_finalized_inspection_is_sealed_and_signed() {
    let mut f = fixture();
    let draft = ready_draft(&mut f);
    let sealed = f.device.finalize(draft.id, None).unwrap();
    assert_eq!(sealed.status, InspectionStatus::Finalized);
    let seal = sealed.seal.clone().expect("a finalized inspection carries its seal");
    assert_eq!(seal.content_hash, sealed.content_hash());
    let public_key = f.device.info().public_key.parse::<fieldcase_core::signing::PublicKey>().unwrap();
    assert!(public_key.verify(Signed::Inspection, &seal.content_hash, &seal.signature).is_ok());
    assert_eq!(f.device.inspection(draft.id).unwrap(), sealed, "what is stored is what was sealed");
}

#[test]
fn a_finalized_inspection_cannot_be_changed_through_the_store() {
    let mut f = fixture();
    let draft = ready_draft(&mut f);
    let sealed = f.device.finalize(draft.id, None).unwrap();

    let err = f.device.answer(draft.id, "wage_account", "no").unwrap_err();
    assert_eq!(err.code(), ErrorCode::RuleViolation, "{err}");
    assert!(err.to_string().contains("make a correction"), "{err}");
    assert!(f.device.finalize(draft.id, Some(Outcome::CaseFiled)).is_err());
    assert!(f.device.add_finding(draft.id, "x").is_err());
    assert_eq!(f.device.inspection(draft.id).unwrap(), sealed, "a finalized inspection must not change");
}

#[test]
fn a_raw_sql_update_or_delete_of_a_finalized_inspection_is_refused_by_the_trigger() {
    let mut f = fixture();
    let draft = ready_draft(&mut f);
    let sealed = f.device.finalize(draft.id, None).unwrap();
    drop(f.device);

    let conn = rusqlite::Connection::open(f.dir.path().join(DB_FILE)).unwrap();
    let err = conn
        .execute("UPDATE inspections SET body = replace(body, 'yes', 'no') WHERE id = ?1", [draft.id.to_string()])
        .unwrap_err();
    assert!(err.to_string().contains("immutable"), "{err}");
    let err = conn.execute("DELETE FROM inspections WHERE id = ?1", [draft.id.to_string()]).unwrap_err();
    assert!(err.to_string().contains("immutable"), "{err}");
    for table in ["certificate_checks", "audit_log"] {
        assert!(conn.execute(&format!("DELETE FROM {table}"), []).is_err(), "{table} is append-only");
    }
    drop(conn);

    let device = Device::open(f.dir.path(), OpenMode::MustExist).unwrap();
    assert_eq!(device.inspection(draft.id).unwrap(), sealed);
}

#[test]
fn finalizing_without_two_checked_officers_is_refused_and_changes_nothing() {
    let mut f = fixture();
    let s = site(&mut f.device);
    let draft = f.device.new_inspection(s.id, None, None).unwrap();
    let err = f.device.finalize(draft.id, None).unwrap_err();
    let DeviceError::Rule(violations) = &err else { panic!("expected a rule violation, got {err}") };
    let codes: Vec<_> = violations.0.iter().map(|v| v.code()).collect();
    assert_eq!(codes, ["missing_answers", "too_few_checked_officers"]);
    assert_eq!(f.device.inspection(draft.id).unwrap(), draft, "a refused finalize must leave the draft as it was");
}

#[test]
fn a_correction_supersedes_without_overwriting() {
    let mut f = fixture();
    let draft = ready_draft(&mut f);
    let sealed = f.device.finalize(draft.id, None).unwrap();
    let correction = f.device.correct(draft.id).unwrap();
    assert_eq!(correction.supersedes, Some(draft.id));
    f.device.answer(correction.id, "wage_account", "no").unwrap();
    let deadline = chrono::NaiveDate::from_ymd_opt(2026, 3, 20).unwrap();
    let corrected = f.device.finalize(correction.id, Some(Outcome::RectificationOrder { deadline })).unwrap();
    assert_eq!(corrected.findings.len(), 1);
    assert_eq!(corrected.officer_checks.len(), 2, "the correction rests on the checks made at the inspection");

    assert_eq!(f.device.inspection(draft.id).unwrap(), sealed, "the original must stay as sealed");
    let list = f.device.inspections().unwrap();
    let original = list.iter().find(|s| s.id == draft.id).unwrap();
    assert_eq!(original.superseded_by, Some(correction.id));
    assert!(f.device.correct(draft.id).is_err(), "a version can be corrected once; correct the newest");
}

#[test]
fn every_change_is_in_the_audit_chain_and_it_verifies() {
    let mut f = fixture();
    let draft = ready_draft(&mut f);
    f.device.finalize(draft.id, None).unwrap();
    let report = f.device.verify_audit().unwrap();
    // device, template, enrollment, registry, sign-in, site, inspection, 8 answers, 2 checks, finalize
    assert_eq!(report.entries, 18);
}

#[test]
fn a_restart_keeps_identity_and_records() {
    let mut f = fixture();
    let draft = ready_draft(&mut f);
    let id = f.device.id();
    drop(f.device);
    let device = Device::open(f.dir.path(), OpenMode::MustExist).unwrap();
    assert_eq!(device.id(), id);
    assert_eq!(device.inspection(draft.id).unwrap().answers.len(), 8);
    assert_eq!(device.templates().unwrap().len(), 1, "the shipped template is installed once");
}

#[test]
fn bad_input_is_refused_with_a_message_that_says_how_to_fix_it() {
    let mut f = fixture();
    let entries = f.device.verify_audit().unwrap().entries;
    let s = site(&mut f.device);
    let err = f
        .device
        .add_site(NewSite { name: "甲".into(), uscc: "91350100M000100Y44".into(), ..Default::default() })
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("position 18"), "{err}");
    let err =
        f.device.add_site(NewSite { name: "乙".into(), uscc: s.uscc.to_string(), ..Default::default() }).unwrap_err();
    assert_eq!(err.code(), ErrorCode::DuplicateSite);

    let draft = f.device.new_inspection(s.id, None, None).unwrap();
    let err = f.device.answer(draft.id, "nonexistent", "yes").unwrap_err();
    assert!(err.to_string().contains("wage_account"), "the message lists the valid items: {err}");
    let err = f.device.answer(draft.id, "wage_account", "maybe").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let err = f.device.find_site("91350100M000100Y4").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    // The site and the draft; nothing of what was refused.
    assert_eq!(f.device.verify_audit().unwrap().entries, entries + 2, "refused input leaves no trace");
}

/// Text is held, as it is typed, to the limits the bureau holds a pushed record to: a site
/// name of a few hundred characters is refused naming the field, its length and the limit,
/// and nothing is recorded (no site, no outbox entry, no audit entry); at the limit it is
/// recorded.
#[test]
fn an_over_long_site_name_is_refused_as_it_is_typed_naming_the_field() {
    let mut f = fixture();
    let entries = f.device.verify_audit().unwrap().entries;
    let uscc = "91350100M000100Y43";
    let typed = |name: String| NewSite { name, uscc: uscc.into(), ..Default::default() };

    let err = f.device.add_site(typed(format!("  {}  ", "工".repeat(limits::SITE_NAME + 1)))).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let message = err.to_string();
    assert!(
        message.contains("site name is 301 characters long") && message.contains("limit of 300"),
        "the message names the field, its length and the limit: {message}"
    );
    assert!(!message.contains('工'), "the text is not repeated back: {message}");
    let err = f
        .device
        .add_site(NewSite { address: Some("路".repeat(limits::ADDRESS + 7)), ..typed("甲".into()) })
        .unwrap_err();
    assert!(err.to_string().contains("address is 507 characters long"), "{err}");
    let err = f
        .device
        .add_site(NewSite { project_name: Some("x".repeat(limits::SITE_NAME + 1)), ..typed("甲".into()) })
        .unwrap_err();
    assert!(err.to_string().contains("project name"), "{err}");
    let err = f
        .device
        .add_site(NewSite { general_contractor: Some("x".repeat(limits::SITE_NAME + 1)), ..typed("甲".into()) })
        .unwrap_err();
    assert!(err.to_string().contains("general contractor"), "{err}");
    assert!(f.device.sites().unwrap().is_empty(), "a refused site is not recorded");
    assert_eq!(f.device.verify_audit().unwrap().entries, entries, "nor is it in the audit chain");
    let queued = f.device.next_push_page(100).unwrap().map(|p| p.items).unwrap_or_default();
    assert!(queued.iter().all(|i| i.kind() != fieldcase_core::RecordKind::Site), "nor in the outbox: {queued:?}");

    let at_limit = "😀".repeat(limits::SITE_NAME);
    let site = f.device.add_site(typed(at_limit.clone())).expect("a name at the limit is recorded");
    assert_eq!(site.name, at_limit, "characters are counted, not bytes");
}

/// The officer's other words are held to their limits too: where on the site, a finding, a
/// text answer, a number; the draft stays as it was.
#[test]
fn over_long_inspection_texts_are_refused_naming_the_field() {
    let mut f = fixture();
    let s = site(&mut f.device);
    let err = f.device.new_inspection(s.id, None, Some("楼".repeat(limits::LOCATION + 1))).unwrap_err();
    assert!(err.to_string().contains("location is 301 characters long"), "{err}");
    let draft = f.device.new_inspection(s.id, None, Some("楼".repeat(limits::LOCATION))).unwrap();

    let err = f.device.add_finding(draft.id, &"欠".repeat(limits::FREE_TEXT + 1)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("finding is 5001 characters long"), "{err}");
    let err = f.device.answer(draft.id, "remarks", &"注".repeat(limits::FREE_TEXT + 1)).unwrap_err();
    assert!(err.to_string().contains("the answer to item 'remarks' is 5001 characters long"), "{err}");
    let err = f.device.answer(draft.id, "workers_on_site", &"1".repeat(limits::NUMBER + 1)).unwrap_err();
    assert!(err.to_string().contains("the answer to item 'workers_on_site'"), "{err}");
    let unchanged = f.device.inspection(draft.id).unwrap();
    assert!(unchanged.findings.is_empty() && unchanged.answers.is_empty(), "the draft is as it was: {unchanged:?}");

    f.device.add_finding(draft.id, &"欠".repeat(limits::FREE_TEXT)).expect("a finding at the limit");
    f.device.answer(draft.id, "remarks", &"注".repeat(limits::FREE_TEXT)).expect("an answer at the limit");
}

/// A laptop whose battery ran down wakes in 1970 (or in 2000, or its clock is typed a century
/// ahead): nothing is recorded at such a time, since the bureau would refuse the record, and
/// the officer is told to set the clock.
#[test]
fn a_laptop_clock_outside_the_years_a_record_may_fall_in_records_nothing() {
    let mut f = fixture();
    let draft = ready_draft(&mut f);
    let entries = f.device.verify_audit().unwrap().entries;
    let right = f.device.now();
    for wrong in
        [Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap(), Utc.with_ymd_and_hms(2201, 1, 1, 0, 0, 0).unwrap()]
    {
        f.clock.advance(wrong - right);
        let check = NewCheck {
            inspection_id: draft.id,
            officer_id: OfficerId::parse("JC-0003").unwrap(),
            certificate_number: "3301JC-0003".into(),
            method: CheckMethod::Typed,
            result: CheckResult::Valid,
            registry_version: 1,
            trusted_time: None,
            registry_stale: false,
        };
        let uscc = fieldcase_core::uscc::with_check_character("91330106MA2B3C4D5").unwrap();
        let new_site = NewSite { name: "乙".into(), uscc, ..Default::default() };
        let refusals = [
            f.device.add_site(new_site).unwrap_err(),
            f.device.new_inspection(draft.site_id, None, None).unwrap_err(),
            f.device.answer(draft.id, "wage_account", "no").unwrap_err(),
            f.device.add_finding(draft.id, "工资表缺页").unwrap_err(),
            f.device.record_check(check).unwrap_err(),
            f.device.finalize(draft.id, None).unwrap_err(),
            f.device.sign_out().unwrap_err(),
        ];
        for err in refusals {
            assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
            let message = err.to_string();
            assert!(message.contains("clock") && message.contains("set the laptop's date and time"), "{message}");
        }
        assert_eq!(f.device.verify_audit().unwrap().entries, entries, "a refused change leaves no trace");
        f.clock.advance(right - wrong);
    }
    let sealed = f.device.finalize(draft.id, None).expect("with the clock set right, the work goes on");
    assert_eq!(sealed.ended_at, Some(right));
}

#[test]
fn a_rectification_deadline_outside_the_years_a_record_may_fall_in_is_refused() {
    let mut f = fixture();
    let draft = ready_draft(&mut f);
    let deadline = chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
    let err = f.device.finalize(draft.id, Some(Outcome::RectificationOrder { deadline })).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let message = err.to_string();
    assert!(message.contains("deadline") && message.contains("2200"), "{message}");
    assert_eq!(f.device.inspection(draft.id).unwrap().status, InspectionStatus::Draft, "still a draft");
}

#[test]
fn missing_unwritable_and_damaged_data_are_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let err = Device::open(&dir.path().join("nowhere"), OpenMode::MustExist).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NoData);
    assert!(!dir.path().join("nowhere").exists(), "a read must not create a data directory");

    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let err = Device::open(&file, OpenMode::CreateIfMissing).unwrap_err();
    assert_eq!(err.code(), ErrorCode::DataDirUnusable, "{err}");

    let damaged = dir.path().join("damaged");
    std::fs::create_dir(&damaged).unwrap();
    let garbage = b"this is not a database, but it must survive being opened".repeat(100);
    std::fs::write(damaged.join(DB_FILE), &garbage).unwrap();
    let err = Device::open(&damaged, OpenMode::MustExist).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Damaged, "{err}");
    assert!(err.to_string().contains("nothing was changed"), "{err}");
    assert_eq!(std::fs::read(damaged.join(DB_FILE)).unwrap(), garbage, "a damaged file must be left exactly as it was");
}

#[test]
fn home_sums_up_the_day_as_the_full_list_would() {
    let mut f = fixture();
    let done = ready_draft(&mut f);
    f.device.finalize(done.id, None).unwrap();
    let old = f.device.new_inspection(done.site_id, None, None).unwrap();
    // Two days on, the sealed record is corrected and another inspection begun.
    f.clock.advance(Duration::days(2));
    common::signed_in(&mut f.device);
    let correction = f.device.correct(done.id).unwrap();
    f.device.finalize(correction.id, None).unwrap();
    f.clock.advance(Duration::minutes(5));
    let begun = f.device.new_inspection(done.site_id, None, None).unwrap();

    let home = f.device.home().unwrap();
    let ids = |group: &fieldcase_device::HomeGroup| group.first.iter().map(|s| s.id).collect::<Vec<_>>();
    // A correction keeps the day of the inspection it corrects.
    assert_eq!((ids(&home.today), home.today.count), (vec![begun.id], 1));
    assert_eq!((ids(&home.drafts), home.drafts.count), (vec![begun.id, old.id], 2));
    // Sealed two days ago but corrected since: only the correction is one to look back at.
    assert_eq!((ids(&home.finalized), home.finalized.count), (vec![correction.id], 1));
    // What home shows of each is what the full list says of it.
    assert_eq!(home.latest, f.device.inspections().unwrap());
    assert_eq!(home.total, 4);
}
