//! Evidence references and recorder checks pushed by a real device after the sealed
//! inspection they belong to: stored when the seal's manifest lists them, refused with a
//! code of their own when it does not.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::atomic::AtomicBool;

use fieldcase_core::ErrorCode;
use fieldcase_core::RecordKind;
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::{EvidenceId, InspectionId};
use fieldcase_core::inspection::Inspection;
use fieldcase_core::wire::{Fate, PushItem};
use fieldcase_device::demo::{answer_all, check_two_officers};
use fieldcase_device::evidence::sample::write_recorder_folder;
use fieldcase_device::{ImportOptions, NewRecorderCheck};

use common::{TestBureau, TestDevice};

/// A device that imported the sample recorder folder into an inspection, checked the
/// recorder, and finalized it.
async fn sealed_with_evidence(bureau: &TestBureau) -> (TestDevice, Inspection, tempfile::TempDir, usize) {
    let mut device = TestDevice::new();
    device.enroll(bureau).await;
    let site = device.site("甲建筑公司", "91350100M000100Y4");
    let draft = device.device.new_inspection(site.id, None, None).unwrap();
    answer_all(&mut device.device, draft.id, &[]).unwrap();
    check_two_officers(&mut device.device, draft.id).unwrap();
    let now = device.device.now();
    device
        .device
        .record_recorder_check(NewRecorderCheck {
            inspection_id: draft.id,
            recorder_id: "A0123".into(),
            shows: now + chrono::Duration::seconds(42),
            battery_percent: Some(80),
            storage_free_mb: Some(12_000),
        })
        .unwrap();
    let folder = tempfile::tempdir().unwrap();
    let sample = write_recorder_folder(folder.path()).unwrap();
    let options = ImportOptions { recorder_id: Some("A0123".into()), in_place: false };
    device.device.import_evidence(draft.id, folder.path(), &options, &|_| {}, &AtomicBool::new(false)).unwrap();
    let sealed = device.device.finalize(draft.id, None).unwrap();
    (device, sealed, folder, sample.media().count())
}

#[tokio::test]
async fn evidence_and_recorder_checks_travel_after_their_seal_and_are_stored() {
    let bureau = TestBureau::start().await;
    let (mut device, sealed, _folder, media) = sealed_with_evidence(&bureau).await;
    let page = device.device.next_push_page(1000).unwrap().unwrap();
    let kinds: Vec<RecordKind> = page.items.iter().map(PushItem::kind).collect();
    assert_eq!(kinds.iter().filter(|k| **k == RecordKind::Evidence).count(), media, "every reference goes");
    assert!(kinds.contains(&RecordKind::RecorderCheck), "and the recorder check");

    let answer = device.push(&bureau, page.items.clone()).await;
    for result in &answer.results {
        assert!(matches!(result.fate, Fate::Accepted), "{result:?}");
    }
    let (evidence, checks) = bureau.store.evidence_of(sealed.id).await.unwrap();
    assert_eq!(evidence.len(), media, "the bureau holds every reference");
    assert_eq!(checks.len(), 1);
    let check = &checks[0];
    assert_eq!(check.offset_seconds, (check.recorder_shows - check.trusted_time).num_seconds());
    // The laptop's clock moved on between reading the time and recording the check.
    assert!((40..=42).contains(&check.offset_seconds), "with the recorder's offset: {}", check.offset_seconds);
    let manifest = sealed.evidence.as_ref().unwrap();
    for reference in &evidence {
        assert_eq!(manifest.covers(reference), Ok(()), "each as its seal lists it");
    }

    // The device learns the bureau took them: the outbox empties and custody records it.
    device.device.apply_push_results(&page, &answer).unwrap();
    let pending = device.device.sync_status().unwrap().pending;
    assert_eq!(pending.evidence, 0, "nothing of the evidence waits any more");
    let custody: Vec<String> = device.device.custody(evidence[0].id).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(custody, ["evidence.import", "evidence.push"]);
}

#[tokio::test]
async fn a_reference_the_seal_does_not_cover_is_refused_with_its_code() {
    let bureau = TestBureau::start().await;
    let (device, sealed, _folder, _) = sealed_with_evidence(&bureau).await;
    let items = device.outbox();
    let first = items.iter().position(|i| i.kind() == RecordKind::Evidence).unwrap();
    let PushItem::Evidence(honest) = items[first].clone() else { unreachable!() };

    // The first file's reference altered on the way: another hash, another size.
    let mut altered = items.clone();
    let mut changed = honest.clone();
    changed.sha256 = ContentHash::of_bytes(b"other bytes");
    changed.size += 1;
    altered[first] = PushItem::Evidence(changed);
    // A file the seal never named, and one naming an inspection the bureau does not hold.
    let mut stranger = honest.clone();
    stranger.id = EvidenceId::generate(device.device.now());
    altered.push(PushItem::Evidence(stranger));
    let mut orphan = honest.clone();
    orphan.id = EvidenceId::generate(device.device.now());
    orphan.inspection_id = InspectionId::generate(device.device.now());
    altered.push(PushItem::Evidence(orphan));

    let answer = device.push(&bureau, altered.clone()).await;
    let code_of = |n: usize| match &answer.results[n].fate {
        Fate::Rejected { code, reason } => {
            assert!(!reason.is_empty());
            *code
        }
        other => panic!("item {n} must be refused: {other:?}"),
    };
    assert_eq!(code_of(first), Some(ErrorCode::EvidenceMismatch));
    let n = altered.len();
    assert_eq!(code_of(n - 2), Some(ErrorCode::EvidenceNotInSeal));
    assert_eq!(code_of(n - 1), Some(ErrorCode::EvidenceInspectionUnknown));
    let (held, _) = bureau.store.evidence_of(sealed.id).await.unwrap();
    assert!(held.iter().all(|e| e.id != honest.id), "the altered reference is not stored");
    assert_eq!(held.len(), items.iter().filter(|i| i.kind() == RecordKind::Evidence).count() - 1);

    // The reference as sealed is taken afterwards.
    let again = device.push(&bureau, vec![PushItem::Evidence(honest)]).await;
    assert_eq!(again.results[0].fate, Fate::Accepted);
}
