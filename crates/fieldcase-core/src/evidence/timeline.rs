//! The recordings of an inspection on its timeline, and the gaps between them.
//!
//! A recorder's clock is not the bureau's: the recorder check before the inspection gives its
//! offset, and every capture time is shifted by it before it is set against the inspection's
//! window. Within that window, a stretch between consecutive recordings longer than the limit
//! is a gap, and finalizing needs a written reason for each. A gap's id is made from its
//! bounds, so the reason written for it stays with it as long as the recordings around it do.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{EvidenceRef, RecorderCheck};
use crate::ids::EvidenceId;

/// The longest stretch without recording that needs no reason, unless the device is set
/// otherwise.
pub const DEFAULT_GAP_MINUTES: i64 = 5;

/// A stretch of the inspection with no recording, longer than the limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gap {
    /// Made from the bounds (see [`gap_id`]).
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Why nothing was recorded, in the officer's words; none yet: finalizing is refused.
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub reason: Option<String>,
}

/// One recording on the inspection's timeline, its times aligned by the recorder's offset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Recording {
    pub evidence_id: EvidenceId,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The inspection's window, its recordings and its gaps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Timeline {
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    /// Ordered by start; files without a capture time are not on the timeline.
    pub recordings: Vec<Recording>,
    pub gaps: Vec<Gap>,
    /// The limit the gaps were found with, in minutes.
    #[ts(type = "number")]
    pub gap_limit_minutes: i64,
}

/// A gap's id: its bounds in UTC, to the second (`gap-20261201T014500Z-20261201T015800Z`).
pub fn gap_id(start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    const FORM: &str = "%Y%m%dT%H%M%SZ";
    format!("gap-{}-{}", start.format(FORM), end.format(FORM))
}

/// How far ahead the clock of `recorder` ran, by its latest check among `checks`; zero when
/// it was never checked.
pub fn offset_for(recorder: Option<&str>, checks: &[RecorderCheck]) -> Duration {
    let Some(recorder) = recorder else { return Duration::zero() };
    checks
        .iter()
        .filter(|c| c.recorder_id == recorder)
        .max_by_key(|c| c.trusted_time)
        .map_or_else(Duration::zero, |c| Duration::seconds(c.offset_seconds))
}

/// A reference's capture interval on trusted time: its capture times less its recorder's
/// offset. None without a capture start; a file without an end (a photo) is an instant.
pub fn aligned(evidence: &EvidenceRef, checks: &[RecorderCheck]) -> Option<Recording> {
    let start = evidence.capture_start?;
    let end = evidence.capture_end.unwrap_or(start).max(start);
    let offset = offset_for(evidence.recorder_id.as_deref(), checks);
    Some(Recording { evidence_id: evidence.id, start: start - offset, end: end - offset })
}

/// The stretches between consecutive recordings longer than `limit`, within the window.
/// Recordings that overlap or touch are one; those wholly outside the window are ignored.
pub fn find_gaps(
    window_start: DateTime<Utc>,
    window_end: DateTime<Utc>,
    intervals: impl IntoIterator<Item = (DateTime<Utc>, DateTime<Utc>)>,
    limit: Duration,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut clipped: Vec<_> = intervals
        .into_iter()
        .filter(|(start, end)| *end >= window_start && *start <= window_end)
        .map(|(start, end)| (start.max(window_start), end.min(window_end)))
        .collect();
    clipped.sort();
    let mut gaps = Vec::new();
    let mut covered_until: Option<DateTime<Utc>> = None;
    for (start, end) in clipped {
        if let Some(until) = covered_until
            && start - until > limit
        {
            gaps.push((until, start));
        }
        covered_until = Some(covered_until.map_or(end, |until| until.max(end)));
    }
    gaps
}

