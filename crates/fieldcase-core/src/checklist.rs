//! Checklist templates and the answers officers give to their items.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::limits::{self, TooLong};

/// A template's id with its version, e.g. `construction-wage` version 1.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(transparent)]
#[ts(export, type = "string")]
pub struct TemplateId(pub String);

/// What kind of answer an item takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AnswerKind {
    /// yes / no / not applicable
    YesNo,
    Number,
    Text,
}

/// One question of a checklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistItem {
    pub id: String,
    pub text_zh: String,
    pub text_en: String,
    /// The legal basis, e.g. 保障农民工工资支付条例 第二十六条.
    #[serde(default)]
    pub basis: String,
    pub required: bool,
    pub kind: AnswerKind,
    /// Whether answering "no" records a finding (a suspected violation).
    #[serde(default)]
    pub no_is_finding: bool,
}

/// A versioned checklist. Inspections keep the id and version they were made with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistTemplate {
    pub id: TemplateId,
    pub version: u32,
    pub title_zh: String,
    pub title_en: String,
    pub items: Vec<ChecklistItem>,
}

impl ChecklistTemplate {
    pub fn item(&self, item_id: &str) -> Option<&ChecklistItem> {
        self.items.iter().find(|i| i.id == item_id)
    }
}

/// An officer's answer to one item.
// Its OpenAPI schema is written out in `openapi.rs`, to state the limits of its texts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
#[ts(export)]
pub enum AnswerValue {
    Yes,
    No,
    NotApplicable,
    /// A decimal number as typed, normalized (no sign for positives, no leading zeros).
    /// Kept as text so its hash never depends on floating-point formatting.
    Number(String),
    Text(String),
}

/// Why an answer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("item '{item}' takes yes, no or na, not '{value}'")]
    NotYesNo { item: String, value: String },
    #[error("item '{item}' takes a number such as 12 or 3.5, not '{value}'")]
    NotNumber { item: String, value: String },
    #[error("item '{item}' needs some text; an empty answer is not recorded")]
    EmptyText { item: String },
    /// Longer than an answer of its kind may be ([`limits::FREE_TEXT`], [`limits::NUMBER`]).
    #[error("{0}")]
    TooLong(TooLong),
}

impl AnswerValue {
    /// Reads an answer as typed on the command line or in a form field.
    pub fn parse(item: &ChecklistItem, raw: &str) -> Result<Self, AnswerError> {
        let max = match item.kind {
            AnswerKind::Text => limits::FREE_TEXT,
            AnswerKind::Number | AnswerKind::YesNo => limits::NUMBER,
        };
        let value = limits::check("answer", raw.trim(), max)
            .map_err(|e| AnswerError::TooLong(TooLong { field: format!("the answer to item '{}'", item.id), ..e }))?;
        match item.kind {
            AnswerKind::YesNo => match value.to_ascii_lowercase().as_str() {
                "yes" | "y" | "是" => Ok(Self::Yes),
                "no" | "n" | "否" => Ok(Self::No),
                "na" | "n/a" | "不适用" => Ok(Self::NotApplicable),
                _ => Err(AnswerError::NotYesNo { item: item.id.clone(), value: raw.to_owned() }),
            },
            AnswerKind::Number => normalize_decimal(value)
                .map(Self::Number)
                .ok_or_else(|| AnswerError::NotNumber { item: item.id.clone(), value: raw.to_owned() }),
            AnswerKind::Text if value.is_empty() => Err(AnswerError::EmptyText { item: item.id.clone() }),
            AnswerKind::Text => Ok(Self::Text(value.to_owned())),
        }
    }

    /// How the answer reads in a list or on the command line.
    pub fn display(&self) -> &str {
        match self {
            Self::Yes => "yes",
            Self::No => "no",
            Self::NotApplicable => "na",
            Self::Number(n) => n,
            Self::Text(t) => t,
        }
    }
}

/// `+007.50` → `7.5`; `-0` → `0`; anything that is not a plain decimal → None.
fn normalize_decimal(s: &str) -> Option<String> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let body = if frac.is_empty() { int.to_owned() } else { format!("{int}.{frac}") };
    Some(if negative && body != "0" { format!("-{body}") } else { body })
}

/// The default construction-site wage checklist (保障农民工工资支付条例, 2020), shipped in
/// `assets/checklists/` and compiled in, so every device starts with it.
pub fn default_template() -> ChecklistTemplate {
    serde_json::from_str(include_str!("../../../assets/checklists/construction-wage.json"))
        .expect("the shipped checklist template is valid JSON of a ChecklistTemplate")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: AnswerKind) -> ChecklistItem {
        ChecklistItem {
            id: "x".into(),
            text_zh: String::new(),
            text_en: String::new(),
            basis: String::new(),
            required: true,
            kind,
            no_is_finding: false,
        }
    }

    #[test]
    fn answers_are_read_by_kind() {
        assert_eq!(AnswerValue::parse(&item(AnswerKind::YesNo), " NA "), Ok(AnswerValue::NotApplicable));
        assert_eq!(AnswerValue::parse(&item(AnswerKind::YesNo), "否"), Ok(AnswerValue::No));
        assert!(AnswerValue::parse(&item(AnswerKind::YesNo), "maybe").is_err());
        assert_eq!(AnswerValue::parse(&item(AnswerKind::Number), "+007.50"), Ok(AnswerValue::Number("7.5".into())));
        assert_eq!(AnswerValue::parse(&item(AnswerKind::Number), "-0.0"), Ok(AnswerValue::Number("0".into())));
        assert!(AnswerValue::parse(&item(AnswerKind::Number), "1e5").is_err());
        assert!(AnswerValue::parse(&item(AnswerKind::Number), ".").is_err());
        assert!(AnswerValue::parse(&item(AnswerKind::Text), "  ").is_err());
    }
}
