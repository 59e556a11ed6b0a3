//! The `officers` table: the holders of certificates, their units, and the verifiers of their
//! sign-in PINs.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::ids::OfficerId;
use fieldcase_core::registry::OfficerEntry;

use fieldcase_storage::columns::{conversion_error, instant_opt, instant_text};

use crate::certificates::OfficerRecord;
use crate::store::Result;

fn officer_id(r: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<OfficerId> {
    let text: String = r.get(column)?;
    OfficerId::parse(&text).map_err(|e| conversion_error(column, e))
}

fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<OfficerEntry> {
    Ok(OfficerEntry { officer: officer_id(r, 0)?, name: r.get(1)?, unit: r.get(3)?, pin_verifier: r.get(2)? })
}

/// The officer's registered name.
pub fn name(conn: &Connection, officer: &OfficerId) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT name FROM officers WHERE officer_id = ?1")?
        .query_row([officer.as_str()], |r| r.get(0))
        .optional()?)
}

pub fn insert(conn: &Connection, officer: &OfficerId, name: &str, now: DateTime<Utc>) -> Result<()> {
    let at = instant_text(now);
    conn.prepare_cached("INSERT INTO officers (officer_id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)")?
        .execute(params![officer.as_str(), name, at])?;
    Ok(())
}

/// Sets an officer's PIN verifier; false when the registry has no such officer.
pub fn set_pin(conn: &Connection, officer: &OfficerId, verifier: &str, now: DateTime<Utc>) -> Result<bool> {
    let at = instant_text(now);
    let changed = conn
        .prepare_cached(
            "UPDATE officers SET pin_verifier = ?2, pin_set_at = ?3, updated_at = ?3 WHERE officer_id = ?1",
        )?
        .execute(params![officer.as_str(), verifier, at])?;
    Ok(changed == 1)
}

/// Sets (or, with None, clears) an officer's unit; false when the registry has no such officer.
pub fn set_unit(conn: &Connection, officer: &OfficerId, unit: Option<&str>, now: DateTime<Utc>) -> Result<bool> {
    let changed = conn
        .prepare_cached("UPDATE officers SET unit = ?2, updated_at = ?3 WHERE officer_id = ?1")?
        .execute(params![officer.as_str(), unit, instant_text(now)])?;
    Ok(changed == 1)
}

/// The registry entries of these officers.
pub fn entries(conn: &Connection, officers: &BTreeSet<OfficerId>) -> Result<Vec<OfficerEntry>> {
    let mut stmt = conn.prepare("SELECT officer_id, name, pin_verifier, unit FROM officers WHERE officer_id = ?1")?;
    let mut out = Vec::with_capacity(officers.len());
    for officer in officers {
        if let Some(e) = stmt.query_row([officer.as_str()], entry).optional()? {
            out.push(e);
        }
    }
    Ok(out)
}

/// Every officer's registry entry, by id.
pub fn all_entries(conn: &Connection) -> Result<Vec<OfficerEntry>> {
    let mut stmt = conn.prepare("SELECT officer_id, name, pin_verifier, unit FROM officers ORDER BY officer_id")?;
    let rows = stmt.query_map([], entry)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn list(conn: &Connection) -> Result<Vec<OfficerRecord>> {
    let mut stmt = conn.prepare(
        "SELECT o.officer_id, o.name, o.pin_verifier IS NOT NULL, o.pin_set_at, o.unit,
                (SELECT group_concat(number, ',') FROM (SELECT number FROM certificates c WHERE c.officer_id = o.officer_id ORDER BY number))
         FROM officers o ORDER BY o.officer_id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            let numbers: Option<String> = r.get(5)?;
            Ok(OfficerRecord {
                officer: officer_id(r, 0)?,
                name: r.get(1)?,
                has_pin: r.get(2)?,
                pin_set_at: instant_opt(r, 3)?,
                unit: r.get(4)?,
                certificates: numbers.map(|n| n.split(',').map(str::to_owned).collect()).unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
