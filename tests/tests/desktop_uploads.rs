//! The uploads screen in the real window: an officer imports a recorder folder, the sync
//! agent sends every file to a real bureau over a slow link while the screen shows each
//! file's progress, rate and time left, and every file ends "verified by the bureau: safe to
//! delete from the recorder".

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use anyhow::Context;

use fantoccini::Locator;
use fieldcase_device::demo::{answer_all, check_two_officers};
use fieldcase_device::evidence::sample::write_recorder_folder;
use fieldcase_device::{Device, OpenMode};
use fieldcase_tests::{
    Bureau, DeviceDir, FaultyLink, TauriDriver, binary, click, fieldcase, publish_screenshots, save_screenshot,
    type_into, wait_for, write_recording,
};

#[tokio::test(flavor = "multi_thread")]
async fn an_officer_watches_a_recorder_folder_go_from_import_to_safe_to_delete() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let data = tmp.path().join("device");
    let bureau = Bureau::start(&tmp.path().join("bureau"))?;
    let link = FaultyLink::start(&bureau.addr)?;
    DeviceDir::new(data.clone()).enroll_and_sign_in_through(&bureau, &link.url())?;
    fieldcase(&data, &["site", "add", "--name", "甲建筑公司", "--uscc", "91350100M000100Y43"])?;
    let inspection = fieldcase(&data, &["inspection", "new", "--site", "91350100M000100Y43"])?.trim().to_owned();

    // The morning's folder, and one long recording that takes a while to send.
    let folder = tmp.path().join("ZFY_A0123");
    let sample = write_recorder_folder(&folder)?;
    write_recording(&folder.join("DCIM/100MEDIA/ZFY_A0123_JC0107_20261201110000.MP4"), 24 << 20)?;
    let files = sample.media().count() + 1;

    let driver = TauriDriver::start()?;
    let window =
        driver.launch(&binary("fieldcase-desktop"), &["--data-dir", data.to_str().unwrap()]).await.context("launch")?;
    wait_for(&window, "body[data-ready=true]").await?;
    // The bureau is slow to reach today: a few MB/s.
    link.slow_down(Duration::from_millis(20));
    click(&window, &format!("[data-testid=inspection-row][data-id='{inspection}'] td")).await?;
    type_into(&window, "[data-testid=evidence-folder]", folder.to_str().unwrap()).await?;
    click(&window, "[data-testid=evidence-import]").await?;
    let summary = wait_for(&window, "[data-testid=evidence-summary]").await?;
    assert_eq!(
        summary.attr("data-imported").await.context("the import's summary")?,
        Some(files.to_string()),
        "every media file is imported"
    );

    // The officers finish the inspection (the window's own checks and finalizing are the
    // certificate test's): its evidence travels after the seal that covers it.
    {
        let mut laptop = Device::open(&data, OpenMode::MustExist)?;
        let id = inspection.parse()?;
        answer_all(&mut laptop, id, &[])?;
        check_two_officers(&mut laptop, id)?;
        laptop.finalize(id, None)?;
    }
    click(&window, "[data-testid=uploads-open]").await?;
    wait_for(&window, "[data-testid=uploads-screen]").await?;
    click(&window, "[data-testid=sync-now]").await?;
    // The long recording on its way: its share sent, the rate and the time left. The table
    // is redrawn every second, so it is read in one script each time, not through elements
    // that a redraw replaces.
    let sending = r#"
        const row = document.querySelector('[data-testid=upload-row][data-state=uploading]');
        if (!row) return null;
        return { figures: row.querySelector('[data-testid=upload-figures]').textContent,
                 percent: row.querySelector('[data-testid=upload-progress]').value,
                 safe: document.querySelectorAll('[data-testid=upload-row][data-safe=true]').length };"#;
    let deadline = Instant::now() + Duration::from_secs(90);
    let seen = loop {
        let shown = window.execute(sending, vec![]).await?;
        if shown["figures"].as_str().is_some_and(|f| !f.is_empty()) || Instant::now() > deadline {
            break shown;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        seen["figures"].as_str().is_some_and(|f| f.contains("MB/s")),
        "the rate and time left are shown while a file is sent: {seen}"
    );
    assert!(seen["percent"].as_f64().is_some_and(|p| p < 100.0), "shown part way: {seen}");
    // Each file's verdict is fetched as soon as it is whole: the small files sent before the
    // long one are verified while it is still on its way.
    assert!(seen["safe"].as_u64().is_some_and(|n| n > 0), "files sent earlier are verified already: {seen}");
    save_screenshot(&window, "uploads").await?;
    // The README shows a file on its way.
    publish_screenshots(&[("uploads", "uploads")])?;

    link.slow_down(Duration::ZERO);
    let safe = "[data-testid=upload-row][data-safe=true]";
    let deadline = Instant::now() + Duration::from_secs(120);
    while window.find_all(Locator::Css(safe)).await?.len() < files && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(window.find_all(Locator::Css(safe)).await?.len(), files, "every file verified by the bureau");
    let note = window.execute("return document.querySelector('[data-testid=upload-safe]').textContent", vec![]).await?;
    let note = note.as_str().unwrap_or_default().to_owned();
    assert!(note.contains("可从记录仪删除"), "the officer is told the recorder may be cleared: {note}");
    save_screenshot(&window, "uploads-verified").await?;
    window.close().await?;

    let verified = bureau.admin(&["evidence", "verify"])?;
    assert_eq!(verified.matches(" intact ").count(), files, "the bureau holds every file, hashing right: {verified}");
    Ok(())
}
