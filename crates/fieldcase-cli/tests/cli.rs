//! The `fieldcase` command as scripts use it: real processes on real data directories.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn fieldcase(data_dir: &Path, args: &[&str]) -> Run {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_fieldcase"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("FIELDCASE_DATA_DIR")
        .output()
        .expect("the fieldcase binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn bad_input_gets_a_clear_message_and_a_non_zero_exit() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing");
    let run = fieldcase(&missing, &["inspection", "list"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no fieldcase data"), "{}", run.stderr);
    assert!(!missing.exists(), "reading must not create a data directory");

    // Records are made by a signed-in officer: on a laptop nobody signed in on, nothing is.
    let dir = tmp.path().join("d");
    let run = fieldcase(&dir, &["site", "add", "--name", "X", "--uscc", "91350100M000100Y43"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("fieldcase signin"), "says how to sign in: {}", run.stderr);
    let run = fieldcase(&dir, &["--json", "site", "add", "--name", "X", "--uscc", "91350100M000100Y43"]);
    assert_eq!(json(&run.stderr)["code"], "signin_required");
    assert_eq!(json(&fieldcase(&dir, &["site", "list", "--json"]).stdout), serde_json::json!([]));
    let run = fieldcase(&dir, &["inspection", "show", "not-an-id"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not a valid inspection id"), "{}", run.stderr);
    let run = fieldcase(&dir, &["inspection", "show", "0190f3c2-7b1a-7c3e-9a55-2f1d0e6b8a41"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("inspection list"), "points to the list: {}", run.stderr);
    assert_eq!(fieldcase(&dir, &["inspection", "frobnicate"]).code, 2, "bad usage exits 2");
    for interval in ["0", "86401", "18446744073709551616"] {
        let run = fieldcase(&dir, &["device", "sync", "--interval", interval]);
        assert_eq!(run.code, 2, "--interval {interval} is refused before anything runs: {}", run.stderr);
        assert!(run.stderr.contains("--interval"), "{}", run.stderr);
    }
    assert_eq!(fieldcase(&dir, &["audit", "verify"]).code, 0, "nothing recorded was changed by bad input");

    let damaged = tmp.path().join("damaged");
    std::fs::create_dir(&damaged).unwrap();
    std::fs::write(damaged.join("fieldcase.db"), b"not a database at all, just some text".repeat(50)).unwrap();
    let before = std::fs::read(damaged.join("fieldcase.db")).unwrap();
    let run = fieldcase(&damaged, &["inspection", "list"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("is damaged"), "{}", run.stderr);
    assert_eq!(std::fs::read(damaged.join("fieldcase.db")).unwrap(), before, "a damaged file is left as it was");
}

/// A photo far larger than a QR code needs is refused from its header, saying how large one
/// may be, and before the device is opened: the data directory named here does not exist,
/// and is not made.
#[test]
fn a_huge_qr_photo_is_refused_before_the_device_is_opened() {
    let tmp = tempfile::tempdir().unwrap();
    let photo = tmp.path().join("wide.png");
    // 9000 pixels wide, past the 8192 a side a photo may be, in a file of a few KB.
    image::GrayImage::from_pixel(9000, 1, image::Luma([255])).save(&photo).unwrap();
    let dir = tmp.path().join("device");
    let run = fieldcase(&dir, &["--json", "cert", "check", "--qr-image", photo.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let err = json(&run.stderr);
    assert_eq!(err["code"], "invalid_input", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("9000×1") && message.contains("8192×8192"), "{message}");
    assert!(!dir.exists(), "the photo is refused before the data directory is opened");
}

/// A device speaks plain HTTP only to a bureau on the same machine, unless a lab says so:
/// the enrollment is refused before anything is sent, and says how to get past it.
#[test]
fn plain_http_to_another_machine_is_refused_without_the_lab_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    let run =
        fieldcase(&dir, &["--json", "device", "enroll", "--bureau", "http://bureau.invalid:8787", "--code", "ABCD"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let err: serde_json::Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(err["code"], "invalid_input");
    assert!(err["message"].as_str().unwrap().contains("--insecure-http"), "{err}");
    let status = fieldcase(&dir, &["--json", "device", "status"]);
    let status: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(status["state"], "not_enrolled", "nothing was recorded");
}
