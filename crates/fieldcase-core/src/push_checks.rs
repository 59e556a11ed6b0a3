//! What the bureau checks of a pushed record at its boundary, before anything is decided
//! on it: every time within the years a record may fall in, every number one the bureau
//! keeps exactly, every text within its limit. Each check names the first field that fails.

use crate::inspection::Outcome;
use crate::limits::{self, TooLong};
use crate::time::{OutOfRange, check_date, check_instant};
use crate::wire::PushItem;

impl PushItem {
    /// Every instant and date the record carries lies in the years a record may fall in
    /// ([`crate::time::RECORD_YEARS`]); the first that does not is named.
    pub fn check_times(&self) -> Result<(), OutOfRange> {
        match self {
            PushItem::Site(site) => check_instant("created_at", site.created_at).map(drop),
            PushItem::Inspection(inspection) => {
                check_instant("started_at", inspection.started_at)?;
                if let Some(clock) = &inspection.start_clock {
                    check_instant("start_clock.laptop", clock.laptop)?;
                }
                if let Some(ended_at) = inspection.ended_at {
                    check_instant("ended_at", ended_at)?;
                }
                if let Some(Outcome::RectificationOrder { deadline }) = inspection.outcome {
                    check_date("outcome.deadline", deadline)?;
                }
                if let Some(manifest) = &inspection.evidence {
                    for file in &manifest.files {
                        for at in [file.capture_start, file.capture_end].into_iter().flatten() {
                            check_instant("evidence.files (a capture time)", at)?;
                        }
                    }
                    for gap in &manifest.gaps {
                        check_instant("evidence.gaps (a start)", gap.start)?;
                        check_instant("evidence.gaps (an end)", gap.end)?;
                    }
                }
                Ok(())
            }
            PushItem::CertificateCheck(check) => {
                check_instant("checked_at", check.checked_at)?;
                check.trusted_time.map_or(Ok(()), |t| check_instant("trusted_time", t).map(drop))
            }
            PushItem::Evidence(evidence) => {
                let instants = [
                    ("capture_start", evidence.capture_start),
                    ("capture_end", evidence.capture_end),
                    ("imported_at", Some(evidence.imported_at)),
                ];
                for (field, at) in instants {
                    at.map_or(Ok(()), |at| check_instant(field, at).map(drop))?;
                }
                Ok(())
            }
            PushItem::RecorderCheck(check) => {
                check_instant("recorder_shows", check.recorder_shows)?;
                check_instant("trusted_time", check.trusted_time)?;
                check_instant("checked_at", check.checked_at).map(drop)
            }
            PushItem::Audit(run) => {
                for (seq, step) in (run.first_seq..).zip(&run.steps) {
                    // Which entry is written out only when one is wrong: a push carries thousands.
                    check_instant("at", step.at)
                        .map_err(|e| OutOfRange { field: format!("at (audit entry {seq})"), ..e })?;
                }
                Ok(())
            }
        }
    }

    /// Every number the record carries is one the bureau keeps exactly
    /// ([`limits::EVIDENCE_BYTES`], [`limits::COUNTER`]); the first that is not is named.
    /// Checked before anything counts through an audit run's entries, so no count overflows.
    pub fn check_numbers(&self) -> Result<(), limits::TooLarge> {
        match self {
            PushItem::Site(_) => Ok(()),
            PushItem::Inspection(inspection) => {
                for file in inspection.evidence.iter().flat_map(|m| &m.files) {
                    limits::check_number("evidence.files (a size)", file.size, limits::EVIDENCE_BYTES)?;
                }
                Ok(())
            }
            PushItem::RecorderCheck(check) => {
                if let Some(battery) = check.battery_percent {
                    limits::check_number("battery_percent", battery.into(), 100)?;
                }
                check
                    .storage_free_mb
                    .map_or(Ok(()), |mb| limits::check_number("storage_free_mb", mb, limits::COUNTER).map(drop))
            }
            PushItem::CertificateCheck(check) => {
                limits::check_number("registry_version", check.registry_version, limits::COUNTER).map(drop)
            }
            PushItem::Evidence(evidence) => {
                limits::check_number("size", evidence.size, limits::EVIDENCE_BYTES).map(drop)
            }
            PushItem::Audit(run) => {
                let steps = run.steps.len() as u64;
                let last = run.first_seq.saturating_add(steps);
                limits::check_number("first_seq", last, limits::COUNTER)
                    .map_err(|e| limits::TooLarge { value: run.first_seq, ..e })
                    .map(drop)
            }
        }
    }

    /// Every text the record carries is within its limit ([`crate::limits`]); the first that
    /// is not is named, with its length and the limit.
    pub fn check_lengths(&self) -> Result<(), TooLong> {
        match self {
            PushItem::Site(site) => limits::check_site(site),
            PushItem::Inspection(inspection) => limits::check_inspection(inspection),
            PushItem::CertificateCheck(check) => limits::check_certificate_check(check),
            PushItem::Evidence(evidence) => limits::check_evidence(evidence),
            PushItem::RecorderCheck(check) => limits::check_recorder_check(check),
            PushItem::Audit(run) => limits::check_audit_run(run),
        }
    }
}
