//! Certificate administration: what an administrator may do to a certificate, decided here
//! once for every storage backend, and the CSV file a bureau imports its certificates from.
//!
//! A backend opens one transaction, reads each certificate an action names, asks
//! [`CertificateAction::apply`] what the certificate becomes (or why not), writes that and
//! its history row, and publishes one registry version for the whole batch.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use fieldcase_core::certificate::{Certificate, CertificateStatus};
use fieldcase_core::ids::OfficerId;

/// Why an administrator's request was not carried out. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    pub kind: RefusalKind,
    /// The field (CSV column, command-line option) at fault, if one is.
    pub field: Option<&'static str>,
    /// Which action of a batch was refused (for an import: which row).
    pub item: Option<usize>,
    /// What was wrong and how to put it right.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// No such certificate or officer.
    NotFound,
    /// The certificate number is taken.
    Duplicate,
    /// A value is not well formed (a date, an officer id, an empty reason).
    Invalid,
    /// The certificate's state does not allow it (revoked is final).
    NotAllowed,
}

impl Refusal {
    pub fn new(kind: RefusalKind, field: Option<&'static str>, message: impl Into<String>) -> Self {
        Refusal { kind, field, item: None, message: message.into() }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::new(RefusalKind::Invalid, Some(field), message)
    }

    pub fn unknown_certificate(number: &str) -> Self {
        Self::new(
            RefusalKind::NotFound,
            Some("number"),
            format!(
                "no certificate '{number}' in the registry; `fieldcase bureau cert list` shows the numbers, `fieldcase bureau cert issue` adds one"
            ),
        )
    }

    /// The same refusal, as the `item`th action of a batch.
    pub fn at_item(mut self, item: usize) -> Self {
        self.item = Some(item);
        self
    }
}

/// What happened to a certificate, as its history records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HistoryAction {
    Issued,
    Renewed,
    Suspended,
    Reinstated,
    Revoked,
}

impl HistoryAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Renewed => "renewed",
            Self::Suspended => "suspended",
            Self::Reinstated => "reinstated",
            Self::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Issued, Self::Renewed, Self::Suspended, Self::Reinstated, Self::Revoked]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

impl fmt::Display for HistoryAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A certificate to issue, as typed: by an administrator on the command line, in a CSV row,
/// or in an API request. Every field is text so a mistake is reported in words that name the
/// field, never as a parse failure of the whole request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateFields {
    /// The certificate number printed on the card, e.g. 33010620240107.
    pub number: String,
    /// The holder's staff number, e.g. JC-0107.
    pub officer_id: String,
    /// The holder's name as printed on the card.
    pub name: String,
    /// The issuing unit, e.g. 杭州市西湖区人力资源和社会保障局.
    pub unit: String,
    /// Enforcement areas, e.g. 劳动保障监察.
    pub areas: Vec<String>,
    /// First day of validity, YYYY-MM-DD (Beijing date).
    pub valid_from: String,
    /// Last day of validity, YYYY-MM-DD (Beijing date).
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

/// A date as administrators write it: YYYY-MM-DD.
pub fn parse_date(field: &'static str, text: &str) -> Result<NaiveDate, Refusal> {
    let text = text.trim();
    let ok = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) if ok => Ok(date),
        _ => Err(Refusal::invalid(
            field,
            format!("'{text}' is not a date; write {field} as YYYY-MM-DD, e.g. 2028-12-31"),
        )),
    }
}

/// A certificate number: letters, digits and dashes, as printed on the card.
pub fn parse_number(text: &str) -> Result<String, Refusal> {
    let number = text.trim();
    let ok = !number.is_empty() && number.len() <= 32 && number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
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
    if text.chars().count() > 100 {
        return Err(Refusal::invalid(field, format!("{field} is longer than 100 characters; give {what}")));
    }
    Ok(text.to_owned())
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
            let area = area.trim();
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

/// One thing an administrator does to the registry's certificates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateAction {
    Issue(NewCertificate),
    /// A new last day of validity, later than the one it has.
    Renew {
        number: String,
        valid_until: NaiveDate,
        reason: Option<String>,
    },
    Suspend {
        number: String,
        reason: String,
    },
    Reinstate {
        number: String,
        reason: Option<String>,
    },
    /// Final: a revoked certificate is never valid again.
    Revoke {
        number: String,
        reason: String,
    },
}

