//! Time as the records keep it and as officers read it.
//!
//! Records store UTC instants at microsecond precision (what SQLite text and JSON keep
//! exactly); officers read Beijing time.

use chrono::{DateTime, FixedOffset, SubsecRound, Utc};

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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn beijing_is_eight_hours_ahead() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 20, 5, 0).unwrap();
        assert_eq!(format_beijing(at), "2026-03-02 04:05");
    }
}
