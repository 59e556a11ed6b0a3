//! What the bureau's HTTP API decides about pushed records and serves in its feed, over a
//! real bound server, driven by a real client with records made and signed by real devices
//! (enrollment, page limits and the API's shape are in `api.rs`).

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use chrono::Utc;

use fieldcase_bureau::admin;
use fieldcase_bureau::store::ReviewScope;

use fieldcase_core::RecordKind;
use fieldcase_core::audit::{AuditEntry, AuditRun};
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::wire::{Fate, PushItem, PushResponse};

use common::{Backend, TestBureau, TestDevice, assert_error, of_kind};

/// A device enrolled with `bureau` that has made two sites, and its audit chain so far.
async fn device_with_audit_entries(bureau: &TestBureau) -> (TestDevice, Vec<AuditEntry>) {
    let mut device = TestDevice::new();
    device.enroll(bureau).await;
    device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    device.site("杭州立信装饰工程有限公司", "91330106MA27Q8R9T");
    let runs = of_kind(&device.outbox(), RecordKind::Audit);
    let PushItem::Audit(run) = &runs[0] else { unreachable!() };
    let entries = run.entries().expect("the device's own chain holds");
    (device, entries)
}

async fn a_gap_in_the_audit_chain_is_rejected_then_accepted_once_filled(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let (device, entries) = device_with_audit_entries(&bureau).await;
    assert!(entries.len() >= 4, "{}", entries.len());
    let run_of = |range: std::ops::Range<usize>| PushItem::Audit(AuditRun::of(&entries[range]).expect("entries"));

    // Entries 1 and 2, then 4: entry 4 does not follow 2.
    let answer = device.push(&bureau, vec![run_of(0..2), run_of(3..4)]).await;
    assert_eq!(answer.results[0].fate, Fate::Accepted);
    let Fate::Rejected { reason, .. } = &answer.results[1].fate else {
        panic!("a gap is rejected: {:?}", answer.results[1])
    };
    assert!(reason.contains("entry 4") && reason.contains("entry 3"), "the reason names the gap: {reason}");
    let open = bureau.store.reviews(ReviewScope::Open).await.expect("reviews");
    assert_eq!(open.len(), 1, "the gap is kept for review");
    assert_eq!((open[0].kind.as_str(), open[0].item_id.as_str()), ("audit", "4-4"));

    // Entries that claim to follow but were altered are rejected too, and nothing of them is stored.
    let PushItem::Audit(mut forged) = run_of(2..4) else { unreachable!() };
    forged.steps[0].action = "site.delete".into();
    let answer = device.push(&bureau, vec![PushItem::Audit(forged)]).await;
    let Fate::Rejected { reason, .. } = &answer.results[0].fate else {
        panic!("an altered entry is rejected: {:?}", answer.results[0])
    };
    assert!(reason.contains("altered"), "{reason}");

    // The same entries again are a duplicate; a run reaching past the chain held is stored
    // from where the chain ends, and settles the gap's review.
    let answer = device.push(&bureau, vec![run_of(0..2), run_of(1..entries.len())]).await;
    assert_eq!(answer.results[0].fate, Fate::Duplicate);
    assert_eq!(answer.results[1].fate, Fate::Accepted, "{:?}", answer.results);
    let open = bureau.store.reviews(ReviewScope::Open).await.expect("reviews");
    assert!(
        open.iter().all(|r| r.kind != RecordKind::Audit),
        "the chain's reviews are settled once it holds: {open:?}"
    );

    // A run the bureau holds with other contents is a conflict; the first version stays.
    let mut other = entries[..2].to_vec();
    other[1].subject = "another".into();
    other[1].hash = other[1].computed_hash();
    let answer = device.push(&bureau, vec![PushItem::Audit(AuditRun::of(&other).expect("entries"))]).await;
    assert!(matches!(answer.results[0].fate, Fate::Conflict { .. }), "{:?}", answer.results[0]);
}

