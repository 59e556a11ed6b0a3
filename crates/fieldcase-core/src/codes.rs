//! The codes programs switch on: why something failed ([`ErrorCode`]) and what kind of
//! record a device sends ([`RecordKind`]). Both are exported to TypeScript, so a code the UI
//! looks up that does not exist fails to compile instead of failing in front of an officer.

use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Why a request failed, in every `{code, message}` this system answers with: the desktop
/// app's commands, the command line's `--json` errors and the bureau's API. Stable: scripts
/// and the UI depend on them; the message beside it is for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorCode {
    // ----- the device's records -----
    /// No such record (site, inspection, certificate, device).
    NotFound,
    /// A value is not well formed: it says which and how to write it.
    InvalidInput,
    /// The checklist has no such item.
    UnknownItem,
    /// A site with that unified social credit code is already recorded.
    DuplicateSite,
    /// A legal rule refused the action (e.g. finalizing without two checked officers).
    RuleViolation,
    /// No data directory where one was expected.
    NoData,
    /// The data directory cannot be created or written.
    DataDirUnusable,
    /// The database or a key file is damaged.
    Damaged,
    /// A file could not be read or written.
    Io,
    /// The device's audit chain does not verify.
    AuditChainBroken,
    /// A sealed or append-only record cannot be changed.
    Immutable,
    /// Sign-in refused: wrong PIN, locked out, unknown officer.
    SigninRefused,
    /// Making or changing a record needs an officer signed in on the device.
    SigninRequired,
    /// A storage fault inside the app, for an engineer.
    Storage,
    /// A fault inside the app or the bureau, for an engineer.
    Internal,

    // ----- sync with the bureau -----
    /// The bureau cannot be reached.
    Offline,
    /// The device has not enrolled with a bureau.
    NotEnrolled,
    /// No token, or one the bureau does not know.
    Unauthorized,
    /// The bureau revoked this device.
    DeviceRevoked,
    /// The bureau answered with a fault of its own.
    BureauError,
    /// The bureau's answer could not be understood.
    Protocol,
    /// The bureau found a break in this device's audit chain.
    AuditChainRefused,

    // ----- the bureau's API -----
    /// The body or query is not what the route takes.
    BadRequest,
    /// The body, or the push page, is larger than the bureau takes.
    PayloadTooLarge,
    /// A known token that may not do this.
    Forbidden,
    /// The record (a certificate number) is taken.
    Duplicate,
    /// The record's state does not allow it (a revoked certificate is final).
    NotAllowed,
    /// The push page is not signed by the enrolled device key.
    BadSignature,
    /// The enrollment code is unknown, has expired or was used.
    EnrollmentCodeInvalid,
    /// The device id is enrolled with another key.
    DeviceKeyMismatch,
    /// A push page follows one the bureau did not store.
    OutOfOrder,
    /// The path does not take that method.
    MethodNotAllowed,
    /// An evidence reference or recorder check names an inspection the bureau does not hold
    /// sealed: push the inspection first.
    EvidenceInspectionUnknown,
    /// An evidence reference or recorder check is not in the manifest its inspection's seal
    /// covers.
    EvidenceNotInSeal,
    /// An evidence reference's hash or size differs from those its inspection's seal covers.
    EvidenceMismatch,
    /// Too many attempts from one address (enrollments, failed authentications): wait for
    /// the seconds the answer's `Retry-After` says, then try again.
    RateLimited,

    // ----- evidence uploads (tus) -----
    /// An upload names evidence this device has not pushed: push the inspection and its
    /// evidence references first.
    EvidenceUnknown,
    /// A chunk's `Upload-Offset` is not where the upload stands: ask with HEAD and resume there.
    UploadOffsetMismatch,
    /// A chunk's `Upload-Checksum` does not match its bytes (status 460): nothing of it was
    /// kept; send it again.
    ChecksumMismatch,
    /// Another request is writing this upload now: wait for it to end.
    UploadLocked,
    /// The upload expired or was terminated: create a new one.
    UploadGone,
    /// The request's `Tus-Resumable` is missing or names a version the bureau does not speak.
    TusVersionUnsupported,
    /// A PATCH whose `Content-Type` is not `application/offset+octet-stream`.
    UnsupportedMediaType,
    /// The evidence file's bytes no longer match its import hash: it is not uploaded.
    EvidenceDamaged,

    // ----- the command line -----
    /// The command's words are off (exit 2).
    Usage,
    /// The certificate checked is not valid (exit 3).
    CertificateNotValid,
    /// An evidence file no longer hashes to what was recorded at import, or is gone (exit 3).
    EvidenceAltered,
    /// Records the bureau refused or holds in another version wait for a person.
    NeedsAttention,
    /// The bureau's signing key cannot be used.
    BureauKey,
    /// The bureau's settings are wrong.
    ConfigInvalid,
    /// The bureau could not listen or serve.
    Serve,
    /// A QR code could not be made.
    QrFailed,

    /// A code this build does not know (from a newer bureau).
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// Every code, for tests and documentation.
    pub const ALL: [ErrorCode; 53] = [
        Self::NotFound,
        Self::InvalidInput,
        Self::UnknownItem,
        Self::DuplicateSite,
        Self::RuleViolation,
        Self::NoData,
        Self::DataDirUnusable,
        Self::Damaged,
        Self::Io,
        Self::AuditChainBroken,
        Self::Immutable,
        Self::SigninRefused,
        Self::SigninRequired,
        Self::Storage,
        Self::Internal,
        Self::Offline,
        Self::NotEnrolled,
        Self::Unauthorized,
        Self::DeviceRevoked,
        Self::BureauError,
        Self::Protocol,
        Self::AuditChainRefused,
        Self::BadRequest,
        Self::PayloadTooLarge,
        Self::Forbidden,
        Self::Duplicate,
        Self::NotAllowed,
        Self::BadSignature,
        Self::EnrollmentCodeInvalid,
        Self::DeviceKeyMismatch,
        Self::OutOfOrder,
        Self::MethodNotAllowed,
        Self::EvidenceInspectionUnknown,
        Self::EvidenceNotInSeal,
        Self::EvidenceMismatch,
        Self::RateLimited,
        Self::EvidenceUnknown,
        Self::UploadOffsetMismatch,
        Self::ChecksumMismatch,
        Self::UploadLocked,
        Self::UploadGone,
        Self::TusVersionUnsupported,
        Self::UnsupportedMediaType,
        Self::EvidenceDamaged,
        Self::Usage,
        Self::CertificateNotValid,
        Self::EvidenceAltered,
        Self::NeedsAttention,
        Self::BureauKey,
        Self::ConfigInvalid,
        Self::Serve,
        Self::QrFailed,
        Self::Unknown,
    ];

    /// The code as it travels (`invalid_input`): serde's name, which a test holds it to.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::InvalidInput => "invalid_input",
            Self::UnknownItem => "unknown_item",
            Self::DuplicateSite => "duplicate_site",
            Self::RuleViolation => "rule_violation",
            Self::NoData => "no_data",
            Self::DataDirUnusable => "data_dir_unusable",
            Self::Damaged => "damaged",
            Self::Io => "io",
            Self::AuditChainBroken => "audit_chain_broken",
            Self::Immutable => "immutable",
            Self::SigninRefused => "signin_refused",
            Self::SigninRequired => "signin_required",
            Self::Storage => "storage",
            Self::Internal => "internal",
            Self::Offline => "offline",
            Self::NotEnrolled => "not_enrolled",
            Self::Unauthorized => "unauthorized",
            Self::DeviceRevoked => "device_revoked",
            Self::BureauError => "bureau_error",
            Self::Protocol => "protocol",
            Self::AuditChainRefused => "audit_chain_refused",
            Self::BadRequest => "bad_request",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Forbidden => "forbidden",
            Self::Duplicate => "duplicate",
            Self::NotAllowed => "not_allowed",
            Self::BadSignature => "bad_signature",
            Self::EnrollmentCodeInvalid => "enrollment_code_invalid",
            Self::DeviceKeyMismatch => "device_key_mismatch",
            Self::OutOfOrder => "out_of_order",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::EvidenceInspectionUnknown => "evidence_inspection_unknown",
            Self::EvidenceNotInSeal => "evidence_not_in_seal",
            Self::EvidenceMismatch => "evidence_mismatch",
            Self::RateLimited => "rate_limited",
            Self::EvidenceUnknown => "evidence_unknown",
            Self::UploadOffsetMismatch => "upload_offset_mismatch",
            Self::ChecksumMismatch => "checksum_mismatch",
            Self::UploadLocked => "upload_locked",
            Self::UploadGone => "upload_gone",
            Self::TusVersionUnsupported => "tus_version_unsupported",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::EvidenceDamaged => "evidence_damaged",
            Self::Usage => "usage",
            Self::CertificateNotValid => "certificate_not_valid",
            Self::EvidenceAltered => "evidence_altered",
            Self::NeedsAttention => "needs_attention",
            Self::BureauKey => "bureau_key",
            Self::ConfigInvalid => "config_invalid",
            Self::Serve => "serve",
            Self::QrFailed => "qr_failed",
            Self::Unknown => "unknown",
        }
    }
}

