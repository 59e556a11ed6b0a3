//! One module per group of subcommands; each opens the device it needs and prints.

pub mod bureau;
pub mod cert;
mod demo;
pub mod device;
pub mod evidence;
pub mod evidence_uploads;
mod inspection;
mod officer_session;
pub mod record;
mod site;

use std::path::PathBuf;

use fieldcase_device::{Device, DeviceSettings, OpenMode, default_data_dir};

use crate::cli::{AuditCommand, Cli, Command, DemoCommand};
use crate::output::{Failure, print};

/// What a command needs from the global options.
pub struct Context {
    pub data_dir: PathBuf,
    pub json: bool,
}

impl Context {
    pub fn open(&self, mode: OpenMode) -> Result<Device, Failure> {
        Ok(Device::open_with(&self.data_dir, mode, &DeviceSettings::from_env()?)?)
    }
}

pub fn run(cli: Cli) -> Result<(), Failure> {
    let ctx = Context { data_dir: cli.data_dir.unwrap_or_else(default_data_dir), json: cli.json };
    match cli.command {
        Command::Site(cmd) => site::run(&ctx, cmd),
        Command::Inspection(cmd) => inspection::run(&ctx, cmd),
        Command::Record(cmd) => record::run(&ctx, cmd),
        Command::Audit(AuditCommand::Verify) => {
            let report = ctx.open(OpenMode::MustExist)?.verify_audit()?;
            print(ctx.json, &report, |r| {
                format!("audit chain holds: {} entries, last hash {}", r.entries, r.last_hash.as_deref().unwrap_or("-"))
            });
            Ok(())
        }
        Command::Device(cmd) => device::run(&ctx, cmd),
        Command::Evidence(cmd) => evidence::run(&ctx, cmd),
        Command::Recorder(cmd) => evidence::recorder(&ctx, cmd),
        Command::Cert(cert::DeviceCertCommand::Check(args)) => cert::check(&ctx, args),
        Command::Signin { officer_id } => officer_session::sign_in(&ctx, &officer_id),
        Command::Signout => officer_session::sign_out(&ctx),
        Command::Whoami => officer_session::who_am_i(&ctx),
        Command::Bureau(cmd) => bureau::run(&ctx, cmd),
        Command::Demo(DemoCommand::Seed) => demo::seed(&ctx),
        Command::Info => {
            let info = ctx.open(OpenMode::CreateIfMissing)?.info();
            print(ctx.json, &info, |i| {
                format!(
                    "fieldcase {}\ndevice     {}\npublic key {}\ndata dir   {}",
                    i.version, i.device_id, i.public_key, i.data_dir
                )
            });
            Ok(())
        }
    }
}

/// Parses an id argument, or fails saying which kind was expected.
pub fn parse_id<T: std::str::FromStr<Err = fieldcase_core::ids::IdParseError>>(text: &str) -> Result<T, Failure> {
    text.parse().map_err(|e: fieldcase_core::ids::IdParseError| Failure::invalid(e))
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM: long-running commands stop after their current
/// step; everything done is already stored.
pub(crate) async fn stop_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
