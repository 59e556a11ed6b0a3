//! What goes where on the record: a QR code of the seal's hash at the top right of the
//! first page, the facts, the officers, the checklist, findings with their legal basis, the
//! outcome, the evidence, the seal with the QR code again beside it, the signature lines,
//! and a footer on every page. Pure: a [`RecordSheet`] in, pages of [`Op`]s out.

use fieldcase_core::time::format_beijing;

use super::flow::{Column, Flow, MARGIN, Measure, Op, PAGE_WIDTH, Page};
use super::labels::{RecordLang, size_text};
use crate::record::{RecordSheet, SealQr};

const TITLE: f32 = 20.0;
const HEADING: f32 = 12.0;
const BODY: f32 = 10.0;
const SMALL: f32 = 8.0;
/// The QR code's side beside the seal, with room for its quiet zone inside.
const QR_SIDE: f32 = 112.0;
/// The QR code's side at the top right of the first page, where a reader scans it first.
const HEAD_QR_SIDE: f32 = 96.0;
/// The blank modules a reader needs around a QR code.
const QUIET_MODULES: usize = 4;

const RIGHT: f32 = PAGE_WIDTH - MARGIN;
const TEXT_WIDTH: f32 = RIGHT - MARGIN;

/// Lays the record out on A4 pages.
pub fn layout<M: Measure>(sheet: &RecordSheet, lang: RecordLang, measure: &M) -> Vec<Page> {
    let l = lang.labels();
    let mut flow = Flow::new(measure);
    let top = flow.y();
    flow.push(qr_op(&sheet.seal.qr, RIGHT - HEAD_QR_SIDE, top - HEAD_QR_SIDE, HEAD_QR_SIDE));
    // The title and the facts keep clear of the QR code beside them.
    let beside_qr = TEXT_WIDTH - 2.0 * (HEAD_QR_SIDE + 8.0);
    flow.centred(TITLE, beside_qr, l.title);
    if let Some(bureau) = &sheet.bureau {
        flow.centred(HEADING, beside_qr, bureau);
    }
    flow.space(6.0);

    let value_width = TEXT_WIDTH - 124.0 - HEAD_QR_SIDE - 8.0;
    let facts = [Column { x: MARGIN, width: 118.0 }, Column { x: MARGIN + 124.0, width: value_width }];
    let site = &sheet.site;
    let fact = |flow: &mut Flow<'_, M>, label: &str, value: String| flow.row(&facts, &[label.to_owned(), value], BODY);
    fact(&mut flow, l.site, site.name.clone());
    fact(&mut flow, l.uscc, site.uscc.to_string());
    if let Some(address) = &site.address {
        fact(&mut flow, l.address, address.clone());
    }
    if let Some(project) = &site.project_name {
        fact(&mut flow, l.project, project.clone());
    }
    fact(&mut flow, l.location, sheet.location.clone().unwrap_or_else(|| l.none.to_owned()));
    let time = format!("{} – {}{}", format_beijing(sheet.started_at), format_beijing(sheet.ended_at), l.beijing);
    fact(&mut flow, l.time, time);
    let checklist = if lang == RecordLang::Zh { &sheet.template_title_zh } else { &sheet.template_title_en };
    fact(&mut flow, l.checklist_title, checklist.clone());
    fact(&mut flow, l.record_id, sheet.inspection_id.to_string());
    if let Some(corrected) = sheet.supersedes {
        fact(&mut flow, l.supersedes, corrected.to_string());
    }

    heading(&mut flow, l.officers);
    let officer_cols = [
        Column { x: MARGIN, width: 140.0 },
        Column { x: MARGIN + 146.0, width: 118.0 },
        Column { x: MARGIN + 270.0, width: 90.0 },
        Column { x: MARGIN + 366.0, width: TEXT_WIDTH - 366.0 },
    ];
    flow.row(&officer_cols, &l.officer_cols.map(str::to_owned), SMALL);
    for officer in &sheet.officers {
        let name = match &officer.name {
            Some(name) => format!("{name} ({})", officer.officer_id),
            None => officer.officer_id.clone(),
        };
        let cells = [
            name,
            officer.certificate_number.clone(),
            lang.check_result(officer.result).to_owned(),
            format_beijing(officer.checked_at),
        ];
        flow.row(&officer_cols, &cells, BODY);
    }

    heading(&mut flow, l.items);
    let item_cols = [
        Column { x: MARGIN, width: 22.0 },
        Column { x: MARGIN + 24.0, width: 340.0 },
        Column { x: MARGIN + 372.0, width: TEXT_WIDTH - 372.0 },
    ];
    for (i, item) in sheet.items.iter().enumerate() {
        let text = if lang == RecordLang::Zh { &item.text_zh } else { &item.text_en };
        flow.row(&item_cols, &[format!("{}.", i + 1), text.clone(), lang.answer(item.answer.as_ref())], BODY);
    }

    heading(&mut flow, l.findings);
    if sheet.findings.is_empty() {
        flow.paragraph(MARGIN, TEXT_WIDTH, BODY, l.no_findings);
    }
    for (i, finding) in sheet.findings.iter().enumerate() {
        flow.paragraph(MARGIN, TEXT_WIDTH, BODY, &format!("{}. {}", i + 1, finding.description));
        if let Some(basis) = &finding.basis {
            let colon = if lang == RecordLang::Zh { "：" } else { ": " };
            flow.paragraph(MARGIN + 14.0, TEXT_WIDTH - 14.0, SMALL, &format!("{}{colon}{basis}", l.basis));
        }
    }

    heading(&mut flow, l.outcome);
    flow.paragraph(MARGIN, TEXT_WIDTH, BODY, &lang.outcome(sheet.outcome.as_ref()));

    heading(&mut flow, l.evidence);
    let file_cols = [
        Column { x: MARGIN, width: 150.0 },
        Column { x: MARGIN + 154.0, width: 52.0 },
        Column { x: MARGIN + 210.0, width: TEXT_WIDTH - 210.0 },
    ];
    if sheet.evidence.is_empty() {
        flow.paragraph(MARGIN, TEXT_WIDTH, BODY, l.no_evidence);
    } else {
        flow.row(&file_cols, &l.evidence_cols.map(str::to_owned), SMALL);
    }
    for file in &sheet.evidence {
        flow.row(&file_cols, &[file.name.clone(), size_text(file.size), file.sha256.clone()], SMALL);
    }

    seal(&mut flow, sheet, lang);
    signatures(&mut flow, lang);

    let mut pages = flow.finish();
    let total = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        let y = MARGIN - 24.0;
        let id = format!("{} {}", l.record_id, sheet.inspection_id);
        page.ops.push(Op::Text { x: MARGIN, y, size: SMALL, text: id });
        let number = lang.page(i + 1, total);
        page.ops.push(Op::Text { x: RIGHT - measure.width(&number, SMALL), y, size: SMALL, text: number });
    }
    pages
}