/// A reason an action must give: not empty.
pub fn required_reason(action: &str, reason: Option<&str>) -> Result<String, Refusal> {
    match reason.map(str::trim) {
        Some(reason) if !reason.is_empty() => Ok(reason.to_owned()),
        _ => Err(Refusal::invalid(
            "reason",
            format!(
                "to {action} a certificate give the reason (--reason), e.g. the decision's number; it goes into the certificate's history"
            ),
        )),
    }
}

fn optional_reason(reason: Option<String>) -> Option<String> {
    reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty())
}

impl CertificateAction {
    pub fn renew(number: &str, valid_until: &str, reason: Option<String>) -> Result<Self, Refusal> {
        Ok(Self::Renew {
            number: parse_number(number)?,
            valid_until: parse_date("valid_until", valid_until)?,
            reason: optional_reason(reason),
        })
    }

    pub fn suspend(number: &str, reason: Option<&str>) -> Result<Self, Refusal> {
        Ok(Self::Suspend { number: parse_number(number)?, reason: required_reason("suspend", reason)? })
    }

    pub fn reinstate(number: &str, reason: Option<String>) -> Result<Self, Refusal> {
        Ok(Self::Reinstate { number: parse_number(number)?, reason: optional_reason(reason) })
    }

    pub fn revoke(number: &str, reason: Option<&str>) -> Result<Self, Refusal> {
        Ok(Self::Revoke { number: parse_number(number)?, reason: required_reason("revoke", reason)? })
    }

    /// The certificate the action is about.
    pub fn number(&self) -> &str {
        match self {
            Self::Issue(new) => &new.number,
            Self::Renew { number, .. }
            | Self::Suspend { number, .. }
            | Self::Reinstate { number, .. }
            | Self::Revoke { number, .. } => number,
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Issue(_) => None,
            Self::Renew { reason, .. } | Self::Reinstate { reason, .. } => reason.as_deref(),
            Self::Suspend { reason, .. } | Self::Revoke { reason, .. } => Some(reason),
        }
    }

    /// What the certificate becomes, given what it is now (None: not in the registry).
    pub fn apply(&self, current: Option<&Certificate>) -> Result<(HistoryAction, Certificate), Refusal> {
        let number = self.number();
        if let Self::Issue(new) = self {
            if current.is_some() {
                return Err(Refusal::new(
                    RefusalKind::Duplicate,
                    Some("number"),
                    format!(
                        "certificate {number} is already in the registry; a number is issued once (to change it use renew, suspend, reinstate or revoke)"
                    ),
                ));
            }
            let certificate = Certificate {
                number: new.number.clone(),
                holder: new.officer.clone(),
                holder_name: new.name.clone(),
                issuing_unit: new.unit.clone(),
                areas: new.areas.clone(),
                valid_from: new.valid_from,
                valid_until: new.valid_until,
                status: CertificateStatus::Active,
            };
            return Ok((HistoryAction::Issued, certificate));
        }
        let current = current.ok_or_else(|| Refusal::unknown_certificate(number))?;
        let not_allowed = |message: String| Refusal::new(RefusalKind::NotAllowed, None, message);
        let revoked_is_final = |verb: &str| {
            not_allowed(format!(
                "certificate {number} was revoked, and a revocation is final: it cannot be {verb}; issue a new certificate under a new number instead"
            ))
        };
        let mut next = current.clone();
        let action = match (self, current.status) {
            (Self::Issue(_), _) => unreachable!("handled above"),
            (Self::Renew { .. }, CertificateStatus::Revoked) => return Err(revoked_is_final("renewed")),
            (Self::Renew { valid_until, .. }, _) => {
                if *valid_until <= current.valid_until {
                    return Err(Refusal::invalid(
                        "valid_until",
                        format!(
                            "certificate {number} is already valid until {}; a renewal gives a later last day (to end it early, suspend or revoke it)",
                            current.valid_until
                        ),
                    ));
                }
                next.valid_until = *valid_until;
                HistoryAction::Renewed
            }
            (Self::Suspend { .. }, CertificateStatus::Active) => {
                next.status = CertificateStatus::Suspended;
                HistoryAction::Suspended
            }
            (Self::Suspend { .. }, CertificateStatus::Suspended) => {
                return Err(not_allowed(format!(
                    "certificate {number} is already suspended; `reinstate` lifts a suspension"
                )));
            }
            (Self::Suspend { .. }, CertificateStatus::Revoked) => return Err(revoked_is_final("suspended")),
            (Self::Reinstate { .. }, CertificateStatus::Suspended) => {
                next.status = CertificateStatus::Active;
                HistoryAction::Reinstated
            }
            (Self::Reinstate { .. }, CertificateStatus::Active) => {
                return Err(not_allowed(format!(
                    "certificate {number} is not suspended; only a suspended certificate is reinstated"
                )));
            }
            (Self::Reinstate { .. }, CertificateStatus::Revoked) => return Err(revoked_is_final("reinstated")),
            (Self::Revoke { .. }, CertificateStatus::Revoked) => {
                return Err(not_allowed(format!("certificate {number} is already revoked")));
            }
            (Self::Revoke { .. }, _) => {
                next.status = CertificateStatus::Revoked;
                HistoryAction::Revoked
            }
        };
        Ok((action, next))
    }
}

