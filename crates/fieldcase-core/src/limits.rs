//! The longest text each field may hold, written once for the device, the bureau and the
//! API's schema.
//!
//! Every text a device or anyone else sends has a maximum. The device refuses longer text as
//! it is typed; the bureau rejects a pushed record that carries it (nothing of it is stored),
//! and refuses an administrator's request that does. A record over a limit would otherwise be
//! kept for ever and handed to every device: sites go into the change feed, so a few hundred
//! sites of megabytes each would make every device's pull time out.
//!
//! The limits are far beyond honest use: an employer's registered name runs to a few dozen
//! characters, an address to sixty, a finding to a few paragraphs. They count characters
//! (Unicode scalar values), as JSON Schema's `maxLength` does, so a Chinese name is held to
//! the same limit as a Latin one; in UTF-8 a character takes at most four bytes.

use crate::audit::AuditRun;
use crate::certificate::CertificateCheck;
use crate::checklist::AnswerValue;
use crate::evidence::{EvidenceManifest, EvidenceRef, RecorderCheck};
use crate::inspection::Inspection;
use crate::site::Site;

/// A site's name, its project's name, its general contractor's name.
pub const SITE_NAME: usize = 300;
/// A site's address.
pub const ADDRESS: usize = 500;
/// Where on the site an inspection took place (e.g. 3号楼项目部).
pub const LOCATION: usize = 300;
/// What an officer writes in words: a finding, a text answer, a note on a checklist item.
pub const FREE_TEXT: usize = 5000;
/// A checklist item's legal basis, carried by the findings raised from it
/// (e.g. 保障农民工工资支付条例 第二十六条).
pub const BASIS: usize = 500;
/// A number answer as typed (e.g. 12 or 3185.50).
pub const NUMBER: usize = 64;
/// An identifier made by a program: a checklist item's id, a template's id, a body-cam's id.
pub const IDENTIFIER: usize = 128;
/// An officer's staff number (e.g. JC-0042).
pub const OFFICER_ID: usize = 64;
/// A certificate number as printed on the card (e.g. 33010620240107).
pub const CERTIFICATE_NUMBER: usize = 32;
/// A certificate's holder name, issuing unit or enforcement area.
pub const CERTIFICATE_TEXT: usize = 100;
/// The units (e.g. 执法一队) one device serves: a laptop is one team's, or a few teams'.
pub const UNITS_PER_DEVICE: usize = 16;
/// Why an administrator renewed, suspended, reinstated or revoked a certificate.
pub const REASON: usize = 1000;
/// A label: a device's host name, what an enrollment code or an admin token is for.
pub const LABEL: usize = 256;
/// A file's name, as the body-cam or the file system gave it.
pub const FILE_NAME: usize = 255;
/// A file's path on the laptop it was imported from.
pub const FILE_PATH: usize = 4096;
/// Why nothing was recorded in a gap of an inspection's recordings.
pub const GAP_REASON: usize = 2000;
/// A gap's id, made from its bounds (`gap-20261201T014000Z-20261201T015000Z`).
pub const GAP_ID: usize = 64;
/// An audit entry's actor, action or subject (made by the device, e.g. `inspection.finalize`).
pub const AUDIT_TEXT: usize = 256;

/// A text longer than its field allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} is {chars} characters long, over the limit of {max}; shorten it to {max} characters or fewer")]
pub struct TooLong {
    /// The field, as the one who sent it knows it (`site name`, `findings[2].description`).
    pub field: String,
    /// How long the text is, in characters.
    pub chars: usize,
    /// The most the field holds, in characters.
    pub max: usize,
}

/// `text`, if it is at most `max` characters long; else which `field` is too long, and by how
/// much. The text itself is never repeated in the error: it may be megabytes.
pub fn check<'a>(field: &str, text: &'a str, max: usize) -> Result<&'a str, TooLong> {
    // A character takes at least one byte: text of no more bytes than the limit is within it.
    if text.len() <= max {
        return Ok(text);
    }
    let chars = text.chars().count();
    if chars <= max {
        return Ok(text);
    }
    Err(TooLong { field: field.to_owned(), chars, max })
}

