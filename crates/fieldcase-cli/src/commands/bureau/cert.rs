//! `fieldcase bureau cert …`: the certificate registry, administered on the bureau's data
//! directory: issue, renew, suspend, reinstate, revoke, import, list, history and QR cards.
//! Every change publishes a signed registry version to the devices' feed.

use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::{Args, Subcommand};
use serde::Serialize;

use fieldcase_bureau::certificates::{CertificateAction, CertificateFields};
use fieldcase_bureau::{OpenMode, admin};
use fieldcase_core::ErrorCode;
use fieldcase_core::registry::KeyId;

use super::cert_text::{change_line, history_line, status_word};
use super::qr_png::write_qr_png;
use super::store::{with_signing_key, with_store};
use crate::commands::Context;
use crate::output::{Failure, print};

#[derive(Debug, Subcommand)]
pub enum BureauCertCommand {
    /// Issue a certificate (active at once) and publish it to the devices
    Issue(IssueArgs),
    /// Give a certificate a later last day of validity (needs --valid-until)
    Renew(ActionArgs),
    /// Suspend an active certificate (needs --reason)
    Suspend(ActionArgs),
    /// Lift a suspension (a revoked certificate is never reinstated)
    Reinstate(ActionArgs),
    /// Revoke a certificate for good (needs --reason)
    Revoke(ActionArgs),
    /// Issue every certificate of a CSV file, all or none; prints how many
    Import {
        /// UTF-8 CSV with the header number,officer_id,name,unit,areas,valid_from,valid_until (areas separated by ';')
        file: PathBuf,
    },
    /// The certificates as they stand
    List,
    /// What happened to a certificate (or to all), oldest first
    History {
        /// The certificate number [default: every certificate]
        number: Option<String>,
    },
    /// Write the QR code for a certificate card (a credential signed by the bureau) as PNG; prints the credential text
    Qr {
        number: String,
        /// The PNG file to write
        #[arg(long, value_name = "FILE.png")]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The number printed on the card, e.g. 33010620240107
    #[arg(long)]
    pub number: String,
    /// The holder's staff number, e.g. JC-0107
    #[arg(long, value_name = "ID")]
    pub officer_id: String,
    /// The holder's name as printed on the card
    #[arg(long)]
    pub name: String,
    /// The issuing unit, e.g. 杭州市西湖区人力资源和社会保障局
    #[arg(long)]
    pub unit: String,
    /// An enforcement area, e.g. 劳动保障监察 (repeat for more)
    #[arg(long = "area", value_name = "AREA", required = true)]
    pub areas: Vec<String>,
    /// First day of validity, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub valid_from: String,
    /// Last day of validity, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    pub valid_until: String,
}

#[derive(Debug, Args)]
pub struct ActionArgs {
    /// The certificate number
    pub number: String,
    /// Why (required to suspend or revoke); kept in the certificate's history
    #[arg(long)]
    pub reason: Option<String>,
    /// The new last day of validity, YYYY-MM-DD (renew only)
    #[arg(long, value_name = "DATE")]
    pub valid_until: Option<String>,
}

fn usage(message: impl Into<String>) -> Failure {
    Failure { exit: 2, code: ErrorCode::Usage, message: message.into() }
}

/// Who acts, for the certificate's history: the command line and the operating-system user.
fn actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

pub(super) fn run(ctx: &Context, data_dir: &Path, cmd: BureauCertCommand) -> Result<(), Failure> {
    match cmd {
        BureauCertCommand::Issue(args) => {
            let fields = CertificateFields {
                number: args.number,
                officer_id: args.officer_id,
                name: args.name,
                unit: args.unit,
                areas: args.areas,
                valid_from: args.valid_from,
                valid_until: args.valid_until,
            };
            let new = fields.parse().map_err(Failure::invalid)?;
            act(ctx, data_dir, CertificateAction::Issue(new))
        }
        BureauCertCommand::Renew(args) => {
            let Some(valid_until) = args.valid_until.as_deref() else {
                return Err(usage("renew needs --valid-until YYYY-MM-DD, the new last day of validity"));
            };
            act(
                ctx,
                data_dir,
                CertificateAction::renew(&args.number, valid_until, args.reason).map_err(Failure::invalid)?,
            )
        }
        BureauCertCommand::Suspend(args) => {
            only_renew_dates(&args, "suspend")?;
            needs_reason(&args, "suspend")?;
            act(
                ctx,
                data_dir,
                CertificateAction::suspend(&args.number, args.reason.as_deref()).map_err(Failure::invalid)?,
            )
        }
        BureauCertCommand::Reinstate(args) => {
            only_renew_dates(&args, "reinstate")?;
            act(ctx, data_dir, CertificateAction::reinstate(&args.number, args.reason).map_err(Failure::invalid)?)
        }
        BureauCertCommand::Revoke(args) => {
            only_renew_dates(&args, "revoke")?;
            needs_reason(&args, "revoke")?;
            act(
                ctx,
                data_dir,
                CertificateAction::revoke(&args.number, args.reason.as_deref()).map_err(Failure::invalid)?,
            )
        }
        BureauCertCommand::Import { file } => {
            let bytes = std::fs::read(&file).map_err(|e| Failure {
                exit: 1,
                code: ErrorCode::Io,
                message: format!("cannot read {}: {e}", file.display()),
            })?;
            let changes = with_signing_key(data_dir, OpenMode::CreateIfMissing, async move |store, key| {
                admin::import_certificates(store, key, &bytes, actor(), Utc::now()).await
            })
            .map_err(|f| Failure { message: format!("{}: {}", file.display(), f.message), ..f })?;
            let report = ImportReport {
                imported: changes.events.len(),
                registry_version: changes.registry_version,
                numbers: changes.events.iter().map(|e| e.number.clone()).collect(),
            };
            print(ctx.json, &report, |r| {
                format!(
                    "imported {} certificates from {} (registry version {})",
                    r.imported,
                    file.display(),
                    r.registry_version
                )
            });
            Ok(())
        }
        BureauCertCommand::List => {
            let list = with_store(data_dir, OpenMode::MustExist, async |store| store.certificates().await)?;
            print(ctx.json, &list, |list| {
                if list.is_empty() {
                    return "no certificates yet; `fieldcase bureau cert issue` or `fieldcase bureau cert import FILE.csv` adds them".into();
                }
                list.iter()
                    .map(|r| {
                        let c = &r.certificate;
                        format!(
                            "{}  {:<9}  {}  {}  {} to {}  {}  {}",
                            c.number,
                            status_word(c.status),
                            c.holder,
                            c.holder_name,
                            c.valid_from,
                            c.valid_until,
                            c.areas.join(";"),
                            c.issuing_unit
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
        BureauCertCommand::History { number } => {
            let asked = number.clone();
            let history =
                with_store(data_dir, OpenMode::MustExist, async move |store| store.certificate_history(number).await)?;
            if history.is_empty()
                && let Some(number) = asked
            {
                return Err(Failure {
                    exit: 1,
                    code: ErrorCode::NotFound,
                    message: fieldcase_bureau::certificates::Refusal::unknown_certificate(&number).message,
                });
            }
            print(ctx.json, &history, |h| {
                if h.is_empty() {
                    return "no certificates yet".into();
                }
                h.iter().map(history_line).collect::<Vec<_>>().join("\n")
            });
            Ok(())
        }
        BureauCertCommand::Qr { number, out } => {
            let credential = with_signing_key(data_dir, OpenMode::MustExist, async move |store, key| {
                admin::credential(store, key, &number).await
            })?;
            let text = credential.encode();
            write_qr_png(&text, &out)?;
            let shown = QrReport {
                number: credential.claims.number.clone(),
                credential: text.clone(),
                file: out.display().to_string(),
                key_id: credential.claims.key_id.clone(),
            };
            print(ctx.json, &shown, |_| text.clone());
            if !ctx.json {
                eprintln!(
                    "wrote the QR code of certificate {} to {} (signed with key {})",
                    shown.number, shown.file, shown.key_id
                );
            }
            Ok(())
        }
    }
}

#[derive(Debug, Serialize)]
struct ImportReport {
    imported: usize,
    registry_version: u64,
    numbers: Vec<String>,
}

#[derive(Debug, Serialize)]
struct QrReport {
    number: String,
    credential: String,
    file: String,
    key_id: KeyId,
}

fn only_renew_dates(args: &ActionArgs, action: &str) -> Result<(), Failure> {
    if args.valid_until.is_some() {
        return Err(usage(format!("--valid-until belongs to renew; {action} changes the status only")));
    }
    Ok(())
}

fn needs_reason(args: &ActionArgs, action: &str) -> Result<(), Failure> {
    if args.reason.is_none() {
        return Err(usage(format!(
            "{action} needs --reason, e.g. the decision's number; it goes into the certificate's history"
        )));
    }
    Ok(())
}

/// One action on one certificate.
fn act(ctx: &Context, data_dir: &Path, action: CertificateAction) -> Result<(), Failure> {
    let event = with_signing_key(data_dir, OpenMode::CreateIfMissing, async move |store, key| {
        admin::change_certificate(store, key, action, actor(), Utc::now()).await
    })?;
    print(ctx.json, &event, change_line);
    Ok(())
}
