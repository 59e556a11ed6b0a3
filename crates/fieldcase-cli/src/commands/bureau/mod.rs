//! `fieldcase bureau …`: run the bureau server, and administer it on its data directory
//! (SQLite's WAL lets these commands run beside a running server).

mod access;
mod admin_token;
mod cert;
mod cert_text;
mod evidence;
mod failure;
mod key;
mod officer;
mod qr_png;
mod records;
mod serve;
mod store;
mod transfer;

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::Duration;
use clap::Subcommand;

use self::store::bureau_data_dir;
use super::Context;
use crate::output::Failure;

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
        /// A unit the device serves, e.g. 执法一队 (repeat for several): it holds the PIN verifiers of their officers only, and without a unit of none
        #[arg(long = "unit", value_name = "UNIT")]
        units: Vec<String>,
        /// How long the code works: 30m, 24h, 7d
        #[arg(long, default_value = "24h", value_name = "DURATION", value_parser = access::parse_duration)]
        expires_in: Duration,
    },
    /// The enrolled devices
    Devices,
    /// Stop a device from syncing until it is reinstated (enrolling again does not lift it)
    RevokeDevice {
        /// The device's id, as `fieldcase bureau devices` lists it
        id: String,
    },
    /// Set the units a device serves (its registry then carries the PIN verifiers of their officers only, from its next sync)
    DeviceUnit {
        /// The device's id, as `fieldcase bureau devices` lists it
        id: String,
        /// A unit it serves, e.g. 执法一队 (repeat for several)
        #[arg(long = "unit", value_name = "UNIT", required_unless_present = "none")]
        units: Vec<String>,
        /// It serves no unit: it then holds no officer's PIN verifier, and signs no one in
        #[arg(long, conflicts_with = "units")]
        none: bool,
    },
    /// Lift a device's revocation (the laptop is back in the right hands)
    ReinstateDevice {
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
    Cert(cert::BureauCertCommand),
    /// Officers: their units and sign-in PINs
    #[command(subcommand)]
    Officer(officer::OfficerCommand),
    /// Evidence files received by upload: list, custody, verify
    #[command(subcommand)]
    Evidence(evidence::EvidenceCommand),
    /// The bureau's signing key
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Bring the bureau's database (SQLite in the data directory, or PostgreSQL at database_url) to this fieldcase's schema, as starting the bureau would, and stop: for a deployment that migrates before it starts its bureau processes
    Migrate,
    /// Write every record of the bureau's SQLite database to a file, to move the bureau to PostgreSQL with `import`
    Export {
        /// The file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Load a file `export` wrote into the empty PostgreSQL database database_url names, then verify every device's audit chain there
    Import {
        /// The file `export` wrote
        #[arg(value_name = "FILE")]
        from: PathBuf,
    },
    /// Make a token for the administrators' API (/api/v1/admin), printed once (the bureau keeps only its hash); or list or revoke them
    #[command(args_conflicts_with_subcommands = true)]
    AdminToken {
        #[command(subcommand)]
        action: Option<admin_token::AdminTokenCommand>,
        /// Who or what the new token is for
        #[arg(long)]
        label: Option<String>,
        /// How long the new token works: 12h, 30d [default: 90d; at most 366d]
        #[arg(long, value_name = "DURATION", value_parser = access::parse_duration)]
        expires_in: Option<Duration>,
    },
}

pub fn run(ctx: &Context, cmd: BureauCommand) -> Result<(), Failure> {
    let data_dir = bureau_data_dir(ctx);
    match cmd {
        BureauCommand::Serve { listen, config } => serve::serve(data_dir, listen, config),
        BureauCommand::EnrollCode { label, units, expires_in } => {
            access::enroll_code(ctx, &data_dir, label, units, expires_in)
        }
        BureauCommand::DeviceUnit { id, units, none: _ } => access::device_units(ctx, &data_dir, &id, units),
        BureauCommand::Devices => access::devices(ctx, &data_dir),
        BureauCommand::RevokeDevice { id } => access::revoke_device(ctx, &data_dir, &id),
        BureauCommand::ReinstateDevice { id } => access::reinstate_device(ctx, &data_dir, &id),
        BureauCommand::Inspections => records::inspections(ctx, &data_dir),
        BureauCommand::Sites => records::sites(ctx, &data_dir),
        BureauCommand::Reviews { all } => records::reviews(ctx, &data_dir, all),
        BureauCommand::SeedDemo => records::seed_demo(ctx, &data_dir),
        BureauCommand::Cert(cmd) => cert::run(ctx, &data_dir, cmd),
        BureauCommand::Officer(cmd) => officer::run(ctx, &data_dir, cmd),
        BureauCommand::Key(cmd) => key::run(ctx, &data_dir, cmd),
        BureauCommand::Evidence(cmd) => evidence::run(ctx, &data_dir, cmd),
        BureauCommand::Migrate => transfer::migrate(ctx, &data_dir),
        BureauCommand::Export { out } => transfer::export(ctx, &data_dir, &out),
        BureauCommand::Import { from } => transfer::import(ctx, &data_dir, &from),
        BureauCommand::AdminToken { action, label, expires_in } => {
            admin_token::run(ctx, &data_dir, action, label, expires_in)
        }
    }
}
