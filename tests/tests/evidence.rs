//! The evidence panel in the real window: an officer imports a body-cam's folder into an
//! inspection, watches the progress, sees the photos' thumbnails and the recordings on the
//! inspection's timeline with the gap marked, and writes the gap's reason, which the device
//! keeps.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use fantoccini::Locator;
use fieldcase_core::certificate::{Certificate, CertificateStatus};
use fieldcase_core::evidence::MediaKind;
use fieldcase_core::ids::OfficerId;
use fieldcase_core::registry::{OfficerEntry, RegistryUpdate, SignedRegistryUpdate};
use fieldcase_core::signing::SecretKey;
use fieldcase_core::site::NewSite;
use fieldcase_core::wire::{Change, ChangeRecord, EnrollResponse, PullResponse};
use fieldcase_device::evidence::sample::write_recorder_folder;
use fieldcase_device::sync::{ClockReading, Transport};
use fieldcase_device::{Device, ManualClock, OpenMode};
use fieldcase_tests::{DeviceDir, OFFICER, TauriDriver, binary, fieldcase, wait_for};

/// The body-cam the sample folder comes from.
const RECORDER: &str = "A0123";

/// Beijing wall-clock time on the sample session's day (2026-12-01).
fn beijing(hour: u32, minute: u32) -> DateTime<Utc> {
    fieldcase_core::time::beijing().with_ymd_and_hms(2026, 12, 1, hour, minute, 0).unwrap().to_utc()
}