impl std::str::FromStr for ErrorCode {
    type Err = std::convert::Infallible;

    /// A stored or received code; one this build does not know is [`ErrorCode::Unknown`].
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(serde_json::from_value(serde_json::Value::String(text.to_owned())).unwrap_or(Self::Unknown))
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of record a device pushes and its outbox queues: the `kind` of a push item, of
/// the bureau's answer for it, and of a review item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RecordKind {
    Site,
    Inspection,
    CertificateCheck,
    Evidence,
    /// A body-cam's check before an inspection.
    RecorderCheck,
    /// A run of audit entries.
    Audit,
}

impl RecordKind {
    pub const ALL: [RecordKind; 6] =
        [Self::Site, Self::Inspection, Self::CertificateCheck, Self::Evidence, Self::RecorderCheck, Self::Audit];

    /// The kind as it travels and is stored (`certificate_check`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Site => "site",
            Self::Inspection => "inspection",
            Self::CertificateCheck => "certificate_check",
            Self::Evidence => "evidence",
            Self::RecorderCheck => "recorder_check",
            Self::Audit => "audit",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_travel_under_the_names_programs_switch_on() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str(), "as_str must be serde's name");
            assert_eq!(serde_json::from_value::<ErrorCode>(code.as_str().into()).unwrap(), code);
        }
        let newer: ErrorCode = serde_json::from_value("a_code_from_a_newer_bureau".into()).unwrap();
        assert_eq!(newer, ErrorCode::Unknown, "a code this build does not know is still an answer");
        for kind in RecordKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(RecordKind::parse(kind.as_str()), Some(kind));
        }
    }
}
