//! The official tus clients talk to the bureau: `tuspy` (Python, with its checksum option,
//! which sends sha1) and `tus-js-client` (under Node) each upload an evidence file the laptop
//! imported, with the laptop's token; the bureau then holds it byte for byte and tells the
//! laptop it is verified. `scripts/install-deps.sh test` installs both clients.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use fieldcase_tests::UploadScene;

const MIB: u64 = 1 << 20;

fn peers() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/tus-peers")
}

#[test]
fn tuspy_and_tus_js_client_each_upload_a_file_the_bureau_verifies() {
    assert!(
        peers().join("node_modules/tus-js-client").is_dir(),
        "the tus peers are not installed: run scripts/install-deps.sh test"
    );
    let scene = UploadScene::start(&[9 * MIB + 17, 3 * MIB + 5]).unwrap();
    let token = scene.token().unwrap();
    let endpoint = format!("{}/api/v1/uploads", scene.bureau.url());
    // tuspy in 4 MiB chunks (each with its sha1), tus-js-client in its 8 MiB.
    let clients = [("python3", "upload.py", "4194304"), ("node", "upload.mjs", "8388608")];
    for ((program, script, chunk), recording) in clients.into_iter().zip(&scene.recordings) {
        let out = Command::new(program)
            .arg(peers().join(script))
            .args(["--endpoint", &endpoint, "--evidence-id", &recording.evidence_id, "--token", &token])
            .args(["--chunk-size", chunk])
            .arg("--file")
            .arg(&recording.path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{program} {script} failed: {}", String::from_utf8_lossy(&out.stderr));
        let url = String::from_utf8_lossy(&out.stdout);
        assert!(url.contains("/api/v1/uploads/"), "it printed where its upload lives: {url}");
    }
    // The laptop hears the verdicts at its next sync.
    assert!(scene.device.sync_once().status.success());
    let files = scene.device.json(&["evidence", "status"]).unwrap();
    for recording in &scene.recordings {
        let file =
            files.as_array().unwrap().iter().find(|f| f["evidence_id"] == recording.evidence_id.as_str()).unwrap();
        assert_eq!(file["state"], "verified", "{file}");
        let verify = scene.bureau.admin(&["evidence", "verify", &recording.evidence_id]).unwrap();
        assert!(verify.contains("intact"), "the bureau holds the file byte for byte: {verify}");
    }
}
