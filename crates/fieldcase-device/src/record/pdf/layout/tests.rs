use chrono::{TimeZone, Utc};

use fieldcase_core::certificate::CheckResult;
use fieldcase_core::checklist::AnswerValue;
use fieldcase_core::ids::{DeviceId, InspectionId, SiteId};
use fieldcase_core::inspection::Outcome;
use fieldcase_core::site::Site;
use fieldcase_core::uscc::Uscc;

use super::*;
use crate::record::pdf::flow::tests::Fixed;
use crate::record::pdf::flow::{PAGE_HEIGHT, PAGE_WIDTH};
use crate::record::{SealQr, SheetFile, SheetFinding, SheetItem, SheetOfficer, SheetSeal};

pub(crate) fn sample_sheet() -> RecordSheet {
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 30, 0).unwrap();
    RecordSheet {
        inspection_id: InspectionId::generate(at),
        supersedes: None,
        bureau: Some("杭州市西湖区人力资源和社会保障局".into()),
        site: Site {
            id: SiteId::generate(at),
            name: "西湖建工集团有限公司".into(),
            uscc: Uscc::parse("91350100M000100Y43").unwrap(),
            address: Some("杭州市西湖区文三路 100 号".into()),
            project_name: Some("文三路安置房二期".into()),
            general_contractor: None,
            created_at: at,
        },
        location: Some("3号楼项目部".into()),
        started_at: at,
        ended_at: at + chrono::Duration::minutes(95),
        template_title_zh: "建设工程工资支付检查".into(),
        template_title_en: "Construction wage payment".into(),
        officers: ["JC-0107", "JC-0112"]
            .into_iter()
            .map(|id| SheetOfficer {
                officer_id: id.into(),
                name: Some("王敏".into()),
                certificate_number: "33010620240107".into(),
                result: CheckResult::Valid,
                checked_at: at,
            })
            .collect(),
        items: (0..8)
            .map(|i| SheetItem {
                id: format!("item-{i}"),
                text_zh: "是否开设农民工工资专用账户".into(),
                text_en: "Is there a special wage account".into(),
                answer: Some(if i == 2 { AnswerValue::No } else { AnswerValue::Yes }),
            })
            .collect(),
        findings: vec![SheetFinding {
            description: "未开设农民工工资专用账户".into(),
            basis: Some("保障农民工工资支付条例 第二十六条".into()),
        }],
        outcome: Some(Outcome::RectificationOrder { deadline: chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap() }),
        evidence: vec![SheetFile { name: "DJI_0001.MP4".into(), sha256: "cd".repeat(32), size: 1_500_000_000 }],
        seal: SheetSeal {
            qr: SealQr::of(&"3f".repeat(32)),
            content_hash: "3f".repeat(32),
            signature: "ab".repeat(64),
            device_id: DeviceId::generate(at),
            public_key: "12".repeat(32),
        },
    }
}

