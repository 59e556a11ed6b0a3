//! Administration: what a bureau administrator does with the `fieldcase bureau …` commands.
//! The listings are [`BureauStore`] methods; here is what needs more than one call.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use fieldcase_core::ids::SiteId;
use fieldcase_core::site::Site;
use fieldcase_core::time::record_instant;
use fieldcase_core::uscc::{Uscc, with_check_character};

use crate::credentials::{code_hash, new_enrollment_code};
use crate::store::{BureauStore, NewEnrollmentCode, Result, StoreError};

/// A code made for an officer's device. The bureau keeps only its hash: it is shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedCode {
    pub code: String,
    pub label: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// Makes a one-time enrollment code valid for `valid_for` from `now`.
pub async fn create_enrollment_code(store: &dyn BureauStore, label: Option<String>, valid_for: Duration, now: DateTime<Utc>) -> Result<IssuedCode> {
    if valid_for <= Duration::zero() {
        return Err(StoreError::Other("an enrollment code must be valid for some time".into()));
    }
    let code = new_enrollment_code().map_err(|e| StoreError::Other(e.to_string()))?;
    let now = record_instant(now);
    let label = label.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty());
    let expires_at = now + valid_for;
    store.add_enrollment_code(NewEnrollmentCode { code_hash: code_hash(&code), label: label.clone(), created_at: now, expires_at }).await?;
    Ok(IssuedCode { code, label, expires_at })
}

struct DemoSite {
    name: &'static str,
    uscc17: &'static str,
    address: &'static str,
    project: Option<&'static str>,
    contractor: Option<&'static str>,
}

/// The district's demonstration directory. The first is also among the device's demo sites
/// (`fieldcase demo seed`), so a demo device's site joins it by its credit code.
const DEMO_SITES: &[DemoSite] = &[
    DemoSite {
        name: "浙江恒筑建设集团有限公司",
        uscc17: "91330106MA2B3C4D5",
        address: "杭州市西湖区文三路 478 号",
        project: Some("文三路人才公寓二期工程"),
        contractor: Some("浙江恒筑建设集团有限公司"),
    },
    DemoSite {
        name: "杭州西溪云谷置业有限公司",
        uscc17: "91330106MA2H7K8L9",
        address: "杭州市西湖区蒋村街道五常大道 166 号",
        project: Some("西溪云谷产业园三期工程"),
        contractor: Some("中建八局第三建设有限公司"),
    },
    DemoSite {
        name: "杭州之江园林绿化工程有限公司",
        uscc17: "91330106MA2D5E6F7",
        address: "杭州市西湖区之江路 1218 号",
        project: Some("之江路沿线景观提升工程"),
        contractor: None,
    },
    DemoSite {
        name: "杭州文新物业服务有限公司",
        uscc17: "91330106MA2J9K1M2",
        address: "杭州市西湖区文新街道学院路 77 号",
        project: None,
        contractor: None,
    },
];

/// What seeding did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeedReport {
    /// Sites added now.
    pub added: Vec<Site>,
    /// Demo sites the directory already had (by credit code).
    pub already_there: usize,
}

/// Adds the demonstration sites to the directory; those already there (by unified social
/// credit code) are left alone, so seeding twice changes nothing.
pub async fn seed_demo(store: &dyn BureauStore, now: DateTime<Utc>) -> Result<SeedReport> {
    let now = record_instant(now);
    let mut report = SeedReport { added: Vec::new(), already_there: 0 };
    for demo in DEMO_SITES {
        let uscc = with_check_character(demo.uscc17)
            .and_then(|code| Uscc::parse(&code).ok())
            .ok_or_else(|| StoreError::Other(format!("demo credit code {} is not valid", demo.uscc17)))?;
        let site = Site {
            id: SiteId::generate(now),
            name: demo.name.to_owned(),
            uscc,
            address: Some(demo.address.to_owned()),
            project_name: demo.project.map(str::to_owned),
            general_contractor: demo.contractor.map(str::to_owned),
            created_at: now,
        };
        if store.add_site(site.clone(), now).await? {
            report.added.push(site);
        } else {
            report.already_there += 1;
        }
    }
    Ok(report)
}
