//! An accessibility check of what the real window shows: axe-core, taken from the UI's own
//! `node_modules` (installed by `npm ci` in make's ui step, never fetched at test time), run
//! inside the webview through WebDriver's execute-script. Every violation is printed; one of
//! impact "serious" or "critical" fails the check.

use std::path::PathBuf;
use std::sync::OnceLock;

use anyhow::{Context as _, Result, bail};
use fantoccini::Client;
use serde_json::Value;

/// The axe-core build the UI's devDependencies install.
fn axe_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js")
}

fn axe_source() -> Result<&'static str> {
    static SOURCE: OnceLock<String> = OnceLock::new();
    if let Some(source) = SOURCE.get() {
        return Ok(source);
    }
    let path = axe_path();
    let source = std::fs::read_to_string(&path).with_context(|| {
        format!("{} is missing: install the UI's packages with `cd ui && npm ci` (make's ui step does)", path.display())
    })?;
    Ok(SOURCE.get_or_init(|| source))
}

/// Runs axe-core on the page as it is now. `screen` names it in what is printed.
pub async fn assert_accessible(client: &Client, screen: &str) -> Result<()> {
    // Loaded again on each call: a screen change may have replaced nothing, but a reload would
    // have dropped it, and defining it twice is harmless.
    client.execute(axe_source()?, vec![]).await.context("axe-core could not be loaded into the window")?;
    let answer = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            window.axe
              .run(document, { resultTypes: ["violations"] })
              .then((r) => done(JSON.stringify(r.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map((n) => n.target.join(" ")),
              })))))
              .catch((e) => done(JSON.stringify({ error: String(e) })));"#,
            vec![],
        )
        .await
        .context("axe-core did not run in the window")?;
    let text = answer.as_str().context("axe-core answers with JSON text")?;
    let violations: Value = serde_json::from_str(text)?;
    if let Some(error) = violations.get("error") {
        bail!("axe-core failed on the {screen} screen: {error}");
    }
    let mut blocking = Vec::new();
    for v in violations.as_array().into_iter().flatten() {
        let impact = v["impact"].as_str().unwrap_or("unknown");
        let line = format!(
            "[{screen}] {impact} {}: {} — {}",
            v["id"].as_str().unwrap_or("?"),
            v["help"].as_str().unwrap_or(""),
            v["targets"].as_array().into_iter().flatten().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
        );
        println!("{line}");
        if matches!(impact, "serious" | "critical") {
            blocking.push(line);
        }
    }
    if !blocking.is_empty() {
        bail!("the {screen} screen has serious accessibility violations:\n{}", blocking.join("\n"));
    }
    Ok(())
}
