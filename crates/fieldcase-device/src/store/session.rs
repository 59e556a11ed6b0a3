//! `session` and `signin_failures`: who is signed in, and who is locked out for a while.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::ids::OfficerId;

use fieldcase_storage::columns::{instant, instant_opt, instant_text, parsed};

use super::Result;

pub fn current(conn: &Connection) -> Result<Option<(OfficerId, DateTime<Utc>)>> {
    Ok(conn
        .prepare_cached("SELECT officer_id, signed_in_at FROM session WHERE singleton = 1")?
        .query_row([], |r| Ok((parsed::<OfficerId>(r, 0)?, instant(r, 1)?)))
        .optional()?)
}

pub fn sign_in(conn: &Connection, officer: &OfficerId, at: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO session (singleton, officer_id, signed_in_at) VALUES (1, ?1, ?2)
         ON CONFLICT (singleton) DO UPDATE SET officer_id = ?1, signed_in_at = ?2",
    )?
    .execute(params![officer.as_str(), instant_text(at)])?;
    conn.prepare_cached("DELETE FROM signin_failures WHERE officer_id = ?1")?.execute([officer.as_str()])?;
    Ok(())
}

pub fn sign_out(conn: &Connection) -> Result<()> {
    conn.prepare_cached("DELETE FROM session")?.execute([])?;
    Ok(())
}

/// An officer's wrong PINs in a row on this device, and the lockout they caused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attempts {
    /// Wrong PINs since the last right one (an attempt under way counts as wrong).
    pub failures: u32,
    /// The lockout's end on the trusted clock.
    pub locked_until: Option<DateTime<Utc>>,
    /// The lockout's end in time since boot, and which boot that was.
    pub locked_since_boot: Option<(String, u64)>,
}

pub fn attempts(conn: &Connection, officer: &OfficerId) -> Result<Attempts> {
    let row = conn
        .prepare_cached(
            "SELECT failures, locked_until, locked_boot_id, locked_until_since_boot_ms
             FROM signin_failures WHERE officer_id = ?1",
        )?
        .query_row([officer.as_str()], |r| {
            let boot: Option<String> = r.get(2)?;
            let ms: Option<i64> = r.get(3)?;
            Ok(Attempts {
                failures: r.get(0)?,
                locked_until: instant_opt(r, 1)?,
                locked_since_boot: boot.zip(ms.map(|ms| ms.max(0) as u64)),
            })
        })
        .optional()?;
    Ok(row.unwrap_or_default())
}

pub fn set_attempts(conn: &Connection, officer: &OfficerId, a: &Attempts) -> Result<()> {
    let (boot, ms) = a.locked_since_boot.clone().unzip();
    conn.prepare_cached(
        "INSERT INTO signin_failures (officer_id, failures, locked_until, locked_boot_id, locked_until_since_boot_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (officer_id) DO UPDATE SET failures = ?2, locked_until = ?3, locked_boot_id = ?4,
             locked_until_since_boot_ms = ?5",
    )?
    .execute(params![
        officer.as_str(),
        a.failures,
        a.locked_until.map(instant_text),
        boot,
        ms.map(|ms| i64::try_from(ms).unwrap_or(i64::MAX))
    ])?;
    Ok(())
}
