//! The `certificate_checks` table: checks officers recorded, as pushed.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::certificate::{CertificateCheck, CheckResult};
use fieldcase_core::ids::{CheckId, DeviceId};

use crate::store::{Result, StoreError};
use fieldcase_storage::columns::{instant_text, json, parsed, record_text};

pub fn stored_hash(conn: &Connection, id: CheckId) -> Result<Option<ContentHash>> {
    Ok(conn
        .prepare_cached("SELECT content_hash FROM certificate_checks WHERE id = ?1")?
        .query_row([id.to_string()], |r| parsed(r, 0))
        .optional()?)
}

/// A result as its serde name (`valid`, `expired`, …).
fn result_name(result: CheckResult) -> Result<String> {
    match serde_json::to_value(result) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(StoreError::Other(format!("check result {result:?} has no name"))),
    }
}

pub fn insert(
    conn: &Connection,
    check: &CertificateCheck,
    content_hash: ContentHash,
    from: DeviceId,
    at: DateTime<Utc>,
) -> Result<()> {
    conn.prepare_cached("INSERT INTO certificate_checks (id, inspection_id, officer_id, result, device_id, record, content_hash, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?.execute(params![
            check.id.to_string(),
            check.inspection_id.to_string(),
            check.officer_id.as_str(),
            result_name(check.result)?,
            from.to_string(),
            record_text(check)?,
            content_hash.to_hex(),
            instant_text(at),
        ],
    )?;
    Ok(())
}

/// The checks among `checks` that the bureau holds, in the order named.
pub fn held(conn: &Connection, checks: &[CheckId]) -> Result<Vec<CertificateCheck>> {
    let mut stmt = conn.prepare_cached("SELECT record FROM certificate_checks WHERE id = ?1")?;
    let mut held = Vec::with_capacity(checks.len());
    for check in checks {
        if let Some(record) = stmt.query_row([check.to_string()], |r| json::<CertificateCheck>(r, 0)).optional()? {
            held.push(record);
        }
    }
    Ok(held)
}
