//! The device's records as the `fieldcase` command shows and guards them, on a laptop
//! enrolled and signed in as at the office: tampering with the audit chain is named, sealed
//! records stay as sealed, rule refusals exit 3.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use fieldcase_tests::{binary, signed_in_laptop};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn fieldcase(data_dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(binary("fieldcase")).arg("--data-dir").arg(data_dir).args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fresh copy of the signed-in laptop ([`signed_in_laptop`]).
fn signed_in() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    signed_in_laptop(&dir).unwrap();
    (tmp, dir)
}

/// A copy of the signed-in laptop with the demo records.
fn seeded() -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = signed_in();
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
    let (_tmp, dir) = signed_in();
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
