//! The settings screen in the real window, and every main screen checked for accessibility
//! with axe-core inside the webview.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use fantoccini::{Client, Locator};
use fieldcase_tests::{
    Bureau, DeviceDir, OFFICER, TauriDriver, assert_accessible, binary, click, fieldcase, publish_screenshots,
    save_screenshot, text_of, type_into, wait_for,
};

/// Waits until the element's text holds `needle`: a field checked as it is typed answers
/// each keystroke, and only the answer to the whole text counts.
async fn wait_for_text(window: &Client, css: &str, needle: &str) -> anyhow::Result<String> {
    for _ in 0..100 {
        if let Ok(element) = window.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
            && text.contains(needle)
        {
            return Ok(text);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    anyhow::bail!("'{css}' never read '{needle}'")
}

/// The page's language and the header's way to the settings, as the officer reads them.
async fn shown_language(window: &Client) -> anyhow::Result<(String, String)> {
    let lang = window.execute("return document.documentElement.lang", vec![]).await?;
    let label = text_of(window, "[data-testid=settings-open]").await?;
    Ok((lang.as_str().unwrap_or_default().to_owned(), label.trim().to_owned()))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_main_screen_passes_the_accessibility_check() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let bureau = Bureau::start(&tmp.path().join("bureau"))?;
    bureau.admin(&["seed-demo"])?;
    let data = tmp.path().join("device");
    DeviceDir::new(data.clone()).enroll_and_sign_in(&bureau)?;
    fieldcase_tests::finalize_inspections(&data, 1)?;
    fieldcase(&data, &["signout"])?;
    let driver = TauriDriver::start()?;
    let window =
        driver.launch(&binary("fieldcase-desktop"), &["--data-dir", data.to_str().expect("UTF-8 path")]).await?;
    wait_for(&window, "body[data-ready=true]").await?;

    click(&window, "[data-testid=signin-open]").await?;
    wait_for(&window, "[data-testid=signin-form]").await?;
    assert_accessible(&window, "sign-in").await?;
    type_into(&window, "[data-testid=signin-officer]", OFFICER.0).await?;
    type_into(&window, "[data-testid=signin-pin]", OFFICER.1).await?;
    click(&window, "[data-testid=signin-submit]").await?;
    wait_for(&window, "[data-testid=signed-in-officer]").await?;
    wait_for(&window, "[data-testid=home-day]").await?;
    wait_for(&window, "[data-testid=inspection-row]").await?;
    assert_accessible(&window, "home").await?;

    click(&window, "[data-testid=new-inspection]").await?;
    wait_for(&window, "[data-testid=site-matches]").await?;
    assert_accessible(&window, "new inspection").await?;
    click(&window, "[data-testid=create-submit]").await?;
    wait_for(&window, "[data-testid=inspection-detail][data-status=draft]").await?;
    assert_accessible(&window, "draft").await?;

    click(&window, "[data-testid=review-open]").await?;
    wait_for(&window, "[data-testid=review-blocker]").await?;
    assert_accessible(&window, "review").await?;

    click(&window, "[data-testid=records-open]").await?;
    wait_for(&window, "[data-testid=record-row]").await?;
    assert_accessible(&window, "records").await?;

    click(&window, "[data-testid=uploads-open]").await?;
    wait_for(&window, "[data-testid=uploads-table]").await?;
    assert_accessible(&window, "uploads").await?;

    click(&window, "[data-testid=settings-open]").await?;
    wait_for(&window, "[data-testid=vault-files][data-files]").await?;
    assert_accessible(&window, "settings").await?;
    // The high-contrast theme for outdoor light is held to the same check.
    click(&window, "[data-testid=contrast-toggle]").await?;
    wait_for(&window, "[data-testid=contrast-toggle][aria-pressed=true]").await?;
    assert_accessible(&window, "settings, high contrast").await?;
    click(&window, "[data-testid=home-open]").await?;
    wait_for(&window, "[data-testid=inspection-row]").await?;
    assert_accessible(&window, "home, high contrast").await?;
    click(&window, "[data-testid=contrast-toggle]").await?;
    window.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_officer_switches_the_language_sets_the_sign_in_length_and_moves_the_bureau_address() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let bureau = Bureau::start(&tmp.path().join("bureau"))?;
    let data = tmp.path().join("device");
    DeviceDir::new(data.clone()).enroll_and_sign_in(&bureau)?;
    let data_arg = data.to_str().expect("UTF-8 path");
    let app = binary("fieldcase-desktop");
    let driver = TauriDriver::start()?;
    let window = driver.launch(&app, &["--data-dir", data_arg]).await?;
    wait_for(&window, "body[data-ready=true]").await?;

    // Settings, from the header, in Chinese: enrolled with this bureau, the vault measured.
    click(&window, "[data-testid=settings-open]").await?;
    let enrolled = text_of(&window, "[data-testid=enrollment-state][data-enrolled=true]").await?;
    assert!(enrolled.contains(&bureau.url()), "the bureau it is enrolled with is named: {enrolled}");
    wait_for(&window, "[data-testid=vault-files][data-files='0']").await?;
    save_screenshot(&window, "settings").await?;
    publish_screenshots(&[("settings", "settings")])?;

    // English at once, every string; and back.
    assert_eq!(shown_language(&window).await?, ("zh-CN".into(), "设置".into()));
    click(&window, "[data-testid=language-en]").await?;
    wait_for(&window, "html[lang=en]").await?;
    assert_eq!(shown_language(&window).await?, ("en".into(), "Settings".into()));
    assert!(text_of(&window, "[data-testid=settings-session] h3").await?.contains("Sign-in length"));

    // The sign-in length: four hours, saved on the device.
    click(&window, "[data-testid=session-hours] option[value='4']").await?;
    click(&window, "[data-testid=session-save]").await?;
    wait_for_text(&window, "[data-testid=session-saved]", "4 hours").await?;

    // The bureau's address: refused as typed with the reason, then another address of the
    // same bureau, which the next sync uses.
    let field = wait_for(&window, "[data-testid=bureau-url]").await?;
    field.clear().await?;
    field.send_keys("bureau.example.cn").await?;
    // The reason, and what to write instead.
    wait_for_text(&window, "[data-testid=bureau-url-status][data-valid=false]", "https://bureau.example.cn").await?;
    let moved = bureau.url().replace("127.0.0.1", "localhost");
    field.clear().await?;
    field.send_keys(&moved).await?;
    wait_for_text(&window, "[data-testid=bureau-url-status][data-valid=true]", &moved).await?;
    click(&window, "[data-testid=bureau-save]").await?;
    wait_for(&window, "[data-testid=bureau-done]:not([hidden])").await?;
    let status: serde_json::Value = serde_json::from_str(&fieldcase(&data, &["device", "status", "--json"])?)?;
    assert_eq!(status["bureau_url"], moved.as_str(), "the device syncs with the new address");
    window.close().await?;

    // Kept between starts: the window opens in English with the length chosen; then back to Chinese.
    let window = driver.launch(&app, &["--data-dir", data_arg]).await?;
    wait_for(&window, "body[data-ready=true]").await?;
    wait_for(&window, "html[lang=en]").await?;
    click(&window, "[data-testid=settings-open]").await?;
    let hours = wait_for(&window, "[data-testid=session-hours]").await?.prop("value").await?;
    assert_eq!(hours.as_deref(), Some("4"), "the length chosen is kept on the device");
    click(&window, "[data-testid=language-zh-CN]").await?;
    wait_for(&window, "html[lang=zh-CN]").await?;
    assert_eq!(shown_language(&window).await?, ("zh-CN".into(), "设置".into()));
    let heading = window.find(Locator::Css("[data-testid=settings-session] h3")).await?.text().await?;
    assert_eq!(heading, "登录时长");
    window.close().await?;
    fieldcase(&data, &["audit", "verify"])?;
    Ok(())
}
