use chrono::{Duration, NaiveDate, TimeZone};

use crate::time::TrustedTime;
use uuid::Uuid;

use super::*;
use crate::audit::Actor;
use crate::certificate::CheckMethod;
use crate::checklist::default_template;
use crate::ids::{CheckId, DeviceId, SiteId};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 30, 0).unwrap()
}

fn actor() -> Actor {
    Actor::Device { device: DeviceId::from_uuid(Uuid::from_u128(1)) }
}

fn draft() -> Inspection {
    let template = default_template();
    let mut d = Inspection::draft(
        InspectionId::from_uuid(Uuid::from_u128(0x0190_f3c2_7b1a_7c3e_9a55_2f1d_0e6b_8a41)),
        SiteId::from_uuid(Uuid::from_u128(2)),
        &template,
        Some("3号楼项目部".into()),
        &TrustedTime { laptop: t0(), trusted: t0(), anchored: true, set_back: false, warning: None },
        actor(),
    );
    for item in template.items.iter().filter(|i| i.required) {
        d.answers.insert(item.id.clone(), AnswerValue::Yes);
    }
    d
}

fn check(officer: &str, result: CheckResult, at: DateTime<Utc>) -> CertificateCheck {
    CertificateCheck {
        id: CheckId::generate(at),
        inspection_id: draft().id,
        officer_id: OfficerId::parse(officer).unwrap(),
        certificate_number: format!("CERT-{officer}"),
        method: CheckMethod::Typed,
        result,
        registry_version: 1,
        checked_by: actor(),
        checked_at: at,
        trusted_time: None,
        registry_stale: false,
    }
}

fn now() -> DateTime<Utc> {
    t0() + Duration::hours(2)
}

#[test]
fn two_distinct_validly_checked_officers_allow_finalizing() {
    let checks = [check("JC-0001", CheckResult::Valid, t0()), check("JC-0002", CheckResult::Valid, t0())];
    let sealed = finalize(&draft(), &default_template(), &checks, None, now()).expect("two checked officers suffice");
    assert_eq!(sealed.status, InspectionStatus::Finalized);
    assert_eq!(sealed.outcome, Some(Outcome::NoViolation));
    assert_eq!(sealed.ended_at, Some(now()));
    assert_eq!(sealed.officer_checks.len(), 2);
}

#[test]
fn one_officer_checked_twice_is_not_two_officers() {
    let checks = [check("JC-0001", CheckResult::Valid, t0()), check("JC-0001", CheckResult::Valid, t0())];
    let err = finalize(&draft(), &default_template(), &checks, None, now()).unwrap_err();
    assert_eq!(
        err.0,
        vec![RuleViolation::TooFewCheckedOfficers { officers: vec![OfficerId::parse("JC-0001").unwrap()] }]
    );
    assert!(err.to_string().contains("1 found (JC-0001)"), "{err}");
}

#[test]
fn invalid_or_out_of_window_checks_do_not_count() {
    let checks = [
        check("JC-0001", CheckResult::Valid, t0()),
        check("JC-0002", CheckResult::Revoked, t0()),
        check("JC-0003", CheckResult::Valid, t0() - Duration::days(1)),
        check("JC-0004", CheckResult::Valid, now() + Duration::minutes(1)),
    ];
    let err = finalize(&draft(), &default_template(), &checks, None, now()).unwrap_err();
    assert_eq!(err.0.len(), 1);
    assert_eq!(err.0[0].code(), "too_few_checked_officers");
}

#[test]
fn every_failed_rule_is_reported_at_once() {
    let mut d = draft();
    d.answers.remove("wage_account");
    d.answers.remove("notice_board");
    let err = finalize(&d, &default_template(), &[], None, now()).unwrap_err();
    let codes: Vec<_> = err.0.iter().map(|v| v.code()).collect();
    assert_eq!(codes, ["missing_answers", "too_few_checked_officers"]);
    assert!(err.to_string().contains("wage_account, notice_board"), "{err}");
}

