//! The `officers` table: the holders of certificates, and the verifiers of their sign-in PINs.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::ids::OfficerId;
use fieldcase_core::registry::OfficerEntry;

use super::{instant_opt, instant_text};
use crate::certificates::{OfficerRecord, Refusal, RefusalKind};
use crate::store::{Result, StoreError};

fn officer_id(r: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<OfficerId> {
    let text: String = r.get(column)?;
    OfficerId::parse(&text).map_err(|e| super::conversion_error(column, e))
}

fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<OfficerEntry> {
    Ok(OfficerEntry { officer: officer_id(r, 0)?, name: r.get(1)?, pin_verifier: r.get(2)? })
}

/// The officer's registered name.
pub fn name(conn: &Connection, officer: &OfficerId) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT name FROM officers WHERE officer_id = ?1")?
        .query_row([officer.as_str()], |r| r.get(0))
        .optional()?)
}

/// Registers the holder of a certificate being issued. A new officer is added (true); a
/// known one must be named as registered.
pub fn ensure_holder(conn: &Connection, officer: &OfficerId, holder_name: &str, now: DateTime<Utc>) -> Result<bool> {
    match name(conn, officer)? {
        Some(registered) if registered == holder_name => Ok(false),
        Some(registered) => Err(StoreError::Refused(Refusal::new(
            RefusalKind::Invalid,
            Some("name"),
            format!(
                "officer {officer} is registered as {registered}, not {holder_name}; give the name as registered (a certificate carries its holder's registered name)"
            ),
        ))),
        None => {
            let at = instant_text(now);
            conn.prepare_cached(
                "INSERT INTO officers (officer_id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            )?
            .execute(params![officer.as_str(), holder_name, at])?;
            Ok(true)
        }
    }
}

pub fn set_pin(conn: &Connection, officer: &OfficerId, verifier: &str, now: DateTime<Utc>) -> Result<()> {
    let at = instant_text(now);
    let changed = conn
        .prepare_cached(
            "UPDATE officers SET pin_verifier = ?2, pin_set_at = ?3, updated_at = ?3 WHERE officer_id = ?1",
        )?
        .execute(params![officer.as_str(), verifier, at])?;
    if changed == 0 {
        return Err(StoreError::Refused(Refusal::new(
            RefusalKind::NotFound,
            Some("officer_id"),
            format!(
                "officer {officer} is not in the registry; issue their certificate first (`fieldcase bureau cert issue`), then set the PIN"
            ),
        )));
    }
    Ok(())
}

/// The registry entries of these officers.
pub fn entries(conn: &Connection, officers: &BTreeSet<OfficerId>) -> Result<Vec<OfficerEntry>> {
    let mut stmt = conn.prepare("SELECT officer_id, name, pin_verifier FROM officers WHERE officer_id = ?1")?;
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
    let mut stmt = conn.prepare("SELECT officer_id, name, pin_verifier FROM officers ORDER BY officer_id")?;
    let rows = stmt.query_map([], entry)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn list(conn: &Connection) -> Result<Vec<OfficerRecord>> {
    let mut stmt = conn.prepare(
        "SELECT o.officer_id, o.name, o.pin_verifier IS NOT NULL, o.pin_set_at,
                (SELECT group_concat(number, ',') FROM (SELECT number FROM certificates c WHERE c.officer_id = o.officer_id ORDER BY number))
         FROM officers o ORDER BY o.officer_id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            let numbers: Option<String> = r.get(4)?;
            Ok(OfficerRecord {
                officer: officer_id(r, 0)?,
                name: r.get(1)?,
                has_pin: r.get(2)?,
                pin_set_at: instant_opt(r, 3)?,
                certificates: numbers.map(|n| n.split(',').map(str::to_owned).collect()).unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