async fn a_page_sent_ahead_is_stored_after_the_page_it_follows_and_not_without_it(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let bureau = Arc::new(bureau);
    let (mut device, entries) = device_with_audit_entries(&bureau).await;
    let first = device.page(vec![PushItem::Audit(AuditRun::of(&entries[..2]).expect("entries"))]);
    let mut second = device.page(vec![PushItem::Audit(AuditRun::of(&entries[2..]).expect("entries"))]);
    second.after = Some(first.items_hash());

    // The second page arrives first: it waits, and its entries are stored after the first's.
    let ahead = {
        let (bureau, token, second) = (Arc::clone(&bureau), device.token.clone(), second.clone());
        tokio::spawn(async move { bureau.post("/api/v1/push", &second, Some(&token)).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (status, body) = bureau.post("/api/v1/push", &first, Some(&device.token)).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = ahead.await.expect("the second page answered");
    assert_eq!(status, 200, "{body}");
    let answer: PushResponse = serde_json::from_value(body).expect("a push response");
    assert_eq!(answer.results[0].fate, Fate::Accepted, "the chain continued in order: {answer:?}");

    // A page that follows one the bureau refused is refused at once, and nothing of it stored.
    let mut forged = device.page(vec![PushItem::Audit(AuditRun::of(&entries[..1]).expect("entries"))]);
    forged.signature = TestDevice::new().page(vec![]).signature;
    assert_error(&bureau.post("/api/v1/push", &forged, Some(&device.token)).await, 422, "bad_signature");
    let site = device.site("新地点建设有限公司", "91330106MA2B3C4D7");
    let mut orphan = device.page(vec![PushItem::Site(site)]);
    orphan.after = Some(forged.items_hash());
    let message = assert_error(&bureau.post("/api/v1/push", &orphan, Some(&device.token)).await, 409, "out_of_order");
    assert!(message.contains("push again"), "{message}");
    assert_eq!(bureau.store.sites().await.expect("sites").len(), 0, "the orphan page stored nothing");
}

async fn a_site_whose_credit_code_the_bureau_knows_joins_it(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    admin::seed_demo(bureau.store.as_ref(), &bureau.key(), Utc::now()).await.expect("demo data");
    let directory = bureau.store.sites().await.expect("sites");
    let known = directory
        .iter()
        .find(|s| s.site.name == "浙江恒筑建设集团有限公司")
        .expect("the demo directory has it")
        .clone();

    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    let mine = device.site("恒筑建设", "91330106MA2B3C4D5");
    assert_eq!(mine.uscc, known.site.uscc);
    assert_ne!(mine.id, known.site.id);
    device.finalized_inspection(&mine);
    let answer = device.push(&bureau, device.outbox()).await;
    assert!(answer.results.iter().all(|r| r.fate == Fate::Accepted), "{:?}", answer.results);

    let after = bureau.store.sites().await.expect("sites");
    assert_eq!(after.len(), directory.len(), "no second site for a known credit code");
    let joined = after.iter().find(|s| s.site.id == known.site.id).expect("still there");
    assert_eq!(joined.aliases, vec![mine.id.to_string()], "the device's id is recorded as an alias");
    assert_eq!(joined.site.name, "浙江恒筑建设集团有限公司", "the directory's record stays");

    let held = bureau.store.inspections().await.expect("inspections");
    assert_eq!(held[0].site_id, known.site.id.to_string(), "the inspection resolves to the bureau's site");
    assert_eq!(held[0].site_name.as_deref(), Some("浙江恒筑建设集团有限公司"));
    assert!(!held[0].needs_review, "two officers were checked: {:?}", held[0]);

    // A new site goes into the feed.
    let other = device.site("杭州新建工程有限公司", "91330106MA2X1Y2W3");
    device.push(&bureau, device.outbox()).await;
    let (_, body) = bureau.get("/api/v1/changes?after=0", Some(&device.token)).await;
    assert!(body.to_string().contains(&other.id.to_string()), "a new site is in the feed");
    assert!(!body.to_string().contains(&mine.id.to_string()), "a joined site is not a new change");
}

async fn an_inspection_without_two_checked_officers_is_flagged_until_the_checks_arrive(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    device.finalized_inspection(&site);
    let items = device.outbox();
    let checks = of_kind(&items, RecordKind::CertificateCheck);
    assert_eq!(checks.len(), 2);

    let mut first = of_kind(&items, RecordKind::Site);
    first.extend(of_kind(&items, RecordKind::Inspection));
    let answer = device.push(&bureau, first).await;
    assert!(answer.results.iter().all(|r| r.fate == Fate::Accepted), "stored, not refused: {:?}", answer.results);
    let held = bureau.store.inspections().await.expect("inspections");
    assert!(held[0].needs_review, "no checks held yet: flagged");
    let open = bureau.store.reviews(ReviewScope::Open).await.expect("reviews");
    assert!(open[0].detail.contains("two-officer rule"), "{}", open[0].detail);

    device.push(&bureau, checks).await;
    let held = bureau.store.inspections().await.expect("inspections");
    assert!(!held[0].needs_review, "the flag is settled when the checks arrive: {:?}", held[0]);
    assert!(bureau.store.reviews(ReviewScope::Open).await.expect("reviews").is_empty());
    assert_eq!(
        bureau.store.reviews(ReviewScope::All).await.expect("reviews").len(),
        1,
        "the settled item stays on record"
    );
}

async fn an_inspection_changed_after_sealing_or_not_sealed_is_rejected(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    let sealed = device.finalized_inspection(&site);

    let mut tampered = sealed.clone();
    tampered.location = Some("改过的地点".into());
    let mut draft = sealed.clone();
    draft.status = fieldcase_core::inspection::InspectionStatus::Draft;
    draft.seal = None;
    let signed_elsewhere = {
        let other = TestDevice::new();
        let mut i = sealed.clone();
        let hash = i.content_hash();
        i.seal = Some(fieldcase_core::inspection::Seal {
            content_hash: hash,
            signature: other.key.sign(fieldcase_core::signing::Signed::Inspection, &hash),
        });
        i
    };
    let answer = device
        .push(
            &bureau,
            vec![PushItem::Inspection(tampered), PushItem::Inspection(draft), PushItem::Inspection(signed_elsewhere)],
        )
        .await;
    let reasons: Vec<String> = answer
        .results
        .iter()
        .map(|r| match &r.fate {
            Fate::Rejected { reason, .. } => reason.clone(),
            other => panic!("refused, not {other:?}"),
        })
        .collect();
    assert!(reasons[0].contains("changed after it was sealed"), "{}", reasons[0]);
    assert!(reasons[1].contains("not finalized"), "{}", reasons[1]);
    assert!(reasons[2].contains("does not verify"), "{}", reasons[2]);
    assert!(bureau.store.inspections().await.expect("inspections").is_empty(), "none stored");
    assert_eq!(bureau.store.reviews(ReviewScope::Open).await.expect("reviews").len(), 3, "each kept for review");

    // The sealed original is still welcome.
    assert_eq!(device.push(&bureau, vec![PushItem::Inspection(sealed)]).await.results[0].fate, Fate::Accepted);
}

/// The reason an item was rejected for (it must have been).
fn rejection(result: &fieldcase_core::wire::ItemResult) -> &str {
    match &result.fate {
        Fate::Rejected { reason, .. } => reason,
        other => panic!("{} {} must be rejected, not {other:?}", result.kind, result.id),
    }
}

/// The bureau re-checks an inspection against the registry's history at its start, in
/// Beijing time. An inspection dated at the end of chrono's range, resting on two valid
/// checks of certificates the registry knows, used to panic that conversion inside the write:
/// the writer was poisoned and every write after it answered 500 until the bureau restarted.
async fn an_inspection_dated_at_the_end_of_time_is_rejected_and_the_bureau_goes_on_storing(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    admin::seed_demo(bureau.store.as_ref(), &bureau.key(), Utc::now()).await.expect("the demo registry");
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    let sealed = device.finalized_inspection(&site);
    let items = device.outbox();
    let before: Vec<PushItem> = items.iter().filter(|i| i.kind() != RecordKind::Inspection).cloned().collect();
    let answer = device.push(&bureau, before).await;
    assert!(answer.results.iter().all(|r| r.fate == Fate::Accepted), "{:?}", answer.results);

    let mut far = sealed.clone();
    // chrono's last day (year 262142 in chrono 0.4.45): eight hours on is past its end.
    far.started_at = "+262142-12-31T20:00:00Z".parse().expect("chrono's last day");
    let answer = device.push(&bureau, vec![PushItem::Inspection(device.seal(far))]).await;
    let reason = rejection(&answer.results[0]);
    assert!(reason.contains("started_at") && reason.contains("2000") && reason.contains("2200"), "{reason}");
    assert!(bureau.store.inspections().await.expect("inspections").is_empty(), "not stored");

    // The next write, and the one after, are stored as ever.
    let answer = device.push(&bureau, vec![PushItem::Inspection(sealed)]).await;
    assert_eq!(answer.results[0].fate, Fate::Accepted, "the store must still write after a bad record");
    let other = device.site("杭州立信装饰工程有限公司", "91330106MA27Q8R9T");
    assert_eq!(device.push(&bureau, vec![PushItem::Site(other)]).await.results[0].fate, Fate::Accepted);
    let held = bureau.store.inspections().await.expect("inspections");
    assert!(!held[0].needs_review, "the honest version rests on two valid checks: {:?}", held[0]);
}

/// Every instant (and date) a pushed record carries must lie in the years a record may fall
/// in; one that does not rejects its item, naming the field, and the rest of the page is
/// stored.
async fn every_instant_a_device_pushes_is_held_to_the_years_a_record_may_fall_in(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let (mut device, entries) = device_with_audit_entries(&bureau).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D6");
    let sealed = device.finalized_inspection(&site);
    let check = of_kind(&device.outbox(), RecordKind::CertificateCheck).remove(0);
    let PushItem::CertificateCheck(check) = check else { unreachable!() };
    let at = |text: &str| -> chrono::DateTime<Utc> { text.parse().expect("an instant") };

    let mut items: Vec<(PushItem, &str)> = Vec::new();
    let mut s = site.clone();
    s.created_at = at("1970-01-01T00:00:00Z");
    items.push((PushItem::Site(s), "created_at"));
    let mut i = sealed.clone();
    i.ended_at = Some(at("2999-01-01T00:00:00Z"));
    items.push((PushItem::Inspection(device.seal(i)), "ended_at"));
    let mut i = sealed.clone();
    i.outcome =
        Some(fieldcase_core::inspection::Outcome::RectificationOrder { deadline: "9999-12-31".parse().unwrap() });
    items.push((PushItem::Inspection(device.seal(i)), "deadline"));
    let mut c = check.clone();
    c.checked_at = at("1999-12-31T23:59:59Z");
    items.push((PushItem::CertificateCheck(c), "checked_at"));
    let mut c = check.clone();
    c.trusted_time = Some(at("2201-01-01T00:00:00Z"));
    items.push((PushItem::CertificateCheck(c), "trusted_time"));
    let evidence = fieldcase_core::evidence::EvidenceRef {
        id: fieldcase_core::ids::EvidenceId::generate(Utc::now()),
        inspection_id: sealed.id,
        kind: fieldcase_core::evidence::MediaKind::Video,
        original_path: "/media/cam/0001.mp4".into(),
        original_name: "0001.mp4".into(),
        recorder_id: Some("DSJ-01".into()),
        size: 1024,
        sha256: ContentHash::of_bytes(b"video"),
        capture_start: Some(at("2026-03-01T08:00:00Z")),
        capture_end: Some(at("2026-03-01T08:30:00Z")),
        capture_source: None,
        officer_id: None,
        imported_at: at("2026-03-01T09:00:00Z"),
        in_place: false,
    };
    for field in ["capture_start", "capture_end", "imported_at"] {
        let mut e = evidence.clone();
        e.id = fieldcase_core::ids::EvidenceId::generate(Utc::now());
        let never = at("+200000-01-01T00:00:00Z");
        match field {
            "capture_start" => e.capture_start = Some(never),
            "capture_end" => e.capture_end = Some(never),
            _ => e.imported_at = never,
        }
        items.push((PushItem::Evidence(e), field));
    }
    // An audit entry of 1970, the chain rehashed around it so that only its instant is wrong.
    let mut chain: Vec<AuditEntry> = Vec::new();
    for (n, e) in entries.iter().enumerate() {
        let when = if n == 1 { at("1970-01-01T08:00:00Z") } else { e.at };
        let mut next =
            AuditEntry { prev_hash: chain.last().map_or(ContentHash::ZERO, |p| p.hash), at: when, ..e.clone() };
        next.hash = next.computed_hash();
        chain.push(next);
    }
    items.push((PushItem::Audit(AuditRun::of(&chain).expect("entries")), "at (audit entry 2)"));

    let (mut page, fields): (Vec<PushItem>, Vec<&str>) = items.into_iter().unzip();
    // An item with nothing wrong after them: a check of its own (the check as it was made
    // would settle the rejections of its altered copies above).
    let mut fresh = check.clone();
    fresh.id = fieldcase_core::ids::CheckId::generate(Utc::now());
    page.push(PushItem::CertificateCheck(fresh));
    let answer = device.push(&bureau, page).await;
    for (result, field) in answer.results.iter().zip(&fields) {
        let reason = rejection(result);
        assert!(reason.contains(field), "the reason names {field}: {reason}");
    }
    assert_eq!(answer.results[fields.len()].fate, Fate::Accepted, "the page goes on past its rejected items");
    assert!(bureau.store.sites().await.expect("sites").is_empty(), "nothing rejected is stored");
    assert_eq!(bureau.store.reviews(ReviewScope::Open).await.expect("reviews").len(), fields.len(), "each is kept");
}

/// A laptop clock set back cannot move an inspection to before a revocation unnoticed: the
/// record carries the trusted time (the last moment known to have passed) with the laptop's
/// reading beside it, and the bureau flags a start known only roughly for a person. So is a
/// record made before the device ever learned the bureau's clock.
async fn an_inspection_whose_start_is_known_only_roughly_is_flagged(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let clock = std::sync::Arc::new(fieldcase_device::ManualClock::new(Utc::now()));
    let mut device = TestDevice::with_clock(clock.clone());
    device.enroll(&bureau).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    clock.set_wall_clock(chrono::Duration::days(-3));
    let inspection = device.finalized_inspection(&site);
    let start = inspection.start_clock.clone().expect("a new record carries its start clock");
    assert!(start.set_back && start.anchored, "{start:?}");
    assert!(inspection.started_at > start.laptop + chrono::Duration::days(2), "the start is not the laptop's reading");
    device.push(&bureau, device.outbox()).await;
    let open = bureau.store.reviews(ReviewScope::Open).await.expect("reviews");
    assert_eq!(open.len(), 1, "{open:?}");
    assert!(open[0].detail.contains("set back"), "{}", open[0].detail);
    assert!(open[0].detail.contains("when it reached the bureau"), "re-checked at arrival: {}", open[0].detail);

    // fieldcase records only after a first sync (an officer signs in against the registry it
    // brings), but a record from an older version or another program may start on a clock
    // never anchored to the bureau's.
    let mut never_synced = TestDevice::new();
    never_synced.enroll(&bureau).await;
    let site = never_synced.site("杭州之江园林绿化工程有限公司", "91330106MA2D5E6F7");
    let mut unanchored = never_synced.finalized_inspection(&site);
    unanchored.start_clock.as_mut().expect("kept").anchored = false;
    let unanchored = never_synced.seal(unanchored);
    let items: Vec<_> = never_synced
        .outbox()
        .into_iter()
        .map(|item| match item {
            fieldcase_core::wire::PushItem::Inspection(_) => {
                fieldcase_core::wire::PushItem::Inspection(unanchored.clone())
            }
            other => other,
        })
        .collect();
    never_synced.push(&bureau, items).await;
    let open = bureau.store.reviews(ReviewScope::Open).await.expect("reviews");
    assert!(open.iter().any(|r| r.detail.contains("never synced")), "{open:?}");
}

on_both_backends!(
    a_gap_in_the_audit_chain_is_rejected_then_accepted_once_filled,
    a_page_sent_ahead_is_stored_after_the_page_it_follows_and_not_without_it,
    a_site_whose_credit_code_the_bureau_knows_joins_it,
    an_inspection_without_two_checked_officers_is_flagged_until_the_checks_arrive,
    an_inspection_changed_after_sealing_or_not_sealed_is_rejected,
    an_inspection_dated_at_the_end_of_time_is_rejected_and_the_bureau_goes_on_storing,
    every_instant_a_device_pushes_is_held_to_the_years_a_record_may_fall_in,
    an_inspection_whose_start_is_known_only_roughly_is_flagged,
);
