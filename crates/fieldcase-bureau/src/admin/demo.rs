//! The demonstration data `fieldcase bureau seed-demo` adds: a district's sites, certificates,
//! and the demonstration officers' unit and PINs, so a demo laptop enrolled for that unit
//! (`enroll-code --unit 执法一队`) signs them in.

use chrono::{DateTime, Utc};
use serde::Serialize;

use fieldcase_core::certificate::AREA_LABOR_INSPECTION;
use fieldcase_core::ids::{OfficerId, SiteId};
use fieldcase_core::signing::SecretKey;
use fieldcase_core::site::Site;
use fieldcase_core::time::record_instant;
use fieldcase_core::uscc::{Uscc, with_check_character};

use super::pin_verifier;
use crate::certificates::{CertificateAction, CertificateFields};
use crate::store::{BureauStore, Result, StoreError};

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
    /// Demonstration certificates issued now, by number.
    pub certificates_added: Vec<String>,
    /// Demonstration officers whose PIN was set now.
    pub pins_set: Vec<OfficerId>,
    /// Demonstration officers given [`DEMO_TEAM`] as their unit now.
    pub units_set: Vec<OfficerId>,
}

struct DemoCertificate {
    number: &'static str,
    officer: &'static str,
    name: &'static str,
    valid_from: &'static str,
    valid_until: &'static str,
    /// Revoked right after issue, with this reason.
    revoked: Option<&'static str>,
}

const DEMO_UNIT: &str = "杭州市西湖区人力资源和社会保障局";

/// The demonstration certificates: the two officers of the device's sample checks
/// (`fieldcase demo seed`), valid; one revoked; one expired.
const DEMO_CERTIFICATES: &[DemoCertificate] = &[
    DemoCertificate {
        number: "33010620240107",
        officer: "JC-0107",
        name: "王敏",
        valid_from: "2024-01-01",
        valid_until: "2028-12-31",
        revoked: None,
    },
    DemoCertificate {
        number: "33010620240112",
        officer: "JC-0112",
        name: "李强",
        valid_from: "2024-01-01",
        valid_until: "2028-12-31",
        revoked: None,
    },
    DemoCertificate {
        number: "33010620240120",
        officer: "JC-0120",
        name: "张伟",
        valid_from: "2024-01-01",
        valid_until: "2028-12-31",
        revoked: Some("演示：调离执法岗位，证件注销"),
    },
    DemoCertificate {
        number: "33010620190099",
        officer: "JC-0099",
        name: "陈静",
        valid_from: "2019-01-01",
        valid_until: "2023-12-31",
        revoked: None,
    },
];

/// The demonstration officers' sign-in PINs.
pub const DEMO_PINS: &[(&str, &str)] = &[("JC-0107", "107107"), ("JC-0112", "112112")];

/// The demonstration officers' unit: a demo laptop serves it, and so holds their PINs'
/// verifiers.
pub const DEMO_TEAM: &str = "执法一队";

/// Adds the demonstration sites to the directory, the demonstration certificates to the
/// registry and the demonstration officers' unit ([`DEMO_TEAM`]) and PINs; what is already
/// there (a site by unified social credit code, a certificate by number, an officer with a
/// unit or a PIN) is left alone, so seeding twice changes nothing. The certificates are
/// published as one registry version, the units as another, the PINs as a third.
pub async fn seed_demo(store: &dyn BureauStore, key: &SecretKey, now: DateTime<Utc>) -> Result<SeedReport> {
    let now = record_instant(now);
    let mut report = SeedReport {
        added: Vec::new(),
        already_there: 0,
        certificates_added: Vec::new(),
        pins_set: Vec::new(),
        units_set: Vec::new(),
    };
    seed_demo_sites(store, now, &mut report).await?;

    let mut actions = Vec::new();
    for demo in DEMO_CERTIFICATES {
        if store.certificate(demo.number.to_owned()).await?.is_some() {
            continue;
        }
        let fields = CertificateFields {
            number: demo.number.into(),
            officer_id: demo.officer.into(),
            name: demo.name.into(),
            unit: DEMO_UNIT.into(),
            areas: vec![AREA_LABOR_INSPECTION.into()],
            valid_from: demo.valid_from.into(),
            valid_until: demo.valid_until.into(),
        };
        actions.push(CertificateAction::Issue(fields.parse()?));
        if let Some(reason) = demo.revoked {
            actions.push(CertificateAction::revoke(demo.number, Some(reason))?);
        }
        report.certificates_added.push(demo.number.to_owned());
    }
    if !actions.is_empty() {
        store.change_certificates(actions, "seed-demo".into(), key, now).await?;
    }

    let officers = store.officers().await?;
    let (mut pins, mut units) = (Vec::new(), Vec::new());
    for (officer, pin) in DEMO_PINS {
        let officer = OfficerId::parse(officer).map_err(|e| StoreError::Other(e.to_string()))?;
        let Some(known) = officers.iter().find(|o| o.officer == officer) else { continue };
        if known.unit.is_none() {
            units.push((officer.clone(), Some(DEMO_TEAM.to_owned())));
            report.units_set.push(officer.clone());
        }
        if !known.has_pin {
            pins.push((officer.clone(), pin_verifier(pin)?));
            report.pins_set.push(officer);
        }
    }
    if !units.is_empty() {
        store.set_officer_units(units, key, now).await?;
    }
    if !pins.is_empty() {
        store.set_officer_pins(pins, key, now).await?;
    }
    Ok(report)
}

async fn seed_demo_sites(store: &dyn BureauStore, now: DateTime<Utc>, report: &mut SeedReport) -> Result<()> {
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
    Ok(())
}