fn texts(pages: &[Page]) -> Vec<&str> {
    pages
        .iter()
        .flat_map(|p| &p.ops)
        .filter_map(|op| match op {
            Op::Text { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_record_shows_the_site_the_outcome_the_basis_and_the_seal_hash() {
    let sheet = sample_sheet();
    let pages = layout(&sheet, RecordLang::Zh, &Fixed);
    let all = texts(&pages);
    for expected in [
        "现场检查笔录",
        "杭州市西湖区人力资源和社会保障局",
        "西湖建工集团有限公司",
        "91350100M000100Y43",
        "2026-03-02 09:30 – 2026-03-02 11:05（北京时间）",
        "王敏 (JC-0107)",
        "否",
        "1. 未开设农民工工资专用账户",
        "依据：保障农民工工资支付条例 第二十六条",
        "责令限期改正（期限：2026-04-01）",
        "DJI_0001.MP4",
        "1.4 GB",
        "被检查单位签名",
    ] {
        assert!(all.contains(&expected), "the record must show {expected:?}; it shows {all:?}");
    }
    assert!(all.contains(&sheet.seal.content_hash.as_str()), "the seal's hash is printed whole on one line");
    let Some(Op::Qr { x: qr_x, y: qr_y, .. }) = pages[0].ops.iter().find(|op| matches!(op, Op::Qr { .. })) else {
        panic!("page 1 has the QR code")
    };
    for op in &pages[0].ops {
        if let Op::Text { x, y, size, text } = op
            && *y + size >= *qr_y
        {
            assert!(x + Fixed.width(text, *size) < *qr_x, "{text:?} runs into the QR code");
        }
    }
}

#[test]
fn the_qr_code_of_the_seal_hash_heads_the_first_page_and_stands_beside_the_seal() {
    let mut sheet = sample_sheet();
    sheet.findings = vec![SheetFinding { description: "工资台账未按月记录".repeat(40), basis: None }; 12];
    let pages = layout(&sheet, RecordLang::Zh, &Fixed);
    assert!(pages.len() > 1, "a record of several pages");
    let first: Vec<_> = pages[0].ops.iter().filter(|op| matches!(op, Op::Qr { .. })).collect();
    assert_eq!(first.len(), 1, "page 1 carries the QR code, wherever the seal falls");
    let Op::Qr { y, side, .. } = first[0] else { unreachable!() };
    assert!(y + side > PAGE_HEIGHT - MARGIN - HEAD_QR_SIDE, "at the top of page 1");
    let codes: Vec<_> = pages.iter().flat_map(|p| &p.ops).filter(|op| matches!(op, Op::Qr { .. })).collect();
    assert_eq!(codes.len(), 2, "and once more beside the seal");
    let Op::Qr { modules, dark, side, .. } = codes[1] else { unreachable!() };
    let expected =
        qrcode::QrCode::with_error_correction_level(sheet.seal.content_hash.as_bytes(), qrcode::EcLevel::M).unwrap();
    assert_eq!(*modules, expected.width());
    assert_eq!(dark.len(), modules * modules);
    assert!(*side / *modules as f32 >= 2.0, "each module is at least 2 pt, so a phone or a scan reads it");
}

#[test]
fn english_labels_and_answers_when_asked() {
    let all_en = layout(&sample_sheet(), RecordLang::En, &Fixed);
    let all = texts(&all_en);
    for expected in ["On-site inspection record", "Officers present", "No", "Rectification ordered (by 2026-04-01)"] {
        assert!(all.contains(&expected), "{expected:?} missing from {all:?}");
    }
    assert!(!all.iter().any(|t| t.contains("现场检查笔录")), "no Chinese label in the English record");
}

#[test]
fn a_long_record_runs_onto_numbered_pages_and_stays_inside_the_margins() {
    let mut sheet = sample_sheet();
    sheet.findings = (0..60)
        .map(|i| SheetFinding {
            description: format!("第{i}项：工资台账未按月记录，部分农民工工资未通过银行代发"),
            basis: None,
        })
        .collect();
    let pages = layout(&sheet, RecordLang::Zh, &Fixed);
    assert!(pages.len() >= 3, "sixty findings need more than two pages; got {}", pages.len());
    for (i, page) in pages.iter().enumerate() {
        let footer = format!("第 {} 页，共 {} 页", i + 1, pages.len());
        assert!(texts(std::slice::from_ref(page)).contains(&footer.as_str()), "page {} has its number", i + 1);
        for op in &page.ops {
            let (x, y, right) = match op {
                Op::Text { x, y, size, text } => (*x, *y, *x + Fixed.width(text, *size)),
                Op::Line { x1, y1, x2, .. } => (*x1, *y1, *x2),
                Op::Qr { x, y, side, .. } => (*x, *y, *x + side),
            };
            assert!(x >= MARGIN - 0.01 && right <= PAGE_WIDTH - MARGIN + 0.01, "{op:?} leaves the text width");
            assert!((MARGIN - 30.0..=PAGE_HEIGHT - MARGIN).contains(&y), "{op:?} leaves the page");
        }
    }
    let last = texts(pages.last().map(std::slice::from_ref).unwrap());
    assert!(last.contains(&"检查人员签名"), "the signature lines close the record, on its last page");
}

#[test]
fn the_signature_lines_stand_on_the_page_of_the_seal_however_long_the_record() {
    // Each added finding moves the seal down a little: some count puts it at the foot of a page.
    for count in 0..48 {
        let mut sheet = sample_sheet();
        sheet.findings = (0..count)
            .map(|i| SheetFinding { description: format!("第{i}项：工资台账未按月记录"), basis: None })
            .collect();
        let pages = layout(&sheet, RecordLang::Zh, &Fixed);
        let page_of = |needle: &str| {
            pages.iter().position(|p| texts(std::slice::from_ref(p)).iter().any(|t| t.starts_with(needle))).unwrap()
        };
        // The hash may wrap: its first line starts with its first characters.
        let hash = &sheet.seal.content_hash[..16];
        assert_eq!(page_of("检查人员签名"), page_of(hash), "{count} findings: signatures parted from the seal");
        assert_eq!(page_of("被检查单位签名"), page_of(hash), "{count} findings: signatures parted from the seal");
    }
}
