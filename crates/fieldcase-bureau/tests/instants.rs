//! Times and numbers at and beyond their limits, at the bureau, for every record kind a device
//! pushes: a time outside the years a record may fall in (`fieldcase_core::time::RECORD_YEARS`),
//! or a number past what the bureau can keep exactly, is rejected naming the field (kept for
//! review as evidence of what the device sent, never as a record); the answer is never a 5xx,
//! and the rest of the page is stored.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

mod common;

use std::cell::Cell;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};

use fieldcase_core::audit::{AuditEntry, AuditRun};
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::inspection::{Outcome, StartClock};
use fieldcase_core::time::RECORD_YEARS;
use fieldcase_core::wire::{Fate, PushItem, PushResponse};

use common::records::{Honest, site};
use common::{TestBureau, TestDevice};

/// One instant (or date) of one record kind, and how to put a time into it; `mark` goes into
/// a text of the same record (a site is listed by its name, an inspection by its id).
struct TimeField {
    /// As the bureau names it in a rejection.
    name: &'static str,
    /// A site or an inspection: the bureau lists those it holds.
    listed: bool,
    make: fn(&Honest<'_>, DateTime<Utc>, String) -> PushItem,
}

fn time_fields() -> Vec<TimeField> {
    vec![
        TimeField {
            name: "created_at",
            listed: true,
            make: |h, at, mark| PushItem::Site(fieldcase_core::site::Site { created_at: at, name: mark, ..h.site() }),
        },
        TimeField {
            name: "started_at",
            listed: true,
            make: |h, at, mark| {
                h.inspection(|i| {
                    i.started_at = at;
                    i.location = Some(mark);
                })
            },
        },
        TimeField {
            name: "ended_at",
            listed: true,
            make: |h, at, mark| {
                let item = h.inspection(|i| i.location = Some(mark));
                let PushItem::Inspection(mut i) = item else { unreachable!("an inspection") };
                i.ended_at = Some(at);
                reseal(h, i)
            },
        },
        TimeField {
            name: "start_clock.laptop",
            listed: true,
            make: |h, at, mark| {
                h.inspection(|i| {
                    i.start_clock = Some(StartClock { laptop: at, anchored: true, set_back: false });
                    i.location = Some(mark);
                })
            },
        },
        TimeField {
            name: "outcome.deadline",
            listed: true,
            make: |h, at, mark| {
                let item = h.inspection(|i| i.location = Some(mark));
                let PushItem::Inspection(mut i) = item else { unreachable!("an inspection") };
                i.outcome = Some(Outcome::RectificationOrder { deadline: at.date_naive() });
                reseal(h, i)
            },
        },
        TimeField {
            name: "checked_at",
            listed: false,
            make: |h, at, mark| {
                h.check(|c| {
                    c.checked_at = at;
                    c.certificate_number = mark;
                })
            },
        },
        TimeField {
            name: "trusted_time",
            listed: false,
            make: |h, at, mark| {
                h.check(|c| {
                    c.trusted_time = Some(at);
                    c.certificate_number = mark;
                })
            },
        },
        TimeField {
            name: "capture_start",
            listed: false,
            make: |h, at, mark| {
                h.evidence(|e| {
                    e.capture_start = Some(at);
                    e.original_name = mark;
                })
            },
        },
        TimeField {
            name: "capture_end",
            listed: false,
            make: |h, at, mark| {
                h.evidence(|e| {
                    e.capture_end = Some(at);
                    e.original_name = mark;
                })
            },
        },
        TimeField {
            name: "imported_at",
            listed: false,
            make: |h, at, mark| {
                h.evidence(|e| {
                    e.imported_at = at;
                    e.original_name = mark;
                })
            },
        },
    ]
}

/// `inspection` sealed again after a change made past [`Honest::inspection`]'s seal.
fn reseal(h: &Honest<'_>, mut inspection: fieldcase_core::inspection::Inspection) -> PushItem {
    let hash = inspection.content_hash();
    inspection.seal = Some(fieldcase_core::inspection::Seal {
        content_hash: hash,
        signature: h.key.sign(fieldcase_core::signing::Signed::Inspection, &hash),
    });
    PushItem::Inspection(inspection)
}

/// The edges of the years a record may fall in, the clocks that wake in 1970, and chrono's own
/// ends (a start near year 262143 once made the bureau panic converting it to Beijing time),
/// then any instant chrono can hold.
fn an_instant() -> impl Strategy<Value = DateTime<Utc>> {
    let first = Utc.with_ymd_and_hms(*RECORD_YEARS.start(), 1, 1, 0, 0, 0).unwrap();
    let after_last = Utc.with_ymd_and_hms(RECORD_YEARS.end() + 1, 1, 1, 0, 0, 0).unwrap();
    let micro = chrono::Duration::microseconds(1);
    // The last evening chrono can hold: Beijing's date of it is past chrono's end.
    let far = NaiveDate::MAX.and_hms_opt(20, 0, 0).unwrap().and_utc();
    prop_oneof![
        Just(first),
        Just(first - micro),
        Just(after_last - micro),
        Just(after_last),
        Just(DateTime::UNIX_EPOCH),
        Just(DateTime::<Utc>::MIN_UTC),
        Just(DateTime::<Utc>::MAX_UTC),
        Just(far),
        (DateTime::<Utc>::MIN_UTC.timestamp()..DateTime::<Utc>::MAX_UTC.timestamp())
            .prop_map(|s| DateTime::from_timestamp(s, 0).expect("within chrono's range")),
        (first.timestamp()..after_last.timestamp())
            .prop_map(|s| DateTime::from_timestamp(s, 0).expect("within chrono's range")),
    ]
}

/// The last audit entry among `items`, whole.
fn last_entry(items: &[PushItem]) -> Option<AuditEntry> {
    items.iter().rev().find_map(|i| match i {
        PushItem::Audit(run) => run.entries().expect("the device's own chain").pop(),
        _ => None,
    })
}

fn within_record_years(at: DateTime<Utc>) -> bool {
    RECORD_YEARS.contains(&at.year())
}

/// For instants at, just inside and beyond the years a record may fall in, and at chrono's
/// ends, in every instant and date of every record kind (audit entries too): a record within
/// is accepted; one beyond is rejected with a reason naming the field and is not among the
/// bureau's records; the answer is never a 5xx; and the bureau goes on serving.
#[test]
fn a_pushed_time_outside_the_record_years_is_rejected_naming_the_field_and_never_a_5xx() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let bureau = runtime.block_on(TestBureau::start());
    let case = Cell::new(0u64);
    let mut runner =
        TestRunner::new(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() });
    let result = runner.run(&an_instant(), |at| {
        case.set(case.get() + 1);
        runtime.block_on(push_each_time_field(&bureau, case.get(), at))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

async fn push_each_time_field(bureau: &TestBureau, case: u64, at: DateTime<Utc>) -> Result<(), TestCaseError> {
    let mut device = TestDevice::new();
    device.enroll_through_store(bureau).await;
    let honest = Honest { device: device.device.id(), key: &device.key, n: 10_000 + case * 100 };
    let fields = time_fields();
    let mut items = Vec::new();
    let mut marks = Vec::new();
    for (n, field) in fields.iter().enumerate() {
        let mark = format!("TIME{case:05}{n:02}");
        let item = (field.make)(&Honest { n: honest.n + n as u64, ..honest }, at, mark.clone());
        marks.push(if field.name == "created_at" { mark } else { item.id() });
        items.push(item);
    }
    // What the device's first sync recorded goes first; then an audit entry at that time,
    // continuing its chain.
    let already: Vec<PushItem> = device.outbox();
    let before = last_entry(&already);
    let entry =
        AuditEntry::next(before.as_ref(), at, &honest.actor(), "site.create", "site", ContentHash::of_bytes(b"x"));
    items.splice(0..0, already.iter().cloned());
    items.push(PushItem::Audit(AuditRun::of(std::slice::from_ref(&entry)).expect("an entry")));
    items.push(PushItem::Site(site(honest.n + 99)));

    let (status, body) = device.push_raw(bureau, items).await;
    prop_assert_eq!(status, 200, "never a 5xx, nor a page refused whole: {}", body);
    let answer: PushResponse = serde_json::from_value(body).expect("a push response");
    let results = &answer.results[already.len()..];
    let within = within_record_years(at);
    let names = fields.iter().map(|f| f.name).chain(["at (audit entry"]);
    for (result, name) in results.iter().zip(names) {
        if within {
            prop_assert_eq!(&result.fate, &Fate::Accepted, "{} at {} is within the record years", name, at);
        } else {
            let Fate::Rejected { reason } = &result.fate else {
                return Err(TestCaseError::fail(format!("{name} at {at} must be rejected: {result:?}")));
            };
            prop_assert!(reason.starts_with(name), "the reason names the field first: {}", reason);
            prop_assert!(reason.contains("outside the years"), "and says why: {}", reason);
        }
    }
    prop_assert_eq!(&results[fields.len() + 1].fate, &Fate::Accepted, "the rest of the page is stored");

    // None of the rejected records is among the bureau's records (the review list keeps what
    // was sent); the bureau goes on answering.
    let records = serde_json::to_string(&bureau.store.inspections().await.expect("inspections")).expect("JSON")
        + &serde_json::to_string(&bureau.store.sites().await.expect("sites")).expect("JSON");
    for (field, found_by) in fields.iter().zip(&marks).filter(|(f, _)| f.listed) {
        let listed = records.contains(found_by.as_str());
        prop_assert_eq!(listed, within, "{} at {}: listed among the records only if within", field.name, at);
    }
    let (status, _) = bureau.get("/api/v1/health", None).await;
    prop_assert_eq!(status, 200, "the bureau still serves");
    Ok(())
}

/// Numbers a device sends that the bureau must keep exactly: an evidence file's size, a
/// check's registry version, an audit run's first entry number. Past what it can keep (a
/// 64-bit signed integer, and for a size a tebibyte, beyond any recorder's card), the item is
/// rejected naming the field; never a 5xx.
#[tokio::test]
async fn numbers_past_what_the_bureau_keeps_are_rejected_naming_the_field() {
    let bureau = TestBureau::start().await;
    let most = fieldcase_core::limits::EVIDENCE_BYTES;
    let edges = [0, 1, most, most + 1, i64::MAX as u64, i64::MAX as u64 + 1, u64::MAX];
    for (n, value) in edges.into_iter().enumerate() {
        let mut device = TestDevice::new();
        device.enroll_through_store(&bureau).await;
        let honest = Honest { device: device.device.id(), key: &device.key, n: 50_000 + n as u64 * 10 };
        let already = device.outbox();
        let mut items = already.clone();
        items.push(honest.evidence(|e| e.size = value));
        items.push(honest.check(|c| c.registry_version = value));
        let last = last_entry(&already).map(|e| e.seq);
        let mut run = AuditRun::of(&[AuditEntry::next(
            None,
            Utc::now(),
            &honest.actor(),
            "site.create",
            "site",
            ContentHash::of_bytes(b"x"),
        )])
        .expect("an entry");
        run.first_seq = value.max(last.unwrap_or(0) + 1);
        items.push(PushItem::Audit(run));
        let (status, body) = device.push_raw(&bureau, items).await;
        assert_eq!(status, 200, "never a 5xx, nor a page refused whole, for {value}: {body}");
        let answer: PushResponse = serde_json::from_value(body).expect("a push response");
        let results = &answer.results[already.len()..];
        let size_ok = value <= fieldcase_core::limits::EVIDENCE_BYTES;
        let version_ok = value <= i64::MAX as u64;
        for (result, (field, ok)) in results.iter().zip([("size", size_ok), ("registry_version", version_ok)]) {
            match &result.fate {
                Fate::Accepted => assert!(ok, "{field} {value} must be rejected"),
                Fate::Rejected { reason } => {
                    assert!(!ok, "{field} {value} must be accepted: {reason}");
                    assert!(reason.starts_with(field), "the reason names the field: {reason}");
                }
                other => panic!("{field} {value}: {other:?}"),
            }
        }
        // The audit run never continues this device's chain; what matters is the answer.
        assert!(matches!(results[2].fate, Fate::Rejected { .. }), "{:?}", results[2]);
    }
    let (status, _) = bureau.get("/api/v1/health", None).await;
    assert_eq!(status, 200, "the bureau still serves");
}
