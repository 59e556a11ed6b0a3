//! The sites an officer inspects: employers and their projects, one per unified social credit
//! code, recorded on the device or received from the bureau's directory.

use fieldcase_core::RecordKind;
use fieldcase_core::ids::SiteId;
use fieldcase_core::limits::{self, ADDRESS, SITE_NAME};
use fieldcase_core::site::{NewSite, Site};
use fieldcase_core::uscc::Uscc;

use crate::audit::append_audit;
use crate::store::{outbox, sites};
use crate::{Device, DeviceError, Result, non_empty};

impl Device {
    /// Records a site as the officer typed it. Each text must be within its limit
    /// ([`fieldcase_core::limits`]): the bureau would refuse the site, and hand every device a
    /// long one in its feed.
    pub fn add_site(&mut self, new: NewSite) -> Result<Site> {
        let actor = self.officer_actor()?;
        let name = limits::check("site name", new.name.trim(), SITE_NAME)?;
        if name.is_empty() {
            return Err(DeviceError::Invalid(
                "a site needs a name: the employer's registered name as on its business licence".into(),
            ));
        }
        let address = non_empty(new.address);
        limits::check_opt("address", address.as_deref(), ADDRESS)?;
        let project_name = non_empty(new.project_name);
        limits::check_opt("project name", project_name.as_deref(), SITE_NAME)?;
        let general_contractor = non_empty(new.general_contractor);
        limits::check_opt("general contractor", general_contractor.as_deref(), SITE_NAME)?;
        let uscc = Uscc::parse(&new.uscc).map_err(|e| {
            let typed = new.uscc.trim();
            let typed = if typed.chars().count() <= 40 { typed } else { "(too long to show)" };
            DeviceError::Invalid(format!("unified social credit code '{typed}': {e}"))
        })?;
        let now = self.record_time()?;
        let site = Site {
            id: SiteId::generate(now),
            name: name.to_owned(),
            uscc,
            address,
            project_name,
            general_contractor,
            created_at: now,
        };
        self.write(|tx| {
            if let Some(existing) = sites::by_uscc(tx, site.uscc.as_str())? {
                return Err(DeviceError::DuplicateSite {
                    uscc: site.uscc.to_string(),
                    existing: existing.id.to_string(),
                });
            }
            sites::insert(tx, &site)?;
            outbox::enqueue(tx, RecordKind::Site, &site.id.to_string())?;
            append_audit(tx, now, &actor, "site.create", &site.id.to_string(), &site)?;
            Ok(site)
        })
    }

    pub fn sites(&self) -> Result<Vec<Site>> {
        self.read(sites::list)
    }

    /// A site by its id or its unified social credit code.
    pub fn find_site(&self, reference: &str) -> Result<Site> {
        let not_found = || DeviceError::NotFound {
            what: "site",
            id: reference.to_owned(),
            hint: "`fieldcase site list` shows the sites",
        };
        if let Ok(id) = reference.parse::<SiteId>() {
            return self.read(|c| sites::get(c, id))?.ok_or_else(not_found);
        }
        let uscc = Uscc::parse(reference).map_err(|e| {
            DeviceError::Invalid(format!(
                "'{reference}' is neither a site id nor a valid unified social credit code: {e}"
            ))
        })?;
        self.read(|c| sites::by_uscc(c, uscc.as_str()))?.ok_or_else(not_found)
    }

    pub(crate) fn site(&self, id: SiteId) -> Result<Site> {
        self.read(|c| sites::get(c, id))?.ok_or_else(|| DeviceError::Damaged {
            path: self.db_path(),
            detail: format!("site {id} referenced by an inspection is missing"),
        })
    }
}

/// A credit code checked as the officer types it: the code as it will be kept, or what is
/// wrong with it. The problem is given as data (not words) so the window says it in the
/// officer's language; the rules themselves are core's [`Uscc::parse`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct UsccCheck {
    /// The code normalized (half-width, no spaces, capitals) when it is valid.
    pub code: Option<String>,
    pub problem: Option<UsccProblem>,
    /// The reason in English, for logs and scripts.
    pub message: Option<String>,
}

/// Why a typed credit code is refused; positions count from 1, as on a business licence.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[ts(export)]
pub enum UsccProblem {
    Length { found: usize },
    Character { position: usize, found: String },
    Authority { found: String },
    Division { position: usize, found: String },
    CheckCharacter { expected: String, found: String },
}

impl UsccCheck {
    pub fn of(typed: &str) -> Self {
        use fieldcase_core::uscc::UsccError as E;
        match Uscc::parse(typed) {
            Ok(code) => UsccCheck { code: Some(code.to_string()), problem: None, message: None },
            Err(e) => {
                let problem = match &e {
                    E::Length { found } => UsccProblem::Length { found: *found },
                    E::Character { position, found } => {
                        UsccProblem::Character { position: *position, found: found.to_string() }
                    }
                    E::Authority { found } => UsccProblem::Authority { found: found.to_string() },
                    E::Division { position, found } => {
                        UsccProblem::Division { position: *position, found: found.to_string() }
                    }
                    E::CheckCharacter { expected, found } => {
                        UsccProblem::CheckCharacter { expected: expected.to_string(), found: found.to_string() }
                    }
                };
                UsccCheck { code: None, problem: Some(problem), message: Some(e.to_string()) }
            }
        }
    }
}
