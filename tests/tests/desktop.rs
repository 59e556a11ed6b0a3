//! The real desktop window, driven as an officer would through WebDriver.

use fantoccini::Locator;
use fieldcase_tests::{TauriDriver, binary, fieldcase, listed_ids, wait_for};

#[tokio::test(flavor = "multi_thread")]
async fn an_officer_sees_the_demo_inspections_creates_a_draft_and_finds_it_after_a_restart() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let data = tmp.path().join("device");
    fieldcase(&data, &["demo", "seed"])?;
    let data_arg = data.to_str().expect("a UTF-8 temp path");
    let app = binary("fieldcase-desktop");
    let driver = TauriDriver::start()?;

    // First start: the demo inspections are listed.
    let window = driver.launch(&app, &["--data-dir", data_arg]).await?;
    wait_for(&window, "body[data-ready=true]").await?;
    let demo_ids = listed_ids(&window).await?;
    assert_eq!(demo_ids.len(), 3, "the three demo inspections are listed");
    let list_text = window.find(Locator::Css("[data-testid=inspection-list]")).await?.text().await?;
    assert!(list_text.contains("浙江恒筑建设集团有限公司"), "site names show in Chinese by default: {list_text}");

    // Create a draft at the second demo site.
    let sites: serde_json::Value = serde_json::from_str(&fieldcase(&data, &["site", "list", "--json"])?)?;
    let site_id = sites[1]["id"].as_str().expect("demo sites have ids").to_owned();
    window.find(Locator::Css("[data-testid=new-inspection]")).await?.click().await?;
    wait_for(&window, "[data-testid=new-inspection-form]").await?;
    window.find(Locator::Css(&format!("[data-testid=site-select] option[value='{site_id}']"))).await?.click().await?;
    window.find(Locator::Css("[data-testid=location-input]")).await?.send_keys("项目部一楼").await?;
    window.find(Locator::Css("[data-testid=create-submit]")).await?.click().await?;
    let detail = wait_for(&window, "[data-testid=inspection-detail]").await?;
    let new_id = detail.attr("data-id").await?.expect("the detail names its inspection");
    assert!(!demo_ids.contains(&new_id), "a new inspection was made");

    // Answer one item from the window, then go back to the list.
    window.find(Locator::Css("[data-testid=answer-wage_account-yes]")).await?.click().await?;
    // The screen redraws from the saved record; wait for it before moving on.
    wait_for(&window, "[data-testid=answer-wage_account-yes][aria-pressed=true]").await?;
    window.find(Locator::Css("[data-testid=back]")).await?.click().await?;
    wait_for(&window, &format!("[data-testid=inspection-row][data-id='{new_id}']")).await?;
    assert_eq!(listed_ids(&window).await?.len(), 4);

    let shot = window.screenshot().await?;
    let out = fieldcase_tests::target_dir().join("e2e");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("inspection-list.png"), &shot)?;
    if std::env::var_os("FIELDCASE_UPDATE_SCREENSHOT").is_some() {
        std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/screenshot.png"), &shot)?;
    }
    window.close().await?;

    // What the window wrote is in the store, as the command line sees it.
    let shown: serde_json::Value = serde_json::from_str(&fieldcase(&data, &["inspection", "show", &new_id, "--json"])?)?;
    assert_eq!(shown["inspection"]["status"], "draft");
    assert_eq!(shown["inspection"]["location"], "项目部一楼");
    assert_eq!(shown["inspection"]["answers"]["wage_account"]["kind"], "yes");

    // Second start: the draft is still there.
    let window = driver.launch(&app, &["--data-dir", data_arg]).await?;
    wait_for(&window, "body[data-ready=true]").await?;
    let row = wait_for(&window, &format!("[data-testid=inspection-row][data-id='{new_id}']")).await?;
    assert_eq!(row.attr("data-status").await?.as_deref(), Some("draft"), "the draft survives a restart as a draft");
    assert_eq!(listed_ids(&window).await?.len(), 4);
    window.close().await?;

    fieldcase(&data, &["audit", "verify"])?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_window_shows_sync_catching_up_when_the_bureau_comes_back() -> anyhow::Result<()> {
    use fieldcase_tests::{Bureau, finalize_inspections};

    let tmp = tempfile::tempdir()?;
    let data = tmp.path().join("device");
    fieldcase(&data, &["demo", "seed"])?;
    let mut bureau = Bureau::start(&tmp.path().join("bureau"))?;
    let code = bureau.enroll_code()?;
    fieldcase(&data, &["device", "enroll", "--bureau", &bureau.url(), "--code", &code])?;

    // The bureau is down while an inspection is finalized.
    bureau.stop();
    let finalized = finalize_inspections(&data, 1)?.remove(0);

    let app = binary("fieldcase-desktop");
    let driver = TauriDriver::start()?;
    let window = driver.launch(&app, &["--data-dir", data.to_str().expect("UTF-8 path")]).await?;
    wait_for(&window, "body[data-ready=true]").await?;
    wait_for(&window, "[data-testid=sync-status][data-state=offline]").await?;

    bureau.restart()?;
    // The officer does not have to wait for the next attempt.
    window.find(Locator::Css("[data-testid=sync-now]")).await?.click().await?;
    wait_for(&window, "[data-testid=sync-status][data-state=synced]").await?;
    let shot = window.screenshot().await?;
    std::fs::write(fieldcase_tests::target_dir().join("e2e").join("synced.png"), &shot).ok();
    window.close().await?;

    let held: serde_json::Value = serde_json::from_str(&bureau.admin(&["inspections", "--json"])?)?;
    let ids: Vec<&str> = held.as_array().expect("a list").iter().filter_map(|i| i["id"].as_str()).collect();
    assert!(ids.contains(&finalized.as_str()), "the inspection finalized offline reached the bureau: {ids:?}");
    Ok(())
}
