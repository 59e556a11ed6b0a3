//! `fieldcase cert check`: an officer's enforcement certificate checked on the device,
//! against its copy of the bureau's registry.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use fieldcase_core::ErrorCode;
use fieldcase_core::certificate::CheckResult;
use fieldcase_core::time::format_beijing;
use fieldcase_device::OpenMode;
use fieldcase_device::registry::{CheckInput, CheckReport};

use super::{Context, parse_id};
use crate::output::{Failure, print};

#[derive(Debug, Subcommand)]
pub enum DeviceCertCommand {
    /// Check an officer's enforcement certificate against this device's registry copy.
    /// Exit 0 when valid, 3 for any other result.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["number", "qr_text", "qr_image"])))]
pub struct CheckArgs {
    /// The certificate number, as typed
    pub number: Option<String>,
    /// The text a scanner read from the certificate's QR code
    #[arg(long, value_name = "TEXT")]
    pub qr_text: Option<String>,
    /// A photo or screenshot of the certificate's QR code (PNG or JPEG)
    #[arg(long, value_name = "FILE")]
    pub qr_image: Option<PathBuf>,
    /// Record the check on this draft inspection
    #[arg(long, value_name = "ID")]
    pub inspection: Option<String>,
}

pub fn check(ctx: &Context, args: CheckArgs) -> Result<(), Failure> {
    // A photo is decoded before the device is opened: it can take a while, and a bad one is
    // refused without touching the data directory.
    let input = match (args.number, args.qr_text, args.qr_image) {
        (Some(number), _, _) => CheckInput::Text { text: number, scanned: false },
        (_, Some(text), _) => CheckInput::Text { text, scanned: true },
        (_, _, Some(path)) => {
            let bytes = std::fs::read(&path).map_err(|e| Failure {
                exit: 1,
                code: ErrorCode::InvalidInput,
                message: format!("cannot read {}: {e}", path.display()),
            })?;
            CheckInput::QrImage(fieldcase_device::qr::decode_qr_image(&bytes)?)
        }
        _ => unreachable!("clap requires one input"),
    };
    let inspection = args.inspection.as_deref().map(parse_id).transpose()?;
    let mut device = ctx.open(OpenMode::MustExist)?;
    let report = device.check_certificate(input, inspection)?;
    print(ctx.json, &report, human);
    if report.result == CheckResult::Valid {
        Ok(())
    } else {
        Err(Failure {
            exit: 3,
            code: ErrorCode::CertificateNotValid,
            message: format!("certificate {}: {}", report.certificate_number, result_text(report.result)),
        })
    }
}

fn result_text(r: CheckResult) -> &'static str {
    match r {
        CheckResult::Valid => "valid",
        CheckResult::Expired => "expired",
        CheckResult::NotYetValid => "not yet valid",
        CheckResult::Suspended => "suspended",
        CheckResult::Revoked => "revoked",
        CheckResult::Unknown => "unknown to the registry",
        CheckResult::WrongArea => "not valid for labor-security inspection",
        CheckResult::ForeignSignature => "signature not from this bureau",
    }
}

fn human(r: &CheckReport) -> String {
    let mut lines =
        vec![format!("certificate  {}", r.certificate_number), format!("result       {}", result_text(r.result))];
    if let Some(o) = &r.officer_id {
        lines.push(format!("officer      {o} {}", r.officer_name.as_deref().unwrap_or_default()));
    }
    let registry = match (r.registry.version, r.registry.age_seconds) {
        (Some(v), Some(age)) => format!(
            "version {v}, {} h old{}",
            age / 3600,
            if r.registry.stale { " (STALE: sync with the bureau)" } else { "" }
        ),
        _ => "none yet (sync with the bureau)".into(),
    };
    lines.push(format!("registry     {registry}"));
    lines.push(format!(
        "time         {} trusted, laptop {}",
        format_beijing(r.time.trusted),
        format_beijing(r.time.laptop)
    ));
    if let Some(w) = &r.time.warning {
        lines.push(format!("clock        {w}"));
    }
    if let Some(c) = &r.recorded {
        lines.push(format!("recorded     check {} on inspection {}", c.id, c.inspection_id));
    }
    lines.join("\n")
}
