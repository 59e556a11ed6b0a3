//! Time as the records keep it and as officers read it.
//!
//! Records store UTC instants at microsecond precision (what SQLite text and JSON keep
//! exactly); officers read Beijing time.

use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, SecondsFormat, SubsecRound, Utc};
use serde::Serialize;
use ts_rs::TS;

/// China Standard Time, UTC+8, with no daylight saving.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// An instant in the precision records keep, so that it survives storage unchanged.
pub fn record_instant(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// `2026-03-01 16:05` in Beijing time, for people.
pub fn format_beijing(at: DateTime<Utc>) -> String {
    at.with_timezone(&beijing()).format("%Y-%m-%d %H:%M").to_string()
}

/// The years (UTC) a record's instants and dates may fall in. A time outside them comes from
/// a clock set wrong (a laptop whose battery ran down wakes in 1970 or 2000) or a record made
/// up, and chrono's own arithmetic panics near its limits (year 262142): device and bureau
/// both let no such time into a record, the bureau none into an administrator's date.
pub const RECORD_YEARS: RangeInclusive<i32> = 2000..=2200;

/// A time outside [`RECORD_YEARS`]: the field that held it, and what it said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{field} is {value}, outside the years {} to {} a record's time may fall in",
    RECORD_YEARS.start(),
    RECORD_YEARS.end()
)]
pub struct OutOfRange {
    pub field: String,
    pub value: String,
}

/// `at`, if its year is one of [`RECORD_YEARS`]; else which `field` is out of range.
pub fn check_instant(field: &str, at: DateTime<Utc>) -> Result<DateTime<Utc>, OutOfRange> {
    if RECORD_YEARS.contains(&at.year()) {
        return Ok(at);
    }
    // Written in UTC: a conversion to Beijing time is what overflows near chrono's end.
    Err(OutOfRange { field: field.to_owned(), value: at.to_rfc3339_opts(SecondsFormat::AutoSi, true) })
}

/// `date`, if its year is one of [`RECORD_YEARS`]; else which `field` is out of range.
pub fn check_date(field: &str, date: NaiveDate) -> Result<NaiveDate, OutOfRange> {
    if RECORD_YEARS.contains(&date.year()) {
        return Ok(date);
    }
    Err(OutOfRange { field: field.to_owned(), value: date.to_string() })
}

/// How far the laptop's clock may wander before it is reported.
pub const CLOCK_TOLERANCE_SECONDS: i64 = 300;

/// The device's best estimate of the true time, with the laptop's clock beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TrustedTime {
    /// The laptop's clock.
    pub laptop: DateTime<Utc>,
    /// The estimate decisions are made on.
    pub trusted: DateTime<Utc>,
    /// Whether the estimate rests on the bureau's clock (false: no sync yet).
    pub anchored: bool,
    /// Whether the laptop's clock was set back: the estimate is then the last moment known
    /// to have passed, a lower bound.
    pub set_back: bool,
    /// What is wrong with the laptop's clock, in words, if anything.
    pub warning: Option<String>,
}

/// Estimates the true time from the laptop's clock, the bureau's clock and the laptop's at
/// the last sync, and the latest laptop time seen. A clock set back is noticed (it reads
/// earlier than a moment already seen) and does not move the estimate back: the estimate is
/// then the latest moment known to have passed.
pub fn trusted_time(
    laptop: DateTime<Utc>,
    last_sync: Option<(DateTime<Utc>, DateTime<Utc>)>,
    latest_seen: Option<DateTime<Utc>>,
) -> TrustedTime {
    let tolerance = Duration::seconds(CLOCK_TOLERANCE_SECONDS);
    let latest = latest_seen.into_iter().chain(last_sync.map(|(_, local)| local)).max();
    let went_back = latest.filter(|&l| laptop + tolerance < l);
    let Some((bureau, local)) = last_sync else {
        return TrustedTime {
            laptop,
            trusted: went_back.unwrap_or(laptop),
            anchored: false,
            set_back: went_back.is_some(),
            warning: Some(match went_back {
                Some(l) => format!(
                    "the laptop clock reads {} but {} has already passed; it was set back",
                    format_beijing(laptop),
                    format_beijing(l)
                ),
                None => "no sync with the bureau yet: the laptop's clock is used as it is".to_owned(),
            }),
        };
    };
    let offset = bureau - local;
    match went_back {
        Some(l) => TrustedTime {
            laptop,
            trusted: l + offset,
            anchored: true,
            set_back: true,
            warning: Some(format!(
                "the laptop clock reads {} but {} has already passed; it was set back, so the time of the last certain moment is used",
                format_beijing(laptop),
                format_beijing(l)
            )),
        },
        None => TrustedTime {
            laptop,
            trusted: laptop + offset,
            anchored: true,
            set_back: false,
            warning: (offset.num_seconds().abs() > CLOCK_TOLERANCE_SECONDS).then(|| {
                format!(
                    "the laptop clock was {} minutes off the bureau's at the last sync; set it right",
                    offset.num_minutes().abs()
                )
            }),
        },
    }
}

