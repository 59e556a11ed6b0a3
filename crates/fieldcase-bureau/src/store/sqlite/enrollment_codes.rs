//! The `enrollment_codes` table: one-time codes administrators hand to officers, kept as
//! hashes.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::DeviceId;

use crate::enrollment::UsableCode;
use crate::store::{NewEnrollmentCode, Result};
use fieldcase_storage::columns::{instant_opt, instant_text, json, record_text};

pub fn insert(conn: &Connection, code: &NewEnrollmentCode) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO enrollment_codes (code_hash, label, created_at, expires_at, units) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        code.code_hash.to_hex(),
        code.label,
        instant_text(code.created_at),
        instant_text(code.expires_at),
        record_text(&code.units)?
    ])?;
    Ok(())
}

/// The code if it exists, is unused and has not expired at `now`.
pub fn usable(conn: &Connection, code_hash: &ContentHash, now: DateTime<Utc>) -> Result<Option<UsableCode>> {
    let row = conn
        .prepare_cached("SELECT expires_at, used_at, label, units FROM enrollment_codes WHERE code_hash = ?1")?
        .query_row([code_hash.to_hex()], |r| {
            let code = UsableCode { label: r.get(2)?, units: json(r, 3)? };
            Ok((instant_opt(r, 0)?, r.get::<_, Option<String>>(1)?, code))
        })
        .optional()?;
    Ok(match row {
        Some((Some(expires_at), None, code)) if now < expires_at => Some(code),
        _ => None,
    })
}

pub fn mark_used(conn: &Connection, code_hash: &ContentHash, device: DeviceId, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "UPDATE enrollment_codes SET used_at = ?2, used_by = ?3 WHERE code_hash = ?1 AND used_at IS NULL",
    )?
    .execute(params![code_hash.to_hex(), instant_text(now), device.to_string()])?;
    Ok(())
}
