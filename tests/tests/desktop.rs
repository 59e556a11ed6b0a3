//! The real desktop window, driven as an officer would through WebDriver.

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use fantoccini::Locator;
use fieldcase_tests::{TauriDriver, binary, fieldcase, listed_ids, publish_screenshots, save_screenshot, wait_for};

#[tokio::test(flavor = "multi_thread")]
async fn an_officer_sees_the_demo_inspections_creates_a_draft_and_finds_it_after_a_restart() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let data = tmp.path().join("device");
    // The officer's first day at the office: enrolled, synced, signed in; then the demo records.
    let bureau = fieldcase_tests::Bureau::start(&tmp.path().join("bureau"))?;
    fieldcase_tests::DeviceDir::new(data.clone()).enroll_and_sign_in(&bureau)?;
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

    save_screenshot(&window, "inspection-list").await?;
    window.close().await?;

    // What the window wrote is in the store, as the command line sees it.
    let shown: serde_json::Value =
        serde_json::from_str(&fieldcase(&data, &["inspection", "show", &new_id, "--json"])?)?;
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
    use fieldcase_tests::{Bureau, DeviceDir, finalize_inspections};

    let tmp = tempfile::tempdir()?;
    let data = tmp.path().join("device");
    let mut bureau = Bureau::start(&tmp.path().join("bureau"))?;
    DeviceDir::new(data.clone()).enroll_and_sign_in(&bureau)?;
    fieldcase(&data, &["demo", "seed"])?;

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
    save_screenshot(&window, "synced").await?;
    // The README shows the list as an officer sees it after a sync.
    publish_screenshots(&[("synced", "screenshot")])?;
    window.close().await?;

    let held: serde_json::Value = serde_json::from_str(&bureau.admin(&["inspections", "--json"])?)?;
    let ids: Vec<&str> = held.as_array().expect("a list").iter().filter_map(|i| i["id"].as_str()).collect();
    assert!(ids.contains(&finalized.as_str()), "the inspection finalized offline reached the bureau: {ids:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_officer_signs_in_raises_a_finding_checks_two_officers_sees_a_revoked_certificate_refused_finalizes_and_prints_the_record()
-> anyhow::Result<()> {
    use fieldcase_tests::{Bureau, choose, click, text_of, type_into};

    let tmp = tempfile::tempdir()?;
    let bureau = Bureau::start(&tmp.path().join("bureau"))?;
    bureau.admin(&["seed-demo"])?;
    let qr = tmp.path().join("card-0112.png");
    bureau.admin(&["cert", "qr", "33010620240112", "--out", qr.to_str().expect("UTF-8 path")])?;
    let data = tmp.path().join("device");
    // The demo records are made by a signed-in officer, who then signs out: the window
    // starts with nobody signed in.
    fieldcase_tests::DeviceDir::new(data.clone()).enroll_and_sign_in(&bureau)?;
    fieldcase(&data, &["demo", "seed"])?;
    fieldcase(&data, &["signout"])?;
    fieldcase(&data, &["device", "sync", "--once"])?;

    let driver = TauriDriver::start()?;
    let window =
        driver.launch(&binary("fieldcase-desktop"), &["--data-dir", data.to_str().expect("UTF-8 path")]).await?;
    wait_for(&window, "body[data-ready=true]").await?;

    // Sign in with the PIN the bureau set; it is checked on the laptop.
    window.find(Locator::Css("[data-testid=signin-open]")).await?.click().await?;
    wait_for(&window, "[data-testid=signin-form]").await?.click().await?;
    window.find(Locator::Css("[data-testid=signin-officer]")).await?.send_keys("JC-0107").await?;
    window.find(Locator::Css("[data-testid=signin-pin]")).await?.send_keys("107107").await?;
    window.find(Locator::Css("[data-testid=signin-submit]")).await?.click().await?;
    wait_for(&window, "[data-testid=signed-in-officer][data-officer=JC-0107]").await?;

    // A new inspection, every required item answered, the wage account "no".
    window.find(Locator::Css("[data-testid=new-inspection]")).await?.click().await?;
    wait_for(&window, "[data-testid=create-submit]").await?.click().await?;
    let detail = wait_for(&window, "[data-testid=inspection-detail][data-status=draft]").await?;
    let id = detail.attr("data-id").await?.expect("an id");
    wait_for(&window, "[data-testid=checklist-progress][data-answered='0'][data-required-left='8']").await?;
    click(&window, "[data-testid=answer-wage_account-no]").await?;
    wait_for(&window, "[data-testid=answer-wage_account-no][aria-pressed=true]").await?;
    // The checklist counts this "no" as a finding: raised at once, with its legal basis.
    let basis = text_of(&window, "[data-testid=finding-wage_account-basis]").await?;
    assert!(basis.contains("保障农民工工资支付条例 第二十六条"), "the finding carries its basis: {basis}");
    // The officer words it as found.
    click(&window, "[data-testid=finding-wage_account-edit]").await?;
    let wording = wait_for(&window, "[data-testid=finding-wage_account-input]").await?;
    wording.clear().await?;
    wording.send_keys("未开设农民工工资专用账户，工资由班组长现金发放").await?;
    click(&window, "[data-testid=finding-wage_account-save]").await?;
    let described = text_of(&window, "[data-testid=finding-wage_account-description]").await?;
    assert_eq!(described, "未开设农民工工资专用账户，工资由班组长现金发放");
    // A note saves by itself once the typing pauses, without leaving the field.
    type_into(&window, "[data-testid=note-wage_account]", "项目经理称账户正在开设中").await?;
    wait_for(&window, "[data-testid=note-wage_account-state][data-status=saved]").await?;
    for item in [
        "real_name",
        "guarantee_deposit",
        "notice_board",
        "labor_contracts",
        "ledgers",
        "contractor_pays",
        "monthly_bank",
    ] {
        wait_for(&window, &format!("[data-testid=answer-{item}-yes]")).await?.click().await?;
        wait_for(&window, &format!("[data-testid=answer-{item}-yes][aria-pressed=true]")).await?;
    }

    // Officer one by number; a revoked certificate refused; officer two from a photo of the QR code.
    let check = |number: &'static str| {
        let window = window.clone();
        async move {
            let input = wait_for(&window, "[data-testid=check-input]").await?;
            input.send_keys(number).await?;
            window.find(Locator::Css("[data-testid=check-submit]")).await?.click().await?;
            anyhow::Ok(())
        }
    };
    check("33010620240107").await?;
    wait_for(&window, "[data-testid=check-result][data-result=valid]").await?;
    check("33010620240120").await?;
    wait_for(&window, "[data-testid=check-result][data-result=revoked]").await?;
    wait_for(&window, "[data-testid=check-image]").await?.send_keys(qr.to_str().expect("UTF-8 path")).await?;
    wait_for(&window, "[data-testid=check-result][data-result=valid]").await?;
    let rows = window.find_all(Locator::Css("[data-testid=certificate-check]")).await?;
    assert_eq!(rows.len(), 3, "every check is recorded on the inspection, the refused one too");

    wait_for(&window, "[data-testid=checklist-progress][data-required-left='0']").await?;
    let finding_in_view = "document.querySelector('[data-item-id=wage_account]').scrollIntoView({block: 'start'})";
    window.execute(finding_in_view, Vec::new()).await?;
    save_screenshot(&window, "checklist").await?;

    // A finding recorded: finalizing "from the answers" is refused for want of an outcome.
    click(&window, "[data-testid=finalize]").await?;
    let banner = text_of(&window, "[data-testid=error-banner][data-code=rule_violation]").await?;
    assert!(banner.contains("outcome is needed"), "refused for want of an outcome: {banner}");
    assert!(window.find(Locator::Css("[data-testid=inspection-detail][data-status=draft]")).await.is_ok());
    click(&window, "[data-testid=error-dismiss]").await?;
    choose(&window, "[data-testid=finalize-outcome]", "no_violation").await?;
    click(&window, "[data-testid=finalize]").await?;
    let banner = text_of(&window, "[data-testid=error-banner][data-code=rule_violation]").await?;
    assert!(banner.contains("contradicts"), "'no violation' is refused beside a finding: {banner}");
    choose(&window, "[data-testid=finalize-outcome]", "case_filed").await?;
    click(&window, "[data-testid=finalize]").await?;
    wait_for(&window, "[data-testid=inspection-detail][data-status=finalized]").await?;
    let shot = window.screenshot().await?;
    std::fs::create_dir_all(fieldcase_tests::target_dir().join("e2e"))?;
    std::fs::write(fieldcase_tests::target_dir().join("e2e").join("finalized.png"), &shot)?;
    // The sealed inspection's history names its finalizing.
    wait_for(&window, "[data-testid=history-entry][data-action='inspection.finalize']").await?;

    // The on-site inspection record: the page to print, with the seal's hash, and its PDF.
    let shown: serde_json::Value = serde_json::from_str(&fieldcase(&data, &["inspection", "show", &id, "--json"])?)?;
    let hash = shown["inspection"]["seal"]["content_hash"].as_str().expect("a seal").to_owned();
    click(&window, "[data-testid=record-open]").await?;
    assert_eq!(text_of(&window, "[data-testid=record-seal-hash]").await?, hash, "the page shows the seal's hash");
    assert!(text_of(&window, "[data-testid=record-sheet]").await?.contains("现场检查笔录"));
    save_screenshot(&window, "record").await?;
    click(&window, "[data-testid=record-export]").await?;
    let exported = wait_for(&window, "[data-testid=record-exported][data-path$='.pdf']").await?;
    let pdf = exported.attr("data-path").await?.expect("the path of the PDF");
    assert!(pdf.starts_with(data.to_str().expect("UTF-8 path")), "saved in the data directory's exports: {pdf}");
    let text = std::process::Command::new("pdftotext").args([pdf.as_str(), "-"]).output()?;
    assert!(String::from_utf8_lossy(&text.stdout).contains(&hash), "the exported PDF carries the seal's hash");
    window.close().await?;
    publish_screenshots(&[("record", "record")])?;

    assert_eq!(shown["inspection"]["status"], "finalized");
    assert_eq!(
        shown["inspection"]["officer_checks"].as_array().map(Vec::len),
        Some(2),
        "sealed on the two valid checks"
    );
    assert_eq!(shown["inspection"]["created_by"]["officer"], "JC-0107", "made in the signed-in officer's name");
    let findings = &shown["inspection"]["findings"];
    assert_eq!(findings.as_array().map(Vec::len), Some(1), "{findings}");
    assert_eq!(findings[0]["description"], "未开设农民工工资专用账户，工资由班组长现金发放");
    assert_eq!(findings[0]["basis"], "保障农民工工资支付条例 第二十六条");
    assert_eq!(shown["inspection"]["notes"]["wage_account"], "项目经理称账户正在开设中");
    assert_eq!(shown["inspection"]["outcome"]["type"], "case_filed");
    publish_screenshots(&[("checklist", "checklist")])?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_officer_begins_at_a_new_site_reviews_what_blocks_finalizing_and_filters_the_records() -> anyhow::Result<()>
{
    use fieldcase_tests::{Bureau, choose, click, text_of, type_into};

    let tmp = tempfile::tempdir()?;
    let bureau = Bureau::start(&tmp.path().join("bureau"))?;
    bureau.admin(&["seed-demo"])?;
    let data = tmp.path().join("device");
    fieldcase_tests::DeviceDir::new(data.clone()).enroll_and_sign_in(&bureau)?;
    // Two inspections at a directory site, for the records to filter.
    fieldcase_tests::finalize_inspections(&data, 2)?;
    let driver = TauriDriver::start()?;
    let window =
        driver.launch(&binary("fieldcase-desktop"), &["--data-dir", data.to_str().expect("UTF-8 path")]).await?;
    wait_for(&window, "body[data-ready=true]").await?;

    // Begin: the directory is searched as the officer types.
    click(&window, "[data-testid=new-inspection]").await?;
    // The bureau's directory (its demo sites) is on the laptop since the first sync.
    wait_for(&window, "[data-testid=site-matches][data-count='4']").await?;
    type_into(&window, "[data-testid=site-search]", "西溪").await?;
    wait_for(&window, "[data-testid=site-matches][data-count='1']").await?;

    // A new site: a mistyped credit code is refused as typed, with the reason.
    click(&window, "[data-testid=add-site-open]").await?;
    type_into(&window, "[data-testid=add-site-name]", "杭州新址建设有限公司").await?;
    type_into(&window, "[data-testid=add-site-uscc]", "91330106MA2GL7QX41").await?;
    let refused = text_of(&window, "[data-testid=uscc-status][data-valid=false]").await?;
    assert!(refused.contains("校验位") && refused.contains("“Q”"), "the reason is told: {refused}");
    save_screenshot(&window, "new-site-refused").await?;
    // Typed again the way a licence prints it (groups, lower case): read as the valid code.
    let field = wait_for(&window, "[data-testid=add-site-uscc]").await?;
    field.clear().await?;
    field.send_keys("91330106 ma2gl7qx4q").await?;
    let accepted = text_of(&window, "[data-testid=uscc-status][data-valid=true]").await?;
    assert!(accepted.contains("91330106MA2GL7QX4Q"), "{accepted}");
    click(&window, "[data-testid=add-site-submit]").await?;
    wait_for(&window, "[data-testid=site-added]").await?;
    save_screenshot(&window, "new-inspection").await?;
    click(&window, "[data-testid=create-submit]").await?;
    let detail = wait_for(&window, "[data-testid=inspection-detail][data-status=draft]").await?;
    let id = detail.attr("data-id").await?.expect("an id");

    // Review: what blocks finalizing, and finalizing refused with the reason shown.
    click(&window, "[data-testid=review-open]").await?;
    wait_for(&window, "[data-testid=review-blocker][data-rule=missing_answers]").await?;
    wait_for(&window, "[data-testid=review-blocker][data-rule=too_few_checked_officers]").await?;
    save_screenshot(&window, "review").await?;
    click(&window, "[data-testid=review-finalize]").await?;
    let banner = text_of(&window, "[data-testid=error-banner][data-code=rule_violation]").await?;
    assert!(banner.contains("不符合执法规则"), "{banner}");
    assert!(window.find(Locator::Css("[data-testid=review]")).await.is_ok(), "still on the review page");

    // Each blocker leads to its fix: the checklist, then the officers.
    click(&window, "[data-testid=review-fix-missing_answers]").await?;
    wait_for(&window, "[data-testid=inspection-detail]").await?;
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
        click(&window, &format!("[data-testid=answer-{item}-yes]")).await?;
        wait_for(&window, &format!("[data-testid=answer-{item}-yes][aria-pressed=true]")).await?;
    }
    for (n, number) in ["33010620240107", "33010620240112"].into_iter().enumerate() {
        type_into(&window, "[data-testid=check-input]", number).await?;
        click(&window, "[data-testid=check-submit]").await?;
        // The check's row appears once it is recorded.
        wait_for(&window, &format!("[data-testid=certificate-check][data-result=valid]:nth-of-type({})", n + 1))
            .await?;
    }
    click(&window, "[data-testid=review-open]").await?;
    wait_for(&window, "[data-testid=review-ready]").await?;
    click(&window, "[data-testid=review-finalize]").await?;
    wait_for(&window, &format!("[data-testid=inspection-detail][data-id='{id}'][data-status=finalized]")).await?;

    // Records: the filters narrow the list.
    click(&window, "[data-testid=records-open]").await?;
    let all = wait_for(&window, "[data-testid=records-count]").await?.attr("data-count").await?.expect("a count");
    assert_eq!(all, "3", "the two made before and the new one");
    let sites: serde_json::Value = serde_json::from_str(&fieldcase(&data, &["site", "list", "--json"])?)?;
    let new_site = sites
        .as_array()
        .and_then(|all| all.iter().find(|s| s["name"] == "杭州新址建设有限公司"))
        .and_then(|s| s["id"].as_str())
        .expect("the new site is in the store")
        .to_owned();
    choose(&window, "[data-testid=filter-site]", &new_site).await?;
    wait_for(&window, "[data-testid=records-count][data-count='1']").await?;
    let rows = window.find_all(Locator::Css("[data-testid=record-row]")).await?;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].attr("data-id").await?.as_deref(), Some(id.as_str()));
    save_screenshot(&window, "records").await?;
    choose(&window, "[data-testid=filter-status]", "draft").await?;
    wait_for(&window, "[data-testid=records-empty]").await?;
    click(&window, "[data-testid=filter-clear]").await?;
    wait_for(&window, &format!("[data-testid=records-count][data-count='{all}']")).await?;
    window.close().await?;
    publish_screenshots(&[("new-site-refused", "new-site"), ("review", "review"), ("records", "records")])?;

    let shown: serde_json::Value = serde_json::from_str(&fieldcase(&data, &["inspection", "show", &id, "--json"])?)?;
    assert_eq!(shown["inspection"]["status"], "finalized");
    assert_eq!(shown["inspection"]["site_id"], new_site.as_str());
    Ok(())
}
