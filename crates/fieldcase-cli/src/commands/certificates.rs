//! `fieldcase bureau cert | officer | key …`: the certificate registry, officers' PINs and the
//! bureau's signing key, administered on the bureau's data directory. Every change publishes a
//! signed registry version (or key rotation) to the devices' feed.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::{Args, Subcommand};
use qrcode::{Color, EcLevel, QrCode};
use serde::Serialize;

use fieldcase_core::ErrorCode;
use fieldcase_bureau::certificates::{CertificateAction, CertificateEvent, CertificateFields, HistoryAction};
use fieldcase_bureau::{OpenMode, admin, keys};
use fieldcase_core::ids::OfficerId;
use fieldcase_core::registry::KeyId;
use fieldcase_core::time::format_beijing;

use super::Context;
use super::bureau::{with_signing_key, with_store};
use crate::output::{Failure, print};

#[derive(Debug, Subcommand)]
pub enum CertCommand {
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

#[derive(Debug, Subcommand)]
pub enum OfficerCommand {
    /// Set an officer's sign-in PIN, read from standard input (4-12 digits); only a verifier is kept
    SetPin {
        /// The officer's staff number, e.g. JC-0107
        officer_id: String,
    },
    /// The officers the registry knows
    List,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Make a new signing key; the old key vouches for it in the devices' feed
    Rotate,
    /// The bureau's signing keys, the active one and those retired
    List,
}

fn usage(message: impl Into<String>) -> Failure {
    Failure { exit: 2, code: ErrorCode::Usage, message: message.into() }
}

fn invalid(e: impl std::fmt::Display) -> Failure {
    Failure { exit: 1, code: ErrorCode::InvalidInput, message: e.to_string() }
}

/// Who acts, for the certificate's history: the command line and the operating-system user.
fn actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}

