//! Evidence on the device: a generated recorder folder imported into inspections, the vault
//! shared between them, the timeline's gaps holding up finalizing, the seal over the
//! manifest, re-verification and the chain of custody.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use chrono::{DateTime, Duration, TimeZone, Utc};
use fieldcase_core::ErrorCode;
use fieldcase_core::inspection::{Inspection, Outcome};
use fieldcase_core::site::NewSite;
use fieldcase_device::evidence::sample::{SampleManifest, write_recorder_folder};
use fieldcase_device::{
    Device, ImportOptions, ImportProgress, ImportSummary, ManualClock, NewRecorderCheck, OpenMode, demo,
};

struct Fixture {
    _dir: tempfile::TempDir,
    device: Device,
    clock: Arc<ManualClock>,
    folder: tempfile::TempDir,
    sample: SampleManifest,
}

/// Beijing wall-clock time on the sample session's day.
fn beijing(hour: u32, minute: u32) -> DateTime<Utc> {
    fieldcase_core::time::beijing().with_ymd_and_hms(2026, 12, 1, hour, minute, 0).unwrap().to_utc()
}

/// A device whose clock reads 09:25 Beijing time on the sample session's day, and the
/// sample recorder folder.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(beijing(9, 25)));
    let mut device = Device::open_with_clock(dir.path(), OpenMode::CreateIfMissing, clock.clone()).unwrap();
    common::signed_in(&mut device);
    let folder = tempfile::tempdir().unwrap();
    let sample = write_recorder_folder(folder.path()).unwrap();
    Fixture { _dir: dir, device, clock, folder, sample }
}

fn draft(f: &mut Fixture, uscc: &str) -> Inspection {
    let site =
        f.device.add_site(NewSite { name: "甲建筑公司".into(), uscc: uscc.into(), ..Default::default() }).unwrap();
    let draft = f.device.new_inspection(site.id, None, None).unwrap();
    demo::answer_all(&mut f.device, draft.id, &[]).unwrap();
    demo::check_two_officers(&mut f.device, draft.id).unwrap();
    draft
}

fn import(f: &mut Fixture, inspection: &Inspection) -> ImportSummary {
    let options = ImportOptions { recorder_id: Some("A0123".into()), in_place: false };
    let folder = f.folder.path().to_owned();
    f.device.import_evidence(inspection.id, &folder, &options, &|_| {}, &AtomicBool::new(false)).unwrap()
}

/// What `sha256sum` says of every file under `dir`, by path relative to it.
fn sha256sum(dir: &Path, files: &[&Path]) -> BTreeMap<String, String> {
    let out = Command::new("sha256sum").args(files).current_dir(dir).output().expect("sha256sum runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let (hash, path) = line.split_once("  ").unwrap();
            (path.to_owned(), hash.to_owned())
        })
        .collect()
}

#[test]
fn a_recorder_folder_imports_with_hashes_capture_times_and_what_was_skipped() {
    let mut f = fixture();
    let inspection = draft(&mut f, "91350100M000100Y43");
    let progress: std::sync::Mutex<Vec<ImportProgress>> = Default::default();
    let options = ImportOptions { recorder_id: Some("A0123".into()), in_place: false };
    let folder = f.folder.path().canonicalize().unwrap();
    let summary = f
        .device
        .import_evidence(
            inspection.id,
            &folder,
            &options,
            &|p| progress.lock().unwrap().push(p.clone()),
            &AtomicBool::new(false),
        )
        .unwrap();

    let sample = f.sample.clone();
    let media: Vec<_> = sample.media().collect();
    assert_eq!(summary.imported.len(), media.len(), "every media file is imported: {summary:#?}");
    assert_eq!(summary.skipped.len(), f.sample.skipped().count(), "every other file is named: {summary:#?}");
    assert!(summary.skipped.iter().all(|s| !s.reason.is_empty()), "each skip says why");
    let relative: Vec<&Path> = media.iter().map(|(p, _, _)| *p).collect();
    let expected = sha256sum(&folder, &relative);
    let items = f.device.evidence(Some(inspection.id)).unwrap();
    for (path, kind, capture) in &media {
        let item = items
            .iter()
            .find(|i| i.reference.original_path == folder.join(path).display().to_string())
            .unwrap_or_else(|| panic!("{} is referenced", path.display()));
        let r = &item.reference;
        assert_eq!(r.sha256.to_hex(), expected[&path.display().to_string()], "the hash sha256sum gives");
        assert_eq!(r.kind, *kind, "{}", path.display());
        assert_eq!(r.size, std::fs::metadata(folder.join(path)).unwrap().len());
        assert_eq!(r.capture_start, capture.map(|c| c.start), "{}", path.display());
        assert_eq!(r.capture_source, capture.map(|c| c.source), "{}", path.display());
        assert_eq!(r.recorder_id.as_deref(), Some("A0123"));
        assert_eq!(r.officer_id.as_ref().map(|o| o.as_str()), Some(common::OFFICER.0), "the officer signed in");
        assert!(!r.in_place);
        assert!(Path::new(&item.stored_at).is_file(), "the bytes are in the vault");
        assert_eq!(item.has_thumbnail, r.kind == fieldcase_core::evidence::MediaKind::Photo);
    }
    let photo = items.iter().find(|i| i.has_thumbnail).expect("the sample has photos");
    let thumb = f.device.evidence_thumbnail(photo.reference.id, 160).unwrap();
    assert_eq!(&thumb[..2], &[0xFF, 0xD8], "a thumbnail is a JPEG");

    let progress = progress.into_inner().unwrap();
    let last = progress.last().expect("progress was reported");
    assert_eq!((last.files_done, last.files_total), (media.len() as u32, media.len() as u32));
    assert_eq!(last.bytes_done, last.bytes_total);
    assert!(progress.windows(2).all(|w| w[0].bytes_done <= w[1].bytes_done), "progress only moves on");

    let again = import(&mut f, &inspection);
    assert!(again.imported.is_empty(), "importing the same folder again adds nothing: {again:#?}");
    assert_eq!(again.already_there.len(), media.len(), "and says each file is already there");
    assert_eq!(f.device.evidence(Some(inspection.id)).unwrap().len(), media.len());
    f.device.verify_audit().unwrap();
}

