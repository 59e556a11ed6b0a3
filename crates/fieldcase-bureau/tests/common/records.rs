//! Records as an honest device sends them, for tests that then bend one field: a site, a
//! sealed inspection, a certificate check, an evidence reference, an audit entry.

use chrono::Utc;
use serde_json::json;

use fieldcase_core::audit::{Actor, AuditEntry};
use fieldcase_core::canonical::ContentHash;
use fieldcase_core::certificate::{CertificateCheck, CheckMethod, CheckResult};
use fieldcase_core::checklist::{AnswerValue, default_template};
use fieldcase_core::evidence::EvidenceRef;
use fieldcase_core::ids::{CheckId, EvidenceId, InspectionId, OfficerId, SiteId};
use fieldcase_core::inspection::{Inspection, InspectionStatus, Outcome};
use fieldcase_core::site::Site;
use fieldcase_core::time::TrustedTime;
use fieldcase_core::uscc::{Uscc, with_check_character};
use fieldcase_core::wire::PushItem;

use super::TestBureau;

/// A distinct credit code for the `n`th site a test makes.
pub fn uscc(n: u64) -> Uscc {
    Uscc::parse(&with_check_character(&format!("91330106{:09}", n % 1_000_000_000)).expect("17 characters"))
        .expect("a valid code")
}

pub fn officer(text: &str) -> OfficerId {
    // Pushed records are not parsed as a typed staff number is: any text arrives.
    serde_json::from_value(json!(text)).expect("an officer id travels as text")
}

pub fn site(n: u64) -> Site {
    Site {
        id: SiteId::generate(Utc::now()),
        name: "杭州立信装饰工程有限公司".into(),
        uscc: uscc(n),
        address: Some("杭州市西湖区文三路 478 号".into()),
        project_name: None,
        general_contractor: None,
        created_at: Utc::now(),
    }
}

/// What a device honestly sends, for each field to be put into.
pub struct Honest<'a> {
    pub device: fieldcase_core::ids::DeviceId,
    pub key: &'a fieldcase_core::signing::SecretKey,
    pub n: u64,
}

impl Honest<'_> {
    pub fn actor(&self) -> Actor {
        Actor::Officer { officer: officer("JC-0107"), device: self.device }
    }

    pub fn site(&self) -> Site {
        site(self.n)
    }

    pub fn inspection(&self, change: impl FnOnce(&mut Inspection)) -> PushItem {
        let now = Utc::now();
        let time = TrustedTime { laptop: now, trusted: now, anchored: true, set_back: false, warning: None };
        let mut i = Inspection::draft(
            InspectionId::generate(now),
            SiteId::generate(now),
            &default_template(),
            Some("3号楼项目部".into()),
            &time,
            self.actor(),
        );
        i.answers.insert("wage_account".into(), AnswerValue::Yes);
        change(&mut i);
        i.status = InspectionStatus::Finalized;
        i.ended_at = Some(now);
        i.outcome = Some(Outcome::NoViolation);
        let hash = i.content_hash();
        i.seal = Some(fieldcase_core::inspection::Seal {
            content_hash: hash,
            signature: self.key.sign(fieldcase_core::signing::Signed::Inspection, &hash),
        });
        PushItem::Inspection(i)
    }

    pub fn check(&self, change: impl FnOnce(&mut CertificateCheck)) -> PushItem {
        let now = Utc::now();
        let mut c = CertificateCheck {
            id: CheckId::generate(now),
            inspection_id: InspectionId::generate(now),
            officer_id: officer("JC-0107"),
            certificate_number: "33010620240107".into(),
            method: CheckMethod::Typed,
            result: CheckResult::Valid,
            registry_version: 1,
            checked_by: self.actor(),
            checked_at: now,
            trusted_time: Some(now),
            registry_stale: false,
        };
        change(&mut c);
        PushItem::CertificateCheck(c)
    }

    pub fn evidence(&self, change: impl FnOnce(&mut EvidenceRef)) -> PushItem {
        let now = Utc::now();
        let mut e = EvidenceRef {
            id: EvidenceId::generate(now),
            inspection_id: InspectionId::generate(now),
            original_path: "/media/cam/0001.mp4".into(),
            original_name: "0001.mp4".into(),
            recorder_id: Some("DSJ-01".into()),
            size: 1024,
            sha256: ContentHash::of_bytes(b"video"),
            capture_start: Some(now),
            capture_end: Some(now),
            officer_id: Some(officer("JC-0107")),
            imported_at: now,
        };
        change(&mut e);
        PushItem::Evidence(e)
    }
}

/// A run of one audit entry after `prev`, one of whose texts is `text`.
pub fn audit_entry(prev: Option<&AuditEntry>, field: &str, text: String, actor: &Actor) -> AuditEntry {
    let mut entry = AuditEntry::next(prev, Utc::now(), actor, "site.create", "site", ContentHash::of_bytes(b"x"));
    match field {
        "actor" => entry.actor = text,
        "action" => entry.action = text,
        _ => entry.subject = text,
    }
    entry.hash = entry.computed_hash();
    entry
}

/// Whether `needle` is anywhere in the bureau's database files.
pub fn stored_anywhere(bureau: &TestBureau, needle: &str) -> bool {
    ["", "-wal"].iter().any(|suffix| {
        let path = bureau.data_dir.join(format!("{}{suffix}", fieldcase_bureau::DB_FILE));
        std::fs::read(path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
    })
}
