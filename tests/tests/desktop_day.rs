//! An officer's whole day in the real window, once in Chinese and once in English: signed in
//! with the bureau out of reach, an inspection begun at a new site (a mistyped credit code
//! refused as typed), two officers checked and a revoked certificate refused, the checklist
//! answered with a finding, the morning's recorder folder imported while its progress shows,
//! the gap in the recordings explained after finalizing is refused for it, then the bureau
//! back online: the record syncs and every file ends "verified by the bureau".

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use fantoccini::{Client, Locator};
use fieldcase_device::GAP_MINUTES_ENV;
use fieldcase_device::evidence::sample::{recording, write_recorder_folder};
use fieldcase_tests::{
    Bureau, DeviceDir, OFFICER, TauriDriver, binary, choose, click, fieldcase, publish_screenshots, save_screenshot,
    text_of, type_into, wait_for,
};

/// What the officer reads in one language, where the test checks the words themselves.
struct Language {
    /// The page's `lang`.
    code: &'static str,
    /// From the refusal of a credit code whose check character is wrong.
    check_character: &'static str,
    /// The banner's summary of a refusal by the enforcement rules.
    refused_by_rules: &'static str,
    /// On a file the bureau has verified.
    safe_to_delete: &'static str,
    /// The officer's own words: the finding and the gap's reason.
    finding: &'static str,
    gap_reason: &'static str,
}

const CHINESE: Language = Language {
    code: "zh-CN",
    check_character: "校验位",
    refused_by_rules: "不符合执法规则",
    safe_to_delete: "可从记录仪删除",
    finding: "未开设农民工工资专用账户",
    gap_reason: "更换记录仪电池",
};

const ENGLISH: Language = Language {
    code: "en",
    check_character: "check character",
    refused_by_rules: "Not allowed by the rules",
    safe_to_delete: "Safe to delete from the recorder",
    finding: "No dedicated wage account for migrant workers",
    gap_reason: "The recorder's battery was changed",
};