/// A certificate as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CertificateRecord {
    #[serde(flatten)]
    pub certificate: Certificate,
    pub issued_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The registry version that last published this certificate.
    pub registry_version: u64,
}

/// One row of a certificate's history: what was done, when, by whom, why, and the state it
/// left the certificate in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CertificateEvent {
    pub number: String,
    pub action: HistoryAction,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
    /// Who did it: `cli:<user>` or `admin-token:<label>`.
    pub actor: String,
    /// The certificate after the action.
    pub state: Certificate,
    /// The registry version that published it.
    pub registry_version: u64,
}

impl CertificateEvent {
    /// The registry's record of a certificate at `at`, from its history oldest first: the
    /// last event at or before `at`, or, if the registry recorded it only later, the first.
    /// None: never recorded.
    pub fn standing_at(history: &[CertificateEvent], at: DateTime<Utc>) -> Option<&CertificateEvent> {
        history.iter().rev().find(|event| event.at <= at).or_else(|| history.first())
    }
}

/// What one batch of actions did: one registry version for all of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CertificateChanges {
    pub registry_version: u64,
    pub events: Vec<CertificateEvent>,
}

/// An officer as administrators see them (the PIN's verifier stays in the registry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OfficerRecord {
    pub officer: OfficerId,
    pub name: String,
    pub has_pin: bool,
    pub pin_set_at: Option<DateTime<Utc>>,
    /// The numbers of their certificates.
    pub certificates: Vec<String>,
}

/// A row of a CSV import that cannot be used, or a file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("line {line}, column {column}: {message}; nothing from the file was imported")]
    Row { line: u64, column: &'static str, message: String },
    #[error("{0}; nothing from the file was imported")]
    File(String),
}

/// The columns of an import file, in the order the header names them.
pub const IMPORT_COLUMNS: [&str; 7] = ["number", "officer_id", "name", "unit", "areas", "valid_from", "valid_until"];

/// One usable row of an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: u64,
    pub certificate: NewCertificate,
}

