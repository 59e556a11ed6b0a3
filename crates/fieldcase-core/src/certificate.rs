//! Enforcement certificates (执法证) and the checks officers record of them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::audit::Actor;
use crate::ids::{CheckId, InspectionId, OfficerId};

/// The enforcement area of labor-security inspection.
pub const AREA_LABOR_INSPECTION: &str = "劳动保障监察";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CertificateStatus {
    Active,
    Suspended,
    Revoked,
}

/// A certificate as the bureau's registry holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Certificate {
    pub number: String,
    pub holder: OfficerId,
    pub holder_name: String,
    pub issuing_unit: String,
    pub areas: Vec<String>,
    /// First and last day of validity, in Beijing dates as printed on the card.
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub status: CertificateStatus,
}

/// The outcome of checking a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CheckResult {
    Valid,
    Expired,
    NotYetValid,
    Suspended,
    Revoked,
    Unknown,
    WrongArea,
    ForeignSignature,
}

impl Certificate {
    /// Whether this certificate lets its holder enforce in `area` on `date` (a Beijing date).
    pub fn result_on(&self, date: NaiveDate, area: &str) -> CheckResult {
        match self.status {
            CertificateStatus::Revoked => CheckResult::Revoked,
            CertificateStatus::Suspended => CheckResult::Suspended,
            CertificateStatus::Active if date < self.valid_from => CheckResult::NotYetValid,
            CertificateStatus::Active if date > self.valid_until => CheckResult::Expired,
            CertificateStatus::Active if !self.areas.iter().any(|a| a == area) => CheckResult::WrongArea,
            CertificateStatus::Active => CheckResult::Valid,
        }
    }
}

/// How the certificate reached the checking officer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CheckMethod {
    /// The number typed by hand.
    Typed,
    /// The QR content typed by a keyboard-wedge scanner.
    Scanned,
    /// A photo or screenshot of the QR code.
    QrImage,
}

/// One recorded certificate check: who checked what, how, with what result, when.
/// Append-only: a check is never changed once recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificateCheck {
    pub id: CheckId,
    pub inspection_id: InspectionId,
    pub officer_id: OfficerId,
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub certificate_number: String,
    pub method: CheckMethod,
    pub result: CheckResult,
    /// The version of the registry copy the decision was made with.
    #[ts(type = "number")]
    pub registry_version: u64,
    pub checked_by: Actor,
    /// The laptop's clock when the check was made.
    pub checked_at: DateTime<Utc>,
    /// The device's estimate of the true time (the bureau's clock at the last sync, moved on
    /// by the laptop's clock since); validity was decided on this. None before any sync.
    #[serde(default)]
    pub trusted_time: Option<DateTime<Utc>>,
    /// Whether the registry copy was older than the allowed age when the check was made.
    #[serde(default)]
    pub registry_stale: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(status: CertificateStatus) -> Certificate {
        Certificate {
            number: "33010020260001".into(),
            holder: OfficerId::parse("JC-0001").unwrap(),
            holder_name: "王敏".into(),
            issuing_unit: "杭州市西湖区人力资源和社会保障局".into(),
            areas: vec![AREA_LABOR_INSPECTION.into()],
            valid_from: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            valid_until: NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
            status,
        }
    }

    #[test]
    fn validity_follows_status_dates_and_area() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let active = cert(CertificateStatus::Active);
        assert_eq!(active.result_on(d(2026, 6, 1), AREA_LABOR_INSPECTION), CheckResult::Valid);
        assert_eq!(
            active.result_on(d(2027, 12, 31), AREA_LABOR_INSPECTION),
            CheckResult::Valid,
            "the last day is still valid"
        );
        assert_eq!(active.result_on(d(2028, 1, 1), AREA_LABOR_INSPECTION), CheckResult::Expired);
        assert_eq!(active.result_on(d(2024, 12, 31), AREA_LABOR_INSPECTION), CheckResult::NotYetValid);
        assert_eq!(active.result_on(d(2026, 6, 1), "安全生产"), CheckResult::WrongArea);
        assert_eq!(
            cert(CertificateStatus::Revoked).result_on(d(2026, 6, 1), AREA_LABOR_INSPECTION),
            CheckResult::Revoked
        );
        assert_eq!(
            cert(CertificateStatus::Suspended).result_on(d(2026, 6, 1), AREA_LABOR_INSPECTION),
            CheckResult::Suspended
        );
    }
}
