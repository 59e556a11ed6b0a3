//! How the registry's certificates and their changes read on the terminal: the status word,
//! a line of a certificate's history, and the sentence saying what one change did.

use fieldcase_bureau::certificates::{CertificateEvent, HistoryAction};
use fieldcase_core::time::format_beijing;

pub(super) fn status_word(status: fieldcase_core::certificate::CertificateStatus) -> &'static str {
    match status {
        fieldcase_core::certificate::CertificateStatus::Active => "active",
        fieldcase_core::certificate::CertificateStatus::Suspended => "suspended",
        fieldcase_core::certificate::CertificateStatus::Revoked => "revoked",
    }
}

pub(super) fn history_line(e: &CertificateEvent) -> String {
    let reason = e.reason.as_deref().map(|r| format!("  reason: {r}")).unwrap_or_default();
    format!(
        "{}  {}  {:<10}  now {}, valid {} to {}  by {}  (registry version {}){reason}",
        format_beijing(e.at),
        e.number,
        e.action.as_str(),
        status_word(e.state.status),
        e.state.valid_from,
        e.state.valid_until,
        e.actor,
        e.registry_version
    )
}

/// The sentence saying what one change did to a certificate.
pub(super) fn change_line(e: &CertificateEvent) -> String {
    let c = &e.state;
    let version = e.registry_version;
    match e.action {
        HistoryAction::Issued => format!(
            "issued certificate {} to {} {}: valid {} to {}, {} (registry version {version})",
            c.number,
            c.holder,
            c.holder_name,
            c.valid_from,
            c.valid_until,
            c.areas.join(";")
        ),
        HistoryAction::Renewed => {
            format!("renewed certificate {}: valid until {} (registry version {version})", c.number, c.valid_until)
        }
        HistoryAction::Suspended => {
            format!(
                "suspended certificate {}: {} (registry version {version})",
                c.number,
                e.reason.as_deref().unwrap_or_default()
            )
        }
        HistoryAction::Reinstated => {
            format!("reinstated certificate {}: active again (registry version {version})", c.number)
        }
        HistoryAction::Revoked => {
            format!(
                "revoked certificate {} for good: {} (registry version {version})",
                c.number,
                e.reason.as_deref().unwrap_or_default()
            )
        }
    }
}
