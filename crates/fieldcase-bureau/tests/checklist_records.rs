//! An inspection sealed with the officer's notes and a finding raised from a "no" with its
//! legal basis: the bureau takes it, holds the record as the device sealed it (the new
//! fields included), and its seal still verifies there, on both backends.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{Duration, Utc};

use fieldcase_core::RecordKind;
use fieldcase_core::inspection::{Inspection, Outcome};
use fieldcase_core::wire::{Fate, PushItem};
use fieldcase_device::demo::{answer_all, check_two_officers};

use common::{Backend, TestBureau, TestDevice, of_kind};

/// The record the bureau holds under `id`, as stored.
async fn stored_record(bureau: &TestBureau, id: &str) -> String {
    match &bureau.config.database_url {
        None => {
            let db = rusqlite::Connection::open(bureau.data_dir.join(fieldcase_bureau::DB_FILE)).unwrap();
            db.query_row("SELECT record FROM inspections WHERE id = ?1", [id], |r| r.get(0)).unwrap()
        }
        Some(url) => {
            let (client, connection) = tokio_postgres::connect(url.expose(), tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            client.query_one("SELECT record FROM inspections WHERE id = $1", &[&id]).await.unwrap().get(0)
        }
    }
}

async fn notes_and_a_raised_finding_reach_the_bureau_as_sealed(backend: Backend) {
    let Some(bureau) = TestBureau::on(backend).await else { return };
    let mut device = TestDevice::new();
    device.enroll(&bureau).await;
    let site = device.site("浙江恒筑建设集团有限公司", "91330106MA2B3C4D5");
    let d = &mut device.device;
    let draft = d.new_inspection(site.id, None, Some("项目部".into())).unwrap();
    answer_all(d, draft.id, &["ledgers"]).unwrap();
    d.raise_finding(draft.id, "ledgers", "考勤表缺十月").unwrap();
    d.set_item_note(draft.id, "ledgers", "十月考勤表称在总包处").unwrap();
    check_two_officers(d, draft.id).unwrap();
    let deadline = (Utc::now() + Duration::days(14)).date_naive();
    let sealed = d.finalize(draft.id, Some(Outcome::RectificationOrder { deadline })).unwrap();
    assert_eq!(sealed.findings[0].basis.as_deref(), Some("保障农民工工资支付条例 第十五条、第二十八条"));

    let items = device.outbox();
    let mut first = of_kind(&items, RecordKind::Site);
    first.extend(of_kind(&items, RecordKind::Inspection));
    let answer = device.push(&bureau, first.clone()).await;
    assert!(answer.results.iter().all(|r| r.fate == Fate::Accepted), "{:?}", answer.results);

    let held: Inspection = serde_json::from_str(&stored_record(&bureau, &sealed.id.to_string()).await).unwrap();
    assert_eq!(held, sealed, "the bureau holds the record as sealed, notes and the finding's basis included");
    assert_eq!(held.content_hash(), sealed.seal.as_ref().unwrap().content_hash, "and its seal still covers it");
    let again = device.push(&bureau, of_kind(&first, RecordKind::Inspection)).await;
    assert_eq!(again.results[0].fate, Fate::Duplicate, "the same record again is the same (id, hash)");
    assert!(
        !of_kind(&items, RecordKind::Inspection)
            .iter()
            .any(|i| matches!(i, PushItem::Inspection(i) if i.notes.is_empty())),
        "the pushed record carried its notes"
    );
}

on_both_backends!(notes_and_a_raised_finding_reach_the_bureau_as_sealed);
