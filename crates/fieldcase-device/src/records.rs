//! The records screen's list: every inspection on the laptop filtered by days, site, status
//! and sync state, answered by one indexed query that reads compact columns only (no
//! record body is parsed), so ten thousand inspections filter in a few milliseconds and
//! the window receives just the rows it may draw.

use chrono::{NaiveDate, NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use fieldcase_core::ids::{InspectionId, SiteId};
use fieldcase_core::inspection::InspectionStatus;
use fieldcase_core::time::beijing;
use fieldcase_storage::columns::instant_text;

use crate::store::records::{self, RecordQuery};
use crate::{Device, DeviceError, Result};

/// Where an inspection stands with the bureau.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RecordSync {
    /// A draft: nothing is sent before it is finalized.
    Draft,
    /// Finalized and queued for the bureau.
    Waiting,
    /// The bureau holds it.
    Synced,
    /// The bureau would not take it (a conflict or a rejection), kept for review.
    Refused,
}

impl RecordSync {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Waiting => "waiting",
            Self::Synced => "synced",
            Self::Refused => "refused",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Draft, Self::Waiting, Self::Synced, Self::Refused].into_iter().find(|s| s.as_str() == text)
    }
}

/// One line of the records list: only what the list shows and filters on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RecordRow {
    pub id: InspectionId,
    pub site_id: SiteId,
    pub site_name: String,
    pub project_name: Option<String>,
    pub status: InspectionStatus,
    pub started_at: String,
    pub sync: RecordSync,
    /// A later version corrects this one.
    pub corrected: bool,
}

/// The filters of the records screen; an absent one lets everything through.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RecordFilter {
    /// The first day (Beijing time) of the range, inclusive.
    #[ts(optional)]
    pub from: Option<NaiveDate>,
    /// The last day (Beijing time) of the range, inclusive.
    #[ts(optional)]
    pub to: Option<NaiveDate>,
    #[ts(optional)]
    pub site: Option<SiteId>,
    #[ts(optional)]
    pub status: Option<InspectionStatus>,
    #[ts(optional)]
    pub sync: Option<RecordSync>,
}

/// Midnight starting `day` in Beijing, as the instant text the store sorts by.
fn beijing_midnight(day: NaiveDate) -> String {
    let local = day.and_time(NaiveTime::MIN);
    // A fixed offset has exactly one instant for every local time.
    let at = local.and_local_timezone(beijing()).single().map(|t| t.to_utc()).unwrap_or_else(|| local.and_utc());
    instant_text(at)
}

impl Device {
    /// The inspections matching `filter`, newest first.
    pub fn records(&self, filter: &RecordFilter) -> Result<Vec<RecordRow>> {
        if let (Some(from), Some(to)) = (filter.from, filter.to)
            && to < from
        {
            return Err(DeviceError::Invalid(format!(
                "the date range ends ({to}) before it starts ({from}); choose an end day on or after the first"
            )));
        }
        let query = RecordQuery {
            from: filter.from.map(beijing_midnight),
            until: filter.to.and_then(|d| d.checked_add_signed(TimeDelta::days(1))).map(beijing_midnight),
            site_id: filter.site.map(|s| s.to_string()),
            status: filter.status.map(|s| match s {
                InspectionStatus::Draft => "draft".to_owned(),
                InspectionStatus::Finalized => "finalized".to_owned(),
            }),
            sync: filter.sync.map(|s| s.as_str().to_owned()),
        };
        self.read(|c| records::list(c, &query))
    }
}
