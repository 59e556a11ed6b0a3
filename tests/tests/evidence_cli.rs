//! `fieldcase evidence …` and `fieldcase recorder check` through the real binary, on a
//! generated recorder folder and a laptop enrolled and signed in as at the office.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use fieldcase_device::evidence::sample::write_recorder_folder;
use fieldcase_tests::{binary, signed_in_laptop};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn fieldcase(data_dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(binary("fieldcase"))
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

fn ok(data_dir: &Path, args: &[&str]) -> Run {
    let run = fieldcase(data_dir, args);
    assert_eq!(run.code, 0, "fieldcase {args:?} failed: {}", run.stderr);
    run
}

/// A fresh copy of the signed-in template, with a site and a draft inspection at it.
fn draft() -> (tempfile::TempDir, PathBuf, String) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("device");
    signed_in_laptop(&dir).unwrap();
    ok(&dir, &["site", "add", "--name", "甲建筑公司", "--uscc", "91350100M000100Y43"]);
    let inspection = ok(&dir, &["inspection", "new", "--site", "91350100M000100Y43"]).stdout.trim().to_owned();
    (tmp, dir, inspection)
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn an_imported_file_changed_by_one_byte_is_named_by_verify_with_exit_3() {
    let (tmp, dir, inspection) = draft();
    let folder = tmp.path().join("recorder");
    let sample = write_recorder_folder(&folder).unwrap();
    let media = sample.media().count();
    let check = ok(
        &dir,
        &[
            "recorder",
            "check",
            "--inspection",
            &inspection,
            "--recorder",
            "A0123",
            "--shows",
            "2026-12-01 09:25:00",
            "--battery",
            "85",
            "--storage-free-mb",
            "20000",
            "--json",
        ],
    );
    assert_eq!(json(&check.stdout)["recorder_id"], "A0123");

    let args = ["evidence", "import", folder.to_str().unwrap(), "--inspection", &inspection, "--recorder", "A0123"];
    let import = ok(&dir, &[&args[..], &["--json"]].concat());
    let summary = json(&import.stdout);
    assert_eq!(summary["imported"].as_array().unwrap().len(), media, "{}", import.stdout);
    assert_eq!(summary["skipped"].as_array().unwrap().len(), sample.skipped().count());
    assert!(
        import.stderr.contains("importing:") && import.stderr.contains("MB/s"),
        "progress on stderr: {}",
        import.stderr
    );
    let again = ok(&dir, &args);
    assert!(again.stdout.contains(&format!("imported 0 file(s), {media} already there")), "{}", again.stdout);

    let shown = json(&ok(&dir, &["inspection", "show", &inspection, "--json"]).stdout);
    assert_eq!(shown["evidence"]["files"].as_array().unwrap().len(), media, "show lists the evidence");
    assert!(shown["evidence"]["timeline"]["gaps"].is_array(), "and the gaps");
    assert_eq!(shown["evidence"]["recorder_checks"].as_array().unwrap().len(), 1);

    assert_eq!(ok(&dir, &["evidence", "verify"]).code, 0, "intact after import");
    let listed = json(&ok(&dir, &["evidence", "list", "--inspection", &inspection, "--json"]).stdout);
    let victim = &listed.as_array().unwrap()[0];
    let (id, stored_at) = (victim["id"].as_str().unwrap(), victim["stored_at"].as_str().unwrap());
    let mut bytes = std::fs::read(stored_at).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x40;
    std::fs::write(stored_at, &bytes).unwrap();

    let verify = fieldcase(&dir, &["evidence", "verify"]);
    assert_eq!(verify.code, 3, "a changed file exits 3: {}", verify.stderr);
    assert!(verify.stderr.contains(id) && verify.stderr.contains(stored_at), "names it: {}", verify.stderr);
    assert!(verify.stderr.contains(&format!("1 of {media}")), "and only it: {}", verify.stderr);
    assert_eq!(fieldcase(&dir, &["evidence", "verify", id]).code, 3, "verifying that one file alone finds it too");

    let custody = ok(&dir, &["evidence", "custody", id]).stdout;
    let actions: Vec<&str> = custody.lines().filter_map(|l| l.split_whitespace().nth(3)).collect();
    assert_eq!(actions, ["evidence.import", "evidence.verify", "evidence.verify", "evidence.verify"], "{custody}");
    assert!(custody.lines().all(|l| l.contains("JC-")), "each step names the officer signed in: {custody}");
}

#[test]
fn a_recorder_time_that_is_not_a_time_is_refused_with_the_form_it_takes() {
    let (_tmp, dir, inspection) = draft();
    let run = fieldcase(
        &dir,
        &["recorder", "check", "--inspection", &inspection, "--recorder", "A0123", "--shows", "9:25 this morning"],
    );
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("YYYY-MM-DD HH:MM:SS"), "{}", run.stderr);
    let run = fieldcase(&dir, &["inspection", "gap-reason", &inspection, "gap-x", "battery changed"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("has no gap 'gap-x'"), "{}", run.stderr);
}
