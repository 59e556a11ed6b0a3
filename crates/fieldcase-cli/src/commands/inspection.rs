//! `fieldcase inspection …`

use std::fmt::Write;

use fieldcase_core::ErrorCode;
use fieldcase_core::ids::InspectionId;
use fieldcase_core::inspection::{InspectionStatus, Outcome};
use fieldcase_core::time::format_beijing;
use fieldcase_device::{InspectionDetail, InspectionSummary, OpenMode};

use super::{Context, parse_id};
use crate::cli::{InspectionCommand, OutcomeArg};
use crate::output::{Failure, print};

pub fn run(ctx: &Context, cmd: InspectionCommand) -> Result<(), Failure> {
    let mut device = ctx.open(OpenMode::MustExist)?;
    match cmd {
        InspectionCommand::New { site, template, location } => {
            let site = device.find_site(&site)?;
            let draft = device.new_inspection(site.id, template.as_deref(), location)?;
            let detail = device.inspection_detail(draft.id)?;
            print(ctx.json, &detail.summary, |s| s.id.to_string());
        }
        InspectionCommand::Answer { id, item, value } => {
            let inspection = device.answer(parse_id(&id)?, &item, &value)?;
            print(ctx.json, &inspection.answers[&item], |v| format!("{item} = {}", v.display()));
        }
        InspectionCommand::Finding { id, text } => {
            let inspection = device.add_finding(parse_id(&id)?, &text)?;
            print(ctx.json, &inspection.findings, |f| format!("{} finding(s) recorded", f.len()));
        }
        InspectionCommand::Note { id, item, text } => {
            let inspection = device.set_item_note(parse_id(&id)?, &item, &text)?;
            let note = inspection.notes.get(&item);
            print(ctx.json, &note, |n| n.map_or_else(|| format!("{item}: no note"), |n| format!("{item}: {n}")));
        }
        InspectionCommand::Raise { id, item, text } => {
            let inspection = device.raise_finding(parse_id(&id)?, &item, &text)?;
            print(ctx.json, &inspection.finding_of(&item), |_| format!("finding raised on {item}"));
        }
        InspectionCommand::Withdraw { id, item } => {
            let inspection = device.withdraw_finding(parse_id(&id)?, &item)?;
            print(ctx.json, &inspection.findings, |f| format!("withdrawn; {} finding(s) remain", f.len()));
        }
        InspectionCommand::Finalize { id, outcome, deadline } => {
            let outcome = outcome_from(outcome, deadline)?;
            let sealed = device.finalize(parse_id(&id)?, outcome)?;
            print(ctx.json, &sealed, |s| {
                let hash = s.seal.as_ref().map(|seal| seal.content_hash.to_hex()).unwrap_or_default();
                format!("finalized {} (sha256 {hash})", s.id)
            });
        }
        InspectionCommand::Correct { id } => {
            let correction = device.correct(parse_id(&id)?)?;
            print(ctx.json, &correction, |c| c.id.to_string());
        }
        InspectionCommand::List => {
            let list = device.inspections()?;
            print(ctx.json, &list, |list| list.iter().map(summary_line).collect::<Vec<_>>().join("\n"));
        }
        InspectionCommand::GapReason { id, gap_id, text } => {
            let gap = device.set_gap_reason(parse_id(&id)?, &gap_id, &text)?;
            print(ctx.json, &gap, |g| format!("reason recorded for {}", g.id));
        }
        InspectionCommand::Show { id } => {
            let id: InspectionId = parse_id(&id)?;
            let detail = device.inspection_detail(id)?;
            print(ctx.json, &detail, show);
        }
    }
    Ok(())
}

fn outcome_from(outcome: Option<OutcomeArg>, deadline: Option<chrono::NaiveDate>) -> Result<Option<Outcome>, Failure> {
    let usage = |message: &str| Failure { exit: 2, code: ErrorCode::Usage, message: message.to_owned() };
    match (outcome, deadline) {
        (Some(OutcomeArg::Rectification), Some(deadline)) => Ok(Some(Outcome::RectificationOrder { deadline })),
        (Some(OutcomeArg::Rectification), None) => Err(usage("--outcome rectification needs --deadline YYYY-MM-DD")),
        (_, Some(_)) => Err(usage("--deadline goes with --outcome rectification")),
        (Some(OutcomeArg::NoViolation), None) => Ok(Some(Outcome::NoViolation)),
        (Some(OutcomeArg::CaseFiled), None) => Ok(Some(Outcome::CaseFiled)),
        (None, None) => Ok(None),
    }
}

