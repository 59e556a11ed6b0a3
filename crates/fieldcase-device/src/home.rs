//! What the home screen sums up of the officer's day: today's inspections, the drafts still
//! open, the recently finalized, and the latest inspections on the laptop. Worked out here
//! rather than in the window, so the window receives a few dozen lines however many
//! inspections the laptop holds: a year of records must not slow the first screen down.
//! Days are Beijing days, whatever zone the laptop is set to.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use ts_rs::TS;

use fieldcase_core::inspection::{Inspection, InspectionStatus};
use fieldcase_core::time::beijing;

use crate::{Device, InspectionSummary, Result};

/// How many inspections each group shows before "and N more".
pub const GROUP_LIMIT: usize = 5;
/// How many of the latest inspections home lists; the records screen has them all.
pub const LATEST_LIMIT: usize = 30;
/// How far back, in Beijing days, "recently finalized" reaches.
pub const RECENT_DAYS: i64 = 7;

/// One group of home: its first few inspections, newest first, and how many it holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct HomeGroup {
    /// At most [`GROUP_LIMIT`], the most recently worked on first.
    pub first: Vec<InspectionSummary>,
    pub count: u32,
}

/// The officer's day at a glance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct HomeOverview {
    /// Started today, whatever their status.
    pub today: HomeGroup,
    /// Every draft still open: work to finish.
    pub drafts: HomeGroup,
    /// Finalized within the last [`RECENT_DAYS`] days and not replaced by a correction.
    pub finalized: HomeGroup,
    /// The newest inspections, as the device lists them, at most [`LATEST_LIMIT`].
    pub latest: Vec<InspectionSummary>,
    /// Every inspection version on the laptop.
    pub total: u32,
}

/// One inspection as home sorts it: the days it started and was last worked on.
pub(crate) struct Dated {
    started: NaiveDate,
    /// When it ended, or started if it has not: the later of what happened to it.
    last: DateTime<Utc>,
    summary: InspectionSummary,
}

impl Dated {
    pub(crate) fn new(inspection: &Inspection, summary: InspectionSummary) -> Self {
        Dated {
            started: beijing_day(inspection.started_at),
            last: inspection.ended_at.unwrap_or(inspection.started_at),
            summary,
        }
    }
}

fn beijing_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&beijing()).date_naive()
}

/// Groups `items` (newest first, as the device lists them) for a day that is `now`.
fn overview(items: Vec<Dated>, now: DateTime<Utc>) -> HomeOverview {
    let today = beijing_day(now);
    let group = |wanted: &dyn Fn(&Dated) -> bool| {
        let mut members: Vec<&Dated> = items.iter().filter(|d| wanted(d)).collect();
        // Stable: inspections worked on at the same instant keep the device's order.
        members.sort_by_key(|d| std::cmp::Reverse(d.last));
        HomeGroup {
            first: members.iter().take(GROUP_LIMIT).map(|d| d.summary.clone()).collect(),
            count: members.len() as u32,
        }
    };
    HomeOverview {
        today: group(&|d| d.started == today),
        drafts: group(&|d| d.summary.status == InspectionStatus::Draft),
        finalized: group(&|d| {
            d.summary.status == InspectionStatus::Finalized
                && d.summary.superseded_by.is_none()
                && (today - beijing_day(d.last)).num_days() < RECENT_DAYS
        }),
        total: items.len() as u32,
        latest: items.into_iter().take(LATEST_LIMIT).map(|d| d.summary).collect(),
    }
}