fn heading<M: Measure>(flow: &mut Flow<'_, M>, text: &str) {
    flow.space(8.0);
    // A heading is never left alone at the foot of a page.
    flow.ensure(Flow::<M>::line_height(HEADING) + 3.0 * Flow::<M>::line_height(BODY));
    flow.paragraph(MARGIN, TEXT_WIDTH, HEADING, text);
    flow.rule();
}

/// The seal's hash, signature, device and key beside a QR code of the hash, kept together.
fn seal<M: Measure>(flow: &mut Flow<'_, M>, sheet: &RecordSheet, lang: RecordLang) {
    let l = lang.labels();
    let colon = if lang == RecordLang::Zh { "：" } else { ": " };
    let text_width = TEXT_WIDTH - QR_SIDE - 10.0;
    let lines: Vec<(f32, String)> = [
        (SMALL, l.content_hash.to_owned()),
        (BODY, sheet.seal.content_hash.clone()),
        (SMALL, l.signature.to_owned()),
        (SMALL, sheet.seal.signature.clone()),
        (SMALL, format!("{}{colon}{}", l.device, sheet.seal.device_id)),
        (SMALL, format!("{}{colon}{}", l.public_key, sheet.seal.public_key)),
        (SMALL, l.qr_note.to_owned()),
    ]
    .into_iter()
    .flat_map(|(size, text)| {
        super::flow::wrap(flow.measure(), &text, size, text_width).into_iter().map(move |line| (size, line))
    })
    .collect();
    let text_height: f32 = lines.iter().map(|(size, _)| Flow::<M>::line_height(*size)).sum();
    flow.space(8.0);
    // The signature lines follow on the same page: signed under the seal they attest, never
    // on a page of their own.
    flow.ensure(Flow::<M>::line_height(HEADING) + 6.0 + text_height.max(QR_SIDE) + signatures_height::<M>());
    flow.paragraph(MARGIN, TEXT_WIDTH, HEADING, l.seal);
    flow.rule();
    let top = flow.y();
    let mut y = top;
    for (size, line) in &lines {
        flow.text_at(MARGIN, y, *size, line);
        y -= Flow::<M>::line_height(*size);
    }
    flow.push(qr_op(&sheet.seal.qr, RIGHT - QR_SIDE, top - QR_SIDE, QR_SIDE));
    flow.space(text_height.max(QR_SIDE));
}

/// The QR code, scaled so the code and its quiet zone fill `side`.
pub fn qr_op(qr: &SealQr, x: f32, y: f32, side: f32) -> Op {
    let modules = qr.modules as usize;
    let module = side / (modules + 2 * QUIET_MODULES) as f32;
    let inset = module * QUIET_MODULES as f32;
    Op::Qr { x: x + inset, y: y + inset, side: side - 2.0 * inset, modules, dark: qr.dark.clone() }
}

/// Space before the signature lines, and each line's row.
const SIGNATURES_GAP: f32 = 18.0;
const SIGNATURE_GAP: f32 = 22.0;

/// The height [`signatures`] takes.
fn signatures_height<M: Measure>() -> f32 {
    SIGNATURES_GAP + 2.0 * (SIGNATURE_GAP + Flow::<M>::line_height(BODY))
}

/// Lines for the officers' and the inspected unit's signatures, each with a date.
fn signatures<M: Measure>(flow: &mut Flow<'_, M>, lang: RecordLang) {
    let l = lang.labels();
    flow.space(SIGNATURES_GAP);
    flow.ensure(signatures_height::<M>() - SIGNATURES_GAP);
    let date_x = RIGHT - 130.0;
    for label in [l.sign_officers, l.sign_party] {
        flow.space(SIGNATURE_GAP);
        let top = flow.y();
        let base = top - BODY * 1.1;
        flow.text_at(MARGIN, top, BODY, label);
        let start = MARGIN + flow.measure().width(label, BODY) + 8.0;
        flow.push(Op::Line { x1: start, y1: base - 2.0, x2: date_x - 12.0, y2: base - 2.0 });
        flow.text_at(date_x, top, BODY, l.sign_date);
        let date_start = date_x + flow.measure().width(l.sign_date, BODY) + 6.0;
        flow.push(Op::Line { x1: date_start, y1: base - 2.0, x2: RIGHT, y2: base - 2.0 });
        flow.space(Flow::<M>::line_height(BODY));
    }
}

#[cfg(test)]
pub(crate) mod tests;
