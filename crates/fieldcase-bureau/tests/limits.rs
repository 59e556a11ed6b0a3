//! Text limits and the feed's byte bound, at the bureau: every text anyone can send is held to
//! its limit (`fieldcase_core::limits`), and a pull page to its bytes, so that no device's
//! records can fill the bureau's disk or make every other device's pull time out.

mod common;

use std::cell::Cell;
use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use serde_json::json;

use fieldcase_bureau::admin;
use fieldcase_bureau::certificates::{CertificateAction, CertificateFields};
use fieldcase_core::audit::{Actor, AuditEntry, AuditRun};
use fieldcase_core::checklist::AnswerValue;
use fieldcase_core::inspection::Finding;
use fieldcase_core::limits;
use fieldcase_core::site::Site;
use fieldcase_core::wire::{ChangeRecord, Fate, PullResponse, PushItem};
use fieldcase_device::sync::{enroll, sync_once};
use fieldcase_device::{Device, OpenMode, SharedDevice};

use common::records::{Honest, audit_entry, officer, site, stored_anywhere};
use common::{TestBureau, TestDevice, assert_error};

/// One field of one record kind, and how to put a text into it.
struct Field {
    /// As the bureau names it in a rejection.
    name: &'static str,
    limit: usize,
    make: fn(&Honest<'_>, String) -> PushItem,
}

/// Every text field of every record kind the bureau accepts.
fn fields() -> Vec<Field> {
    fn site_with(h: &Honest<'_>, change: impl FnOnce(&mut Site)) -> PushItem {
        let mut s = h.site();
        change(&mut s);
        PushItem::Site(s)
    }
    vec![
        Field { name: "name", limit: limits::SITE_NAME, make: |h, t| site_with(h, |s| s.name = t) },
        Field { name: "address", limit: limits::ADDRESS, make: |h, t| site_with(h, |s| s.address = Some(t)) },
        Field {
            name: "project_name",
            limit: limits::SITE_NAME,
            make: |h, t| site_with(h, |s| s.project_name = Some(t)),
        },
        Field {
            name: "general_contractor",
            limit: limits::SITE_NAME,
            make: |h, t| site_with(h, |s| s.general_contractor = Some(t)),
        },
        Field {
            name: "template_id",
            limit: limits::IDENTIFIER,
            make: |h, t| h.inspection(|i| i.template_id = fieldcase_core::checklist::TemplateId(t)),
        },
        Field { name: "location", limit: limits::LOCATION, make: |h, t| h.inspection(|i| i.location = Some(t)) },
        Field {
            name: "answers (an item id)",
            limit: limits::IDENTIFIER,
            make: |h, t| {
                h.inspection(|i| {
                    i.answers.insert(t, AnswerValue::Yes);
                })
            },
        },
        Field {
            name: "answers.remarks",
            limit: limits::FREE_TEXT,
            make: |h, t| {
                h.inspection(|i| {
                    i.answers.insert("remarks".into(), AnswerValue::Text(t));
                })
            },
        },
        Field {
            name: "answers.workers_on_site",
            limit: limits::NUMBER,
            make: |h, t| {
                h.inspection(|i| {
                    i.answers.insert("workers_on_site".into(), AnswerValue::Number(t));
                })
            },
        },
        Field {
            name: "findings[0].item_id",
            limit: limits::IDENTIFIER,
            make: |h, t| h.inspection(|i| i.findings = vec![finding(&t)]),
        },
        Field {
            name: "findings[0].description",
            limit: limits::FREE_TEXT,
            make: |h, t| h.inspection(|i| i.findings = vec![Finding { item_id: None, description: t, basis: None }]),
        },
        Field {
            name: "findings[0].basis",
            limit: limits::BASIS,
            make: |h, t| h.inspection(|i| i.findings = vec![Finding { basis: Some(t), ..finding("ledgers") }]),
        },
        Field { name: "notes.ledgers", limit: limits::FREE_TEXT, make: |h, t| h.inspection(|i| i.notes = note(t)) },
        Field {
            name: "created_by",
            limit: limits::OFFICER_ID,
            make: |h, t| h.inspection(|i| i.created_by = Actor::Officer { officer: officer(&t), device: h.device }),
        },
        Field { name: "officer_id", limit: limits::OFFICER_ID, make: |h, t| h.check(|c| c.officer_id = officer(&t)) },
        Field {
            name: "certificate_number",
            limit: limits::CERTIFICATE_NUMBER,
            make: |h, t| h.check(|c| c.certificate_number = t),
        },
        Field {
            name: "checked_by",
            limit: limits::OFFICER_ID,
            make: |h, t| h.check(|c| c.checked_by = Actor::Officer { officer: officer(&t), device: h.device }),
        },
        Field { name: "original_path", limit: limits::FILE_PATH, make: |h, t| h.evidence(|e| e.original_path = t) },
        Field { name: "original_name", limit: limits::FILE_NAME, make: |h, t| h.evidence(|e| e.original_name = t) },
        Field { name: "recorder_id", limit: limits::IDENTIFIER, make: |h, t| h.evidence(|e| e.recorder_id = Some(t)) },
        Field {
            name: "officer_id",
            limit: limits::OFFICER_ID,
            make: |h, t| h.evidence(|e| e.officer_id = Some(officer(&t))),
        },
    ]
}

/// A finding raised from `item` (an honest one, unless its item id is the text tried).
fn finding(item: &str) -> Finding {
    Finding { item_id: Some(item.into()), description: "工资表缺页".into(), basis: None }
}

fn note(text: String) -> std::collections::BTreeMap<String, String> {
    [("ledgers".to_owned(), text)].into()
}

/// For text lengths at, just under and beyond each limit, in characters of one, three and
/// four bytes: a pushed item over a limit is rejected with a reason naming the field, its
/// length and the limit, the answer is never a 5xx, the rest of the page is stored, and
/// nothing of the rejected item is stored anywhere in the database (not even for review);
/// an item within its limits is accepted.
#[test]
fn a_pushed_text_over_its_limit_is_rejected_naming_the_field_and_nothing_of_it_is_stored() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let bureau = runtime.block_on(TestBureau::start());
    let case = Cell::new(0u64);
    let mut runner =
        TestRunner::new(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() });
    let over = prop_oneof![Just(-1i64), Just(0), Just(1), 2i64..6000];
    let character = prop_oneof![Just('a'), Just('工'), Just('😀')];
    let result = runner.run(&(over, character), |(over, c)| {
        case.set(case.get() + 1);
        runtime.block_on(push_one_of_each(&bureau, case.get(), over, c))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

async fn push_one_of_each(bureau: &TestBureau, case: u64, over: i64, c: char) -> Result<(), TestCaseError> {
    // Each case on a device of its own, so that its audit chain starts at entry 1.
    let mut device = TestDevice::new();
    device.enroll_through_store(bureau).await;
    let honest = Honest { device: device.device.id(), key: &device.key, n: case * 100 };
    // A mark no honest record carries, at the start of every text: found in the database
    // only if something of the item was stored.
    let mark = format!("MARK{case:07}");
    let length = |limit: usize| usize::try_from(limit as i64 + over).expect("a length");
    let text = |limit: usize| -> String {
        mark.chars().chain(std::iter::repeat_n(c, length(limit) - mark.chars().count())).collect()
    };

    let mut expected: Vec<(String, usize)> = Vec::new();
    let mut items = Vec::new();
    for (n, field) in fields().iter().enumerate() {
        let h = Honest { n: honest.n + n as u64, ..honest };
        items.push((field.make)(&h, text(field.limit)));
        expected.push((field.name.to_owned(), field.limit));
    }
    let actor = honest.actor();
    let mut prev: Option<AuditEntry> = None;
    for (seq, field) in (1..).zip(["actor", "action", "subject"]) {
        let entry = audit_entry(prev.as_ref(), field, text(limits::AUDIT_TEXT), &actor);
        items.push(PushItem::Audit(AuditRun::of(std::slice::from_ref(&entry)).expect("an entry")));
        expected.push((format!("{field} (audit entry {seq})"), limits::AUDIT_TEXT));
        prev = Some(entry);
    }
    items.push(PushItem::Site(site(honest.n + 99)));

    let (status, body) = device.push_raw(bureau, items).await;
    prop_assert_eq!(status, 200, "never a 5xx, nor a page refused whole: {}", body);
    let answer: fieldcase_core::wire::PushResponse = serde_json::from_value(body).expect("a push response");
    prop_assert_eq!(answer.results.len(), expected.len() + 1);
    for (result, (field, limit)) in answer.results.iter().zip(&expected) {
        let length = length(*limit);
        if length <= *limit {
            prop_assert!(
                common::passed_own_checks(result),
                "{} of {} characters is within {}: {:?}",
                field,
                length,
                limit,
                result.fate
            );
        } else {
            let Fate::Rejected { reason, .. } = &result.fate else {
                return Err(TestCaseError::fail(format!(
                    "{field} of {length} characters must be rejected: {result:?}"
                )));
            };
            let named = format!("{field} is {length} characters long, over the limit of {limit}");
            prop_assert!(
                reason.starts_with(&named),
                "the reason names the field, its length and the limit: {}",
                reason
            );
            prop_assert!(!reason.contains(&mark), "the text is not repeated back: {}", reason);
        }
    }
    prop_assert_eq!(&answer.results[expected.len()].fate, &Fate::Accepted, "the rest of the page is stored");
    let within = over <= 0;
    prop_assert_eq!(stored_anywhere(bureau, &mark), within, "stored only if within the limits (over by {})", over);
    Ok(())
}

/// Even held to their limits, sites take some kilobytes each: a page of the 500 changes a
/// device asks for was over 2 MB (and with no limits, unbounded). A device on a poor
/// connection timed out on it, and again on every retry, so the registry update queued behind
/// the sites never reached it. A page now stops before the change that would take it past the
/// byte bound (1 MiB by default), and the update arrives.
#[tokio::test]
async fn a_feed_of_many_large_sites_is_paged_within_the_byte_bound_and_the_registry_update_behind_them_arrives() {
    let bureau = TestBureau::start().await;
    let mut pusher = TestDevice::new();
    pusher.enroll_without_signing_in(&bureau).await;
    let large = |n: u64| Site {
        name: "工".repeat(limits::SITE_NAME),
        address: Some("路".repeat(limits::ADDRESS)),
        project_name: Some("程".repeat(limits::SITE_NAME)),
        general_contractor: Some("建".repeat(limits::SITE_NAME)),
        ..site(n)
    };
    let sites: Vec<PushItem> = (0..500).map(|n| PushItem::Site(large(n))).collect();
    let answer = pusher.push(&bureau, sites).await;
    assert!(answer.results.iter().all(|r| r.fate == Fate::Accepted), "sites at their limits are taken");
    admin::change_certificate(
        bureau.store.as_ref(),
        &bureau.key(),
        CertificateAction::Issue(
            CertificateFields {
                number: "33010620240107".into(),
                officer_id: "JC-0107".into(),
                name: "王敏".into(),
                unit: "杭州市西湖区人力资源和社会保障局".into(),
                areas: vec!["劳动保障监察".into()],
                valid_from: "2024-01-01".into(),
                valid_until: "2028-12-31".into(),
            }
            .parse()
            .expect("a certificate"),
        ),
        "test".into(),
        Utc::now(),
    )
    .await
    .expect("the registry update is published behind the sites");

    // Pulled as the device pulls: 500 changes a page at most, and the bureau's byte bound.
    let bound = fieldcase_bureau::config::DEFAULT_PULL_PAGE_BYTES;
    let (mut after, mut pages, mut seen) = (0, 0, Vec::new());
    loop {
        let response = bureau
            .client
            .get(format!("{}/api/v1/changes?after={after}&limit=500", bureau.url))
            .bearer_auth(&pusher.token)
            .send()
            .await
            .expect("the bureau answers");
        assert_eq!(response.status().as_u16(), 200);
        let text = response.text().await.expect("a body");
        let page: PullResponse = serde_json::from_str(&text).expect("a pull response");
        assert!(!page.changes.is_empty(), "every page carries a change, so a device always gets on");
        let changes_bytes = serde_json::to_string(&page.changes).expect("changes encode").len();
        assert!(
            changes_bytes <= bound,
            "page {pages}: {} changes take {changes_bytes} bytes, over the bound of {bound}",
            page.changes.len()
        );
        assert!(text.len() <= bound + 512, "the answer around them is small: {} bytes", text.len());
        pages += 1;
        after = page.next_cursor;
        seen.extend(page.changes);
        if !page.more {
            break;
        }
    }
    assert!(pages >= 3, "2 MB of sites take three pages of 1 MiB or less, not {pages}");
    assert_eq!(seen.iter().filter(|c| matches!(c.record, ChangeRecord::Site(_))).count(), 500);
    assert!(matches!(seen.last().map(|c| &c.record), Some(ChangeRecord::Registry(_))), "the update comes last");

    // And a real device's sync gets through the sites to the update.
    let dir = tempfile::tempdir().expect("a temp dir");
    let device = SharedDevice::new(Device::open(dir.path(), OpenMode::CreateIfMissing).expect("a device"));
    enroll(
        &device,
        &bureau.url,
        fieldcase_device::sync::Transport::default(),
        &bureau.code().await,
        Some("王敏的笔记本".into()),
    )
    .await
    .expect("enrolled");
    sync_once(&device).await.expect("the sync goes through");
    let (version, sites) =
        device.run(|d| Ok((d.registry_status()?.version, d.sites()?.len()))).await.expect("the device reads");
    assert_eq!(version, Some(1), "the registry update behind the sites arrived");
    assert_eq!(sites, 500);
}

/// What an administrator sends is held to the same limits, refused naming the field, and
/// nothing changes; an enrolling device's label too, and its code stays usable.
#[tokio::test]
async fn the_admin_api_and_enrollment_refuse_text_over_its_limit_naming_the_field() {
    let bureau = TestBureau::start().await;
    let token = bureau.admin_token().await;
    let fields = |name: String, unit: String, areas: Vec<String>| CertificateFields {
        number: "33010620240107".into(),
        officer_id: "JC-0107".into(),
        name,
        unit,
        areas,
        valid_from: "2024-01-01".into(),
        valid_until: "2028-12-31".into(),
    };
    let long = |n: usize| "王".repeat(n);
    let cases = [
        (fields(long(limits::CERTIFICATE_TEXT + 1), "局".into(), vec!["劳动保障监察".into()]), "name is 101"),
        (fields("王敏".into(), long(limits::CERTIFICATE_TEXT + 1), vec!["劳动保障监察".into()]), "unit is 101"),
        (fields("王敏".into(), "局".into(), vec![long(limits::CERTIFICATE_TEXT + 1)]), "areas is 101"),
        (
            CertificateFields { number: "3".repeat(40), ..fields("王敏".into(), "局".into(), vec!["a".into()]) },
            "number is 40",
        ),
        (
            CertificateFields { officer_id: "J".repeat(65), ..fields("王敏".into(), "局".into(), vec!["a".into()]) },
            "officer_id is 65",
        ),
        (
            CertificateFields {
                valid_until: "2".repeat(5000), ..fields("王敏".into(), "局".into(), vec!["a".into()])
            },
            "valid_until is 5000 characters long",
        ),
    ];
    for (body, named) in cases {
        let message =
            assert_error(&bureau.post("/api/v1/admin/certificates", &body, Some(&token)).await, 422, "invalid_input");
        assert!(message.contains(named), "the message names the field and its length ({named}): {message}");
        assert!(message.len() < 300, "the text is not repeated back: {message}");
    }
    let (status, body) = bureau
        .post(
            "/api/v1/admin/certificates",
            &fields("王敏".into(), "局".into(), vec!["劳动保障监察".into()]),
            Some(&token),
        )
        .await;
    assert_eq!(status, 201, "nothing was issued before: {body}");

    let path = "/api/v1/admin/certificates/33010620240107/suspend";
    let reason = "x".repeat(limits::REASON + 1);
    let message =
        assert_error(&bureau.post(path, &json!({ "reason": reason }), Some(&token)).await, 422, "invalid_input");
    assert!(message.contains("reason is 1001 characters long, over the limit of 1000"), "{message}");
    let renew = json!({ "valid_until": "2030-12-31", "reason": reason });
    let renewing = bureau.post("/api/v1/admin/certificates/33010620240107/renew", &renew, Some(&token)).await;
    assert!(assert_error(&renewing, 422, "invalid_input").contains("reason is 1001"));
    let (status, _) = bureau.post(path, &json!({ "reason": "x".repeat(limits::REASON) }), Some(&token)).await;
    assert_eq!(status, 200, "a reason at the limit is taken");

    let refused = admin::create_enrollment_code(
        bureau.store.as_ref(),
        Some("l".repeat(limits::LABEL + 1)),
        &[],
        Duration::hours(1),
        Utc::now(),
    )
    .await
    .expect_err("an enrollment code's label over its limit");
    assert!(refused.to_string().contains("label is 257 characters long"), "{refused}");

    let device = TestDevice::new();
    let code = bureau.code().await;
    let request = device.device.enroll_request(&code, Some("h".repeat(limits::LABEL + 1)));
    let message = assert_error(&bureau.post("/api/v1/enroll", &request, None).await, 422, "invalid_input");
    assert!(message.contains("label is 257 characters long"), "{message}");
    let (status, body) = bureau.post("/api/v1/enroll", &device.enroll_request(&code), None).await;
    assert_eq!(status, 200, "the code is still usable: {body}");
}

/// The API's schema states the limits, and they are the limits the bureau holds to.
#[tokio::test]
async fn the_openapi_document_states_each_text_limit() {
    let bureau = TestBureau::start().await;
    let (_, doc) = bureau.get("/api/v1/openapi.json", None).await;
    let schemas = &doc["components"]["schemas"];
    let expected: BTreeMap<(&str, &str), usize> = [
        (("Site", "name"), limits::SITE_NAME),
        (("Site", "address"), limits::ADDRESS),
        (("Site", "project_name"), limits::SITE_NAME),
        (("Site", "general_contractor"), limits::SITE_NAME),
        (("Inspection", "location"), limits::LOCATION),
        (("Finding", "item_id"), limits::IDENTIFIER),
        (("Finding", "description"), limits::FREE_TEXT),
        (("CertificateCheck", "certificate_number"), limits::CERTIFICATE_NUMBER),
        (("EvidenceRef", "original_path"), limits::FILE_PATH),
        (("EvidenceRef", "original_name"), limits::FILE_NAME),
        (("EvidenceRef", "recorder_id"), limits::IDENTIFIER),
        (("AuditStep", "actor"), limits::AUDIT_TEXT),
        (("AuditStep", "action"), limits::AUDIT_TEXT),
        (("AuditStep", "subject"), limits::AUDIT_TEXT),
        (("EnrollRequest", "label"), limits::LABEL),
        (("CertificateFields", "number"), limits::CERTIFICATE_NUMBER),
        (("CertificateFields", "officer_id"), limits::OFFICER_ID),
        (("CertificateFields", "name"), limits::CERTIFICATE_TEXT),
        (("CertificateFields", "unit"), limits::CERTIFICATE_TEXT),
        (("ReasonRequest", "reason"), limits::REASON),
        (("RenewRequest", "reason"), limits::REASON),
    ]
    .into_iter()
    .collect();
    for ((schema, property), limit) in expected {
        let found = &schemas[schema]["properties"][property]["maxLength"];
        assert_eq!(found.as_u64(), Some(limit as u64), "{schema}.{property} states {limit}: {}", schemas[schema]);
    }
    for (schema, limit) in [("OfficerId", limits::OFFICER_ID), ("TemplateId", limits::IDENTIFIER)] {
        assert_eq!(schemas[schema]["maxLength"].as_u64(), Some(limit as u64), "{schema}: {}", schemas[schema]);
    }
    let answer = schemas["AnswerValue"].to_string();
    for limit in [limits::NUMBER, limits::FREE_TEXT] {
        assert!(answer.contains(&format!("\"maxLength\":{limit}")), "answers state {limit}: {answer}");
    }
}