#[tokio::test(flavor = "multi_thread")]
async fn an_officers_whole_day_in_chinese() -> anyhow::Result<()> {
    whole_day(&CHINESE).await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_officers_whole_day_in_english() -> anyhow::Result<()> {
    whole_day(&ENGLISH).await
}

async fn whole_day(lang: &Language) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let mut bureau = Bureau::start(&tmp.path().join("bureau"))?;
    bureau.admin(&["seed-demo"])?;
    let data = tmp.path().join("device");
    // At the office: enrolled and synced (the registry, the site directory); then out to the
    // site, signed out, where the bureau cannot be reached all day.
    DeviceDir::new(data.clone()).enroll_and_sign_in(&bureau)?;
    fieldcase(&data, &["signout"])?;
    bureau.stop();

    // A break in the recordings longer than a minute needs a reason (five by default; one
    // here, so that the day fits in a test).
    let driver = TauriDriver::start_with_env(&[(GAP_MINUTES_ENV, "1")])?;
    let window =
        driver.launch(&binary("fieldcase-desktop"), &["--data-dir", data.to_str().expect("UTF-8 path")]).await?;
    wait_for(&window, "body[data-ready=true]").await?;
    wait_for(&window, "[data-testid=sync-status][data-state=offline]").await?;
    if lang.code != "zh-CN" {
        click(&window, "[data-testid=settings-open]").await?;
        click(&window, &format!("[data-testid=language-{}]", lang.code)).await?;
        click(&window, "[data-testid=home-open]").await?;
    }
    wait_for(&window, &format!("html[lang={}]", lang.code)).await?;

    // Start: sign in with the PIN, checked on the laptop.
    click(&window, "[data-testid=signin-open]").await?;
    type_into(&window, "[data-testid=signin-officer]", OFFICER.0).await?;
    type_into(&window, "[data-testid=signin-pin]", OFFICER.1).await?;
    click(&window, "[data-testid=signin-submit]").await?;
    wait_for(&window, &format!("[data-testid=signed-in-officer][data-officer={}]", OFFICER.0)).await?;

    // Begin at a site the directory does not have: searched first, then added, its credit
    // code refused as typed with the reason, then typed right.
    click(&window, "[data-testid=new-inspection]").await?;
    wait_for(&window, "[data-testid=site-matches][data-count='4']").await?;
    type_into(&window, "[data-testid=site-search]", "新址").await?;
    wait_for(&window, "[data-testid=site-matches][data-count='0']").await?;
    click(&window, "[data-testid=add-site-open]").await?;
    type_into(&window, "[data-testid=add-site-name]", "杭州新址建设有限公司").await?;
    type_into(&window, "[data-testid=add-site-uscc]", "91330106MA2GL7QX41").await?;
    let refused = text_of(&window, "[data-testid=uscc-status][data-valid=false]").await?;
    assert!(refused.contains(lang.check_character), "the reason is told in {}: {refused}", lang.code);
    let field = wait_for(&window, "[data-testid=add-site-uscc]").await?;
    field.clear().await?;
    // As a Chinese input method gives it: full-width.
    field.send_keys("９１３３０１０６ＭＡ２ＧＬ７ＱＸ４Ｑ").await?;
    text_of(&window, "[data-testid=uscc-status][data-valid=true]").await?;
    click(&window, "[data-testid=add-site-submit]").await?;
    wait_for(&window, "[data-testid=site-added]").await?;
    click(&window, "[data-testid=create-submit]").await?;
    let detail = wait_for(&window, "[data-testid=inspection-detail][data-status=draft]").await?;
    let id = detail.attr("data-id").await?.expect("an id");
    let shown = DeviceDir::new(data.clone()).json(&["inspection", "show", &id])?;
    let started: DateTime<Utc> = shown["inspection"]["started_at"].as_str().context("a start")?.parse()?;

    // The checklist: the wage account "no" raises a finding with its legal basis.
    click(&window, "[data-testid=answer-wage_account-no]").await?;
    let basis = text_of(&window, "[data-testid=finding-wage_account-basis]").await?;
    assert!(basis.contains("保障农民工工资支付条例"), "the finding carries its basis: {basis}");
    click(&window, "[data-testid=finding-wage_account-edit]").await?;
    let wording = wait_for(&window, "[data-testid=finding-wage_account-input]").await?;
    wording.clear().await?;
    wording.send_keys(lang.finding).await?;
    click(&window, "[data-testid=finding-wage_account-save]").await?;
    wait_for(&window, "[data-testid=finding-wage_account-description]").await?;
    for item in [
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
    wait_for(&window, "[data-testid=checklist-progress][data-required-left='0']").await?;

    // The officers present: one valid, one revoked and refused in red, another valid; the
    // two-officer gate shown open until the second valid check.
    wait_for(&window, "[data-testid=officers-gate][data-met=false][data-valid='0']").await?;
    for (number, result, gate) in [
        ("33010620240107", "valid", "[data-met=false][data-valid='1']"),
        ("33010620240120", "revoked", "[data-met=false][data-valid='1']"),
        ("33010620240112", "valid", "[data-met=true]"),
    ] {
        type_into(&window, "[data-testid=check-input]", number).await?;
        click(&window, "[data-testid=check-submit]").await?;
        let shown = wait_for(&window, &format!("[data-testid=check-result][data-result={result}]")).await?;
        let red = shown.attr("class").await?.unwrap_or_default().contains("check-result--bad");
        assert_eq!(red, result != "valid", "{number}: every result but a valid one shows in red");
        wait_for(&window, &format!("[data-testid=officers-gate]{gate}")).await?;
    }
    let rows = window.find_all(Locator::Css("[data-testid=certificate-check]")).await?;
    assert_eq!(rows.len(), 3, "every check is recorded, the refused one too");
    scroll_to(&window, "[data-testid=officers-gate]").await?;
    save_screenshot(&window, &format!("day-{}-officers", lang.code)).await?;

    // The evidence: the recorder folder as the body cam left it. Two recordings of this
    // inspection with a break of over a minute between them, beside the sample morning's
    // files (from another day: outside this inspection's window, so on no timeline).
    let folder = tmp.path().join("ZFY_A0123");
    let sample = write_recorder_folder(&folder)?;
    let first = started + TimeDelta::seconds(2);
    let second = started + TimeDelta::seconds(90);
    write_clip(&folder, first, 10, 1)?;
    write_clip(&folder, second, 5, 2)?;
    let files = sample.media().count() + 2;
    // The second recording has ended by the time it is imported.
    let ended = second + TimeDelta::seconds(7);
    if let Ok(wait) = (ended - Utc::now()).to_std() {
        tokio::time::sleep(wait).await;
    }
    // Every redraw of the progress, as the officer would see it, kept by the page.
    let watch = r#"
        window.progressSeen = [];
        new MutationObserver(() => {
            const p = document.querySelector('[data-testid=evidence-progress]');
            if (p) window.progressSeen.push([p.dataset.running, Number(p.dataset.filesDone), Number(p.dataset.filesTotal)]);
        }).observe(document.body, { attributes: true, subtree: true, attributeFilter: ['data-running', 'data-files-done'] });"#;
    window.execute(watch, vec![]).await?;
    type_into(&window, "[data-testid=evidence-folder]", folder.to_str().expect("UTF-8 path")).await?;
    click(&window, "[data-testid=evidence-import]").await?;
    let summary = wait_for(&window, "[data-testid=evidence-summary]").await?;
    assert_eq!(summary.attr("data-imported").await?, Some(files.to_string()), "every media file is imported");
    let seen = window.execute("return window.progressSeen", vec![]).await?;
    let seen: Vec<(String, usize, usize)> = serde_json::from_value(seen)?;
    assert!(
        seen.iter().any(|(running, done, total)| running == "true" && *total == files && *done < files),
        "the progress was shown while the import ran: {seen:?}"
    );
    assert_eq!(seen.last().map(|s| (s.0.as_str(), s.1)), Some(("false", files)), "and ended on every file: {seen:?}");

    // The timeline: the break between the two recordings is the one gap.
    // The morning's files are the inspection's too, but fall outside its window: only the
    // two recordings are drawn on the bar.
    let two = "[data-testid=timeline]:has([data-testid=timeline-recording] ~ [data-testid=timeline-recording])";
    let timeline = wait_for(&window, two).await?;
    let drawn = window.find_all(Locator::Css("[data-testid=timeline-recording]")).await?;
    assert_eq!(drawn.len(), 2, "the two recordings of the inspection are on its timeline");
    assert_eq!(timeline.attr("data-gaps").await?.as_deref(), Some("1"), "one break over the limit");
    let gap = wait_for(&window, "[data-testid=gap][data-has-reason=false]").await?;
    let gap_id = gap.attr("data-gap-id").await?.expect("a gap names itself");

    // Finalizing is refused while the gap has no reason, and says so.
    choose(&window, "[data-testid=finalize-outcome]", "case_filed").await?;
    click(&window, "[data-testid=finalize]").await?;
    let banner = text_of(&window, "[data-testid=error-banner][data-code=rule_violation]").await?;
    assert!(banner.contains(lang.refused_by_rules) && banner.contains(&gap_id), "refused for the gap: {banner}");
    click(&window, "[data-testid=error-dismiss]").await?;
    let row = format!("[data-testid=gap][data-gap-id='{gap_id}']");
    type_into(&window, &format!("{row} [data-testid=gap-reason-input]"), lang.gap_reason).await?;
    click(&window, &format!("{row} [data-testid=gap-reason-save]")).await?;
    wait_for(&window, &format!("{row}[data-has-reason=true]")).await?;
    scroll_to(&window, "[data-testid=timeline]").await?;
    save_screenshot(&window, &format!("day-{}-evidence", lang.code)).await?;
    choose(&window, "[data-testid=finalize-outcome]", "case_filed").await?;
    click(&window, "[data-testid=finalize]").await?;
    wait_for(&window, "[data-testid=inspection-detail][data-status=finalized]").await?;
    assert_words_in(&window, lang, "the finalized inspection").await?;

    // Back in reach of the bureau: the record syncs and every file is sent and verified.
    bureau.restart()?;
    click(&window, "[data-testid=sync-now]").await?;
    click(&window, "[data-testid=uploads-open]").await?;
    wait_for(&window, "[data-testid=uploads-screen]").await?;
    let safe = "[data-testid=upload-row][data-safe=true]";
    let deadline = Instant::now() + Duration::from_secs(120);
    while window.find_all(Locator::Css(safe)).await?.len() < files && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(window.find_all(Locator::Css(safe)).await?.len(), files, "every file verified by the bureau");
    let note = text_of(&window, "[data-testid=upload-safe]").await?;
    assert!(note.contains(lang.safe_to_delete), "the officer is told the recorder may be cleared: {note}");
    wait_for(&window, "[data-testid=sync-status][data-state=synced]").await?;
    assert_words_in(&window, lang, "the uploads").await?;
    save_screenshot(&window, &format!("day-{}-uploads", lang.code)).await?;
    window.close().await?;

    // The bureau holds the sealed record as made, and every file, hashing right.
    let held = DeviceDir::new(data.clone()).json(&["inspection", "show", &id])?;
    assert_eq!(held["inspection"]["status"], "finalized");
    assert_eq!(held["inspection"]["findings"][0]["description"], lang.finding);
    let at_bureau: serde_json::Value = serde_json::from_str(&bureau.admin(&["inspections", "--json"])?)?;
    let ids: Vec<&str> = at_bureau.as_array().expect("a list").iter().filter_map(|i| i["id"].as_str()).collect();
    assert!(ids.contains(&id.as_str()), "the inspection reached the bureau: {ids:?}");
    let verified = bureau.admin(&["evidence", "verify"])?;
    assert_eq!(verified.matches(" intact ").count(), files, "the bureau holds every file intact: {verified}");
    fieldcase(&data, &["audit", "verify"])?;
    if lang.code == "zh-CN" {
        publish_screenshots(&[("day-zh-CN-officers", "officers"), ("day-zh-CN-evidence", "evidence")])?;
    }
    Ok(())
}

/// A recording the body cam wrote, named as it names them (recorder, officer, Beijing start).
fn write_clip(folder: &Path, start: DateTime<Utc>, seconds: u64, seed: u32) -> anyhow::Result<()> {
    let name = start.with_timezone(&fieldcase_core::time::beijing()).format("ZFY_A0123_JC0107_%Y%m%d%H%M%S.MP4");
    let path = folder.join("DCIM/102MEDIA").join(name.to_string());
    std::fs::create_dir_all(path.parent().expect("a folder"))?;
    std::fs::write(path, recording(b"isom", 0, Some(start), seconds, seed, false))?;
    Ok(())
}

/// Brings the element to the middle of the window, for a screenshot that shows it.
async fn scroll_to(window: &Client, css: &str) -> anyhow::Result<()> {
    window
        .execute("document.querySelector(arguments[0]).scrollIntoView({ block: 'center' })", vec![css.into()])
        .await?;
    Ok(())
}

/// The window's own words (headings, labels, buttons, table heads, states) are all in the
/// officer's language: in English none is in Chinese characters. What officers and the
/// bureau wrote (site names, officers' names, the legal basis) is theirs and not checked;
/// the page marks it `translate="no"`, and words in another language carry their `lang`
/// (the switch to Chinese is labelled 中文).
async fn assert_words_in(window: &Client, lang: &Language, screen: &str) -> anyhow::Result<()> {
    if lang.code == "zh-CN" {
        return Ok(());
    }
    let chinese = r#"
        const own = 'button, h1, h2, h3, h4, th, label, legend, .field__label, .badge, [role=status] > strong, .hint';
        return [...document.querySelectorAll(own)]
            .filter((e) => e.offsetParent !== null && !e.closest('option, select, [translate=no]'))
            .filter((e) => (e.closest('[lang]')?.lang ?? 'en') === 'en')
            .map((e) => [...e.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim())
            .filter((t) => /\p{Script=Han}/u.test(t));"#;
    let found = window.execute(chinese, vec![]).await?;
    let found: Vec<String> = serde_json::from_value(found)?;
    assert!(found.is_empty(), "{screen} shows words not in {}: {found:?}", lang.code);
    Ok(())
}