#[test]
fn a_no_on_a_finding_item_needs_an_outcome_other_than_no_violation() {
    let checks = [check("JC-0001", CheckResult::Valid, t0()), check("JC-0002", CheckResult::Valid, t0())];
    let mut d = draft();
    d.answers.insert("wage_account".into(), AnswerValue::No);
    let t = default_template();

    let err = finalize(&d, &t, &checks, None, now()).unwrap_err();
    assert_eq!(err.0, vec![RuleViolation::OutcomeRequired { findings: 1 }]);
    let err = finalize(&d, &t, &checks, Some(Outcome::NoViolation), now()).unwrap_err();
    assert_eq!(err.0[0].code(), "outcome_contradicts_findings");
    let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let err = finalize(&d, &t, &checks, Some(Outcome::RectificationOrder { deadline: today }), now()).unwrap_err();
    assert_eq!(err.0[0].code(), "deadline_not_after_inspection");

    let deadline = NaiveDate::from_ymd_opt(2026, 3, 16).unwrap();
    let sealed = finalize(&d, &t, &checks, Some(Outcome::RectificationOrder { deadline }), now()).unwrap();
    assert_eq!(sealed.findings.len(), 1);
    assert_eq!(sealed.findings[0].item_id.as_deref(), Some("wage_account"));
}

#[test]
fn a_finalized_inspection_cannot_be_finalized_again() {
    let checks = [check("JC-0001", CheckResult::Valid, t0()), check("JC-0002", CheckResult::Valid, t0())];
    let sealed = finalize(&draft(), &default_template(), &checks, None, now()).unwrap();
    let err = finalize(&sealed, &default_template(), &checks, None, now()).unwrap_err();
    assert_eq!(err.0[0].code(), "not_draft");
}

/// The canonical hash of a known record. If this changes, every sealed record in the field
/// and every case package in court would no longer verify: change the format only by adding
/// a new versioned one, never by editing this.
#[test]
fn canonical_hash_of_a_known_record_is_stable() {
    let checks = [check("JC-0001", CheckResult::Valid, t0()), check("JC-0002", CheckResult::Valid, t0())];
    let mut sealed = finalize(&draft(), &default_template(), &checks, None, now()).unwrap();
    // Check ids are time-based and random in their low bits; pin them for the snapshot.
    sealed.officer_checks = vec![CheckId::from_uuid(Uuid::from_u128(10)), CheckId::from_uuid(Uuid::from_u128(11))];
    let with_clock = sealed.clone();
    // A record sealed before inspections kept their start clock: its hash is as it was.
    sealed.start_clock = None;
    assert_eq!(
        sealed.content_hash().to_hex(),
        "26692abcf7d609df32d36c10f341bd4da3eb9a983101f1085cfc94c106d92919",
        "the canonical hash of a sealed inspection must not change across versions"
    );
    assert_eq!(
        with_clock.content_hash().to_hex(),
        "6253e5dce93b3226b1744c53a8aaf358ffbb0caf77f8bd20f3130c7027c2fd53",
        "nor that of one with its start clock"
    );
    // The hash ignores the seal and status, so sealing does not change what was hashed.
    let mut draft_again = sealed.clone();
    draft_again.status = InspectionStatus::Draft;
    assert_eq!(draft_again.content_hash(), sealed.content_hash());
}

fn manifest_with_gap(reason: Option<&str>) -> EvidenceManifest {
    use crate::canonical::ContentHash;
    use crate::evidence::{Gap, ManifestFile, gap_id};
    use crate::ids::EvidenceId;
    let file = |n: u128, start: DateTime<Utc>| ManifestFile {
        id: EvidenceId::from_uuid(Uuid::from_u128(n)),
        sha256: ContentHash::of_bytes(&n.to_le_bytes()),
        size: 1000,
        capture_start: Some(start),
        capture_end: Some(start + Duration::minutes(10)),
    };
    let (start, end) = (t0() + Duration::minutes(10), t0() + Duration::minutes(30));
    EvidenceManifest {
        files: vec![file(1, t0()), file(2, end)],
        recorder_checks: Vec::new(),
        gaps: vec![Gap { id: gap_id(start, end), start, end, reason: reason.map(Into::into) }],
    }
}

