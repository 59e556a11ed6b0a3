//! A draft's checklist as the officer fills it in on the device: notes on items, findings
//! raised from a "no" with the item's legal basis and withdrawn, each change in the audit
//! chain with what it recorded, and nothing recorded for a change that changes nothing.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use fieldcase_core::ErrorCode;
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::certificate::{CheckMethod, CheckResult};
use fieldcase_core::ids::{InspectionId, OfficerId};
use fieldcase_core::inspection::Outcome;
use fieldcase_core::limits;
use fieldcase_core::site::NewSite;
use fieldcase_device::{Device, ManualClock, NewCheck, OpenMode};
use serde_json::json;

mod common;

fn device() -> (tempfile::TempDir, Arc<ManualClock>, Device) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 1, 30, 0).unwrap()));
    let mut device = Device::open_with_clock(dir.path(), OpenMode::CreateIfMissing, clock.clone()).unwrap();
    common::signed_in(&mut device);
    (dir, clock, device)
}

fn draft(device: &mut Device) -> InspectionId {
    let site = device
        .add_site(NewSite {
            name: "杭州某建设有限公司".into(),
            uscc: "91350100M000100Y43".into(),
            ..Default::default()
        })
        .unwrap();
    device.new_inspection(site.id, None, None).unwrap().id
}

/// The actions of the audit entries about `id` after the first `skip`, each with the hash
/// of what it recorded.
fn entries_after(device: &Device, id: InspectionId, skip: usize) -> Vec<(String, ContentHash)> {
    device.inspection_history(id).unwrap().audit.into_iter().skip(skip).map(|e| (e.action, e.payload_hash)).collect()
}

#[test]
fn a_note_is_kept_on_the_draft_with_an_audit_entry_and_saving_it_unchanged_records_nothing() {
    let (_dir, _clock, mut device) = device();
    let id = draft(&mut device);
    let before = device.inspection_history(id).unwrap().audit.len();

    let noted = device.set_item_note(id, "ledgers", " 工资表由劳务公司保管 ").unwrap();
    assert_eq!(noted.notes.get("ledgers").map(String::as_str), Some("工资表由劳务公司保管"));
    device.set_item_note(id, "ledgers", "工资表由劳务公司保管").unwrap();
    device.set_item_note(id, "ledgers", "").unwrap();
    assert!(device.inspection(id).unwrap().notes.is_empty(), "an emptied note is removed");
    assert_eq!(
        entries_after(&device, id, before),
        [
            (
                "inspection.note".to_owned(),
                ContentHash::of(&json!({"item": "ledgers", "note": "工资表由劳务公司保管"}))
            ),
            ("inspection.note".to_owned(), ContentHash::of(&json!({"item": "ledgers", "note": null}))),
        ],
        "one entry per change, none for the note saved again unchanged"
    );

    let err = device.set_item_note(id, "nonexistent", "x").unwrap_err();
    assert_eq!(err.code(), ErrorCode::UnknownItem);
    let err = device.set_item_note(id, "ledgers", &"字".repeat(limits::FREE_TEXT + 1)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("nothing was recorded"), "{err}");
    assert_eq!(device.inspection_history(id).unwrap().audit.len(), before + 2, "nothing of a refused note is recorded");
}

#[test]
fn a_no_raises_its_finding_with_the_basis_the_officer_rewords_it_and_another_answer_withdraws_it() {
    let (_dir, _clock, mut device) = device();
    let id = draft(&mut device);
    let before = device.inspection_history(id).unwrap().audit.len();

    let answered = device.answer(id, "wage_account", "no").unwrap();
    let raised = answered.finding_of("wage_account").cloned().expect("the checklist counts this \"no\" as a finding");
    assert_eq!(raised.basis.as_deref(), Some("保障农民工工资支付条例 第二十六条"));
    device.answer(id, "wage_account", "no").unwrap(); // saved again: nothing changes
    let reworded = device.raise_finding(id, "wage_account", "未开设工资专用账户，工资由劳务班组长现金发放").unwrap();
    let reworded = reworded.finding_of("wage_account").cloned().unwrap();
    assert_eq!(reworded.basis, raised.basis, "rewording keeps the item's basis");

    let err = device.withdraw_finding(id, "wage_account").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("change the answer"), "{err}");
    let err = device.raise_finding(id, "real_name", "花名册缺失").unwrap_err();
    assert!(err.to_string().contains("answer \"no\" first"), "{err}");

    let changed = device.answer(id, "wage_account", "yes").unwrap();
    assert!(changed.findings.is_empty(), "the finding went with its \"no\"");
    assert_eq!(
        entries_after(&device, id, before),
        [
            (
                "inspection.answer".to_owned(),
                ContentHash::of(&json!({"item": "wage_account", "value": {"kind": "no"}}))
            ),
            (
                "inspection.finding.raise".to_owned(),
                ContentHash::of(&json!({"item": "wage_account", "finding": raised}))
            ),
            (
                "inspection.finding.raise".to_owned(),
                ContentHash::of(&json!({"item": "wage_account", "finding": reworded}))
            ),
            (
                "inspection.answer".to_owned(),
                ContentHash::of(&json!({"item": "wage_account", "value": {"kind": "yes"}}))
            ),
            (
                "inspection.finding.withdraw".to_owned(),
                ContentHash::of(&json!({"item": "wage_account", "finding": reworded, "because": "answer_changed"}))
            ),
        ]
    );
    device.verify_audit().unwrap();
}

#[test]
fn a_draft_with_a_raised_finding_and_notes_is_sealed_with_them_once_an_outcome_is_chosen() {
    let (_dir, clock, mut device) = device();
    let id = draft(&mut device);
    fieldcase_device::demo::answer_all(&mut device, id, &["ledgers"]).unwrap();
    device.raise_finding(id, "ledgers", "考勤表缺十月").unwrap();
    device.set_item_note(id, "ledgers", "十月考勤表称在总包处").unwrap();
    for (officer, number) in [("JC-0001", "33010620240001"), ("JC-0002", "33010620240002")] {
        clock.advance(Duration::minutes(1));
        device
            .record_check(NewCheck {
                inspection_id: id,
                officer_id: OfficerId::parse(officer).unwrap(),
                certificate_number: number.into(),
                method: CheckMethod::Typed,
                result: CheckResult::Valid,
                registry_version: 1,
                trusted_time: None,
                registry_stale: false,
            })
            .unwrap();
    }
    let review = device.review(id, None).unwrap();
    assert_eq!(review.iter().map(|v| v.code()).collect::<Vec<_>>(), ["outcome_required"]);
    assert!(device.finalize(id, Some(Outcome::NoViolation)).is_err(), "a finding contradicts 'no violation'");

    let deadline = NaiveDate::from_ymd_opt(2026, 3, 20).unwrap();
    let sealed = device.finalize(id, Some(Outcome::RectificationOrder { deadline })).unwrap();
    assert_eq!(sealed.findings.len(), 1);
    assert_eq!(sealed.findings[0].description, "考勤表缺十月");
    assert_eq!(sealed.findings[0].basis.as_deref(), Some("保障农民工工资支付条例 第十五条、第二十八条"));
    assert_eq!(sealed.notes.get("ledgers").map(String::as_str), Some("十月考勤表称在总包处"));
    assert_eq!(sealed.seal.as_ref().unwrap().content_hash, sealed.content_hash(), "the seal covers notes and findings");
    let err = device.set_item_note(id, "ledgers", "补充").unwrap_err();
    assert_eq!(err.code(), ErrorCode::RuleViolation, "a sealed record takes no more notes");
}
