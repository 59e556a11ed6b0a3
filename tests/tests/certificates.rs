//! Officer certificates end to end: administered at a real bureau, delivered signed through
//! sync, checked on a real device by number, scanned text and QR photo.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use anyhow::Result;
use fieldcase_tests::{Bureau, DeviceDir, binary, fieldcase_with_input};

/// A bureau with two active certificates and an enrolled, synced device, an officer signed in.
fn setup(tmp: &Path) -> Result<(Bureau, DeviceDir)> {
    let bureau = Bureau::start(&tmp.join("bureau"))?;
    for (number, officer, name) in [("33010620250001", "JC-2001", "陈静"), ("33010620250002", "JC-2002", "刘洋")] {
        bureau.admin(&[
            "cert",
            "issue",
            "--number",
            number,
            "--officer-id",
            officer,
            "--name",
            name,
            "--unit",
            "杭州市西湖区人力资源和社会保障局",
            "--area",
            "劳动保障监察",
            "--valid-from",
            "2024-01-01",
            "--valid-until",
            "2029-12-31",
        ])?;
    }
    let device = DeviceDir::new(tmp.join("device"));
    device.enroll_and_sign_in(&bureau)?;
    device.cli(&["site", "add", "--name", "杭州测试建设有限公司", "--uscc", "91350100M000100Y43"])?;
    sync(&device);
    Ok((bureau, device))
}

fn sync(device: &DeviceDir) {
    let out = device.sync_once();
    assert!(out.status.success(), "sync: {}", String::from_utf8_lossy(&out.stderr));
}

/// `fieldcase cert check …` on the device: (exit code, JSON report or error text).
fn check(device: &DeviceDir, args: &[&str]) -> (i32, String) {
    let out = Command::new(binary("fieldcase"))
        .arg("--data-dir")
        .arg(&device.dir)
        .args(["cert", "check", "--json"])
        .args(args)
        .output()
        .expect("fieldcase runs");
    let text = if out.stdout.is_empty() { out.stderr } else { out.stdout };
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&text).into_owned())
}

fn result_of(report: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(report).unwrap_or_else(|e| panic!("not a report ({e}): {report}"));
    v["result"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn revocation_at_the_bureau_reaches_the_device_on_the_next_sync() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let (bureau, device) = setup(tmp.path())?;
    let (code, report) = check(&device, &["33010620250001"]);
    assert_eq!((code, result_of(&report).as_str()), (0, "valid"), "{report}");

    bureau.admin(&["cert", "revoke", "33010620250001", "--reason", "调离执法岗位"])?;
    let (code, report) = check(&device, &["33010620250001"]);
    assert_eq!((code, result_of(&report).as_str()), (0, "valid"), "offline, the copy held answers: {report}");
    sync(&device);
    let (code, report) = check(&device, &["33010620250001"]);
    assert_eq!((code, result_of(&report).as_str()), (3, "revoked"), "{report}");
    let (code, report) = check(&device, &["33019999999999"]);
    assert_eq!((code, result_of(&report).as_str()), (3, "unknown"), "{report}");
    Ok(())
}

/// A photo of a printed card: larger, turned a little, with sensor noise, as JPEG.
fn photo_like(png: &Path, out: &Path) -> Result<()> {
    let src = image::open(png)?.to_luma8();
    let (w, h) = (src.width() as f64, src.height() as f64);
    let scale = 1.6;
    let angle = 5.0_f64.to_radians();
    let (ow, oh) = ((w * scale * 1.25) as u32, (h * scale * 1.25) as u32);
    let (cx, cy, ocx, ocy) = (w / 2.0, h / 2.0, ow as f64 / 2.0, oh as f64 / 2.0);
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 41) as i32 - 20
    };
    let photo = image::GrayImage::from_fn(ow, oh, |x, y| {
        // Where this output pixel comes from in the original (inverse rotation and scale).
        let (dx, dy) = ((x as f64 - ocx) / scale, (y as f64 - ocy) / scale);
        let sx = dx * angle.cos() + dy * angle.sin() + cx;
        let sy = -dx * angle.sin() + dy * angle.cos() + cy;
        let base = if sx >= 0.0 && sy >= 0.0 && sx < w - 1.0 && sy < h - 1.0 {
            i32::from(src.get_pixel(sx as u32, sy as u32).0[0])
        } else {
            235 // the card around the code
        };
        image::Luma([(base + noise()).clamp(0, 255) as u8])
    });
    photo.save_with_format(out, image::ImageFormat::Jpeg)?;
    Ok(())
}

