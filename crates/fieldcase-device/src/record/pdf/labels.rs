//! The words of the printed record, in Chinese (the default) and English. The window's
//! print page has the same words in its locale files; these are the PDF's, written on the
//! device where the window's files cannot be read.

use fieldcase_core::certificate::CheckResult;
use fieldcase_core::checklist::AnswerValue;
use fieldcase_core::inspection::Outcome;

/// The language a record is printed in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RecordLang {
    #[default]
    Zh,
    En,
}

impl RecordLang {
    /// `zh`, `zh-CN` → Chinese; `en`, `en-US` → English; anything else is refused by name.
    pub fn parse(text: &str) -> Option<Self> {
        let lower = text.trim().to_ascii_lowercase();
        match lower.split(['-', '_']).next() {
            Some("zh") => Some(Self::Zh),
            Some("en") => Some(Self::En),
            _ => None,
        }
    }
}

/// Every fixed text of the record in one language.
#[derive(Debug)]
pub struct Labels {
    pub title: &'static str,
    pub site: &'static str,
    pub uscc: &'static str,
    pub address: &'static str,
    pub project: &'static str,
    pub location: &'static str,
    pub time: &'static str,
    /// Put after the start and end time: they are Beijing time.
    pub beijing: &'static str,
    pub checklist_title: &'static str,
    pub record_id: &'static str,
    pub supersedes: &'static str,
    pub officers: &'static str,
    pub officer_cols: [&'static str; 4],
    pub items: &'static str,
    pub findings: &'static str,
    pub no_findings: &'static str,
    pub basis: &'static str,
    pub outcome: &'static str,
    pub evidence: &'static str,
    pub evidence_cols: [&'static str; 3],
    pub no_evidence: &'static str,
    pub seal: &'static str,
    pub content_hash: &'static str,
    pub signature: &'static str,
    pub device: &'static str,
    pub public_key: &'static str,
    pub qr_note: &'static str,
    pub sign_officers: &'static str,
    pub sign_party: &'static str,
    pub sign_date: &'static str,
    pub page: &'static str,
    pub unanswered: &'static str,
    pub none: &'static str,
}

const ZH: Labels = Labels {
    title: "现场检查笔录",
    site: "被检查单位",
    uscc: "统一社会信用代码",
    address: "地址",
    project: "项目",
    location: "检查地点",
    time: "检查时间",
    beijing: "（北京时间）",
    checklist_title: "检查表",
    record_id: "记录编号",
    supersedes: "更正记录",
    officers: "检查人员",
    officer_cols: ["姓名", "执法证号", "核验结果", "核验时间"],
    items: "检查项目",
    findings: "发现的问题",
    no_findings: "未发现问题",
    basis: "依据",
    outcome: "处理结果",
    evidence: "证据",
    evidence_cols: ["文件", "大小", "SHA-256"],
    no_evidence: "无证据文件",
    seal: "封存",
    content_hash: "内容哈希",
    signature: "签名",
    device: "设备",
    public_key: "公钥",
    qr_note: "二维码内容为内容哈希",
    sign_officers: "检查人员签名",
    sign_party: "被检查单位签名",
    sign_date: "日期",
    page: "第 {n} 页，共 {total} 页",
    unanswered: "未作答",
    none: "无",
};

const EN: Labels = Labels {
    title: "On-site inspection record",
    site: "Inspected unit",
    uscc: "Unified social credit code",
    address: "Address",
    project: "Project",
    location: "Place",
    time: "Time",
    beijing: " (Beijing time)",
    checklist_title: "Checklist",
    record_id: "Record",
    supersedes: "Corrects record",
    officers: "Officers present",
    officer_cols: ["Name", "Certificate", "Check", "Checked at"],
    items: "Checklist items",
    findings: "Findings",
    no_findings: "No findings",
    basis: "Basis",
    outcome: "Outcome",
    evidence: "Evidence",
    evidence_cols: ["File", "Size", "SHA-256"],
    no_evidence: "No evidence files",
    seal: "Seal",
    content_hash: "Content hash",
    signature: "Signature",
    device: "Device",
    public_key: "Public key",
    qr_note: "The QR code holds the content hash",
    sign_officers: "Officers' signatures",
    sign_party: "Inspected unit's signature",
    sign_date: "Date",
    page: "Page {n} of {total}",
    unanswered: "Not answered",
    none: "none",
};

impl RecordLang {
    pub fn labels(self) -> &'static Labels {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }

    pub fn answer(self, answer: Option<&AnswerValue>) -> String {
        let zh = self == Self::Zh;
        match answer {
            None => self.labels().unanswered.to_owned(),
            Some(AnswerValue::Yes) => if zh { "是" } else { "Yes" }.to_owned(),
            Some(AnswerValue::No) => if zh { "否" } else { "No" }.to_owned(),
            Some(AnswerValue::NotApplicable) => if zh { "不适用" } else { "N/A" }.to_owned(),
            Some(AnswerValue::Number(n)) => n.clone(),
            Some(AnswerValue::Text(t)) => t.clone(),
        }
    }

    pub fn check_result(self, result: CheckResult) -> &'static str {
        let (zh, en) = match result {
            CheckResult::Valid => ("有效", "Valid"),
            CheckResult::Expired => ("已过期", "Expired"),
            CheckResult::NotYetValid => ("尚未生效", "Not yet valid"),
            CheckResult::Suspended => ("已暂停", "Suspended"),
            CheckResult::Revoked => ("已吊销", "Revoked"),
            CheckResult::Unknown => ("查无此证", "Unknown certificate"),
            CheckResult::WrongArea => ("超出执法区域", "Outside certified area"),
            CheckResult::ForeignSignature => ("签名无法验证", "Signature not recognized"),
        };
        if self == Self::Zh { zh } else { en }
    }

    pub fn outcome(self, outcome: Option<&Outcome>) -> String {
        let zh = self == Self::Zh;
        match outcome {
            None => self.labels().none.to_owned(),
            Some(Outcome::NoViolation) => if zh { "未发现违法行为" } else { "No violation found" }.to_owned(),
            Some(Outcome::RectificationOrder { deadline }) => {
                let day = deadline.format("%Y-%m-%d");
                if zh {
                    format!("责令限期改正（期限：{day}）")
                } else {
                    format!("Rectification ordered (by {day})")
                }
            }
            Some(Outcome::CaseFiled) => if zh { "立案查处" } else { "Case filed" }.to_owned(),
        }
    }

    /// `page` with its number and the count filled in.
    pub fn page(self, n: usize, total: usize) -> String {
        self.labels().page.replace("{n}", &n.to_string()).replace("{total}", &total.to_string())
    }
}

/// A file size as the window shows it: bytes below 1024, else KB, MB, GB or TB (steps of
/// 1024) with one decimal.
pub fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_read_as_the_app_names_them() {
        assert_eq!(RecordLang::parse("zh-CN"), Some(RecordLang::Zh));
        assert_eq!(RecordLang::parse("en"), Some(RecordLang::En));
        assert_eq!(RecordLang::parse("EN_us"), Some(RecordLang::En));
        assert_eq!(RecordLang::parse("fr"), None, "an unknown language is refused, not printed in another");
    }

    #[test]
    fn outcomes_and_pages_read_in_each_language() {
        let deadline = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let order = Outcome::RectificationOrder { deadline };
        assert_eq!(RecordLang::Zh.outcome(Some(&order)), "责令限期改正（期限：2026-07-01）");
        assert_eq!(RecordLang::En.outcome(Some(&order)), "Rectification ordered (by 2026-07-01)");
        assert_eq!(RecordLang::Zh.page(1, 3), "第 1 页，共 3 页");
        assert_eq!(RecordLang::En.answer(Some(&AnswerValue::NotApplicable)), "N/A");
    }

    #[test]
    fn sizes_are_shown_as_the_window_shows_them() {
        assert_eq!(size_text(512), "512 B");
        assert_eq!(size_text(1536), "1.5 KB");
        assert_eq!(size_text(3 * 1024 * 1024 * 1024), "3.0 GB");
    }
}
