//! The evidence upload story, written once over the bureau's blob store: each scene starts a
//! real bureau with the blob-store settings it is given (`configure`), enrolls a real device
//! that seals an inspection with the sample recorder folder and pushes its evidence
//! references, then speaks tus to the bureau over HTTP. `tests/uploads.rs` runs it on the
//! filesystem store; another test file may run it on another store.

#![allow(dead_code)]

pub mod client;
mod connections;
mod scenes;

pub use connections::*;
pub use scenes::*;

use std::sync::atomic::AtomicBool;

use fieldcase_bureau::Config;
use fieldcase_core::evidence::EvidenceRef;
use fieldcase_core::wire::{Fate, PushItem};
use fieldcase_device::demo::{answer_all, check_two_officers};
use fieldcase_device::evidence::sample::write_recorder_folder;
use fieldcase_device::{ImportOptions, NewRecorderCheck};

use crate::common::{TestBureau, TestDevice};

/// How a scene's bureau keeps its blobs (and anything else it must be told): a closure, so a
/// store started by the test (an S3 server on a port of its own) can be named.
pub type Configure<'a> = &'a (dyn Fn(&mut Config) + Send + Sync);

/// A bureau, a device that pushed its evidence references, and the files behind them.
pub struct Scene {
    pub bureau: TestBureau,
    pub device: TestDevice,
    /// Each pushed reference with the file's bytes, largest first.
    pub files: Vec<(EvidenceRef, Vec<u8>)>,
    _folder: tempfile::TempDir,
}

impl Scene {
    pub async fn start(configure: Configure<'_>) -> Self {
        let bureau = TestBureau::start_with(|config| configure(config)).await;
        let mut device = TestDevice::new();
        device.enroll(&bureau).await;
        let folder = tempfile::tempdir().expect("a temp dir");
        sealed_with_evidence(&mut device, folder.path());
        let page = device.device.next_push_page(1000).expect("the outbox reads").expect("a page to push");
        let answer = device.push(&bureau, page.items.clone()).await;
        for result in &answer.results {
            assert!(matches!(result.fate, Fate::Accepted), "the reference must be taken first: {result:?}");
        }
        device.device.apply_push_results(&page, &answer).expect("the results are kept");
        let mut files: Vec<(EvidenceRef, Vec<u8>)> = page
            .items
            .iter()
            .filter_map(|item| match item {
                PushItem::Evidence(reference) => Some(reference.clone()),
                _ => None,
            })
            .map(|reference| {
                let bytes = std::fs::read(&reference.original_path).expect("the recorder's file is still there");
                assert_eq!(bytes.len() as u64, reference.size);
                (reference, bytes)
            })
            .collect();
        files.sort_by_key(|(reference, _)| std::cmp::Reverse(reference.size));
        assert!(files[0].1.len() >= 3, "the largest file splits into three chunks");
        Scene { bureau, device, files, _folder: folder }
    }

    /// The largest file.
    pub fn file(&self) -> (&EvidenceRef, &[u8]) {
        (&self.files[0].0, &self.files[0].1)
    }

    pub fn token(&self) -> &str {
        &self.device.token
    }

    /// Another device enrolled at the same bureau.
    pub async fn stranger(&self) -> TestDevice {
        let mut other = TestDevice::new();
        other.enroll(&self.bureau).await;
        other
    }
}

/// The device records an inspection with the sample recorder folder's files and seals it.
fn sealed_with_evidence(device: &mut TestDevice, folder: &std::path::Path) {
    let site = device.site("甲建筑公司", "91350100M000100Y4");
    let draft = device.device.new_inspection(site.id, None, None).expect("a draft");
    answer_all(&mut device.device, draft.id, &[]).expect("answers");
    check_two_officers(&mut device.device, draft.id).expect("checks");
    let now = device.device.now();
    device
        .device
        .record_recorder_check(NewRecorderCheck {
            inspection_id: draft.id,
            recorder_id: "A0123".into(),
            shows: now,
            battery_percent: Some(80),
            storage_free_mb: Some(12_000),
        })
        .expect("a recorder check");
    write_recorder_folder(folder).expect("the sample folder");
    let options = ImportOptions { recorder_id: Some("A0123".into()), in_place: false };
    device.device.import_evidence(draft.id, folder, &options, &|_| {}, &AtomicBool::new(false)).expect("the import");
    device.device.finalize(draft.id, None).expect("it finalizes");
}