fn status_text(s: &InspectionSummary) -> &'static str {
    match (s.status, s.superseded_by) {
        (_, Some(_)) => "superseded",
        (InspectionStatus::Draft, None) => "draft",
        (InspectionStatus::Finalized, None) => "finalized",
    }
}

fn summary_line(s: &InspectionSummary) -> String {
    let started =
        chrono::DateTime::parse_from_rfc3339(&s.started_at).map(|t| format_beijing(t.to_utc())).unwrap_or_default();
    format!(
        "{}  {:<10}  {}  {}/{} answered  {} finding(s)  {}",
        s.id,
        status_text(s),
        started,
        s.required_answered,
        s.required,
        s.findings,
        s.site_name
    )
}

fn outcome_text(o: &Outcome) -> String {
    match o {
        Outcome::NoViolation => "no violation".into(),
        Outcome::RectificationOrder { deadline } => format!("rectification order, deadline {deadline}"),
        Outcome::CaseFiled => "case filed".into(),
    }
}

fn show(d: &InspectionDetail) -> String {
    let (i, s) = (&d.inspection, &d.summary);
    let mut out = String::new();
    let _ = writeln!(out, "inspection {}  [{}]", i.id, status_text(s));
    let _ = writeln!(out, "site        {} ({})", d.site.name, d.site.uscc);
    if let Some(p) = &d.site.project_name {
        let _ = writeln!(out, "project     {p}");
    }
    if let Some(l) = &i.location {
        let _ = writeln!(out, "location    {l}");
    }
    let _ = writeln!(out, "started     {} (Beijing time)", format_beijing(i.started_at));
    if let Some(t) = i.ended_at {
        let _ = writeln!(out, "finalized   {} (Beijing time)", format_beijing(t));
    }
    let _ = writeln!(out, "checklist   {} ({} v{})", d.template.title_zh, d.template.id.0, d.template.version);
    for item in &d.template.items {
        let answer =
            i.answers.get(&item.id).map(|a| a.display()).unwrap_or(if item.required { "— required" } else { "—" });
        let _ = writeln!(out, "  {:<18} {:<12} {}", item.id, answer, item.text_zh);
        if let Some(note) = i.notes.get(&item.id) {
            let _ = writeln!(out, "  {:<18} note: {note}", "");
        }
    }
    if !i.findings.is_empty() {
        let _ = writeln!(out, "findings");
        for f in &i.findings {
            let _ = writeln!(out, "  - {}", f.description);
            if let Some(basis) = &f.basis {
                let _ = writeln!(out, "    basis: {basis}");
            }
        }
    }
    if let Some(o) = &i.outcome {
        let _ = writeln!(out, "outcome     {}", outcome_text(o));
    }
    for c in &d.checks {
        let _ = writeln!(
            out,
            "check       {} certificate {}: {:?} ({})",
            c.officer_id,
            c.certificate_number,
            c.result,
            format_beijing(c.checked_at)
        );
    }
    let e = &d.evidence;
    for r in &e.recorder_checks {
        let _ = writeln!(
            out,
            "recorder    {} clock {:+}s, battery {}, free {} (checked {})",
            r.recorder_id,
            r.offset_seconds,
            r.battery_percent.map_or("?".to_owned(), |b| format!("{b}%")),
            r.storage_free_mb.map_or("?".to_owned(), |m| format!("{m} MB")),
            format_beijing(r.trusted_time)
        );
    }
    if !e.files.is_empty() {
        let _ = writeln!(out, "evidence    {} file(s)", e.files.len());
        for f in &e.files {
            let r = &f.reference;
            let when = r.capture_start.map_or("time unknown".to_owned(), format_beijing);
            let _ = writeln!(out, "  {}  {:<5}  {}  {}", r.id, r.kind.as_str(), when, r.original_name);
        }
    }
    for g in &e.timeline.gaps {
        let reason = g.reason.as_deref().unwrap_or("— reason required before finalizing");
        let _ =
            writeln!(out, "gap         {}  {} to {}  {reason}", g.id, format_beijing(g.start), format_beijing(g.end));
    }
    if let Some(seal) = &i.seal {
        let _ = writeln!(out, "sealed      sha256 {}", seal.content_hash);
    }
    if let Some(prev) = i.supersedes {
        let _ = writeln!(out, "corrects    {prev}");
    }
    if let Some(next) = s.superseded_by {
        let _ = writeln!(out, "corrected by {next}");
    }
    out.trim_end().to_owned()
}
