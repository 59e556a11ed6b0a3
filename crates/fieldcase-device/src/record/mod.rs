//! The on-site inspection record (现场检查笔录) of a sealed inspection: everything its
//! printed page and its PDF show, gathered once, so the window and the PDF cannot differ.
//!
//! Only a finalized inspection has a record: a draft has no seal to print, and a page
//! printed from a draft could be signed by a party and then changed.

pub mod pdf;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use fieldcase_core::certificate::CheckResult;
use fieldcase_core::checklist::AnswerValue;
use fieldcase_core::ids::{DeviceId, InspectionId};
use fieldcase_core::inspection::Outcome;
use fieldcase_core::site::Site;

use crate::store::{evidence_refs, registry as copy};
use crate::{Device, DeviceError, Result};

/// One sealed inspection as its record shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RecordSheet {
    pub inspection_id: InspectionId,
    /// The version this one corrects, printed so a reader knows an earlier record exists.
    pub supersedes: Option<InspectionId>,
    /// The unit that issued the officers' certificates (the bureau), from the registry copy;
    /// None when the copy does not know their certificates (sample records).
    pub bureau: Option<String>,
    pub site: Site,
    /// Where on the site, in the officer's words.
    pub location: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub template_title_zh: String,
    pub template_title_en: String,
    pub officers: Vec<SheetOfficer>,
    pub items: Vec<SheetItem>,
    pub findings: Vec<SheetFinding>,
    pub outcome: Option<Outcome>,
    pub evidence: Vec<SheetFile>,
    pub seal: SheetSeal,
}

/// An officer present, by the certificate check the seal rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SheetOfficer {
    pub officer_id: String,
    /// From the registry copy; None when it does not know the officer.
    pub name: Option<String>,
    pub certificate_number: String,
    pub result: CheckResult,
    pub checked_at: DateTime<Utc>,
}

/// One checklist item and its answer (None: not answered, allowed for optional items).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SheetItem {
    pub id: String,
    pub text_zh: String,
    pub text_en: String,
    pub answer: Option<AnswerValue>,
}

/// A finding with the legal basis of the item it comes from (None for a finding written
/// by the officer, or an item without one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SheetFinding {
    pub description: String,
    pub basis: Option<String>,
}

/// One evidence file of the sealed manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SheetFile {
    /// The name it had on the recorder or card.
    pub name: String,
    pub sha256: String,
    #[ts(type = "number")]
    pub size: u64,
}

/// The seal: what was hashed, its signature and the device whose key made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SheetSeal {
    /// SHA-256 of the canonical record, in hex; the QR code carries exactly this text.
    pub content_hash: String,
    /// The device's Ed25519 signature of the hash, in hex.
    pub signature: String,
    pub device_id: DeviceId,
    /// The public key that verifies the signature, in hex.
    pub public_key: String,
    /// The QR code of `content_hash`, which the page and the PDF both draw.
    pub qr: SealQr,
}

/// A QR code as its dark and light modules (error correction M), without the quiet zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SealQr {
    /// Modules per side.
    pub modules: u32,
    /// Row by row from the top left: true where the module is dark.
    pub dark: Vec<bool>,
}

impl SealQr {
    pub fn of(text: &str) -> Self {
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
            .expect("a hash of 64 hex digits fits in a QR code");
        SealQr {
            modules: code.width() as u32,
            dark: code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect(),
        }
    }
}

impl Device {
    /// The record of a finalized inspection; a draft is refused, saying why.
    pub fn record_sheet(&self, id: InspectionId) -> Result<RecordSheet> {
        let inspection = self.inspection(id)?;
        let (Some(seal), Some(ended_at)) = (inspection.seal.clone(), inspection.ended_at) else {
            return Err(DeviceError::Invalid(format!(
                "inspection {id} is a draft: only a finalized inspection has a seal to print on its record; finalize it first"
            )));
        };
        let site = self.site(inspection.site_id)?;
        let template = self.template_for(&inspection)?;
        let checks = self.checks_of_lineage(&inspection)?;
        let mut officers = Vec::new();
        let mut bureau = None;
        for check in checks.iter().filter(|c| inspection.officer_checks.contains(&c.id)) {
            let number = check.certificate_number.clone();
            let certificate = self.read(|c| copy::certificate(c, &number))?;
            let officer = check.officer_id.to_string();
            let entry = self.read(|c| copy::officer(c, &officer))?;
            if bureau.is_none() {
                bureau = certificate.as_ref().map(|c| c.issuing_unit.clone()).filter(|u| !u.is_empty());
            }
            officers.push(SheetOfficer {
                officer_id: officer,
                name: entry.map(|e| e.name).or(certificate.map(|c| c.holder_name)),
                certificate_number: number,
                result: check.result,
                checked_at: check.checked_at,
            });
        }
        let items = template
            .items
            .iter()
            .map(|item| SheetItem {
                id: item.id.clone(),
                text_zh: item.text_zh.clone(),
                text_en: item.text_en.clone(),
                answer: inspection.answers.get(&item.id).cloned(),
            })
            .collect();
        let findings = inspection
            .findings
            .iter()
            .map(|f| SheetFinding {
                description: f.description.clone(),
                basis: f
                    .item_id
                    .as_deref()
                    .and_then(|item| template.item(item))
                    .map(|item| item.basis.clone())
                    .filter(|b| !b.is_empty()),
            })
            .collect();
        let lineage = self.lineage(&inspection)?;
        let references = self.read(|c| evidence_refs::list(c, Some(&lineage)))?;
        let evidence = inspection
            .evidence
            .iter()
            .flat_map(|m| &m.files)
            .map(|file| SheetFile {
                name: references
                    .iter()
                    .find(|r| r.id == file.id)
                    .map(|r| r.original_name.clone())
                    .unwrap_or_else(|| file.id.to_string()),
                sha256: file.sha256.to_hex(),
                size: file.size,
            })
            .collect();
        Ok(RecordSheet {
            inspection_id: inspection.id,
            supersedes: inspection.supersedes,
            bureau,
            location: inspection.location.clone(),
            started_at: inspection.started_at,
            ended_at,
            template_title_zh: template.title_zh.clone(),
            template_title_en: template.title_en.clone(),
            officers,
            items,
            findings,
            outcome: inspection.outcome.clone(),
            evidence,
            seal: SheetSeal {
                qr: SealQr::of(&seal.content_hash.to_hex()),
                content_hash: seal.content_hash.to_hex(),
                signature: seal.signature.to_string(),
                device_id: self.id(),
                public_key: self.public_key().to_string(),
            },
            site,
        })
    }
}
