//! What one page decides about items that depend on each other within it, on both backends
//! (PostgreSQL answers a page's questions from what it read before and wrote during it): an
//! inspection before its checks is flagged and settled by them, and the same item twice is
//! stored once.

#![allow(clippy::unwrap_used)]

mod common;

use fieldcase_bureau::store::ReviewScope;
use fieldcase_core::RecordKind;
use fieldcase_core::wire::Fate;

use common::{Backend, TestBureau, TestDevice, of_kind};

async fn an_inspection_before_its_checks_in_one_page_is_settled_by_them(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    device.finalized_inspection(&site);
    let items = device.outbox();
    let mut page = of_kind(&items, RecordKind::Site);
    page.extend(of_kind(&items, RecordKind::Inspection));
    page.extend(of_kind(&items, RecordKind::CertificateCheck));
    assert_eq!(page.len(), 4);

    let answer = device.push(&bureau, page).await;
    assert!(answer.results.iter().all(|r| r.fate == Fate::Accepted), "{:?}", answer.results);
    let held = bureau.store.inspections().await.unwrap();
    assert!(!held[0].needs_review, "its checks came after it in the same page: {:?}", held[0]);
    let reviews = bureau.store.reviews(ReviewScope::All).await.unwrap();
    assert_eq!(reviews.len(), 1, "flagged when it came: {reviews:?}");
    assert!(reviews[0].resolved_at.is_some(), "and settled by the checks: {reviews:?}");
}

async fn the_same_items_twice_in_one_page_are_stored_once(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    device.finalized_inspection(&site);
    let items = device.outbox();
    let records: Vec<_> = items.iter().filter(|i| i.kind() != RecordKind::Audit).cloned().collect();
    let mut page = records.clone();
    page.extend(records.clone());

    let answer = device.push(&bureau, page).await;
    let (first, second) = answer.results.split_at(records.len());
    assert!(first.iter().all(|r| r.fate == Fate::Accepted), "{first:?}");
    assert!(second.iter().all(|r| r.fate == Fate::Duplicate), "{second:?}");
    assert_eq!(bureau.store.inspections().await.unwrap().len(), 1);
    assert_eq!(bureau.store.sites().await.unwrap().len(), 1);
}

on_both_backends!(
    an_inspection_before_its_checks_in_one_page_is_settled_by_them,
    the_same_items_twice_in_one_page_are_stored_once,
);