/// [`check`] for a field that may be absent.
pub fn check_opt(field: &str, text: Option<&str>, max: usize) -> Result<(), TooLong> {
    text.map_or(Ok(()), |text| check(field, text, max).map(drop))
}

/// Every text of a site within its limit; the first that is not is named.
pub fn check_site(site: &Site) -> Result<(), TooLong> {
    check("name", &site.name, SITE_NAME)?;
    check_opt("address", site.address.as_deref(), ADDRESS)?;
    check_opt("project_name", site.project_name.as_deref(), SITE_NAME)?;
    check_opt("general_contractor", site.general_contractor.as_deref(), SITE_NAME)
}

/// Every text of an inspection within its limit; the first that is not is named.
pub fn check_inspection(inspection: &Inspection) -> Result<(), TooLong> {
    check("template_id", &inspection.template_id.0, IDENTIFIER)?;
    check_opt("location", inspection.location.as_deref(), LOCATION)?;
    for (item, answer) in &inspection.answers {
        check("answers (an item id)", item, IDENTIFIER)?;
        check_answer("answer", answer).map_err(|e| TooLong { field: format!("answers.{item}"), ..e })?;
    }
    for (n, finding) in inspection.findings.iter().enumerate() {
        check_opt("findings (an item id)", finding.item_id.as_deref(), IDENTIFIER)
            .map_err(|e| TooLong { field: format!("findings[{n}].item_id"), ..e })?;
        check("findings (a description)", &finding.description, FREE_TEXT)
            .map_err(|e| TooLong { field: format!("findings[{n}].description"), ..e })?;
        check_opt("findings (a legal basis)", finding.basis.as_deref(), BASIS)
            .map_err(|e| TooLong { field: format!("findings[{n}].basis"), ..e })?;
    }
    for (item, note) in &inspection.notes {
        check("notes (an item id)", item, IDENTIFIER)?;
        check("note", note, FREE_TEXT).map_err(|e| TooLong { field: format!("notes.{item}"), ..e })?;
    }
    if let Some(manifest) = &inspection.evidence {
        check_manifest(manifest)?;
    }
    check_actor("created_by", &inspection.created_by)
}

/// Every text of an evidence manifest (its gaps' ids and reasons) within its limit.
pub fn check_manifest(manifest: &EvidenceManifest) -> Result<(), TooLong> {
    for (n, gap) in manifest.gaps.iter().enumerate() {
        check("gap id", &gap.id, GAP_ID).map_err(|e| TooLong { field: format!("evidence.gaps[{n}].id"), ..e })?;
        check_opt("gap reason", gap.reason.as_deref(), GAP_REASON)
            .map_err(|e| TooLong { field: format!("evidence.gaps[{n}].reason"), ..e })?;
    }
    Ok(())
}

/// Every text of a recorder check within its limit; the first that is not is named.
pub fn check_recorder_check(recorded: &RecorderCheck) -> Result<(), TooLong> {
    check("recorder_id", &recorded.recorder_id, IDENTIFIER)?;
    check_opt("officer_id", recorded.officer_id.as_ref().map(|o| o.as_str()), OFFICER_ID)
}

/// An answer within the limit of its kind: [`FREE_TEXT`] for text, [`NUMBER`] for a number.
pub fn check_answer(field: &str, answer: &AnswerValue) -> Result<(), TooLong> {
    match answer {
        AnswerValue::Text(text) => check(field, text, FREE_TEXT).map(drop),
        AnswerValue::Number(number) => check(field, number, NUMBER).map(drop),
        AnswerValue::Yes | AnswerValue::No | AnswerValue::NotApplicable => Ok(()),
    }
}