pub fn cert(ctx: &Context, data_dir: &Path, cmd: CertCommand) -> Result<(), Failure> {
    match cmd {
        CertCommand::Issue(args) => {
            let fields = CertificateFields {
                number: args.number,
                officer_id: args.officer_id,
                name: args.name,
                unit: args.unit,
                areas: args.areas,
                valid_from: args.valid_from,
                valid_until: args.valid_until,
            };
            let new = fields.parse().map_err(invalid)?;
            act(ctx, data_dir, CertificateAction::Issue(new))
        }
        CertCommand::Renew(args) => {
            let Some(valid_until) = args.valid_until.as_deref() else {
                return Err(usage("renew needs --valid-until YYYY-MM-DD, the new last day of validity"));
            };
            act(ctx, data_dir, CertificateAction::renew(&args.number, valid_until, args.reason).map_err(invalid)?)
        }
        CertCommand::Suspend(args) => {
            only_renew_dates(&args, "suspend")?;
            needs_reason(&args, "suspend")?;
            act(ctx, data_dir, CertificateAction::suspend(&args.number, args.reason.as_deref()).map_err(invalid)?)
        }
        CertCommand::Reinstate(args) => {
            only_renew_dates(&args, "reinstate")?;
            act(ctx, data_dir, CertificateAction::reinstate(&args.number, args.reason).map_err(invalid)?)
        }
        CertCommand::Revoke(args) => {
            only_renew_dates(&args, "revoke")?;
            needs_reason(&args, "revoke")?;
            act(ctx, data_dir, CertificateAction::revoke(&args.number, args.reason.as_deref()).map_err(invalid)?)
        }
        CertCommand::Import { file } => {
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
        CertCommand::List => {
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
        CertCommand::History { number } => {
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
        CertCommand::Qr { number, out } => {
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

fn status_word(status: fieldcase_core::certificate::CertificateStatus) -> &'static str {
    match status {
        fieldcase_core::certificate::CertificateStatus::Active => "active",
        fieldcase_core::certificate::CertificateStatus::Suspended => "suspended",
        fieldcase_core::certificate::CertificateStatus::Revoked => "revoked",
    }
}

fn history_line(e: &CertificateEvent) -> String {
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

/// One action on one certificate.
fn act(ctx: &Context, data_dir: &Path, action: CertificateAction) -> Result<(), Failure> {
    let event = with_signing_key(data_dir, OpenMode::CreateIfMissing, async move |store, key| {
        admin::change_certificate(store, key, action, actor(), Utc::now()).await
    })?;
    print(ctx.json, &event, |e| {
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
    });
    Ok(())
}

/// A QR code as a greyscale PNG: 8 pixels a module, with the four-module quiet zone readers need.
fn write_qr_png(text: &str, out: &Path) -> Result<(), Failure> {
    let fail = |message: String| Failure { exit: 1, code: ErrorCode::QrFailed, message };
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| fail(format!("the credential does not fit a QR code: {e}")))?;
    const SCALE: usize = 8;
    const QUIET: usize = 4;
    let modules = code.width();
    let side = (modules + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color != Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + QUIET, i / modules + QUIET);
        for y in my * SCALE..(my + 1) * SCALE {
            pixels[y * side + mx * SCALE..y * side + (mx + 1) * SCALE].fill(0);
        }
    }
    let file = std::fs::File::create(out).map_err(|e| fail(format!("cannot write {}: {e}", out.display())))?;
    let side = u32::try_from(side).map_err(|_| fail("the QR code is too large".into()))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let png_fail = |e: png::EncodingError| fail(format!("cannot write {}: {e}", out.display()));
    let mut writer = encoder.write_header().map_err(png_fail)?;
    writer.write_image_data(&pixels).map_err(png_fail)?;
    writer.finish().map_err(png_fail)
}

pub fn officer(ctx: &Context, data_dir: &Path, cmd: OfficerCommand) -> Result<(), Failure> {
    match cmd {
        OfficerCommand::SetPin { officer_id } => {
            let officer = OfficerId::parse(&officer_id).map_err(|_| {
                invalid(format!("'{officer_id}' is not an officer id; use the staff number, e.g. JC-0107 (`fieldcase bureau officer list` shows them)"))
            })?;
            let pin = read_pin(&officer)?;
            let verifier = admin::pin_verifier(&pin).map_err(invalid)?;
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
                        format!("{}  {}  {pin}  certificates {}", o.officer, o.name, o.certificates.join(", "))
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
    }
}

/// The PIN, one line of standard input. It is never echoed back or printed.
fn read_pin(officer: &OfficerId) -> Result<String, Failure> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("PIN for {officer} (4-12 digits), then Enter: ");
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
        return Err(invalid(
            "no PIN on standard input; pipe it in, e.g. `printf '%s\\n' \"$PIN\" | fieldcase bureau officer set-pin JC-0107`",
        ));
    }
    Ok(pin)
}

pub fn key(ctx: &Context, data_dir: &Path, cmd: KeyCommand) -> Result<(), Failure> {
    match cmd {
        KeyCommand::Rotate => {
            let dir = data_dir.to_owned();
            let (rotation, new) = with_store(data_dir, OpenMode::MustExist, async move |store| {
                keys::rotate(&dir, store, Utc::now()).await
            })?;
            let report = serde_json::json!({
                "old_key_id": rotation.old_key_id,
                "new_key_id": KeyId::of(&new.public_key()),
                "new_public_key": new.public_key(),
                "issued_at": rotation.issued_at,
            });
            print(ctx.json, &report, |_| {
                format!(
                    "rotated the bureau's signing key: {} retired, {} active\nnew public key {}\nthe old key's signature over the new one is in the devices' feed; registry versions and certificate cards are signed with the new key from now on",
                    rotation.old_key_id,
                    KeyId::of(&new.public_key()),
                    new.public_key()
                )
            });
            Ok(())
        }
        KeyCommand::List => {
            let list = with_signing_key(data_dir, OpenMode::MustExist, async |store, _key| store.signing_keys().await)?;
            print(ctx.json, &list, |list| {
                list.iter()
                    .map(|k| {
                        let state = match k.retired_at {
                            Some(at) => format!("retired {}", format_beijing(at)),
                            None => "active".into(),
                        };
                        format!("{}  {}  since {}  {}", k.key_id, state, format_beijing(k.created_at), k.public_key)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
    }
}