#[test]
fn the_same_bytes_in_two_inspections_are_stored_once_and_referenced_from_each() {
    let mut f = fixture();
    let first = draft(&mut f, "91350100M000100Y43");
    let second = draft(&mut f, "91350100M000200Y3P");
    let a = import(&mut f, &first);
    let b = import(&mut f, &second);
    assert_eq!(a.imported.len(), b.imported.len(), "each inspection references every file");
    let files_in_vault = walk(&f.device.data_dir().join(fieldcase_device::VAULT_DIR));
    assert_eq!(files_in_vault, a.imported.len(), "the vault holds each file once");
    let (ra, rb) = (f.device.evidence(Some(first.id)).unwrap(), f.device.evidence(Some(second.id)).unwrap());
    assert_ne!(ra[0].reference.id, rb[0].reference.id, "two references");
    assert_eq!(ra[0].stored_at, rb[0].stored_at, "to one file");
}

fn walk(dir: &Path) -> usize {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).map(|p| if p.is_dir() { walk(&p) } else { 1 }).sum()
}

#[test]
fn finalizing_waits_for_a_reason_for_each_gap_and_the_seal_covers_the_manifest() {
    let mut f = fixture();
    let inspection = draft(&mut f, "91350100M000100Y43");
    f.device
        .record_recorder_check(NewRecorderCheck {
            inspection_id: inspection.id,
            recorder_id: "A0123".into(),
            // The recorder's clock is right: its recordings stay where they were.
            shows: beijing(9, 25),
            battery_percent: Some(90),
            storage_free_mb: Some(20_000),
        })
        .unwrap();
    import(&mut f, &inspection);
    f.clock.advance(Duration::minutes(75));

    let timeline = f.device.timeline(inspection.id).unwrap();
    let expected: Vec<_> = f.sample.gaps_over_five_minutes.clone();
    let found: Vec<_> = timeline.gaps.iter().map(|g| (g.start, g.end)).collect();
    assert_eq!(found, expected, "the sample's break is the one gap");
    let gap = timeline.gaps[0].clone();

    let refused = f.device.finalize(inspection.id, Some(Outcome::NoViolation)).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::RuleViolation);
    let message = refused.to_string();
    assert!(message.contains(&gap.id) && message.contains("gap-reason"), "names the gap and how: {message}");

    let unknown = f.device.set_gap_reason(inspection.id, "gap-nothing", "x").unwrap_err();
    assert!(unknown.to_string().contains(&gap.id), "an unknown gap is refused, naming the real ones: {unknown}");
    f.device.set_gap_reason(inspection.id, &gap.id, "记录仪更换电池").unwrap();
    let sealed = f.device.finalize(inspection.id, Some(Outcome::NoViolation)).unwrap();
    let manifest = sealed.evidence.clone().expect("the sealed record carries its evidence manifest");
    assert_eq!(manifest.files.len(), f.sample.media().count());
    assert_eq!(manifest.recorder_checks.len(), 1);
    assert_eq!(manifest.gaps[0].reason.as_deref(), Some("记录仪更换电池"));
    let seal = sealed.seal.clone().unwrap();
    assert_eq!(seal.content_hash, sealed.content_hash(), "the seal is over the record with its manifest");
    let mut altered = sealed.clone();
    altered.evidence.as_mut().unwrap().files.pop();
    assert_ne!(altered.content_hash(), seal.content_hash, "a file taken out of the manifest breaks the seal");

    let late = f.device.import_evidence(
        inspection.id,
        f.folder.path(),
        &ImportOptions::default(),
        &|_| {},
        &AtomicBool::new(false),
    );
    assert_eq!(late.unwrap_err().code(), ErrorCode::RuleViolation, "a sealed inspection gains no evidence");
    let queued: Vec<_> = f.device.next_push_page(1000).unwrap().unwrap().items.iter().map(|i| i.kind()).collect();
    let position = |kind| queued.iter().position(|k| *k == kind).unwrap();
    use fieldcase_core::RecordKind;
    assert!(position(RecordKind::Inspection) < position(RecordKind::Evidence), "evidence travels after its seal");
    assert!(queued.contains(&RecordKind::RecorderCheck));
}