/// Reads an import file: UTF-8 (a byte-order mark is tolerated), a header row naming the
/// columns of [`IMPORT_COLUMNS`] in any order, then one certificate per row, areas separated
/// by `;`. The first row that cannot be used stops the import, named by its line.
pub fn parse_import(bytes: &[u8]) -> Result<Vec<ImportRow>, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::All).flexible(true).from_reader(bytes);
    let not_utf8 = |line: u64| {
        ImportError::File(format!("line {line} is not UTF-8 text; save the file as \"CSV UTF-8\" and import it again"))
    };
    let header = reader
        .headers()
        .map_err(|e| match e.kind() {
            csv::ErrorKind::Utf8 { .. } => not_utf8(1),
            _ => ImportError::File(format!("the header row cannot be read ({e})")),
        })?
        .clone();
    let mut positions: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (index, name) in header.iter().enumerate() {
        let name = name.trim().to_ascii_lowercase();
        let Some(column) = IMPORT_COLUMNS.iter().find(|c| **c == name) else {
            return Err(ImportError::File(format!(
                "line 1: the header names a column '{name}' that an import does not have; the header is {}",
                IMPORT_COLUMNS.join(",")
            )));
        };
        if positions.insert(column, index).is_some() {
            return Err(ImportError::File(format!("line 1: the header names column {column} twice")));
        }
    }
    if let Some(missing) = IMPORT_COLUMNS.iter().find(|c| !positions.contains_key(*c)) {
        return Err(ImportError::File(format!(
            "line 1: the header has no column {missing}; the header is {}",
            IMPORT_COLUMNS.join(",")
        )));
    }

    let mut rows: Vec<ImportRow> = Vec::new();
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| line_of(bytes, p.byte()));
            match e.kind() {
                csv::ErrorKind::Utf8 { .. } => not_utf8(line),
                _ => ImportError::File(format!("line {line} cannot be read as CSV ({e})")),
            }
        })?;
        let line = record.position().map_or(0, |p| line_of(bytes, p.byte()));
        if record.iter().all(|field| field.is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            return Err(ImportError::File(format!(
                "line {line} has {} fields but the header names {}",
                record.len(),
                header.len()
            )));
        }
        let field = |column: &str| positions.get(column).and_then(|&i| record.get(i)).unwrap_or_default().to_owned();
        let fields = CertificateFields {
            number: field("number"),
            officer_id: field("officer_id"),
            name: field("name"),
            unit: field("unit"),
            areas: field("areas").split([';', '；']).map(str::to_owned).collect(),
            valid_from: field("valid_from"),
            valid_until: field("valid_until"),
        };
        let certificate = fields.parse().map_err(|refusal| row_error(line, &refusal))?;
        if let Some(first) = seen.insert(certificate.number.clone(), line) {
            return Err(ImportError::Row {
                line,
                column: "number",
                message: format!(
                    "certificate {} is already on line {first} of this file; each number appears once",
                    certificate.number
                ),
            });
        }
        rows.push(ImportRow { line, certificate });
    }
    if rows.is_empty() {
        return Err(ImportError::File("the file has a header but no certificates".into()));
    }
    Ok(rows)
}

