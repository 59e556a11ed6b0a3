//! `fieldcase bureau officer …`: officers' units and sign-in PINs, administered on the
//! bureau's data directory. Setting either publishes a registry version to the devices' feed;
//! a PIN's verifier reaches only the devices that serve the officer's unit.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use chrono::Utc;
use clap::Subcommand;

use fieldcase_bureau::{OpenMode, admin};
use fieldcase_core::ErrorCode;
use fieldcase_core::ids::OfficerId;

use super::store::{with_signing_key, with_store};
use crate::commands::Context;
use crate::output::{Failure, print};

#[derive(Debug, Subcommand)]
pub enum OfficerCommand {
    /// Set an officer's sign-in PIN, read from standard input (6-12 digits); only a verifier is kept
    SetPin {
        /// The officer's staff number, e.g. JC-0107
        officer_id: String,
    },
    /// Set the unit an officer works in, e.g. 执法一队: the devices serving it sign them in
    SetUnit {
        /// The officer's staff number, e.g. JC-0107
        officer_id: String,
        /// The unit, e.g. 执法一队
        #[arg(required_unless_present = "none")]
        unit: Option<String>,
        /// The officer has no unit: no device signs them in
        #[arg(long, conflicts_with = "unit")]
        none: bool,
    },
    /// The officers the registry knows
    List,
}

pub(super) fn run(ctx: &Context, data_dir: &Path, cmd: OfficerCommand) -> Result<(), Failure> {
    match cmd {
        OfficerCommand::SetUnit { officer_id, unit, none: _ } => {
            let officer = parse_officer(&officer_id)?;
            let (shown, shown_unit) = (officer.clone(), unit.clone());
            let version = with_signing_key(data_dir, OpenMode::MustExist, async move |store, key| {
                store.set_officer_units(vec![(officer, unit)], key, Utc::now()).await
            })?;
            let json = serde_json::json!({ "officer": shown, "unit": shown_unit, "registry_version": version });
            print(ctx.json, &json, |_| match &shown_unit {
                Some(unit) => format!(
                    "{shown} is of {unit} (registry version {version}); devices serving {unit} sign them in from their next sync, others no longer hold their PIN"
                ),
                None => format!("{shown} has no unit (registry version {version}); no device signs them in"),
            });
            Ok(())
        }
        OfficerCommand::SetPin { officer_id } => {
            let officer = parse_officer(&officer_id)?;
            let pin = read_pin(&officer)?;
            let verifier = admin::pin_verifier(&pin).map_err(Failure::invalid)?;
            drop(pin);
            let shown = officer.clone();
            let version = with_signing_key(data_dir, OpenMode::MustExist, async move |store, key| {
                store.set_officer_pins(vec![(officer, verifier)], key, Utc::now()).await
            })?;
            print(ctx.json, &serde_json::json!({ "officer": shown, "registry_version": version }), |_| {
                format!("PIN set for {shown} (registry version {version}); devices learn it at their next sync")
            });
            Ok(())
        }
        OfficerCommand::List => {
            let officers = with_store(data_dir, OpenMode::MustExist, async |store| store.officers().await)?;
            print(ctx.json, &officers, |list| {
                if list.is_empty() {
                    return "no officers yet; issuing a certificate registers its holder".into();
                }
                list.iter()
                    .map(|o| {
                        let pin = if o.has_pin { "PIN set" } else { "no PIN" };
                        let unit = o.unit.as_deref().unwrap_or("no unit");
                        format!("{}  {}  {unit}  {pin}  certificates {}", o.officer, o.name, o.certificates.join(", "))
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
    }
}

fn parse_officer(officer_id: &str) -> Result<OfficerId, Failure> {
    OfficerId::parse(officer_id).map_err(|_| {
        Failure::invalid(format!("'{officer_id}' is not an officer id; use the staff number, e.g. JC-0107 (`fieldcase bureau officer list` shows them)"))
    })
}

/// The PIN, one line of standard input. It is never echoed back or printed.
fn read_pin(officer: &OfficerId) -> Result<String, Failure> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("PIN for {officer} (6-12 digits), then Enter: ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).map_err(|e| Failure {
        exit: 1,
        code: ErrorCode::InvalidInput,
        message: format!("cannot read the PIN from standard input: {e}"),
    })?;
    let pin = line.trim().to_owned();
    if pin.is_empty() {
        return Err(Failure::invalid(
            "no PIN on standard input; pipe it in, e.g. `printf '%s\\n' \"$PIN\" | fieldcase bureau officer set-pin JC-0107`",
        ));
    }
    Ok(pin)
}