/// The morning of the sample session, at 09:20 Beijing time, before the recorder was switched
/// on: the laptop enrolled with its bureau (whose key signs the registry of [`OFFICER`]),
/// synced, [`OFFICER`] signed in and an inspection started. The inspection's window has to
/// begin before the recordings, so the laptop's clock reads that morning; the window then
/// runs to the real now. Returns the inspection's id.
fn the_morning_of_the_session(data: &Path) -> anyhow::Result<String> {
    let morning = beijing(9, 20);
    let clock = Arc::new(ManualClock::new(morning));
    let mut device = Device::open_with_clock(data, OpenMode::CreateIfMissing, clock)?;
    let bureau = SecretKey::from_seed([10; 32]);
    let response = EnrollResponse {
        device_id: device.id(),
        token: "device-token".into(),
        bureau_public_key: bureau.public_key(),
        bureau_time: morning,
    };
    // Nothing listens there: the window's sync agent finds the bureau offline and says so.
    device.set_enrollment("http://127.0.0.1:9", &Transport::lab(), &response)?;
    let officer = OfficerId::parse(OFFICER.0)?;
    let salt = SaltString::generate(&mut OsRng);
    let pin_verifier = argon2::Argon2::default().hash_password(OFFICER.1.as_bytes(), &salt)?.to_string();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let registry = RegistryUpdate {
        version: 1,
        from_version: None,
        issued_at: morning,
        certificates: vec![Certificate {
            number: "33010620240107".into(),
            holder: officer.clone(),
            holder_name: "王立新".into(),
            issuing_unit: "西湖区人力资源和社会保障局".into(),
            areas: vec!["劳动保障监察".into()],
            valid_from: day(2024, 1, 1),
            valid_until: day(2099, 12, 31),
            status: CertificateStatus::Active,
        }],
        officers: vec![OfficerEntry {
            officer, name: "王立新".into(), unit: None, pin_verifier: Some(pin_verifier)
        }],
        scope: None,
    };
    let change = Change::new(1, ChangeRecord::Registry(SignedRegistryUpdate::sign(&registry, &bureau))).seal(&bureau);
    let pull = PullResponse {
        next_cursor: 1,
        changes: vec![change],
        more: false,
        bureau_time: morning,
        feed_epoch: "e1".into(),
        registry_units: None,
    };
    device.apply_changes(&pull)?;
    device.record_sync_success(ClockReading { bureau: morning, laptop: morning })?;
    device.sign_in(OFFICER.0, OFFICER.1)?;
    let site = device.add_site(NewSite {
        name: "杭州立信装饰工程有限公司".into(),
        uscc: fieldcase_core::uscc::with_check_character("91330106MA2H0P0X5").expect("17 characters"),
        address: Some("杭州市西湖区文三路 478 号".into()),
        ..Default::default()
    })?;
    Ok(device.new_inspection(site.id, None, Some("3号楼项目部".into()))?.id.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_officer_imports_a_recorder_folder_and_explains_the_gap_in_its_recordings() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let data = tmp.path().join("device");
    let inspection = the_morning_of_the_session(&data)?;
    // The sign-in of that morning may have ended by now: the officer signs in again.
    let out = DeviceDir::new(data.clone()).sign_in(OFFICER.0, OFFICER.1);
    assert!(out.status.success(), "{} signs in: {}", OFFICER.0, String::from_utf8_lossy(&out.stderr));
    let folder = tmp.path().join("ZFY_A0123");
    let sample = write_recorder_folder(&folder)?;
    let media = sample.media().count();
    let photos = sample.media().filter(|(_, kind, _)| *kind == MediaKind::Photo).count();
    let timed = sample.media().filter(|(_, _, capture)| capture.is_some()).count();
    assert!(photos >= 2 && sample.gaps_over_five_minutes.len() == 1, "the sample has photos and one long break");

    let driver = TauriDriver::start()?;
    let data_arg = data.to_str().expect("a UTF-8 temp path");
    let window = driver.launch(&binary("fieldcase-desktop"), &["--data-dir", data_arg]).await.context("launch")?;
    wait_for(&window, "body[data-ready=true]").await?;
    wait_for(&window, &format!("[data-testid=inspection-row][data-id='{inspection}'] td"))
        .await?
        .click()
        .await
        .context("open")?;
    wait_for(&window, "[data-testid=evidence-panel] [data-testid=evidence-empty]").await?;

    // The recorder check before the inspection: the form offers the time now; the recorder agrees.
    window.find(Locator::Css("[data-testid=check-recorder]")).await?.send_keys(RECORDER).await?;
    window.find(Locator::Css("[data-testid=check-battery]")).await?.send_keys("85").await?;
    window.find(Locator::Css("[data-testid=check-storage]")).await?.send_keys("20480").await?;
    window.find(Locator::Css("[data-testid=check-recorder-save]")).await?.click().await?;
    let check = wait_for(&window, &format!("[data-testid=recorder-check][data-recorder='{RECORDER}']")).await?;
    assert!(check.text().await?.contains("85%"), "the check shows the battery it recorded");

    // Import the folder, typed as an officer pastes it (WebDriver cannot drive the system's
    // folder picker that "choose…" opens).
    assert!(window.find(Locator::Css("[data-testid=evidence-choose]")).await.is_ok(), "a folder can be chosen too");
    window.find(Locator::Css("[data-testid=evidence-folder]")).await?.send_keys(folder.to_str().unwrap()).await?;
    window.find(Locator::Css("[data-testid=evidence-recorder]")).await?.send_keys(RECORDER).await?;
    window.find(Locator::Css("[data-testid=evidence-import]")).await?.click().await?;
    let summary = wait_for(&window, "[data-testid=evidence-summary]").await?;
    assert_eq!(summary.attr("data-imported").await?, Some(media.to_string()), "every media file is imported");

    // The progress the import reported through its channel stays on screen with the final figures.
    let progress = window.find(Locator::Css("[data-testid=evidence-progress]")).await?;
    assert_eq!(progress.attr("data-running").await?.as_deref(), Some("false"), "the import has ended");
    assert_eq!(progress.attr("data-files-total").await?, Some(media.to_string()), "progress counted the files");
    assert_eq!(progress.attr("data-files-done").await?, Some(media.to_string()), "progress reached the last file");
    let figures = window.find(Locator::Css("[data-testid=evidence-progress-text]")).await?.text().await?;
    assert!(figures.contains(&format!("文件 {media}/{media}")), "files, in Chinese by default: {figures}");
    assert!(figures.contains("KB") && figures.contains("/s"), "bytes and rate are shown: {figures}");
    let skipped = window.find_all(Locator::Css("[data-testid=evidence-skipped]")).await?.len();
    assert_eq!(skipped, sample.skipped().count(), "each skipped file is named");

    // The files, with a thumbnail for each photo and a length for each video.
    let rows = window.find_all(Locator::Css("[data-testid=evidence-file]")).await?;
    assert_eq!(rows.len(), media, "every imported file is listed");
    let mut loaded = 0;
    for _ in 0..100 {
        loaded = window.find_all(Locator::Css("[data-testid=evidence-thumb][data-loaded=true]")).await?.len();
        if loaded == photos {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(loaded, photos, "every photo shows its thumbnail");
    let width: serde_json::Value =
        window.execute("return document.querySelector('[data-testid=evidence-thumb]').naturalWidth", vec![]).await?;
    assert!(width.as_u64().unwrap_or(0) > 0, "a thumbnail is a decoded picture: {width}");
    let first_clip = window
        .find(Locator::Css("[data-testid=evidence-file][data-kind=video] [data-testid=evidence-duration]"))
        .await?
        .text()
        .await?;
    assert!(first_clip.contains(':'), "a video shows its length: {first_clip}");

    // The timeline: the recordings against the inspection's window, the one long break marked.
    let timeline = window.find(Locator::Css("[data-testid=timeline]")).await?;
    assert_eq!(timeline.attr("data-recordings").await?, Some(timed.to_string()), "every dated file is on it");
    let bars = window.find_all(Locator::Css("[data-testid=timeline-recording]")).await?.len();
    assert_eq!(bars, timed, "each recording is drawn within the window");
    let gaps = window.find_all(Locator::Css("[data-testid=timeline-gap]")).await?;
    assert_eq!(gaps.len(), 1, "the eight-minute break is the one gap");
    let gap_id = gaps[0].attr("data-gap-id").await?.expect("a gap names itself");

    // The officer writes why nothing was recorded.
    let row = format!("[data-testid=gap][data-gap-id='{gap_id}']");
    window
        .find(Locator::Css(&format!("{row} [data-testid=gap-reason-input]")))
        .await?
        .send_keys("更换记录仪电池")
        .await?;
    window.find(Locator::Css(&format!("{row} [data-testid=gap-reason-save]"))).await?.click().await?;
    wait_for(&window, &format!("{row}[data-has-reason=true]")).await?;

    window.execute("document.querySelector('[data-testid=evidence-panel]').scrollIntoView()", vec![]).await?;
    let out = fieldcase_tests::target_dir().join("e2e");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("evidence.png"), window.screenshot().await?)?;
    window.close().await?;

    // What the window wrote is on the device, as the command line sees it.
    let shown: serde_json::Value =
        serde_json::from_str(&fieldcase(&data, &["inspection", "show", &inspection, "--json"])?)?;
    let saved = &shown["evidence"]["timeline"]["gaps"];
    assert_eq!(saved.as_array().map(Vec::len), Some(1), "one gap: {saved}");
    assert_eq!(saved[0]["id"], gap_id.as_str());
    assert_eq!(saved[0]["reason"], "更换记录仪电池", "the reason typed in the window is kept");
    assert_eq!(shown["evidence"]["files"].as_array().map(Vec::len), Some(media));
    fieldcase(&data, &["audit", "verify"])?;
    Ok(())
}

/// Every regular file under `dir`, however deep.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries.flatten().flat_map(|e| if e.path().is_dir() { files_under(&e.path()) } else { vec![e.path()] }).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_import_shows_its_rate_and_time_left_and_cancelling_it_leaves_nothing() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let data = tmp.path().join("device");
    let inspection = the_morning_of_the_session(&data)?;
    let out = DeviceDir::new(data.clone()).sign_in(OFFICER.0, OFFICER.1);
    assert!(out.status.success(), "{} signs in: {}", OFFICER.0, String::from_utf8_lossy(&out.stderr));
    // One long recording: an MP4 header and 16 GiB after it (sparse, so making it costs
    // nothing). Long enough that the import is still running when cancel is clicked: a
    // 2 GiB file imported in under two seconds on a quiet machine, before the click.
    let folder = tmp.path().join("card");
    std::fs::create_dir_all(&folder)?;
    let big = std::fs::File::create(folder.join("ZFY_A0123_JC0107_20261201093000.MP4"))?;
    std::io::Write::write_all(&mut &big, b"\0\0\0\x18ftypisom\0\0\0\0isommp41")?;
    big.set_len(16 << 30)?;
    drop(big);

    let driver = TauriDriver::start()?;
    let data_arg = data.to_str().expect("a UTF-8 temp path");
    let window = driver.launch(&binary("fieldcase-desktop"), &["--data-dir", data_arg]).await.context("launch")?;
    wait_for(&window, "body[data-ready=true]").await?;
    wait_for(&window, &format!("[data-testid=inspection-row][data-id='{inspection}'] td")).await?.click().await?;
    wait_for(&window, "[data-testid=evidence-empty]").await?;
    window.find(Locator::Css("[data-testid=evidence-folder]")).await?.send_keys(folder.to_str().unwrap()).await?;
    window.find(Locator::Css("[data-testid=evidence-import]")).await?.click().await?;

    // While the file is read, the window keeps answering and shows how fast and how long.
    wait_for(&window, "[data-testid=evidence-progress][data-running=true][data-files-total='1']").await?;
    let mut figures = String::new();
    for _ in 0..100 {
        figures = window.find(Locator::Css("[data-testid=evidence-progress-text]")).await?.text().await?;
        if figures.contains("/s") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(figures.contains("MB/s") || figures.contains("GB/s"), "a rate is shown while reading: {figures}");
    assert!(figures.contains("16.0 GB") && figures.contains("剩余时间 "), "the size and time left: {figures}");
    assert!(!figures.contains("剩余时间 —"), "the time left is known once bytes flow: {figures}");
    window.find(Locator::Css("[data-testid=evidence-cancel]")).await?.click().await?;

    let summary = wait_for(&window, "[data-testid=evidence-summary]").await?;
    assert_eq!(summary.attr("data-imported").await?.as_deref(), Some("0"), "the file being read is not imported");
    assert!(summary.text().await?.contains("已取消"), "the officer is told it was cancelled");
    wait_for(&window, "[data-testid=evidence-progress][data-running=false]").await?;
    wait_for(&window, "[data-testid=evidence-empty]").await?;
    window.close().await?;

    let shown: serde_json::Value =
        serde_json::from_str(&fieldcase(&data, &["inspection", "show", &inspection, "--json"])?)?;
    assert_eq!(shown["evidence"]["files"].as_array().map(Vec::len), Some(0), "no reference after a cancel");
    let left = files_under(&data.join("vault"));
    assert!(left.is_empty(), "no half-written file is left in the vault: {left:?}");
    Ok(())
}