#[test]
fn a_qr_code_from_the_bureau_is_read_from_its_png_and_from_a_photo_of_it() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let (bureau, device) = setup(tmp.path())?;
    let png = tmp.path().join("card.png");
    let credential = bureau.admin(&["cert", "qr", "33010620250002", "--out", png.to_str().unwrap()])?;
    assert!(credential.contains("FC1."), "the credential text is printed: {credential}");

    let (code, report) = check(&device, &["--qr-image", png.to_str().unwrap()]);
    assert_eq!((code, result_of(&report).as_str()), (0, "valid"), "{report}");
    let photo = tmp.path().join("photo.jpg");
    photo_like(&png, &photo)?;
    let (code, report) = check(&device, &["--qr-image", photo.to_str().unwrap()]);
    assert_eq!((code, result_of(&report).as_str()), (0, "valid"), "a photo-like copy reads too: {report}");
    let (code, report) =
        check(&device, &["--qr-text", credential.lines().find(|l| l.contains("FC1.")).unwrap().trim()]);
    assert_eq!((code, result_of(&report).as_str()), (0, "valid"), "scanner text: {report}");

    // Bad input: a garbled code, an image with no code, a code from another bureau.
    let (code, text) = check(&device, &["--qr-text", "FC1.broken"]);
    assert_eq!(code, 1);
    assert!(text.contains("damaged"), "{text}");
    let blank = tmp.path().join("blank.png");
    image::GrayImage::from_pixel(120, 120, image::Luma([255])).save(&blank)?;
    let (code, text) = check(&device, &["--qr-image", blank.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(text.contains("no QR code"), "{text}");
    let other = Bureau::start(&tmp.path().join("other-bureau"))?;
    other.admin(&[
        "cert",
        "issue",
        "--number",
        "33010620250002",
        "--officer-id",
        "JC-2002",
        "--name",
        "刘洋",
        "--unit",
        "某局",
        "--area",
        "劳动保障监察",
        "--valid-from",
        "2024-01-01",
        "--valid-until",
        "2029-12-31",
    ])?;
    let foreign_png = tmp.path().join("foreign.png");
    other.admin(&["cert", "qr", "33010620250002", "--out", foreign_png.to_str().unwrap()])?;
    let (code, report) = check(&device, &["--qr-image", foreign_png.to_str().unwrap()]);
    assert_eq!((code, result_of(&report).as_str()), (3, "foreign_signature"), "{report}");
    Ok(())
}

/// Sets the officer's PIN, and gives them the unit the test laptop serves.
fn set_pin(bureau: &Bureau, officer: &str, pin: &str) {
    bureau.admin(&["officer", "set-unit", officer, fieldcase_tests::UNIT]).expect("the unit set");
    let out = fieldcase_with_input(&bureau.data_dir, &["bureau", "officer", "set-pin", officer], pin);
    assert!(out.status.success(), "set-pin: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn finalizing_needs_two_checked_officers_and_the_bureau_flags_a_certificate_revoked_before_the_inspection() -> Result<()>
{
    let tmp = tempfile::tempdir()?;
    let (bureau, device) = setup(tmp.path())?;
    set_pin(&bureau, "JC-2001", "246810");
    sync(&device);
    let out = device.sign_in("JC-2001", "246810");
    assert!(out.status.success(), "sign-in: {}", String::from_utf8_lossy(&out.stderr));

    // The bureau revokes a certificate; this device has not synced since.
    bureau.admin(&["cert", "revoke", "33010620250002", "--reason", "证件遗失"])?;
    // The device's trusted clock is the bureau's as of the last sync, less that answer's time
    // on the way (a lower bound, by design): on a loaded machine it can lag by a good part of a
    // second, so the inspection must begin well after the revocation to be after it for sure.
    std::thread::sleep(std::time::Duration::from_secs(1));

    let id = device.cli(&["inspection", "new", "--site", "91350100M000100Y43"])?.trim().to_owned();
    for item in [
        "wage_account",
        "real_name",
        "guarantee_deposit",
        "notice_board",
        "labor_contracts",
        "ledgers",
        "contractor_pays",
        "monthly_bank",
    ] {
        device.cli(&["inspection", "answer", &id, item, "yes"])?;
    }
    assert_eq!(check(&device, &["33010620250001", "--inspection", &id]).0, 0);
    let refused = Command::new(binary("fieldcase"))
        .arg("--data-dir")
        .arg(&device.dir)
        .args(["inspection", "finalize", &id])
        .output()?;
    assert_eq!(refused.status.code(), Some(3), "one checked officer is not enough");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("two-officer rule"));

    let (code, report) = check(&device, &["33010620250002", "--inspection", &id]);
    assert_eq!(code, 0, "the stale copy still says valid: {report}");
    device.cli(&["inspection", "finalize", &id])?;
    let shown = device.json(&["inspection", "show", &id])?;
    assert!(
        shown["checks"].as_array().unwrap().iter().all(|c| c["checked_by"]["officer"] == "JC-2001"),
        "checks are made in the signed-in officer's name: {shown}"
    );

    sync(&device);
    let held: serde_json::Value = serde_json::from_str(&bureau.admin(&["inspections", "--json"])?)?;
    let held = held.as_array().unwrap().iter().find(|i| i["id"] == id.as_str()).expect("pushed").clone();
    assert_eq!(held["needs_review"], true, "the bureau re-checks against its own history: {held}");
    assert!(held["review_details"].to_string().contains("33010620250002"), "{held}");

    // After the sync the device knows too, and a revoked officer cannot sign in.
    assert_eq!(result_of(&check(&device, &["33010620250002"]).1), "revoked");
    set_pin(&bureau, "JC-2002", "135791");
    sync(&device);
    let out = device.sign_in("JC-2002", "135791");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no active enforcement certificate"));
    Ok(())
}