impl Device {
    /// Home's overview of the officer's day, by the laptop's clock.
    pub fn home(&self) -> Result<HomeOverview> {
        Ok(overview(self.summaries(Dated::new)?, self.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use fieldcase_core::ids::{InspectionId, SiteId};

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    /// An inspection as home sees it; `id` names it in the summary's site name.
    fn item(name: &str, status: InspectionStatus, started: &str, ended: Option<&str>) -> Dated {
        let started = at(started);
        let ended = ended.map(at);
        Dated {
            started: beijing_day(started),
            last: ended.unwrap_or(started),
            summary: InspectionSummary {
                id: InspectionId::generate(started),
                site_id: SiteId::generate(started),
                site_name: name.to_owned(),
                project_name: None,
                status,
                supersedes: None,
                superseded_by: None,
                started_at: started.to_rfc3339(),
                ended_at: ended.map(|e| e.to_rfc3339()),
                required: 0,
                required_answered: 0,
                findings: 0,
                outcome: None,
            },
        }
    }

    fn names(group: &HomeGroup) -> Vec<&str> {
        group.first.iter().map(|s| s.site_name.as_str()).collect()
    }

    // 2026-12-02 09:00 in Beijing.
    const NOW: &str = "2026-12-02T01:00:00Z";

    #[test]
    fn days_are_beijing_days() {
        // 23:30 in UTC is already the next morning in Beijing.
        assert_eq!(beijing_day(at("2026-12-01T16:30:00Z")), beijing_day(at(NOW)));
        assert_eq!(beijing_day(at("2026-12-01T15:30:00Z")).succ_opt(), Some(beijing_day(at(NOW))));
    }

    #[test]
    fn groups_today_open_drafts_and_the_recently_finalized_newest_first() {
        use InspectionStatus::{Draft, Finalized};
        let mut corrected = item("corrected", Finalized, "2026-11-30T02:00:00Z", Some("2026-11-30T03:00:00Z"));
        corrected.summary.superseded_by = Some(InspectionId::generate(at(NOW)));
        let items = vec![
            item("today-draft", Draft, "2026-12-01T23:10:00Z", None),
            item("today-final", Finalized, "2026-12-01T22:00:00Z", Some("2026-12-02T00:30:00Z")),
            corrected,
            item("week-final", Finalized, "2026-11-27T02:00:00Z", Some("2026-11-27T03:00:00Z")),
            item("old-draft", Draft, "2026-11-20T02:00:00Z", None),
            item("month-final", Finalized, "2026-11-01T02:00:00Z", Some("2026-11-01T03:00:00Z")),
        ];
        let home = overview(items, at(NOW));
        assert_eq!(names(&home.today), ["today-final", "today-draft"]);
        assert_eq!(names(&home.drafts), ["today-draft", "old-draft"]);
        // A record replaced by its correction is not one to look back at.
        assert_eq!(names(&home.finalized), ["today-final", "week-final"]);
        assert_eq!(home.total, 6);
        assert_eq!(home.latest.len(), 6, "every one, in the device's order");
        assert_eq!(home.latest[2].site_name, "corrected");
    }

    #[test]
    fn a_finalized_record_counts_by_the_day_it_ended() {
        // Begun two weeks ago, finalized yesterday: recent.
        let items =
            vec![item("late", InspectionStatus::Finalized, "2026-11-18T02:00:00Z", Some("2026-12-01T08:00:00Z"))];
        assert_eq!(names(&overview(items, at(NOW)).finalized), ["late"]);
        // Ended seven Beijing days ago: no longer.
        let items =
            vec![item("gone", InspectionStatus::Finalized, "2026-11-25T01:00:00Z", Some("2026-11-25T02:00:00Z"))];
        assert_eq!(overview(items, at(NOW)).finalized, HomeGroup::default());
    }

    #[test]
    fn long_groups_and_lists_are_cut_but_counted_in_full() {
        let items: Vec<Dated> = (0..LATEST_LIMIT + 12)
            .map(|n| item(&format!("d{n}"), InspectionStatus::Draft, "2026-12-01T23:00:00Z", None))
            .collect();
        let home = overview(items, at(NOW));
        assert_eq!(home.drafts.first.len(), GROUP_LIMIT);
        assert_eq!(home.drafts.count as usize, LATEST_LIMIT + 12);
        assert_eq!(names(&home.drafts), ["d0", "d1", "d2", "d3", "d4"], "equal instants keep the device's order");
        assert_eq!(home.latest.len(), LATEST_LIMIT);
        assert_eq!(home.total as usize, LATEST_LIMIT + 12);
    }
}
