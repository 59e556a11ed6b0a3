//! `fieldcase record …`: the on-site inspection record of a finalized inspection.

use std::path::PathBuf;

use clap::Subcommand;
use fieldcase_core::ids::InspectionId;
use fieldcase_device::OpenMode;
use fieldcase_device::record::pdf::RecordLang;

use super::{Context, parse_id};
use crate::output::{Failure, print};

#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    /// Write the record as an A4 PDF with the seal's hash and its QR code (drafts are refused)
    Pdf {
        id: String,
        /// Where to write the PDF
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// zh (Chinese, the default) or en
        #[arg(long, default_value = "zh")]
        lang: String,
    },
}

pub fn run(ctx: &Context, cmd: RecordCommand) -> Result<(), Failure> {
    match cmd {
        RecordCommand::Pdf { id, out, lang } => {
            let id: InspectionId = parse_id(&id)?;
            let lang = RecordLang::parse(&lang).ok_or_else(|| {
                Failure::invalid(format!("--lang {lang} is not a language of the record: use zh or en"))
            })?;
            let bytes = ctx.open(OpenMode::MustExist)?.write_record_pdf(id, lang, &out)?;
            let written = serde_json::json!({ "path": out.display().to_string(), "bytes": bytes });
            print(ctx.json, &written, |_| format!("{} ({bytes} bytes)", out.display()));
        }
    }
    Ok(())
}
