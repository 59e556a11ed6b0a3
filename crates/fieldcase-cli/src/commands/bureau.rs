//! `fieldcase bureau …`: run the bureau server, and administer it on its data directory
//! (SQLite's WAL lets these commands run beside a running server).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::{Duration, Utc};
use clap::Subcommand;

use fieldcase_core::ErrorCode;
use fieldcase_core::inspection::Outcome;
use fieldcase_bureau::certificates::RefusalKind;
use fieldcase_bureau::store::{BureauStore, ReviewScope, StoreError};
use fieldcase_bureau::{Bureau, BureauError, Config, OpenMode, admin, keys, open_store};
use fieldcase_core::ids::DeviceId;
use fieldcase_core::signing::SecretKey;
use fieldcase_core::time::format_beijing;
use fieldcase_device::default_data_dir;

use super::{Context, parse_id};
use crate::output::{Failure, print};

#[derive(Debug, Subcommand)]
pub enum BureauCommand {
    /// Run the bureau server until stopped (Ctrl-C or SIGTERM); prints "listening on http://ADDR"
    Serve {
        /// Address to listen on [default: 127.0.0.1:8787, or `listen` in bureau.toml, or FIELDCASE_LISTEN]
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Settings file [default: bureau.toml in the data directory, if there is one]
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Make a one-time enrollment code for an officer's device; prints the code
    EnrollCode {
        /// Who or what the code is for, e.g. the officer's name
        #[arg(long)]
        label: Option<String>,
        /// How long the code works: 30m, 24h, 7d
        #[arg(long, default_value = "24h", value_name = "DURATION", value_parser = parse_duration)]
        expires_in: Duration,
    },
    /// The enrolled devices
    Devices,
    /// Stop a device from syncing; it must enroll again with a new code
    RevokeDevice {
        /// The device's id, as `fieldcase bureau devices` lists it
        id: String,
    },
    /// Inspections received from devices, newest first
    Inspections,
    /// The site directory
    Sites,
    /// Pushed records waiting for a person: conflicts, rejections, flags
    Reviews {
        /// Include the items already settled
        #[arg(long)]
        all: bool,
    },
    /// Add demonstration sites, certificates and officers' PINs (once; running it again adds nothing)
    SeedDemo,
    /// Enforcement certificates: issue, renew, suspend, reinstate, revoke, import, list, QR codes
    #[command(subcommand)]
    Cert(super::certificates::CertCommand),
    /// Officers: sign-in PINs
    #[command(subcommand)]
    Officer(super::certificates::OfficerCommand),
    /// The bureau's signing key
    #[command(subcommand)]
    Key(super::certificates::KeyCommand),
    /// Make a token for the administrators' API (/api/v1/admin); prints it once, the bureau keeps only its hash
    AdminToken {
        /// Who or what the token is for
        #[arg(long)]
        label: Option<String>,
    },
}

pub fn run(ctx: &Context, cmd: BureauCommand) -> Result<(), Failure> {
    let data_dir = bureau_data_dir(ctx);
    match cmd {
        BureauCommand::Serve { listen, config } => serve(data_dir, listen, config),
        BureauCommand::EnrollCode { label, expires_in } => {
            let issued = with_store(&data_dir, OpenMode::CreateIfMissing, async move |store| {
                admin::create_enrollment_code(store, label, expires_in, Utc::now()).await
            })?;
            print(ctx.json, &issued, |c| c.code.clone());
            Ok(())
        }
        BureauCommand::Devices => {
            let devices = with_store(&data_dir, OpenMode::MustExist, async |store| store.devices().await)?;
            print(ctx.json, &devices, |devices| {
                if devices.is_empty() {
                    return "no devices enrolled yet; make a code for one with `fieldcase bureau enroll-code`".into();
                }
                devices
                    .iter()
                    .map(|d| {
                        format!(
                            "{}  {}  enrolled {}  last seen {}  {}",
                            d.device_id,
                            d.label.as_deref().unwrap_or("-"),
                            format_beijing(d.enrolled_at),
                            d.last_seen.map_or_else(|| "never".into(), format_beijing),
                            d.revoked_at
                                .map_or_else(|| "active".into(), |at| format!("revoked {}", format_beijing(at))),
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
        BureauCommand::RevokeDevice { id } => {
            let id: DeviceId = parse_id(&id)?;
            let device = with_store(&data_dir, OpenMode::MustExist, async move |store| {
                store.revoke_device(id, Utc::now()).await
            })?;
            print(ctx.json, &device, |d| {
                format!(
                    "device {} revoked: its token no longer works; it syncs again only after enrolling with a new code",
                    d.device_id
                )
            });
            Ok(())
        }
        BureauCommand::Inspections => {
            let inspections = with_store(&data_dir, OpenMode::MustExist, async |store| store.inspections().await)?;
            print(ctx.json, &inspections, |list| {
                if list.is_empty() {
                    return "no inspections received yet".into();
                }
                list.iter()
                    .map(|i| {
                        let review = if i.needs_review {
                            let details: String = i.review_details.iter().map(|d| format!("\n    {d}")).collect();
                            format!(
                                "  needs review ({}){details}",
                                i.review_reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
                            )
                        } else {
                            String::new()
                        };
                        format!(
                            "{}  {}  {}  {}  from {}{review}",
                            i.id,
                            format_beijing(i.started_at),
                            i.site_name.as_deref().unwrap_or("(site not received yet)"),
                            i.outcome.as_ref().map_or("-", Outcome::name),
                            i.device_label.clone().unwrap_or_else(|| i.device_id.to_string()),
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
        BureauCommand::Sites => {
            let sites = with_store(&data_dir, OpenMode::MustExist, async |store| store.sites().await)?;
            print(ctx.json, &sites, |sites| {
                if sites.is_empty() {
                    return "the site directory is empty; `fieldcase bureau seed-demo` adds demonstration sites".into();
                }
                sites
                    .iter()
                    .map(|s| {
                        let project = s.site.project_name.as_deref().map(|p| format!(" · {p}")).unwrap_or_default();
                        let joined = match s.aliases.len() {
                            0 => String::new(),
                            n => format!("  ({n} device record(s) joined)"),
                        };
                        format!("{}  {}  {}{project}{joined}", s.site.id, s.site.uscc, s.site.name)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
        BureauCommand::Reviews { all } => {
            let scope = if all { ReviewScope::All } else { ReviewScope::Open };
            let reviews = with_store(&data_dir, OpenMode::MustExist, async move |store| store.reviews(scope).await)?;
            print(ctx.json, &reviews, |reviews| {
                if reviews.is_empty() {
                    return "nothing waits for review".into();
                }
                reviews
                    .iter()
                    .map(|r| {
                        let settled =
                            r.resolved_at.map(|at| format!("  settled {}", format_beijing(at))).unwrap_or_default();
                        format!(
                            "#{}  {}  {} {}  from device {}  pushed {}×, last {}{settled}\n    {}",
                            r.id,
                            r.reason.as_str(),
                            r.kind,
                            r.item_id,
                            r.device_id,
                            r.times,
                            format_beijing(r.last_received_at),
                            r.detail
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
        BureauCommand::SeedDemo => {
            let report = with_signing_key(&data_dir, OpenMode::CreateIfMissing, async |store, key| {
                admin::seed_demo(store, key, Utc::now()).await
            })?;
            print(ctx.json, &report, |r| {
                let sites = match (r.added.len(), r.already_there) {
                    (0, _) => "the demonstration sites are already in the directory; nothing added".to_owned(),
                    (n, 0) => format!("added {n} demonstration sites to the directory"),
                    (n, m) => format!("added {n} demonstration sites to the directory ({m} were already there)"),
                };
                let certificates = match r.certificates_added.len() {
                    0 => "the demonstration certificates are already in the registry".to_owned(),
                    n => format!(
                        "added {n} demonstration certificates to the registry ({})",
                        r.certificates_added.join(", ")
                    ),
                };
                let pins = match r.pins_set.len() {
                    0 => String::new(),
                    _ => format!(
                        "\nset the demonstration PINs of {}",
                        admin::DEMO_PINS
                            .iter()
                            .map(|(officer, pin)| format!("{officer} ({pin})"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                format!("{sites}\n{certificates}{pins}")
            });
            Ok(())
        }
        BureauCommand::Cert(cmd) => super::certificates::cert(ctx, &data_dir, cmd),
        BureauCommand::Officer(cmd) => super::certificates::officer(ctx, &data_dir, cmd),
        BureauCommand::Key(cmd) => super::certificates::key(ctx, &data_dir, cmd),
        BureauCommand::AdminToken { label } => {
            let token = with_store(&data_dir, OpenMode::CreateIfMissing, async move |store| {
                admin::create_admin_token(store, label, Utc::now()).await
            })?;
            print(ctx.json, &serde_json::json!({ "token": token }), |_| token.clone());
            Ok(())
        }
    }
}

/// The bureau's data directory: `--data-dir` (FIELDCASE_DATA_DIR) when given, else the
/// platform's data directory's `fieldcase-bureau` (beside the device's `fieldcase`).
pub(super) fn bureau_data_dir(ctx: &Context) -> PathBuf {
    let device_default = default_data_dir();
    if ctx.data_dir == device_default {
        device_default.with_file_name("fieldcase-bureau")
    } else {
        ctx.data_dir.clone()
    }
}

pub(super) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| Failure {
        exit: 1,
        code: ErrorCode::Internal,
        message: format!("cannot start the bureau's runtime: {e}"),
    })
}

/// Runs one administration call on the bureau's store, with the bureau's signing key (agreed
/// with the database; made if a new bureau has none).
pub(super) fn with_signing_key<T, E>(
    data_dir: &std::path::Path,
    mode: OpenMode,
    f: impl AsyncFnOnce(&dyn BureauStore, &SecretKey) -> Result<T, E>,
) -> Result<T, Failure>
where
    BureauError: From<E>,
{
    let config = Config::load(data_dir, None).map_err(BureauError::Config)?;
    runtime()?.block_on(async move {
        let store = open_store(&config, mode).await?;
        let key = keys::current(&config.data_dir, store.as_ref(), Utc::now()).await?;
        Ok(f(store.as_ref(), &key).await.map_err(BureauError::from)?)
    })
}

/// Runs one administration call on the bureau's store.
pub(super) fn with_store<T, E>(
    data_dir: &std::path::Path,
    mode: OpenMode,
    f: impl AsyncFnOnce(&dyn BureauStore) -> Result<T, E>,
) -> Result<T, Failure>
where
    BureauError: From<E>,
{
    let config = Config::load(data_dir, None).map_err(BureauError::Config)?;
    runtime()?.block_on(async move {
        let store = open_store(&config, mode).await?;
        Ok(f(store.as_ref()).await.map_err(BureauError::from)?)
    })
}

fn serve(data_dir: PathBuf, listen: Option<SocketAddr>, config_file: Option<PathBuf>) -> Result<(), Failure> {
    init_logging();
    let mut config = Config::load(&data_dir, config_file.as_deref()).map_err(BureauError::from)?;
    if let Some(listen) = listen {
        config.listen = listen;
    }
    runtime()?.block_on(async move {
        let bureau = Bureau::open(config).await?;
        let wanted = bureau.config().listen;
        let listener = tokio::net::TcpListener::bind(wanted).await.map_err(|e| Failure {
            exit: 1,
            code: ErrorCode::Serve,
            message: format!("cannot listen on {wanted}: {e}; choose another address with --listen (FIELDCASE_LISTEN)"),
        })?;
        let address =
            listener.local_addr().map_err(|e| Failure { exit: 1, code: ErrorCode::Serve, message: e.to_string() })?;
        println!("listening on http://{address}");
        let _ = std::io::stdout().flush();
        bureau.serve(listener, super::stop_signal()).await?;
        Ok(())
    })
}

/// Structured logs on stderr; `FIELDCASE_LOG` (e.g. `debug`, `fieldcase_bureau=debug`)
/// chooses what, `info` by default.
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("FIELDCASE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).try_init();
}

/// `30m`, `24h`, `7d` (also `90s`).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let bad = || format!("'{text}' is not a duration such as 30m, 24h or 7d");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let duration = match unit {
        "s" => Duration::try_seconds(n),
        "m" => Duration::try_minutes(n),
        "h" => Duration::try_hours(n),
        "d" => Duration::try_days(n),
        _ => None,
    }
    .ok_or_else(bad)?;
    if duration <= Duration::zero() {
        return Err(format!("'{text}' is no time at all; a code must work for a while"));
    }
    Ok(duration)
}

impl From<BureauError> for Failure {
    fn from(e: BureauError) -> Self {
        let code = match &e {
            BureauError::DataDir { .. } => ErrorCode::DataDirUnusable,
            BureauError::NoData { .. } => ErrorCode::NoData,
            BureauError::Key { .. } => ErrorCode::BureauKey,
            BureauError::Config(_) | BureauError::UnsupportedDatabase => ErrorCode::ConfigInvalid,
            BureauError::Store { .. } => ErrorCode::Storage,
            BureauError::Admin(StoreError::NotFound { .. }) => ErrorCode::NotFound,
            BureauError::Admin(StoreError::Refused(r)) => match r.kind {
                RefusalKind::NotFound => ErrorCode::NotFound,
                RefusalKind::Duplicate => ErrorCode::Duplicate,
                RefusalKind::NotAllowed => ErrorCode::NotAllowed,
                RefusalKind::Invalid => ErrorCode::InvalidInput,
            },
            BureauError::Admin(StoreError::SigningKey(_)) => ErrorCode::BureauKey,
            BureauError::Admin(_) => ErrorCode::Storage,
            BureauError::Serve(_) => ErrorCode::Serve,
        };
        let message = match &e {
            BureauError::Admin(StoreError::NotFound { what: "device", id }) => {
                format!("no device '{id}' is enrolled at this bureau; `fieldcase bureau devices` lists them")
            }
            _ => e.to_string(),
        };
        Failure { exit: 1, code, message }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_officers_write_them() {
        assert_eq!(parse_duration("30m"), Ok(Duration::minutes(30)));
        assert_eq!(parse_duration("24h"), Ok(Duration::hours(24)));
        assert_eq!(parse_duration("7d"), Ok(Duration::days(7)));
        assert!(parse_duration("0h").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("12").is_err(), "a number without a unit is ambiguous");
        assert!(parse_duration("3w").is_err());
    }
}