#[test]
fn finalizing_is_refused_while_a_gap_in_recording_has_no_reason() {
    let checks = [check("JC-0001", CheckResult::Valid, t0()), check("JC-0002", CheckResult::Valid, t0())];
    let template = default_template();
    let err =
        finalize_with_evidence(&draft(), &template, &checks, Some(manifest_with_gap(None)), None, now()).unwrap_err();
    let gap = &manifest_with_gap(None).gaps[0].id;
    assert!(
        matches!(&err.0[..], [RuleViolation::GapsWithoutReason { gaps, .. }] if gaps[0].starts_with(gap.as_str())),
        "{err:?}"
    );
    assert!(err.to_string().contains("gap-reason"), "the refusal says how to give the reason: {err}");
    let blank = finalize_with_evidence(&draft(), &template, &checks, Some(manifest_with_gap(Some(" "))), None, now());
    assert!(blank.is_err(), "a blank reason is no reason");
    let sealed = finalize_with_evidence(
        &draft(),
        &template,
        &checks,
        Some(manifest_with_gap(Some("battery changed"))),
        None,
        now(),
    )
    .expect("a gap with a reason allows finalizing");
    assert_eq!(sealed.evidence, Some(manifest_with_gap(Some("battery changed"))));
}

#[test]
fn the_seal_covers_the_evidence_manifest() {
    let checks = [check("JC-0001", CheckResult::Valid, t0()), check("JC-0002", CheckResult::Valid, t0())];
    let template = default_template();
    let seal = |manifest: EvidenceManifest| {
        finalize_with_evidence(&draft(), &template, &checks, Some(manifest), None, now()).unwrap().content_hash()
    };
    let base = seal(manifest_with_gap(Some("battery changed")));
    let mut other_hash = manifest_with_gap(Some("battery changed"));
    other_hash.files[0].sha256 = crate::canonical::ContentHash::of_bytes(b"another file");
    let mut other_size = manifest_with_gap(Some("battery changed"));
    other_size.files[1].size += 1;
    let mut fewer = manifest_with_gap(Some("battery changed"));
    fewer.files.pop();
    assert_ne!(seal(other_hash), base, "another file's hash must change the seal");
    assert_ne!(seal(other_size), base, "another size must change the seal");
    assert_ne!(seal(fewer), base, "a file left out must change the seal");
    assert_ne!(seal(manifest_with_gap(Some("card full"))), base, "another gap reason must change the seal");
    assert_eq!(seal(manifest_with_gap(Some("battery changed"))), base, "the same manifest seals the same");
    let without = finalize(&draft(), &template, &checks, None, now()).unwrap();
    assert!(
        !String::from_utf8(crate::canonical::to_canonical_json(&without)).unwrap().contains("\"evidence\""),
        "a record sealed without a manifest keeps the form it was sealed in"
    );
}

fn two_checks() -> [CertificateCheck; 2] {
    [check("JC-0001", CheckResult::Valid, t0()), check("JC-0002", CheckResult::Valid, t0())]
}

/// The default checklist with a yes/no item whose "no" is a finding only when the officer
/// raises one.
fn template_with_optional_finding() -> ChecklistTemplate {
    let mut t = default_template();
    t.items.push(crate::checklist::ChecklistItem {
        id: "site_office".into(),
        text_zh: "项目部是否张贴劳动用工管理制度".into(),
        text_en: "Is the labor management policy posted in the site office?".into(),
        basis: "劳动合同法 第四条".into(),
        required: false,
        kind: crate::checklist::AnswerKind::YesNo,
        no_is_finding: false,
    });
    t
}

#[test]
fn a_finding_the_officer_raised_from_a_no_needs_an_outcome_and_is_sealed_with_its_basis() {
    let t = template_with_optional_finding();
    let mut d = draft();
    d.set_answer(t.item("site_office").unwrap(), AnswerValue::No);
    let sealed = finalize(&d, &t, &two_checks(), None, now()).expect("a \"no\" alone is not a finding here");
    assert_eq!(sealed.outcome, Some(Outcome::NoViolation));

    d.raise_finding(t.item("site_office").unwrap(), "未张贴用工管理制度").unwrap();
    let err = finalize(&d, &t, &two_checks(), None, now()).unwrap_err();
    assert_eq!(err.0, vec![RuleViolation::OutcomeRequired { findings: 1 }], "a raised finding counts");
    let err = finalize(&d, &t, &two_checks(), Some(Outcome::NoViolation), now()).unwrap_err();
    assert_eq!(err.0, vec![RuleViolation::OutcomeContradictsFindings { findings: 1 }]);

    let sealed = finalize(&d, &t, &two_checks(), Some(Outcome::CaseFiled), now()).unwrap();
    assert_eq!(
        sealed.findings,
        vec![Finding {
            item_id: Some("site_office".into()),
            description: "未张贴用工管理制度".into(),
            basis: Some("劳动合同法 第四条".into()),
        }]
    );
}

