//! The command-line contract.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "fieldcase",
    version,
    about = "Labor-security inspections in the field: records, evidence, certificates"
)]
pub struct Cli {
    /// The device's data directory [default: the platform data directory, e.g. ~/.local/share/fieldcase]
    #[arg(long, global = true, env = "FIELDCASE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Print machine-readable JSON instead of text
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Employers and construction projects
    #[command(subcommand)]
    Site(SiteCommand),
    /// Inspections: drafts, answers, finalizing, corrections
    #[command(subcommand)]
    Inspection(InspectionCommand),
    /// The on-site inspection record (现场检查笔录) of a finalized inspection
    #[command(subcommand)]
    Record(crate::commands::record::RecordCommand),
    /// The device's audit chain
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Body-cam recordings and photos: import into an inspection, list, verify, custody
    #[command(subcommand)]
    Evidence(crate::commands::evidence::EvidenceCommand),
    /// Body-cams: the check before an inspection (battery, storage, clock)
    #[command(subcommand)]
    Recorder(crate::commands::evidence::RecorderCommand),
    /// This device and the bureau: enrollment and sync
    #[command(subcommand)]
    Device(crate::commands::device::DeviceCommand),
    /// The bureau server: run it, and administer it on its data directory
    #[command(subcommand)]
    Bureau(crate::commands::bureau::BureauCommand),
    /// Enforcement certificates: check one on this device
    #[command(subcommand)]
    Cert(crate::commands::cert::DeviceCertCommand),
    /// Sign an officer in on this device (the PIN is read from standard input)
    Signin { officer_id: String },
    /// Sign the officer out
    Signout,
    /// Who is signed in, and the registry copy held
    Whoami,
    /// Demonstration data for trying the app
    #[command(subcommand)]
    Demo(DemoCommand),
    /// This device: id, public key, data directory
    Info,
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Record a site
    Add(SiteAdd),
    /// List the sites
    List,
}

#[derive(Debug, Args)]
pub struct SiteAdd {
    /// The employer's registered name, as on its business licence
    #[arg(long)]
    pub name: String,
    /// Unified social credit code (统一社会信用代码), 18 characters
    #[arg(long)]
    pub uscc: String,
    #[arg(long)]
    pub address: Option<String>,
    /// The construction project's name
    #[arg(long)]
    pub project: Option<String>,
    /// The general contractor (施工总承包单位)
    #[arg(long)]
    pub contractor: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum InspectionCommand {
    /// Start a draft inspection; prints its id
    New {
        /// The site's id or unified social credit code
        #[arg(long)]
        site: String,
        /// Checklist template id [default: construction-wage]
        #[arg(long)]
        template: Option<String>,
        /// Where on the site
        #[arg(long)]
        location: Option<String>,
    },
    /// Answer a checklist item of a draft: yes, no or na; a number; or text
    Answer { id: String, item: String, value: String },
    /// Add a finding in your own words to a draft
    Finding { id: String, text: String },
    /// Write a note on a checklist item of a draft (an empty TEXT removes it)
    Note { id: String, item: String, text: String },
    /// Raise a finding from an item answered "no" (or reword it); it carries the item's legal basis
    Raise { id: String, item: String, text: String },
    /// Withdraw the finding raised from an item whose answer stays "no"
    Withdraw { id: String, item: String },
    /// Seal a draft: checks the rules, hashes and signs it; it cannot change afterwards
    Finalize {
        id: String,
        /// The outcome [default: no-violation when nothing was found]
        #[arg(long, value_enum)]
        outcome: Option<OutcomeArg>,
        /// Rectification deadline (YYYY-MM-DD), with --outcome rectification
        #[arg(long, value_name = "DATE")]
        deadline: Option<chrono::NaiveDate>,
    },
    /// Start a correction of a finalized inspection (a new version superseding it)
    Correct { id: String },
    /// List the inspections, newest first
    List,
    /// Show one inspection
    Show { id: String },
    /// Write why nothing was recorded in a gap of a draft's recordings (`inspection show` lists the gaps)
    GapReason { id: String, gap_id: String, text: String },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutcomeArg {
    NoViolation,
    Rectification,
    CaseFiled,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the audit chain; exit 0 when it holds, else name the first entry that does not
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Fill the data directory with demonstration sites and inspections (once)
    Seed,
}
