//! The `certificate_history` table: every action on a certificate and the state it left the
//! certificate in, so its state at any past instant can be told.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::certificates::{CertificateEvent, HistoryAction};
use crate::store::{Result, StoreError};
use fieldcase_storage::columns::{conversion_error, instant, instant_text, json, record_text};

const COLUMNS: &str = "number, action, at, reason, actor, state, registry_version";

fn from_row(r: &Row<'_>) -> rusqlite::Result<CertificateEvent> {
    let action: String = r.get(1)?;
    let version: i64 = r.get(6)?;
    Ok(CertificateEvent {
        number: r.get(0)?,
        action: HistoryAction::parse(&action)
            .ok_or_else(|| conversion_error(1, StoreError::Corrupt(format!("unknown action '{action}'"))))?,
        at: instant(r, 2)?,
        reason: r.get(3)?,
        actor: r.get(4)?,
        state: json(r, 5)?,
        registry_version: u64::try_from(version).map_err(|e| conversion_error(6, e))?,
    })
}

pub fn append(conn: &Connection, event: &CertificateEvent) -> Result<()> {
    conn.prepare_cached(&format!("INSERT INTO certificate_history ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"))?
        .execute(params![
        event.number,
        event.action.as_str(),
        instant_text(event.at),
        event.reason,
        event.actor,
        record_text(&event.state)?,
        i64::try_from(event.registry_version).map_err(|_| StoreError::Other("registry version out of range".into()))?,
    ])?;
    Ok(())
}

/// The history of one certificate, or of all, oldest first.
pub fn list(conn: &Connection, number: Option<&str>) -> Result<Vec<CertificateEvent>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM certificate_history WHERE ?1 IS NULL OR number = ?1 ORDER BY at, id"
    ))?;
    let rows = stmt.query_map([number], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The history of one certificate, oldest first.
pub fn of(conn: &Connection, number: &str) -> Result<Vec<CertificateEvent>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM certificate_history WHERE number = ?1 ORDER BY at, id"))?;
    let rows = stmt.query_map([number], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The last action at or before `at`: what the certificate was then.
pub fn at(conn: &Connection, number: &str, at: DateTime<Utc>) -> Result<Option<CertificateEvent>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM certificate_history WHERE number = ?1 AND at <= ?2 ORDER BY at DESC, id DESC LIMIT 1"
        ))?
        .query_row(params![number, instant_text(at)], from_row)
        .optional()?)
}
