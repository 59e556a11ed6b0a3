//! The `fieldcase` command as scripts use it: real processes on real data directories.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
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

fn seeded() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("device");
    let run = fieldcase(&dir, &["demo", "seed"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    (tmp, dir)
}

fn sqlite(db: &Path, sql: &str) {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .output()
        .expect("the sqlite3 shell is installed (make test installs it)");
    assert!(out.status.success(), "sqlite3 failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn tampering_with_any_audit_column_is_detected_and_the_entry_named() {
    let columns = ["prev_hash", "at", "actor", "action", "subject", "payload_hash", "hash"];
    for (i, column) in columns.iter().enumerate() {
        let (_tmp, dir) = seeded();
        assert_eq!(fieldcase(&dir, &["audit", "verify"]).code, 0, "an untouched chain holds");
        let seq = 5 + i;
        let value = match *column {
            "at" => "'2026-01-01T00:00:00.000000Z'".to_owned(),
            "prev_hash" | "payload_hash" | "hash" => format!("'{}'", "ab".repeat(32)),
            _ => "'forged'".to_owned(),
        };
        // A forger who edits the file drops the append-only trigger first.
        sqlite(
            &dir.join("fieldcase.db"),
            &format!("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET {column} = {value} WHERE seq = {seq};"),
        );
        let run = fieldcase(&dir, &["audit", "verify"]);
        assert_ne!(run.code, 0, "a tampered {column} must fail verification");
        assert!(run.stderr.contains(&format!("audit entry {seq} ")), "the message names entry {seq}: {}", run.stderr);
    }
}

#[test]
fn a_removed_audit_entry_is_detected() {
    let (_tmp, dir) = seeded();
    sqlite(&dir.join("fieldcase.db"), "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 7;");
    let run = fieldcase(&dir, &["--json", "audit", "verify"]);
    assert_eq!(run.code, 1);
    let err = json(&run.stderr);
    assert_eq!(err["code"], "audit_chain_broken");
    assert!(err["message"].as_str().unwrap().contains("entry 8 stands where entry 7 should be"), "{err}");
}

#[test]
fn a_finalized_inspection_cannot_be_changed_even_from_the_sqlite_shell() {
    let (_tmp, dir) = seeded();
    let list = json(&fieldcase(&dir, &["inspection", "list", "--json"]).stdout);
    let sealed = list.as_array().unwrap().iter().find(|i| i["status"] == "finalized").unwrap();
    let id = sealed["id"].as_str().unwrap();
    let before = fieldcase(&dir, &["inspection", "show", id, "--json"]).stdout;
    let out = Command::new("sqlite3")
        .arg(dir.join("fieldcase.db"))
        .arg(format!("UPDATE inspections SET body = '{{}}' WHERE id = '{id}';"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("immutable"));
    assert_eq!(
        fieldcase(&dir, &["inspection", "show", id, "--json"]).stdout,
        before,
        "a finalized inspection must not change"
    );
}

#[test]
fn a_draft_is_made_answered_and_refused_finalizing_with_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    let add = fieldcase(
        &dir,
        &["site", "add", "--name", "测试建设有限公司", "--uscc", "91350100M000100Y43", "--project", "一期"],
    );
    assert_eq!(add.code, 0, "{}", add.stderr);
    let new = fieldcase(&dir, &["inspection", "new", "--site", "91350100m000100y43"]);
    assert_eq!(new.code, 0, "{}", new.stderr);
    let id = new.stdout.trim().to_owned();

    assert_eq!(fieldcase(&dir, &["inspection", "answer", &id, "wage_account", "no"]).code, 0);
    assert_eq!(fieldcase(&dir, &["inspection", "answer", &id, "workers_on_site", "42"]).code, 0);
    let bad = fieldcase(&dir, &["inspection", "answer", &id, "workers_on_site", "many"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("takes a number"), "{}", bad.stderr);

    // --json before or after the subcommand.
    for args in [vec!["--json", "inspection", "show", &id], vec!["inspection", "show", &id, "--json"]] {
        let show = json(&fieldcase(&dir, &args).stdout);
        let items = show["template"]["items"].as_array().unwrap();
        let wage = items.iter().find(|i| i["id"] == "wage_account").unwrap();
        assert_eq!(wage["kind"], "yes_no");
        assert_eq!(show["inspection"]["answers"]["wage_account"]["kind"], "no");
        assert_eq!(show["inspection"]["answers"]["workers_on_site"]["value"], "42");
    }

    let refused = fieldcase(&dir, &["inspection", "finalize", &id]);
    assert_eq!(refused.code, 3, "a rule refusal exits 3: {}", refused.stderr);
    assert!(refused.stderr.contains("two-officer rule"), "{}", refused.stderr);
    assert!(
        refused.stderr.contains("check the certificate of each officer"),
        "says how to satisfy it: {}",
        refused.stderr
    );
    let status = json(&fieldcase(&dir, &["inspection", "show", &id, "--json"]).stdout);
    assert_eq!(status["inspection"]["status"], "draft", "a refused finalize leaves a draft");
}

#[test]
fn bad_input_gets_a_clear_message_and_a_non_zero_exit() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing");
    let run = fieldcase(&missing, &["inspection", "list"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no fieldcase data"), "{}", run.stderr);
    assert!(!missing.exists(), "reading must not create a data directory");

    let (_t, dir) = seeded();
    let run = fieldcase(&dir, &["site", "add", "--name", "X", "--uscc", "91350100M000100Y44"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("position 18"), "{}", run.stderr);
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
