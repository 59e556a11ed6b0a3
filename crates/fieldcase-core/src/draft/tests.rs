use chrono::{TimeZone, Utc};
use uuid::Uuid;

use super::*;
use crate::audit::Actor;
use crate::checklist::{AnswerKind, ChecklistTemplate, default_template};
use crate::ids::{DeviceId, InspectionId, SiteId};
use crate::time::TrustedTime;

fn draft(template: &ChecklistTemplate) -> Inspection {
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 30, 0).unwrap();
    Inspection::draft(
        InspectionId::from_uuid(Uuid::from_u128(7)),
        SiteId::from_uuid(Uuid::from_u128(2)),
        template,
        None,
        &TrustedTime { laptop: at, trusted: at, anchored: true, set_back: false, warning: None },
        Actor::Device { device: DeviceId::from_uuid(Uuid::from_u128(1)) },
    )
}

/// The default checklist with one yes/no item whose "no" is not a finding by itself.
fn template() -> ChecklistTemplate {
    let mut t = default_template();
    t.items.push(ChecklistItem {
        id: "site_office".into(),
        text_zh: "项目部是否张贴劳动用工管理制度".into(),
        text_en: "Is the labor management policy posted in the site office?".into(),
        basis: "劳动合同法 第四条".into(),
        required: false,
        kind: AnswerKind::YesNo,
        no_is_finding: false,
    });
    t
}

fn item<'a>(t: &'a ChecklistTemplate, id: &str) -> &'a ChecklistItem {
    t.item(id).unwrap()
}

#[test]
fn a_no_the_checklist_counts_as_a_finding_raises_it_with_its_basis_and_another_answer_withdraws_it() {
    let t = template();
    let mut d = draft(&t);
    let change = d.set_answer(item(&t, "wage_account"), AnswerValue::No);
    let raised = change.raised.expect("a \"no\" here is a finding");
    assert_eq!(raised.basis.as_deref(), Some("保障农民工工资支付条例 第二十六条"), "it carries the item's legal basis");
    assert_eq!(raised.description, item(&t, "wage_account").text_zh, "worded as the item, in the record's language");
    assert_eq!(d.findings, vec![raised.clone()]);

    let again = d.set_answer(item(&t, "wage_account"), AnswerValue::No);
    assert_eq!(again, AnswerChange::default(), "the same answer again changes nothing");
    assert_eq!(d.findings.len(), 1, "and raises nothing twice");

    let change = d.set_answer(item(&t, "wage_account"), AnswerValue::Yes);
    assert!(change.answer_changed);
    assert_eq!(change.withdrawn, Some(raised), "the finding went with its \"no\"");
    assert!(d.findings.is_empty());
}

#[test]
fn any_no_can_raise_a_finding_in_the_officers_words_reworded_and_withdrawn() {
    let t = template();
    let office = item(&t, "site_office");
    let mut d = draft(&t);
    assert_eq!(
        d.raise_finding(office, "未张贴"),
        Err(DraftError::NotAnsweredNo { item: "site_office".into() }),
        "a finding rests on a \"no\""
    );
    assert_eq!(d.set_answer(office, AnswerValue::No).raised, None, "this item's \"no\" raises nothing by itself");
    assert_eq!(d.raise_finding(office, "  "), Err(DraftError::EmptyDescription));

    let raised = d.raise_finding(office, " 项目部未张贴用工管理制度 ").unwrap().expect("raised");
    assert_eq!(raised.description, "项目部未张贴用工管理制度", "trimmed");
    assert_eq!(raised.basis.as_deref(), Some("劳动合同法 第四条"));
    assert_eq!(d.raise_finding(office, "项目部未张贴用工管理制度").unwrap(), None, "unchanged: nothing to record");
    d.raise_finding(office, "制度未上墙").unwrap().expect("reworded");
    assert_eq!(d.findings.len(), 1, "rewording keeps one finding per item");
    assert_eq!(d.finding_of("site_office").unwrap().description, "制度未上墙");

    assert_eq!(d.withdraw_finding(office).unwrap().description, "制度未上墙");
    assert!(d.findings.is_empty());
    assert_eq!(d.withdraw_finding(office), Err(DraftError::NoFinding { item: "site_office".into() }));
}

#[test]
fn a_finding_the_checklist_requires_is_withdrawn_only_by_changing_the_answer() {
    let t = template();
    let mut d = draft(&t);
    d.set_answer(item(&t, "ledgers"), AnswerValue::No);
    d.raise_finding(item(&t, "ledgers"), "考勤表缺十月").unwrap().expect("the officer may reword it");
    let refused = d.withdraw_finding(item(&t, "ledgers")).unwrap_err();
    assert_eq!(refused, DraftError::FindingByChecklist { item: "ledgers".into() });
    assert!(refused.to_string().contains("change the answer"), "says what to do: {refused}");
    assert_eq!(
        d.set_answer(item(&t, "ledgers"), AnswerValue::NotApplicable).withdrawn.unwrap().description,
        "考勤表缺十月"
    );
}

#[test]
fn notes_are_written_changed_and_cleared_and_too_long_a_note_is_refused() {
    let t = template();
    let remarks = item(&t, "remarks");
    let mut d = draft(&t);
    assert_eq!(d.set_note(remarks, "  "), Ok(false), "an empty note where there is none changes nothing");
    assert_eq!(d.set_note(remarks, " 工资表由劳务公司保管 "), Ok(true));
    assert_eq!(d.notes.get("remarks").map(String::as_str), Some("工资表由劳务公司保管"));
    assert_eq!(d.set_note(remarks, "工资表由劳务公司保管"), Ok(false), "the same note again records nothing");
    assert_eq!(d.set_note(remarks, ""), Ok(true), "emptied: removed");
    assert!(d.notes.is_empty());

    let refused = d.set_note(remarks, &"字".repeat(FREE_TEXT + 1)).unwrap_err();
    assert!(
        matches!(&refused, DraftError::TooLong(e) if e.field.contains("remarks") && e.max == FREE_TEXT),
        "{refused:?}"
    );
    assert!(d.notes.is_empty(), "nothing of a refused note is kept");
}