#[test]
fn a_changed_vault_file_is_named_by_verification_and_custody_lists_each_step() {
    let mut f = fixture();
    let inspection = draft(&mut f, "91350100M000100Y43");
    import(&mut f, &inspection);
    let items = f.device.evidence(Some(inspection.id)).unwrap();
    assert!(f.device.verify_evidence(None).unwrap().mismatches.is_empty(), "all intact after import");

    let victim = &items[0];
    let mut bytes = std::fs::read(&victim.stored_at).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&victim.stored_at, &bytes).unwrap();
    let report = f.device.verify_evidence(None).unwrap();
    assert_eq!(report.checked as usize, items.len());
    assert_eq!(report.mismatches.len(), 1, "exactly the changed file: {report:#?}");
    assert_eq!(report.mismatches[0].id, victim.reference.id);

    let custody: Vec<String> = f.device.custody(victim.reference.id).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(custody, ["evidence.import", "evidence.verify", "evidence.verify"], "import and both checks");
    f.device.verify_audit().unwrap();
}

#[test]
fn a_cancelled_import_leaves_no_reference_and_no_half_file() {
    let mut f = fixture();
    let inspection = draft(&mut f, "91350100M000100Y43");
    let cancel = AtomicBool::new(false);
    let folder = f.folder.path().to_owned();
    // Cancelled as the first bytes of the first file are read.
    let summary = f
        .device
        .import_evidence(
            inspection.id,
            &folder,
            &ImportOptions::default(),
            &|_| cancel.store(true, std::sync::atomic::Ordering::Relaxed),
            &cancel,
        )
        .unwrap();
    assert!(summary.cancelled);
    assert!(summary.imported.len() <= 1, "at most the file being read when asked: {summary:#?}");
    assert_eq!(f.device.evidence(Some(inspection.id)).unwrap().len(), summary.imported.len(), "no row beyond those");
    let vault = f.device.data_dir().join(fieldcase_device::VAULT_DIR);
    assert_eq!(walk(&vault), summary.imported.len(), "no half-written file in the vault");
}

#[test]
fn a_file_that_cannot_be_read_is_named_and_skipped_while_the_rest_import() {
    let mut f = fixture();
    let inspection = draft(&mut f, "91350100M000100Y43");
    let sample = f.sample.clone();
    let (last, _, _) = sample.media().last().unwrap();
    let gone = f.folder.path().join(last);
    // The card is pulled out of the reader, in effect, for the last file: it was there when
    // the folder was scanned and cannot be opened when its turn comes.
    let pulled = AtomicBool::new(false);
    let folder = f.folder.path().to_owned();
    let summary = f
        .device
        .import_evidence(
            inspection.id,
            &folder,
            &ImportOptions::default(),
            &|_| {
                if !pulled.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    std::fs::remove_file(&gone).unwrap();
                }
            },
            &AtomicBool::new(false),
        )
        .unwrap();
    let name = last.file_name().unwrap().to_string_lossy().into_owned();
    let skipped = summary.skipped.iter().find(|s| s.path.contains(&name)).expect("the file is named");
    assert!(skipped.reason.contains("cannot read"), "with why: {}", skipped.reason);
    assert_eq!(summary.imported.len(), sample.media().count() - 1, "the rest import");
}

#[test]
fn nobody_signed_in_imports_nothing_and_checks_no_recorder() {
    let mut f = fixture();
    let inspection = draft(&mut f, "91350100M000100Y43");
    f.device.sign_out().unwrap();
    let folder = f.folder.path().to_owned();
    let refused = f
        .device
        .import_evidence(inspection.id, &folder, &ImportOptions::default(), &|_| {}, &AtomicBool::new(false))
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::SigninRequired);
    let refused = f
        .device
        .record_recorder_check(NewRecorderCheck {
            inspection_id: inspection.id,
            recorder_id: "A0123".into(),
            shows: beijing(9, 25),
            battery_percent: None,
            storage_free_mb: None,
        })
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::SigninRequired);
    assert!(f.device.evidence(Some(inspection.id)).unwrap().is_empty(), "nothing was recorded");
}
