//! `fieldcase bureau inspections | sites | reviews | seed-demo`: what the bureau holds from
//! the devices (inspections, the site directory, records waiting for review), and the
//! demonstration data.

use std::path::Path;

use chrono::Utc;

use fieldcase_bureau::store::ReviewScope;
use fieldcase_bureau::{OpenMode, admin};
use fieldcase_core::inspection::Outcome;
use fieldcase_core::time::format_beijing;

use super::store::{with_signing_key, with_store};
use crate::commands::Context;
use crate::output::{Failure, print};

pub(super) fn inspections(ctx: &Context, data_dir: &Path) -> Result<(), Failure> {
    let inspections = with_store(data_dir, OpenMode::MustExist, async |store| store.inspections().await)?;
    print(ctx.json, &inspections, |list| {
        if list.is_empty() {
            return "no inspections received yet".into();
        }
        list.iter()
            .map(|i| {
                let review = if i.needs_review {
                    let details: String = i.review_details.iter().map(|d| format!("\n    {d}")).collect();
                    format!(
                        "  needs review ({}){details}",
                        i.review_reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
                    )
                } else {
                    String::new()
                };
                format!(
                    "{}  {}  {}  {}  from {}{review}",
                    i.id,
                    format_beijing(i.started_at),
                    i.site_name.as_deref().unwrap_or("(site not received yet)"),
                    i.outcome.as_ref().map_or("-", Outcome::name),
                    i.device_label.clone().unwrap_or_else(|| i.device_id.to_string()),
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

pub(super) fn sites(ctx: &Context, data_dir: &Path) -> Result<(), Failure> {
    let sites = with_store(data_dir, OpenMode::MustExist, async |store| store.sites().await)?;
    print(ctx.json, &sites, |sites| {
        if sites.is_empty() {
            return "the site directory is empty; `fieldcase bureau seed-demo` adds demonstration sites".into();
        }
        sites
            .iter()
            .map(|s| {
                let project = s.site.project_name.as_deref().map(|p| format!(" · {p}")).unwrap_or_default();
                let joined = match s.aliases.len() {
                    0 => String::new(),
                    n => format!("  ({n} device record(s) joined)"),
                };
                format!("{}  {}  {}{project}{joined}", s.site.id, s.site.uscc, s.site.name)
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

pub(super) fn reviews(ctx: &Context, data_dir: &Path, all: bool) -> Result<(), Failure> {
    let scope = if all { ReviewScope::All } else { ReviewScope::Open };
    let reviews = with_store(data_dir, OpenMode::MustExist, async move |store| store.reviews(scope).await)?;
    print(ctx.json, &reviews, |reviews| {
        if reviews.is_empty() {
            return "nothing waits for review".into();
        }
        reviews
            .iter()
            .map(|r| {
                let settled = r.resolved_at.map(|at| format!("  settled {}", format_beijing(at))).unwrap_or_default();
                format!(
                    "#{}  {}  {} {}  from device {}  pushed {}×, last {}{settled}\n    {}",
                    r.id,
                    r.reason.as_str(),
                    r.kind,
                    r.item_id,
                    r.device_id,
                    r.times,
                    format_beijing(r.last_received_at),
                    r.detail
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

pub(super) fn seed_demo(ctx: &Context, data_dir: &Path) -> Result<(), Failure> {
    let report = with_signing_key(data_dir, OpenMode::CreateIfMissing, async |store, key| {
        admin::seed_demo(store, key, Utc::now()).await
    })?;
    print(ctx.json, &report, |r| {
        let sites = match (r.added.len(), r.already_there) {
            (0, _) => "the demonstration sites are already in the directory; nothing added".to_owned(),
            (n, 0) => format!("added {n} demonstration sites to the directory"),
            (n, m) => format!("added {n} demonstration sites to the directory ({m} were already there)"),
        };
        let certificates = match r.certificates_added.len() {
            0 => "the demonstration certificates are already in the registry".to_owned(),
            n => format!("added {n} demonstration certificates to the registry ({})", r.certificates_added.join(", ")),
        };
        let pins = match r.pins_set.len() {
            0 => String::new(),
            _ => format!(
                "\nset the demonstration PINs of {}",
                admin::DEMO_PINS
                    .iter()
                    .map(|(officer, pin)| format!("{officer} ({pin})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        format!("{sites}\n{certificates}{pins}")
    });
    Ok(())
}