/// The timeline of an inspection whose window runs from `window_start` to `window_end`, with
/// the reasons written so far (by gap id).
pub fn timeline(
    window_start: DateTime<Utc>,
    window_end: DateTime<Utc>,
    evidence: &[EvidenceRef],
    checks: &[RecorderCheck],
    reasons: &BTreeMap<String, String>,
    limit: Duration,
) -> Timeline {
    let mut recordings: Vec<Recording> = evidence.iter().filter_map(|e| aligned(e, checks)).collect();
    recordings.sort_by_key(|r| (r.start, r.evidence_id));
    let gaps = find_gaps(window_start, window_end, recordings.iter().map(|r| (r.start, r.end)), limit)
        .into_iter()
        .map(|(start, end)| {
            let id = gap_id(start, end);
            Gap { reason: reasons.get(&id).cloned(), id, start, end }
        })
        .collect();
    Timeline { window_start, window_end, recordings, gaps, gap_limit_minutes: limit.num_minutes() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::ContentHash;
    use crate::evidence::MediaKind;
    use crate::ids::{InspectionId, RecorderCheckId};

    fn at(hhmm: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2026-12-01T{hhmm}:00Z")).unwrap().to_utc()
    }

    fn recording(n: u128, recorder: &str, start: &str, end: &str) -> EvidenceRef {
        EvidenceRef {
            id: EvidenceId::from_uuid(uuid::Uuid::from_u128(n)),
            inspection_id: InspectionId::from_uuid(uuid::Uuid::from_u128(1)),
            kind: MediaKind::Video,
            original_path: format!("/media/{n}.MP4"),
            original_name: format!("{n}.MP4"),
            recorder_id: Some(recorder.into()),
            size: 10,
            sha256: ContentHash::of_bytes(&n.to_le_bytes()),
            capture_start: Some(at(start)),
            capture_end: Some(at(end)),
            capture_source: None,
            officer_id: None,
            imported_at: at("12:00"),
            in_place: false,
        }
    }

    fn check(recorder: &str, offset_seconds: i64) -> RecorderCheck {
        RecorderCheck {
            id: RecorderCheckId::from_uuid(uuid::Uuid::from_u128(9)),
            inspection_id: InspectionId::from_uuid(uuid::Uuid::from_u128(1)),
            recorder_id: recorder.into(),
            recorder_shows: at("01:00") + Duration::seconds(offset_seconds),
            trusted_time: at("01:00"),
            offset_seconds,
            battery_percent: Some(80),
            storage_free_mb: Some(1000),
            officer_id: None,
            checked_at: at("01:00"),
        }
    }

    #[test]
    fn a_stretch_longer_than_the_limit_between_recordings_is_a_gap_and_a_shorter_one_is_not() {
        let limit = Duration::minutes(5);
        let gaps = find_gaps(
            at("01:00"),
            at("03:00"),
            [(at("01:30"), at("01:40")), (at("01:44"), at("01:50")), (at("02:00"), at("02:10"))],
            limit,
        );
        assert_eq!(gaps, vec![(at("01:50"), at("02:00"))], "4 minutes is within the limit, 10 is not");
        let exactly =
            find_gaps(at("01:00"), at("03:00"), [(at("01:30"), at("01:40")), (at("01:45"), at("01:50"))], limit);
        assert!(exactly.is_empty(), "a gap of exactly the limit needs no reason");
    }

    #[test]
    fn overlapping_recordings_are_one_and_the_window_clips_them() {
        let gaps = find_gaps(
            at("01:00"),
            at("02:00"),
            [
                (at("00:10"), at("00:20")),
                (at("01:30"), at("01:50")),
                (at("01:35"), at("01:40")),
                (at("02:30"), at("02:40")),
            ],
            Duration::minutes(5),
        );
        assert!(gaps.is_empty(), "recordings outside the window are not set against it: {gaps:?}");
        let gaps = find_gaps(
            at("01:00"),
            at("02:00"),
            [(at("00:50"), at("01:10")), (at("01:55"), at("02:30"))],
            Duration::minutes(5),
        );
        assert_eq!(gaps, vec![(at("01:10"), at("01:55"))]);
    }

    #[test]
    fn the_recorder_offset_moves_its_recordings_and_so_its_gaps() {
        let evidence = [recording(1, "A", "01:30", "01:40"), recording(2, "B", "01:50", "02:00")];
        let limit = Duration::minutes(5);
        let reasons = BTreeMap::new();
        let plain = timeline(at("01:00"), at("03:00"), &evidence, &[], &reasons, limit);
        assert_eq!(plain.gaps.len(), 1, "ten minutes between the recordings");
        // Recorder B's clock runs six minutes ahead: its recording began at 01:44 trusted time.
        let shifted = timeline(at("01:00"), at("03:00"), &evidence, &[check("B", 360)], &reasons, limit);
        assert!(shifted.gaps.is_empty(), "aligned, the stretch is four minutes: {:?}", shifted.gaps);
        assert_eq!(shifted.recordings[1].start, at("01:44"));
    }

    #[test]
    fn a_gap_keeps_its_id_and_its_reason_while_its_bounds_stay() {
        let evidence = [recording(1, "A", "01:30", "01:40"), recording(2, "A", "01:50", "02:00")];
        let id = gap_id(at("01:40"), at("01:50"));
        assert_eq!(id, "gap-20261201T014000Z-20261201T015000Z");
        let reasons = BTreeMap::from([(id.clone(), "battery changed".to_owned())]);
        let found = timeline(at("01:00"), at("03:00"), &evidence, &[], &reasons, Duration::minutes(5));
        assert_eq!(
            found.gaps,
            vec![Gap { id, start: at("01:40"), end: at("01:50"), reason: Some("battery changed".into()) }]
        );
    }
}
