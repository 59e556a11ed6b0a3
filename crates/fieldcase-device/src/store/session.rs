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

/// (failures in a row, locked until).
pub fn failures(conn: &Connection, officer: &str) -> Result<(u32, Option<DateTime<Utc>>)> {
    let row = conn
        .prepare_cached("SELECT failures, locked_until FROM signin_failures WHERE officer_id = ?1")?
        .query_row([officer], |r| Ok((r.get::<_, u32>(0)?, instant_opt(r, 1)?)))
        .optional()?;
    Ok(row.unwrap_or((0, None)))
}

pub fn set_failures(
    conn: &Connection,
    officer: &str,
    failures: u32,
    locked_until: Option<DateTime<Utc>>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO signin_failures (officer_id, failures, locked_until) VALUES (?1, ?2, ?3)
         ON CONFLICT (officer_id) DO UPDATE SET failures = ?2, locked_until = ?3",
    )?
    .execute(params![officer, failures, locked_until.map(instant_text)])?;
    Ok(())
}