/// The line (from 1, as an editor counts) of the record the reader placed at `offset`. The
/// reader's own line count and offset point at the end of the line before, blank lines
/// included, so the record's first character is found from there.
fn line_of(bytes: &[u8], offset: u64) -> u64 {
    let offset = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
    let start = offset + bytes[offset..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
    1 + bytes[..start].iter().filter(|b| **b == b'\n').count() as u64
}

/// A refusal of one row, named by its line and column.
pub fn row_error(line: u64, refusal: &Refusal) -> ImportError {
    ImportError::Row { line, column: refusal.field.unwrap_or("number"), message: refusal.message.clone() }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fields() -> CertificateFields {
        CertificateFields {
            number: "33010620240107".into(),
            officer_id: "JC-0107".into(),
            name: "王敏".into(),
            unit: "杭州市西湖区人力资源和社会保障局".into(),
            areas: vec!["劳动保障监察".into()],
            valid_from: "2024-01-01".into(),
            valid_until: "2028-12-31".into(),
        }
    }

    #[test]
    fn a_certificate_moves_only_along_the_allowed_paths() {
        let issued = CertificateAction::Issue(fields().parse().unwrap()).apply(None).unwrap().1;
        assert_eq!(issued.status, CertificateStatus::Active);
        let suspended =
            CertificateAction::suspend("33010620240107", Some("调查中")).unwrap().apply(Some(&issued)).unwrap().1;
        assert_eq!(suspended.status, CertificateStatus::Suspended);
        let back = CertificateAction::reinstate("33010620240107", None).unwrap().apply(Some(&suspended)).unwrap().1;
        assert_eq!(back.status, CertificateStatus::Active);
        let revoked =
            CertificateAction::revoke("33010620240107", Some("调离执法岗位")).unwrap().apply(Some(&back)).unwrap().1;
        assert_eq!(revoked.status, CertificateStatus::Revoked);

        let refused = CertificateAction::reinstate("33010620240107", None).unwrap().apply(Some(&revoked)).unwrap_err();
        assert_eq!(refused.kind, RefusalKind::NotAllowed, "revoked is final");
        assert!(refused.message.contains("final"), "{}", refused.message);
        assert_eq!(
            CertificateAction::renew("33010620240107", "2030-12-31", None)
                .unwrap()
                .apply(Some(&revoked))
                .unwrap_err()
                .kind,
            RefusalKind::NotAllowed
        );
        assert_eq!(
            CertificateAction::Issue(fields().parse().unwrap()).apply(Some(&issued)).unwrap_err().kind,
            RefusalKind::Duplicate
        );
        assert_eq!(
            CertificateAction::revoke("1", Some("x")).unwrap().apply(None).unwrap_err().kind,
            RefusalKind::NotFound
        );
        let shorter =
            CertificateAction::renew("33010620240107", "2027-01-01", None).unwrap().apply(Some(&issued)).unwrap_err();
        assert_eq!(shorter.field, Some("valid_until"), "a renewal must extend");
    }

    #[test]
    fn suspend_and_revoke_need_a_reason() {
        assert_eq!(CertificateAction::suspend("1", None).unwrap_err().field, Some("reason"));
        assert_eq!(CertificateAction::revoke("1", Some("  ")).unwrap_err().field, Some("reason"));
        assert!(CertificateAction::reinstate("1", None).is_ok());
    }

    #[test]
    fn bad_fields_are_named() {
        let bad = |f: fn(&mut CertificateFields)| {
            let mut fields = fields();
            f(&mut fields);
            fields.parse().unwrap_err()
        };
        assert_eq!(bad(|f| f.valid_until = "2028-13-01".into()).field, Some("valid_until"));
        assert_eq!(bad(|f| f.valid_from = "2024/01/01".into()).field, Some("valid_from"));
        assert_eq!(bad(|f| f.officer_id = "JC 0107".into()).field, Some("officer_id"));
        assert_eq!(bad(|f| f.areas = vec![" ".into()]).field, Some("areas"));
        assert_eq!(bad(|f| f.valid_until = "2023-12-31".into()).field, Some("valid_until"));
        assert_eq!(bad(|f| f.number = "33 01".into()).field, Some("number"));
    }

    #[test]
    fn an_import_file_is_read_with_its_bom_any_column_order_and_named_lines() {
        let text = "\u{feff}officer_id,number,name,unit,areas,valid_from,valid_until\r\n\
                    JC-0107,33010620240107,王敏,西湖区人社局,劳动保障监察;安全生产,2024-01-01,2028-12-31\r\n\
                    \r\n\
                    JC-0112,33010620240112,李强,\"西湖区人社局, 监察大队\",劳动保障监察,2024-01-01,2028-12-31\r\n";
        let rows = parse_import(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].certificate.areas, vec!["劳动保障监察".to_owned(), "安全生产".to_owned()]);
        assert_eq!(rows[1].line, 4, "lines count as a text editor counts them");
        assert_eq!(rows[1].certificate.unit, "西湖区人社局, 监察大队");

        let lf = "number,officer_id,name,unit,areas,valid_from,valid_until\n1,JC-1,甲,\"局\n监察大队\",a,2024-01-01,2028-12-31\n\n\n2,JC-2,乙,局,a,2024-01-01,2028-12-31\n";
        assert_eq!(parse_import(lf.as_bytes()).unwrap().iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 6]);

        let bad = "number,officer_id,name,unit,areas,valid_from,valid_until\n\
                   1,JC-1,甲,局,劳动保障监察,2024-01-01,2028-12-31\n\
                   2,JC-2,乙,局,劳动保障监察,2024-01-01,2028-02-30\n";
        let err = parse_import(bad.as_bytes()).unwrap_err();
        assert!(matches!(&err, ImportError::Row { line: 3, column: "valid_until", .. }), "{err}");
        assert!(err.to_string().contains("YYYY-MM-DD") && err.to_string().contains("nothing from the file"), "{err}");

        let twice = "number,officer_id,name,unit,areas,valid_from,valid_until\n1,JC-1,甲,局,a,2024-01-01,2028-12-31\n1,JC-2,乙,局,a,2024-01-01,2028-12-31\n";
        assert!(matches!(parse_import(twice.as_bytes()), Err(ImportError::Row { line: 3, column: "number", .. })));
        assert!(matches!(parse_import(b"number,officer\n"), Err(ImportError::File(_))));
        assert!(
            matches!(parse_import(b"number,officer_id,name,unit,areas,valid_from,valid_until\n\xC9\xCF,JC-1,\xBA\xBC,a,b,2024-01-01,2028-12-31\n"), Err(ImportError::File(m)) if m.contains("UTF-8"))
        );
    }
}
