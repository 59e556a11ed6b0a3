//! Certificates, their history and officers, as administrators see them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use fieldcase_core::certificate::Certificate;
use fieldcase_core::ids::OfficerId;

use super::HistoryAction;

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
    /// The unit they work in: devices serving it hold their PIN's verifier.
    pub unit: Option<String>,
    pub has_pin: bool,
    pub pin_set_at: Option<DateTime<Utc>>,
    /// The numbers of their certificates.
    pub certificates: Vec<String>,
}
