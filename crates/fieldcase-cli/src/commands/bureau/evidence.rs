//! `fieldcase bureau evidence list | custody ID | verify [ID]`: the evidence files the bureau
//! received, the bureau's side of a file's chain of custody, and a fresh check that the
//! sealed copies still hash to what was decided.

use std::path::Path;

use clap::Subcommand;
use serde::Serialize;

use fieldcase_bureau::blobs;
use fieldcase_bureau::store::{CustodyEntry, EvidenceBlob};
use fieldcase_bureau::{BureauError, Config, OpenMode, open_store};
use fieldcase_core::ErrorCode;
use fieldcase_core::ids::EvidenceId;
use fieldcase_core::time::format_beijing;
use fieldcase_core::upload::VerdictOutcome;

use super::store::{runtime, with_store};
use crate::commands::Context;
use crate::output::{Failure, print};

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Every evidence file the bureau received whole, oldest first, with its verdict
    List,
    /// The bureau's custody entries of one file: created, completed, verified or mismatch, terminated, expired
    Custody {
        /// The evidence id, as `fieldcase bureau evidence list` shows it
        id: String,
    },
    /// Re-hash the sealed copies (of one file, or of all) and say whether each still matches
    Verify {
        /// The evidence id [default: every file]
        id: Option<String>,
    },
}

pub(super) fn run(ctx: &Context, data_dir: &Path, cmd: EvidenceCommand) -> Result<(), Failure> {
    match cmd {
        EvidenceCommand::List => list(ctx, data_dir),
        EvidenceCommand::Custody { id } => custody(ctx, data_dir, &parse_id(&id)?),
        EvidenceCommand::Verify { id } => verify(ctx, data_dir, id.as_deref().map(parse_id).transpose()?),
    }
}

fn parse_id(id: &str) -> Result<EvidenceId, Failure> {
    id.parse().map_err(|e| Failure { exit: 2, code: ErrorCode::Usage, message: format!("{e}") })
}

#[derive(Debug, Serialize)]
struct Row {
    evidence_id: String,
    upload_id: String,
    outcome: VerdictOutcome,
    sha256: String,
    bytes: u64,
    blob: String,
    decided_at: String,
}

impl From<&EvidenceBlob> for Row {
    fn from(b: &EvidenceBlob) -> Self {
        Row {
            evidence_id: b.evidence_id.to_string(),
            upload_id: b.upload_id.clone(),
            outcome: b.outcome,
            sha256: b.sha256.to_hex(),
            bytes: b.bytes,
            blob: b.key.to_string(),
            decided_at: b.decided_at.to_rfc3339(),
        }
    }
}

fn outcome_word(outcome: VerdictOutcome) -> &'static str {
    match outcome {
        VerdictOutcome::Verified => "verified",
        VerdictOutcome::Mismatch => "MISMATCH",
    }
}

fn list(ctx: &Context, data_dir: &Path) -> Result<(), Failure> {
    let blobs = with_store(data_dir, OpenMode::MustExist, async |store| store.evidence_blobs().await)?;
    let rows: Vec<Row> = blobs.iter().map(Row::from).collect();
    print(ctx.json, &rows, |rows| {
        if rows.is_empty() {
            return "no evidence file received whole yet".into();
        }
        blobs
            .iter()
            .map(|b| {
                format!(
                    "{}  {}  {} bytes  sha256 {}  {}  {}",
                    b.evidence_id,
                    outcome_word(b.outcome),
                    b.bytes,
                    b.sha256,
                    b.key,
                    format_beijing(b.decided_at)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

#[derive(Debug, Serialize)]
struct CustodyRow {
    at: String,
    actor: String,
    event: &'static str,
    upload_id: Option<String>,
    detail: String,
}

fn custody(ctx: &Context, data_dir: &Path, id: &EvidenceId) -> Result<(), Failure> {
    let id = *id;
    let entries = with_store(data_dir, OpenMode::MustExist, async |store| store.evidence_custody(id).await)?;
    let rows: Vec<CustodyRow> = entries
        .iter()
        .map(|e: &CustodyEntry| CustodyRow {
            at: e.at.to_rfc3339(),
            actor: e.actor.clone(),
            event: e.event.as_str(),
            upload_id: e.upload_id.clone(),
            detail: e.detail.clone(),
        })
        .collect();
    print(ctx.json, &rows, |_| {
        if entries.is_empty() {
            return format!("the bureau has no custody entry for evidence {id}");
        }
        entries
            .iter()
            .map(|e| format!("{}  {}  {}  {}", format_beijing(e.at), e.event.as_str(), e.actor, e.detail))
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

#[derive(Debug, Serialize)]
struct Checked {
    evidence_id: String,
    blob: String,
    recorded_sha256: String,
    sha256_now: Option<String>,
    intact: bool,
    problem: Option<String>,
}

fn verify(ctx: &Context, data_dir: &Path, id: Option<EvidenceId>) -> Result<(), Failure> {
    let config = Config::load(data_dir, None).map_err(BureauError::Config)?;
    let checked = runtime()?.block_on(async {
        let store = open_store(&config, OpenMode::MustExist).await?;
        let blobs_store = blobs::open(&config).await?;
        let scratch = config.data_dir.join(fieldcase_bureau::api::INCOMING_DIR);
        let mut checked = Vec::new();
        for blob in store.evidence_blobs().await? {
            if id.is_some_and(|id| id != blob.evidence_id) {
                continue;
            }
            let now = fieldcase_bureau::uploads::rehash(blobs_store.as_ref(), &blob.key, &scratch).await;
            let (sha256_now, problem) = match now {
                Ok((hash, bytes)) if hash == blob.sha256 && bytes == blob.bytes => (Some(hash.to_hex()), None),
                Ok((hash, bytes)) => {
                    (Some(hash.to_hex()), Some(format!("now {bytes} bytes, not the {} decided", blob.bytes)))
                }
                Err(e) => (None, Some(e.to_string())),
            };
            checked.push(Checked {
                evidence_id: blob.evidence_id.to_string(),
                blob: blob.key.to_string(),
                recorded_sha256: blob.sha256.to_hex(),
                intact: problem.is_none(),
                sha256_now,
                problem,
            });
        }
        Ok::<_, BureauError>(checked)
    })?;
    let damaged = checked.iter().filter(|c| !c.intact).count();
    print(ctx.json, &checked, |list| {
        if list.is_empty() {
            return "no sealed evidence file to verify".into();
        }
        list.iter()
            .map(|c| match &c.problem {
                None => format!("{}  intact  sha256 {}  {}", c.evidence_id, c.recorded_sha256, c.blob),
                Some(problem) => format!("{}  DAMAGED  {}: {problem}", c.evidence_id, c.blob),
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    if damaged > 0 {
        return Err(Failure {
            exit: 1,
            code: ErrorCode::EvidenceDamaged,
            message: format!(
                "{damaged} sealed evidence file(s) no longer hash to what the bureau decided; restore them from a backup"
            ),
        });
    }
    Ok(())
}
