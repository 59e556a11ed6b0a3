//! `fieldcase site …`

use fieldcase_core::site::NewSite;
use fieldcase_device::OpenMode;

use super::Context;
use crate::cli::SiteCommand;
use crate::output::{Failure, print};

pub fn run(ctx: &Context, cmd: SiteCommand) -> Result<(), Failure> {
    match cmd {
        SiteCommand::Add(a) => {
            let mut device = ctx.open(OpenMode::CreateIfMissing)?;
            let site = device.add_site(NewSite {
                name: a.name,
                uscc: a.uscc,
                address: a.address,
                project_name: a.project,
                general_contractor: a.contractor,
            })?;
            print(ctx.json, &site, |s| s.id.to_string());
        }
        SiteCommand::List => {
            let sites = ctx.open(OpenMode::MustExist)?.sites()?;
            print(ctx.json, &sites, |sites| {
                sites
                    .iter()
                    .map(|s| {
                        format!(
                            "{}  {}  {}{}",
                            s.id,
                            s.uscc,
                            s.name,
                            s.project_name.as_deref().map(|p| format!(" · {p}")).unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}