/// Every text of a certificate check within its limit; the first that is not is named.
pub fn check_certificate_check(recorded: &CertificateCheck) -> Result<(), TooLong> {
    check("officer_id", recorded.officer_id.as_str(), OFFICER_ID)?;
    check("certificate_number", &recorded.certificate_number, CERTIFICATE_NUMBER)?;
    check_actor("checked_by", &recorded.checked_by)
}

/// Every text of an evidence reference within its limit; the first that is not is named.
/// The largest evidence file a reference may name: a tebibyte, beyond any recorder's card
/// (body-cam files run to a few gigabytes).
pub const EVIDENCE_BYTES: u64 = 1 << 40;

/// The largest number the bureau keeps exactly for a counter a device sends (a registry
/// version, an audit entry's number): SQLite's and PostgreSQL's 64-bit signed integer.
pub const COUNTER: u64 = i64::MAX as u64;

/// A number over the most a record may carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} is {value}, over the most a record may carry ({max})")]
pub struct TooLarge {
    pub field: String,
    pub value: u64,
    pub max: u64,
}

/// `value` if it is at most `max`; else which `field` is too large.
pub fn check_number(field: &str, value: u64, max: u64) -> Result<u64, TooLarge> {
    if value <= max {
        return Ok(value);
    }
    Err(TooLarge { field: field.to_owned(), value, max })
}

pub fn check_evidence(evidence: &EvidenceRef) -> Result<(), TooLong> {
    check("original_path", &evidence.original_path, FILE_PATH)?;
    check("original_name", &evidence.original_name, FILE_NAME)?;
    check_opt("recorder_id", evidence.recorder_id.as_deref(), IDENTIFIER)?;
    check_opt("officer_id", evidence.officer_id.as_ref().map(|o| o.as_str()), OFFICER_ID)
}

/// Every text of a run of audit entries within its limit; the first that is not is named,
/// with the number of its entry.
pub fn check_audit_run(run: &AuditRun) -> Result<(), TooLong> {
    for (seq, step) in (run.first_seq..).zip(&run.steps) {
        // Which entry is written out only when one is too long: a push carries thousands.
        let named = |e: TooLong| TooLong { field: format!("{} (audit entry {seq})", e.field), ..e };
        check("actor", &step.actor, AUDIT_TEXT).map_err(named)?;
        check("action", &step.action, AUDIT_TEXT).map_err(named)?;
        check("subject", &step.subject, AUDIT_TEXT).map_err(named)?;
    }
    Ok(())
}

fn check_actor(field: &str, actor: &crate::audit::Actor) -> Result<(), TooLong> {
    match actor {
        crate::audit::Actor::Officer { officer, .. } => check(field, officer.as_str(), OFFICER_ID).map(drop),
        crate::audit::Actor::Device { .. } => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_text_too_long_is_named_with_its_length_and_the_limit_but_not_repeated() {
        let name = "工".repeat(SITE_NAME + 1);
        let e = check("site name", &name, SITE_NAME).unwrap_err();
        assert_eq!(e, TooLong { field: "site name".into(), chars: SITE_NAME + 1, max: SITE_NAME });
        assert_eq!(
            e.to_string(),
            "site name is 301 characters long, over the limit of 300; shorten it to 300 characters or fewer"
        );
        assert!(!e.to_string().contains('工'), "the text itself is not repeated: {e}");
    }

    proptest! {
        /// Characters are counted, not bytes: a limit holds the same for Latin, Chinese and
        /// characters outside the Basic Multilingual Plane.
        #[test]
        fn characters_are_counted_not_bytes(
            c in prop_oneof![Just('a'), Just('工'), Just('😀'), any::<char>()],
            max in 1usize..400,
            len in 0usize..800,
        ) {
            let text: String = std::iter::repeat_n(c, len).collect();
            let checked = check("f", &text, max);
            if len <= max {
                prop_assert_eq!(checked, Ok(text.as_str()));
            } else {
                prop_assert_eq!(checked, Err(TooLong { field: "f".into(), chars: len, max }));
            }
        }
    }
}
