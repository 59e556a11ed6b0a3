//! The on-site inspection record as a PDF, read back with the tools a court clerk or a
//! reviewer would use: `pdftotext` finds the site in Chinese and the seal's hash, and the
//! first page rendered by `pdftoppm` carries a QR code that decodes to that hash.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use fieldcase_tests::{binary, signed_in_laptop};

fn fieldcase(data_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(binary("fieldcase")).arg("--data-dir").arg(data_dir).args(args).output().unwrap()
}

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A tool of poppler-utils (`scripts/install-deps.sh test` installs it).
fn poppler(tool: &str, args: &[&std::ffi::OsStr]) -> std::process::Output {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} could not run ({e}): install poppler-utils (make test does)"));
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Every QR code found in a PNG, decoded.
fn qr_codes(png: &Path) -> Vec<String> {
    let image = image::open(png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    prepared.detect_grids().into_iter().filter_map(|grid| grid.decode().ok().map(|(_, text)| text)).collect()
}

#[test]
fn a_sealed_record_prints_as_a_pdf_whose_text_and_qr_code_carry_the_site_and_the_seal_hash() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    signed_in_laptop(&dir).unwrap();
    let seeded = fieldcase(&dir, &["demo", "seed"]);
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let list = json(&fieldcase(&dir, &["inspection", "list", "--json"]));
    let sealed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["outcome"]["type"] == "rectification_order")
        .expect("the demo has a rectification order");
    let id = sealed["id"].as_str().unwrap();
    let shown = json(&fieldcase(&dir, &["inspection", "show", id, "--json"]));
    let hash = shown["inspection"]["seal"]["content_hash"].as_str().unwrap().to_owned();
    let site = shown["site"]["name"].as_str().unwrap().to_owned();

    let pdf = tmp.path().join("现场检查笔录.pdf");
    let written = json(&fieldcase(&dir, &["record", "pdf", id, "--out", pdf.to_str().unwrap(), "--json"]));
    let size = std::fs::metadata(&pdf).unwrap().len();
    assert_eq!(written["bytes"], size, "the command says how big the file it wrote is");
    eprintln!("the record's PDF is {size} bytes");

    let text = poppler("pdftotext", &["-layout".as_ref(), pdf.as_os_str(), "-".as_ref()]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("现场检查笔录"), "the title is text, not pictures:\n{text}");
    assert!(text.contains(&site), "the site's name {site} can be found in the PDF:\n{text}");
    assert!(text.contains(&hash), "the seal's hash {hash} is printed whole:\n{text}");
    assert!(text.contains("责令限期改正"), "the outcome is printed:\n{text}");

    let prefix = tmp.path().join("page");
    poppler(
        "pdftoppm",
        &[
            "-png".as_ref(),
            "-r".as_ref(),
            "150".as_ref(),
            "-f".as_ref(),
            "1".as_ref(),
            "-l".as_ref(),
            "1".as_ref(),
            pdf.as_os_str(),
            prefix.as_os_str(),
        ],
    );
    let page = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .expect("pdftoppm rendered page 1");
    let codes = qr_codes(&page);
    assert!(codes.contains(&hash), "page 1 carries a QR code of the seal's hash; decoded {codes:?}");

    let english = tmp.path().join("record-en.pdf");
    json(&fieldcase(&dir, &["record", "pdf", id, "--out", english.to_str().unwrap(), "--lang", "en", "--json"]));
    let text = String::from_utf8(poppler("pdftotext", &[english.as_os_str(), "-".as_ref()]).stdout).unwrap();
    assert!(text.contains("On-site inspection record") && text.contains(&hash), "the English record:\n{text}");
}

#[test]
fn a_draft_has_no_record_to_print_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    signed_in_laptop(&dir).unwrap();
    let seeded = fieldcase(&dir, &["demo", "seed"]);
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let list = json(&fieldcase(&dir, &["inspection", "list", "--json"]));
    let draft = list.as_array().unwrap().iter().find(|i| i["status"] == "draft").expect("the demo has a draft");
    let out_file = tmp.path().join("draft.pdf");
    let out = fieldcase(&dir, &["record", "pdf", draft["id"].as_str().unwrap(), "--out", out_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is a draft") && stderr.contains("finalize it first"), "{stderr}");
    assert!(!out_file.exists(), "a refused record leaves no file behind");
}
