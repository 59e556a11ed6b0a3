//! Evidence uploads end to end, through the real `fieldcase` binary and a real bureau, over a
//! link that cuts connections mid-chunk, flips bits and crawls: the file resumes where the
//! bureau got to, no more than one chunk is sent again per interruption, and the bureau's
//! verdict ("verified") reaches the laptop only when its copy hashes right.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use fieldcase_tests::{DeviceDir, MARKER, Recording, UploadScene, binary, eventually};

const MIB: u64 = 1 << 20;
/// The chunk the tests' laptops send (`FIELDCASE_UPLOAD_CHUNK_MB`): small, so that a test
/// file of a few MiB crosses many chunks.
const CHUNK: u64 = MIB;
/// Request bytes besides the file's that one sync may send (headers, pushed records, pulls).
const OVERHEAD_PER_SYNC: u64 = 128 * 1024;

struct Setup {
    scene: UploadScene,
    evidence_id: String,
    size: u64,
}

impl std::ops::Deref for Setup {
    type Target = UploadScene;
    fn deref(&self) -> &UploadScene {
        &self.scene
    }
}

/// One recording of `size` bytes whose reference the bureau holds, its upload free to go.
fn setup(size: u64) -> Setup {
    let scene = UploadScene::start(&[size]).unwrap();
    scene.device.cli(&["evidence", "resume", "--all"]).unwrap();
    assert_eq!(state(&scene.device)["state"], "queued");
    let Recording { evidence_id, size, .. } = scene.recordings[0].clone();
    Setup { scene, evidence_id, size }
}

fn fieldcase(dir: &Path) -> Command {
    let mut command = Command::new(binary("fieldcase"));
    command.arg("--data-dir").arg(dir).env("FIELDCASE_UPLOAD_CHUNK_MB", (CHUNK / MIB).to_string());
    command
}

fn upload_once(device: &DeviceDir) -> Output {
    fieldcase(&device.dir).args(["evidence", "upload", "--once"]).output().unwrap()
}

/// The one file's upload as `evidence status --json` shows it.
fn state(device: &DeviceDir) -> serde_json::Value {
    device.json(&["evidence", "status"]).unwrap()[0].clone()
}

/// Runs `evidence upload --once` until it succeeds (each failure an interruption the test
/// caused); returns how many runs it took.
fn upload_until_done(device: &DeviceDir, most: usize) -> usize {
    for run in 1..=most {
        let out = upload_once(device);
        if out.status.success() {
            return run;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("cannot be reached") || stderr.contains("still to send"),
            "a cut connection is the only failure expected: {stderr}"
        );
    }
    panic!("the upload did not finish in {most} runs: {}", state(device));
}

/// The laptop shows the file verified by the bureau, safe to delete from the recorder; the
/// bureau holds a copy that hashes right.
fn assert_verified(s: &Setup) {
    let file = state(&s.device);
    assert_eq!(file["state"], "verified", "{file}");
    assert_eq!(file["safe_to_delete"], true);
    assert_eq!(file["sent_bytes"].as_u64(), Some(s.size));
    let verify = s.bureau.admin(&["evidence", "verify", &s.evidence_id]).unwrap();
    assert!(verify.contains("intact"), "the bureau's copy hashes right: {verify}");
    let custody = s.device.cli(&["evidence", "custody", &s.evidence_id]).unwrap();
    for step in ["evidence.import", "evidence.upload.start", "evidence.upload.complete", "evidence.verified"] {
        assert!(custody.contains(step), "custody shows {step}: {custody}");
    }
}

#[test]
fn an_upload_cut_mid_chunk_resumes_and_sends_at_most_one_chunk_again_per_cut() {
    let s = setup(10 * MIB + 12_345);
    let before = s.link.forwarded();
    // Three cuts, each in the middle of a chunk.
    s.link.cut_after(&[2 * MIB + MIB / 2, 5 * MIB + MIB / 3, 8 * MIB + 3 * MIB / 4]);
    let runs = upload_until_done(&s.device, 8);
    assert_eq!(s.link.cuts_left(), 0, "every cut happened");
    assert_eq!(runs, 4, "one run per cut, then the one that finished");
    let sent = s.link.forwarded() - before;
    let most = s.size + 3 * CHUNK + runs as u64 * OVERHEAD_PER_SYNC;
    assert!(sent <= most, "{sent} bytes went to the bureau for a {}-byte file and 3 cuts (at most {most})", s.size);
    assert_verified(&s);
    let custody = s.device.cli(&["evidence", "custody", &s.evidence_id]).unwrap();
    assert_eq!(custody.matches("evidence.upload.resume").count(), 3, "{custody}");
}

