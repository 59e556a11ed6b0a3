//! The `certificates` table: each certificate as it stands now.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use fieldcase_core::certificate::{Certificate, CertificateStatus};
use fieldcase_core::ids::OfficerId;

use crate::certificates::CertificateRecord;
use crate::store::{Result, StoreError};
use fieldcase_storage::columns::{conversion_error, instant, instant_text, parsed, record_text};

const COLUMNS: &str = "number, officer_id, holder_name, issuing_unit, areas, valid_from, valid_until, status, issued_at, updated_at, registry_version";

/// A status as its serde name (`active`, `suspended`, `revoked`).
pub fn status_name(status: CertificateStatus) -> &'static str {
    match status {
        CertificateStatus::Active => "active",
        CertificateStatus::Suspended => "suspended",
        CertificateStatus::Revoked => "revoked",
    }
}

fn status(r: &Row<'_>, column: usize) -> rusqlite::Result<CertificateStatus> {
    let text: String = r.get(column)?;
    serde_json::from_value(serde_json::Value::String(text)).map_err(|e| conversion_error(column, e))
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<CertificateRecord> {
    let holder: String = r.get(1)?;
    let areas: String = r.get(4)?;
    let version: i64 = r.get(10)?;
    Ok(CertificateRecord {
        certificate: Certificate {
            number: r.get(0)?,
            holder: OfficerId::parse(&holder).map_err(|e| conversion_error(1, e))?,
            holder_name: r.get(2)?,
            issuing_unit: r.get(3)?,
            areas: serde_json::from_str(&areas).map_err(|e| conversion_error(4, e))?,
            valid_from: parsed::<NaiveDate>(r, 5)?,
            valid_until: parsed::<NaiveDate>(r, 6)?,
            status: status(r, 7)?,
        },
        issued_at: instant(r, 8)?,
        updated_at: instant(r, 9)?,
        registry_version: u64::try_from(version).map_err(|e| conversion_error(10, e))?,
    })
}

pub fn get(conn: &Connection, number: &str) -> Result<Option<CertificateRecord>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM certificates WHERE number = ?1"))?
        .query_row([number], from_row)
        .optional()?)
}

fn version_value(version: u64) -> Result<i64> {
    i64::try_from(version).map_err(|_| StoreError::Other(format!("registry version {version} is out of range")))
}

pub fn insert(conn: &Connection, c: &Certificate, now: DateTime<Utc>, version: u64) -> Result<()> {
    let at = instant_text(now);
    conn.prepare_cached(&format!(
        "INSERT INTO certificates ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)"
    ))?
    .execute(params![
        c.number,
        c.holder.as_str(),
        c.holder_name,
        c.issuing_unit,
        record_text(&c.areas)?,
        c.valid_from.to_string(),
        c.valid_until.to_string(),
        status_name(c.status),
        at,
        version_value(version)?,
    ])?;
    Ok(())
}

/// What an action changes: validity and status (number, holder and unit stay as issued).
pub fn update(conn: &Connection, c: &Certificate, now: DateTime<Utc>, version: u64) -> Result<()> {
    conn.prepare_cached("UPDATE certificates SET valid_until = ?2, status = ?3, updated_at = ?4, registry_version = ?5 WHERE number = ?1")?.execute(params![c.number, c.valid_until.to_string(), status_name(c.status), instant_text(now), version_value(version)?],
    )?;
    Ok(())
}

pub fn list(conn: &Connection) -> Result<Vec<CertificateRecord>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM certificates ORDER BY number"))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
