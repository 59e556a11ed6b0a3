//! What an administrator may do to a certificate: the state machine (issued, suspended,
//! reinstated, renewed, revoked, and revoked is final), and the history action each step
//! records.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use fieldcase_core::certificate::{Certificate, CertificateStatus};
use fieldcase_core::limits;

use super::fields::within;
use super::{NewCertificate, Refusal, RefusalKind, parse_date, parse_number};

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

/// A reason an action must give: not empty, and within [`limits::REASON`].
pub fn required_reason(action: &str, reason: Option<&str>) -> Result<String, Refusal> {
    match reason.map(str::trim) {
        Some(reason) if !reason.is_empty() => within("reason", reason, limits::REASON).map(str::to_owned),
        _ => Err(Refusal::invalid(
            "reason",
            format!(
                "to {action} a certificate give the reason (`reason`; on the command line --reason), e.g. the decision's number; it goes into the certificate's history"
            ),
        )),
    }
}

fn optional_reason(reason: Option<String>) -> Result<Option<String>, Refusal> {
    let reason = reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if let Some(reason) = &reason {
        within("reason", reason, limits::REASON)?;
    }
    Ok(reason)
}

impl CertificateAction {
    pub fn renew(number: &str, valid_until: &str, reason: Option<String>) -> Result<Self, Refusal> {
        Ok(Self::Renew {
            number: parse_number(number)?,
            valid_until: parse_date("valid_until", valid_until)?,
            reason: optional_reason(reason)?,
        })
    }

    pub fn suspend(number: &str, reason: Option<&str>) -> Result<Self, Refusal> {
        Ok(Self::Suspend { number: parse_number(number)?, reason: required_reason("suspend", reason)? })
    }

    pub fn reinstate(number: &str, reason: Option<String>) -> Result<Self, Refusal> {
        Ok(Self::Reinstate { number: parse_number(number)?, reason: optional_reason(reason)? })
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