#[test]
fn a_chunk_damaged_on_the_way_is_refused_by_its_checksum_and_sent_again() {
    let s = setup(3 * MIB + 777);
    s.link.flip_after(MARKER);
    let out = upload_once(&s.device);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(s.link.flipped(), 1, "the link damaged one chunk");
    assert_verified(&s);
}

#[test]
fn a_vault_file_changed_after_import_is_not_uploaded_and_is_reported() {
    let s = setup(2 * MIB + 5);
    let listed = s.device.json(&["evidence", "list"]).unwrap();
    let stored = PathBuf::from(listed[0]["stored_at"].as_str().unwrap());
    let mut perms = std::fs::metadata(&stored).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&stored, perms).unwrap();
    let mut bytes = std::fs::read(&stored).unwrap();
    bytes[1000] ^= 0xff;
    std::fs::write(&stored, bytes).unwrap();

    let out = upload_once(&s.device);
    assert!(!out.status.success(), "a damaged file is a problem to report");
    let file = state(&s.device);
    assert_eq!(file["state"], "damaged", "{file}");
    assert_eq!(file["safe_to_delete"], false);
    assert!(file["problem"].as_str().unwrap().contains("was changed"), "{file}");
    let held = s.bureau.admin(&["evidence", "list"]).unwrap();
    assert!(!held.contains(&s.evidence_id) || !held.contains("verified"), "the bureau verified nothing: {held}");
    // Later syncs leave it alone: it is never sent.
    let before = s.link.forwarded();
    assert!(s.device.sync_once().status.success());
    assert!(s.link.forwarded() - before < OVERHEAD_PER_SYNC);
    let custody = s.device.cli(&["evidence", "custody", &s.evidence_id]).unwrap();
    assert!(custody.contains("evidence.damaged"), "{custody}");
}

#[test]
fn the_laptop_process_killed_mid_upload_resumes_where_the_bureau_got_to() {
    let s = setup(12 * MIB + 99);
    // About 6 MB/s: the upload takes a couple of seconds, long enough to kill it midway.
    s.link.slow_down(Duration::from_millis(10));
    let before = s.link.forwarded();
    let mut child = fieldcase(&s.device.dir)
        .args(["evidence", "upload", "--once"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    eventually(Duration::from_secs(60), || Ok(state(&s.device)["sent_bytes"].as_u64().unwrap_or(0) >= 4 * MIB))
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let held_at_kill = state(&s.device)["sent_bytes"].as_u64().unwrap();
    assert!(held_at_kill < s.size, "killed midway");
    s.link.slow_down(Duration::ZERO);
    upload_until_done(&s.device, 2);
    let sent = s.link.forwarded() - before;
    let most = s.size + CHUNK + 2 * OVERHEAD_PER_SYNC;
    assert!(sent <= most, "{sent} bytes sent for {} bytes and one kill (at most {most})", s.size);
    assert_verified(&s);
    let custody = s.device.cli(&["evidence", "custody", &s.evidence_id]).unwrap();
    assert!(custody.contains("evidence.upload.resume"), "it went on from the bureau's offset: {custody}");
}

#[test]
fn the_bureau_restarted_mid_upload_resumes_with_the_right_offset_and_hash() {
    let mut s = setup(12 * MIB + 4321);
    s.link.slow_down(Duration::from_millis(10));
    let child = fieldcase(&s.device.dir)
        .args(["evidence", "upload", "--once"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    eventually(Duration::from_secs(60), || Ok(state(&s.device)["sent_bytes"].as_u64().unwrap_or(0) >= 3 * MIB))
        .unwrap();
    s.scene.bureau.restart().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success(), "the bureau went away mid-upload");
    s.link.slow_down(Duration::ZERO);
    upload_until_done(&s.device, 3);
    assert_verified(&s);
    let custody = s.device.cli(&["evidence", "custody", &s.evidence_id]).unwrap();
    assert!(custody.contains("evidence.upload.resume"), "it went on from the bureau's offset: {custody}");
}