/// Writes an instant exactly as chrono's serde does (RFC 3339, as many fractional digits as
/// it needs, `Z`), but hands it over as one string: chrono gives it a character at a time,
/// and a push encodes and hashes the instant of every audit entry.
pub fn serialize_instant<S: serde::Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[derive(Serialize)]
    struct Written(#[serde(serialize_with = "serialize_instant")] DateTime<Utc>);

    proptest! {
        /// Hashes already recorded cover instants as chrono wrote them: the text must not
        /// change, whatever the fraction of a second.
        #[test]
        fn an_instant_is_written_as_chrono_writes_it(seconds in 0i64..8_000_000_000, nanos in prop_oneof![
            Just(0u32), (0u32..1000).prop_map(|m| m * 1_000_000), (0u32..1_000_000).prop_map(|u| u * 1000), 0u32..1_000_000_000
        ]) {
            let at = Utc.timestamp_opt(seconds, nanos).unwrap();
            prop_assert_eq!(serde_json::to_string(&Written(at)).unwrap(), serde_json::to_string(&at).unwrap());
        }
    }

    #[test]
    fn a_clock_set_back_a_year_does_not_move_the_trusted_time_back() {
        let sync_local = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
        let sync_bureau = sync_local + Duration::seconds(20);
        let seen = sync_local + Duration::hours(3);
        let set_back = Utc.with_ymd_and_hms(2025, 3, 1, 11, 0, 0).unwrap();
        let t = trusted_time(set_back, Some((sync_bureau, sync_local)), Some(seen));
        assert_eq!(t.trusted, seen + Duration::seconds(20), "the last certain moment, on the bureau's clock");
        assert!(t.warning.as_deref().is_some_and(|w| w.contains("set back")), "{t:?}");
    }

    #[test]
    fn a_sane_clock_is_moved_by_the_bureau_offset() {
        let local = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
        let t = trusted_time(local + Duration::hours(1), Some((local + Duration::seconds(30), local)), Some(local));
        assert_eq!(t.trusted, local + Duration::hours(1) + Duration::seconds(30));
        assert!(t.anchored && t.warning.is_none());
        let off = trusted_time(local, Some((local + Duration::hours(2), local)), None);
        assert!(off.warning.is_some(), "a clock two hours off is reported");
        let never = trusted_time(local, None, None);
        assert!(!never.anchored && never.warning.is_some());
    }

    #[test]
    fn a_record_may_fall_in_the_years_2000_to_2200_and_no_others() {
        let at = |y, mo, d, h, mi, s| Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
        for inside in [at(2000, 1, 1, 0, 0, 0), at(2026, 3, 1, 8, 0, 0), at(2200, 12, 31, 23, 59, 59)] {
            assert_eq!(check_instant("started_at", inside), Ok(inside));
            assert!(check_date("deadline", inside.date_naive()).is_ok());
        }
        let last = DateTime::<Utc>::MAX_UTC;
        for outside in [at(1970, 1, 1, 0, 0, 0), at(1999, 12, 31, 23, 59, 59), at(2201, 1, 1, 0, 0, 0), last] {
            let e = check_instant("started_at", outside).unwrap_err();
            assert_eq!(e.field, "started_at");
            assert!(e.to_string().starts_with("started_at is ") && e.to_string().contains("2000 to 2200"), "{e}");
        }
        assert_eq!(
            check_instant("checked_at", last).unwrap_err().value,
            "+262142-12-31T23:59:59.999999999Z",
            "named in UTC, never converted to Beijing time"
        );
        let e = check_date("valid_until", NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "valid_until is 9999-12-31, outside the years 2000 to 2200 a record's time may fall in"
        );
    }

    #[test]
    fn beijing_is_eight_hours_ahead() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 20, 5, 0).unwrap();
        assert_eq!(format_beijing(at), "2026-03-02 04:05");
    }
}
