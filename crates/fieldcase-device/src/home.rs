//! What the home screen sums up of the officer's day: today's inspections, the drafts still
//! open, the recently finalized, and the latest inspections on the laptop. Worked out here
//! rather than in the window, so the window receives a few dozen lines however many
//! inspections the laptop holds, and only those few are read whole.
//! Days are Beijing days, whatever zone the laptop is set to.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use ts_rs::TS;

use fieldcase_core::ids::InspectionId;
use fieldcase_core::inspection::InspectionStatus;
use fieldcase_core::time::beijing;

use crate::inspections::Summarize;
use crate::store::inspections::{self, Dates};
use crate::{Device, DeviceError, InspectionSummary, Result};

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

/// Home's groups as the versions they show, before those are read whole and summed up.
#[derive(Debug, PartialEq, Eq)]
struct Plan<'a> {
    today: (Vec<&'a Dates>, u32),
    drafts: (Vec<&'a Dates>, u32),
    finalized: (Vec<&'a Dates>, u32),
    latest: Vec<&'a Dates>,
    total: u32,
}

fn beijing_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&beijing()).date_naive()
}

/// Groups `items` (newest first, as the device lists them) for a day that is `now`.
fn plan(items: &[Dates], now: DateTime<Utc>) -> Plan<'_> {
    let today = beijing_day(now);
    // When it ended, or started if it has not: the later of what happened to it.
    let last = |d: &Dates| d.ended_at.unwrap_or(d.started_at);
    let group = |wanted: &dyn Fn(&Dates) -> bool| {
        let mut members: Vec<&Dates> = items.iter().filter(|d| wanted(d)).collect();
        // Stable: inspections worked on at the same instant keep the device's order.
        members.sort_by_key(|d| std::cmp::Reverse(last(d)));
        let count = members.len() as u32;
        members.truncate(GROUP_LIMIT);
        (members, count)
    };
    Plan {
        today: group(&|d| beijing_day(d.started_at) == today),
        drafts: group(&|d| d.status == InspectionStatus::Draft),
        finalized: group(&|d| {
            d.status == InspectionStatus::Finalized
                && d.superseded_by.is_none()
                && (today - beijing_day(last(d))).num_days() < RECENT_DAYS
        }),
        latest: items.iter().take(LATEST_LIMIT).collect(),
        total: items.len() as u32,
    }
}

impl Device {
    /// Home's overview of the officer's day, by the laptop's clock. Grouping reads only the
    /// dates of every version; only the few shown are read whole.
    pub fn home(&self) -> Result<HomeOverview> {
        let dates = self.read(inspections::dates)?;
        let plan = plan(&dates, self.now());
        let mut summarize = Summarize::new(self);
        // An inspection may stand in several groups: it is read once.
        let mut summed: HashMap<InspectionId, InspectionSummary> = HashMap::new();
        let mut summaries = |shown: &[&Dates]| -> Result<Vec<InspectionSummary>> {
            shown
                .iter()
                .map(|d| {
                    if let Some(done) = summed.get(&d.id) {
                        return Ok(done.clone());
                    }
                    let inspection = self.read(|c| inspections::get(c, d.id))?.ok_or_else(|| DeviceError::Damaged {
                        path: self.db_path(),
                        detail: format!("inspection {} is listed but its record is missing", d.id),
                    })?;
                    let summary = summarize.one(&inspection, d.superseded_by)?;
                    summed.insert(d.id, summary.clone());
                    Ok(summary)
                })
                .collect()
        };
        let mut group = |(shown, count): &(Vec<&Dates>, u32)| -> Result<HomeGroup> {
            Ok(HomeGroup { first: summaries(shown)?, count: *count })
        };
        Ok(HomeOverview {
            today: group(&plan.today)?,
            drafts: group(&plan.drafts)?,
            finalized: group(&plan.finalized)?,
            latest: summaries(&plan.latest)?,
            total: plan.total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    /// A version as home sorts it, its id made from its start.
    fn ids(shown: &[&Dates]) -> Vec<InspectionId> {
        shown.iter().map(|d| d.id).collect()
    }

    fn item(status: InspectionStatus, started: &str, ended: Option<&str>) -> Dates {
        let started_at = at(started);
        Dates {
            id: InspectionId::generate(started_at),
            status,
            started_at,
            ended_at: ended.map(at),
            superseded_by: None,
        }
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
        let today_draft = item(Draft, "2026-12-01T23:10:00Z", None);
        let today_final = item(Finalized, "2026-12-01T22:00:00Z", Some("2026-12-02T00:30:00Z"));
        let mut corrected = item(Finalized, "2026-11-30T02:00:00Z", Some("2026-11-30T03:00:00Z"));
        corrected.superseded_by = Some(today_final.id);
        let week_final = item(Finalized, "2026-11-27T02:00:00Z", Some("2026-11-27T03:00:00Z"));
        let old_draft = item(Draft, "2026-11-20T02:00:00Z", None);
        let month_final = item(Finalized, "2026-11-01T02:00:00Z", Some("2026-11-01T03:00:00Z"));
        let items = [&today_draft, &today_final, &corrected, &week_final, &old_draft, &month_final].map(Clone::clone);
        let home = plan(&items, at(NOW));
        assert_eq!((ids(&home.today.0), home.today.1), (vec![today_final.id, today_draft.id], 2));
        assert_eq!((ids(&home.drafts.0), home.drafts.1), (vec![today_draft.id, old_draft.id], 2));
        // A record replaced by its correction is not one to look back at.
        assert_eq!((ids(&home.finalized.0), home.finalized.1), (vec![today_final.id, week_final.id], 2));
        assert_eq!(home.total, 6);
        assert_eq!(
            ids(&home.latest),
            items.iter().map(|d| d.id).collect::<Vec<_>>(),
            "every one, in the device's order"
        );
    }

    #[test]
    fn a_finalized_record_counts_by_the_day_it_ended() {
        // Begun two weeks ago, finalized yesterday: recent.
        let late = item(InspectionStatus::Finalized, "2026-11-18T02:00:00Z", Some("2026-12-01T08:00:00Z"));
        let finalized = plan(std::slice::from_ref(&late), at(NOW)).finalized;
        assert_eq!((ids(&finalized.0), finalized.1), (vec![late.id], 1));
        // Ended seven Beijing days ago: no longer.
        let gone = item(InspectionStatus::Finalized, "2026-11-25T01:00:00Z", Some("2026-11-25T02:00:00Z"));
        assert_eq!(plan(&[gone], at(NOW)).finalized, (vec![], 0));
    }

    #[test]
    fn long_groups_and_lists_are_cut_but_counted_in_full() {
        let started = at("2026-12-01T23:00:00Z");
        let items: Vec<Dates> = (0..LATEST_LIMIT + 12)
            .map(|n| Dates {
                // One instant for all: the device's order must hold among equals.
                id: InspectionId::generate(started + chrono::Duration::milliseconds(n as i64)),
                ..item(InspectionStatus::Draft, "2026-12-01T23:00:00Z", None)
            })
            .collect();
        let home = plan(&items, at(NOW));
        let first = |n: usize| items.iter().take(n).map(|d| d.id).collect::<Vec<_>>();
        assert_eq!(
            (ids(&home.drafts.0), home.drafts.1),
            (first(GROUP_LIMIT), (LATEST_LIMIT + 12) as u32),
            "equal instants keep the device's order"
        );
        assert_eq!(ids(&home.latest), first(LATEST_LIMIT));
        assert_eq!(home.total as usize, LATEST_LIMIT + 12);
    }
}
