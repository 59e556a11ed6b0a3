//! A certificate to issue, as typed, and the checks of each of its fields.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use fieldcase_core::ids::OfficerId;
use fieldcase_core::limits;
use fieldcase_core::time::check_date;

use super::Refusal;

/// A certificate to issue, as typed: by an administrator on the command line, in a CSV row,
/// or in an API request. Every field is text so a mistake is reported in words that name the
/// field, never as a parse failure of the whole request. The lengths are
/// `fieldcase_core::limits`'s.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateFields {
    /// The certificate number printed on the card, e.g. 33010620240107.
    #[schema(max_length = 32, pattern = r"^\s*[A-Za-z0-9-]{1,32}\s*$")]
    pub number: String,
    /// The holder's staff number, e.g. JC-0107.
    #[schema(max_length = 64, pattern = r"^\s*[A-Za-z0-9._-]{1,64}\s*$")]
    pub officer_id: String,
    /// The holder's name as printed on the card.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// The issuing unit, e.g. 杭州市西湖区人力资源和社会保障局.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub unit: String,
    /// Enforcement areas, e.g. 劳动保障监察, each at most 100 characters.
    #[schema(min_items = 1)]
    pub areas: Vec<String>,
    /// First day of validity, YYYY-MM-DD (Beijing date), in the years 2000 to 2200.
    #[schema(max_length = 10, pattern = r"^2(0[0-9]{2}|1[0-9]{2}|200)-[0-9]{2}-[0-9]{2}$")]
    pub valid_from: String,
    /// Last day of validity, YYYY-MM-DD (Beijing date), in the years 2000 to 2200.
    #[schema(max_length = 10, pattern = r"^2(0[0-9]{2}|1[0-9]{2}|200)-[0-9]{2}-[0-9]{2}$")]
    pub valid_until: String,
}

/// A certificate to issue, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCertificate {
    pub number: String,
    pub officer: OfficerId,
    pub name: String,
    pub unit: String,
    pub areas: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

/// A date as administrators write it: YYYY-MM-DD, in the years a record may fall in (a
/// certificate valid until 9999 is a typing mistake).
pub fn parse_date(field: &'static str, text: &str) -> Result<NaiveDate, Refusal> {
    let text = text.trim();
    if text.chars().nth(10).is_some() {
        return Err(Refusal::invalid(
            field,
            format!(
                "{field} is {} characters long, not a date; write it as YYYY-MM-DD, e.g. 2028-12-31",
                text.chars().count()
            ),
        ));
    }
    let ok = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    let date = match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) if ok => date,
        _ => {
            return Err(Refusal::invalid(
                field,
                format!("'{text}' is not a date; write {field} as YYYY-MM-DD, e.g. 2028-12-31"),
            ));
        }
    };
    check_date(field, date)
        .map_err(|e| Refusal::invalid(field, format!("{e}; write the date as it stands on the card, e.g. 2028-12-31")))
}

/// A certificate number: letters, digits and dashes, as printed on the card.
pub fn parse_number(text: &str) -> Result<String, Refusal> {
    let number = within("number", text.trim(), limits::CERTIFICATE_NUMBER)?;
    let ok = !number.is_empty() && number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(number.to_owned())
    } else {
        Err(Refusal::invalid(
            "number",
            format!(
                "'{number}' is not a certificate number; write it as printed on the card (letters, digits and dashes, at most 32), e.g. 33010620240107"
            ),
        ))
    }
}

fn parse_officer(text: &str) -> Result<OfficerId, Refusal> {
    within("officer_id", text.trim(), limits::OFFICER_ID)?;
    OfficerId::parse(text).map_err(|_| {
        Refusal::invalid(
            "officer_id",
            format!(
                "'{}' is not an officer id; use the staff number (letters, digits, '-', '_' or '.'), e.g. JC-0107",
                text.trim()
            ),
        )
    })
}

fn required_text(field: &'static str, what: &str, text: &str) -> Result<String, Refusal> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Refusal::invalid(field, format!("{field} is empty; give {what}")));
    }
    within(field, text, limits::CERTIFICATE_TEXT).map(str::to_owned)
}

/// `text`, if it is within `max` characters ([`limits::check`]); else a refusal naming the
/// field, its length and the limit.
pub fn within<'a>(field: &'static str, text: &'a str, max: usize) -> Result<&'a str, Refusal> {
    limits::check(field, text, max).map_err(|e| Refusal::invalid(field, e.to_string()))
}

impl CertificateFields {
    /// Checks every field; the first fault is named.
    pub fn parse(&self) -> Result<NewCertificate, Refusal> {
        let number = parse_number(&self.number)?;
        let officer = parse_officer(&self.officer_id)?;
        let name = required_text("name", "the holder's name as printed on the card", &self.name)?;
        let unit = required_text("unit", "the issuing unit, e.g. 杭州市西湖区人力资源和社会保障局", &self.unit)?;
        let mut areas: Vec<String> = Vec::new();
        for area in &self.areas {
            let area = within("areas", area.trim(), limits::CERTIFICATE_TEXT)?;
            if !area.is_empty() && !areas.iter().any(|a| a == area) {
                areas.push(area.to_owned());
            }
        }
        if areas.is_empty() {
            return Err(Refusal::invalid("areas", "no enforcement area given; name at least one, e.g. 劳动保障监察"));
        }
        let valid_from = parse_date("valid_from", &self.valid_from)?;
        let valid_until = parse_date("valid_until", &self.valid_until)?;
        if valid_until < valid_from {
            return Err(Refusal::invalid(
                "valid_until",
                format!(
                    "valid_until {valid_until} is before valid_from {valid_from}; the last day of validity comes after the first"
                ),
            ));
        }
        Ok(NewCertificate { number, officer, name, unit, areas, valid_from, valid_until })
    }
}