#[test]
fn findings_the_checklist_requires_are_raised_once_with_their_basis_and_the_officers_words_kept() {
    let t = default_template();
    let mut d = draft();
    // A draft made before "no" raised its finding as it was given: raised at finalizing.
    d.answers.insert("wage_account".into(), AnswerValue::No);
    // Raised as it was given, and reworded by the officer.
    d.set_answer(t.item("ledgers").unwrap(), AnswerValue::No);
    d.raise_finding(t.item("ledgers").unwrap(), "考勤表缺十月").unwrap();
    let deadline = NaiveDate::from_ymd_opt(2026, 3, 16).unwrap();
    let sealed =
        finalize(&d, &t, &two_checks(), Some(Outcome::RectificationOrder { deadline }), now()).expect("it finalizes");
    let sealed: Vec<_> = sealed
        .findings
        .iter()
        .map(|f| (f.item_id.as_deref().unwrap(), f.description.as_str(), f.basis.as_deref()))
        .collect();
    assert_eq!(
        sealed,
        [
            ("ledgers", "考勤表缺十月", Some("保障农民工工资支付条例 第十五条、第二十八条")),
            (
                "wage_account",
                t.item("wage_account").unwrap().text_zh.as_str(),
                Some("保障农民工工资支付条例 第二十六条")
            ),
        ]
    );
}

#[test]
fn a_finding_whose_no_is_gone_is_not_sealed() {
    let t = template_with_optional_finding();
    let mut d = draft();
    d.set_answer(t.item("site_office").unwrap(), AnswerValue::No);
    d.raise_finding(t.item("site_office").unwrap(), "未张贴").unwrap();
    // Written past `set_answer`, as a damaged or hand-made draft could be.
    d.answers.insert("site_office".into(), AnswerValue::Yes);
    let sealed = finalize(&d, &t, &two_checks(), None, now()).expect("no finding is left to need an outcome");
    assert!(sealed.findings.is_empty(), "{:?}", sealed.findings);
    assert_eq!(sealed.outcome, Some(Outcome::NoViolation));
}

/// A record sealed before findings kept their basis and before notes: read by this version,
/// it hashes exactly as it did when it was sealed, so its seal still verifies.
#[test]
fn a_record_sealed_before_notes_and_bases_keeps_its_hash() {
    let sealed_before = r#"{"id":"0190f3c2-7b1a-7c3e-9a55-2f1d0e6b8a41","supersedes":null,
        "site_id":"00000000-0000-0000-0000-000000000002","template_id":"construction-wage","template_version":1,
        "location":"3号楼项目部","started_at":"2026-03-02T01:30:00Z","ended_at":"2026-03-02T03:30:00Z",
        "answers":{"wage_account":{"kind":"no"},"real_name":{"kind":"yes"}},
        "findings":[{"item_id":"wage_account","description":"施工总承包单位是否按规定开设农民工工资专用账户"},
                    {"item_id":null,"description":"工资表缺页"}],
        "outcome":{"type":"case_filed"},"officer_checks":["00000000-0000-0000-0000-00000000000a"],
        "created_by":{"type":"device","device":"00000000-0000-0000-0000-000000000001"},
        "status":"finalized","seal":null}"#;
    let mut as_sealed: serde_json::Value = serde_json::from_str(sealed_before).unwrap();
    let record: Inspection = serde_json::from_value(as_sealed.clone()).unwrap();
    let map = as_sealed.as_object_mut().unwrap();
    map.remove("status");
    map.remove("seal");
    let hash_when_sealed = crate::canonical::ContentHash::of(&as_sealed);
    assert_eq!(
        hash_when_sealed.to_hex(),
        "21735809d4d06f0c92f0941ceb9dd5106af742f807c7ad37da78825fe9385042",
        "the content as it was sealed"
    );
    assert_eq!(record.content_hash(), hash_when_sealed, "read by this version, the record hashes as it was sealed");
    assert!(record.notes.is_empty() && record.findings.iter().all(|f| f.basis.is_none()));

    let mut noted = record.clone();
    noted.notes.insert("real_name".into(), "花名册在劳务公司".into());
    assert_ne!(noted.content_hash(), record.content_hash(), "a note is part of the sealed content");
    let mut based = record.clone();
    based.findings[0].basis = Some("保障农民工工资支付条例 第二十六条".into());
    assert_ne!(based.content_hash(), record.content_hash(), "so is a finding's basis");
}
