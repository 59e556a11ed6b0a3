//! The `inspections` table: one row per version; the whole record is kept as JSON in
//! `body`, with the columns queries need beside it. A finalized row is never updated or
//! deleted (the store does not try, and a trigger refuses it).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use fieldcase_core::ids::InspectionId;
use fieldcase_core::inspection::{Inspection, InspectionStatus};

use fieldcase_storage::columns::{conversion_error, instant, instant_opt, instant_text, parsed, parsed_opt};

use super::{Result, StoreError};

fn status_text(status: InspectionStatus) -> &'static str {
    match status {
        InspectionStatus::Draft => "draft",
        InspectionStatus::Finalized => "finalized",
    }
}

/// The `status` column read back, at `column` of a row.
pub(super) fn status_at(r: &Row<'_>, column: usize) -> rusqlite::Result<InspectionStatus> {
    match r.get::<_, String>(column)?.as_str() {
        "draft" => Ok(InspectionStatus::Draft),
        "finalized" => Ok(InspectionStatus::Finalized),
        other => Err(conversion_error(column, StoreError::Corrupt(format!("unknown inspection status '{other}'")))),
    }
}

pub fn insert(conn: &Connection, inspection: &Inspection) -> Result<()> {
    conn.prepare_cached("INSERT INTO inspections (id, supersedes, site_id, template_id, template_version, status, started_at, body, content_hash, signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")?.execute(params![
            inspection.id.to_string(),
            inspection.supersedes.map(|s| s.to_string()),
            inspection.site_id.to_string(),
            inspection.template_id.0,
            inspection.template_version,
            status_text(inspection.status),
            instant_text(inspection.started_at),
            serde_json::to_string(inspection)?,
            inspection.seal.as_ref().map(|s| s.content_hash.to_hex()),
            inspection.seal.as_ref().map(|s| s.signature.to_string()),
        ],
    )?;
    Ok(())
}

/// Replaces a draft with its new state (a later draft, or its finalized form). Only drafts
/// can be replaced; a finalized row is refused here and by the trigger.
pub fn replace_draft(conn: &Connection, inspection: &Inspection) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE inspections SET status = ?2, body = ?3, content_hash = ?4, signature = ?5
         WHERE id = ?1 AND status = 'draft'",
        )?
        .execute(params![
            inspection.id.to_string(),
            status_text(inspection.status),
            serde_json::to_string(inspection)?,
            inspection.seal.as_ref().map(|s| s.content_hash.to_hex()),
            inspection.seal.as_ref().map(|s| s.signature.to_string()),
        ])?;
    if n == 1 { Ok(()) } else { Err(StoreError::Immutable(format!("inspection {} is not a draft", inspection.id))) }
}

pub fn get(conn: &Connection, id: InspectionId) -> Result<Option<Inspection>> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM inspections WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
}

/// The version that corrects `id`, if any.
pub fn superseded_by(conn: &Connection, id: InspectionId) -> Result<Option<InspectionId>> {
    Ok(conn
        .prepare_cached("SELECT id FROM inspections WHERE supersedes = ?1")?
        .query_row([id.to_string()], |r| parsed_opt(r, 0))
        .optional()?
        .flatten())
}

/// Every version with the id of the version correcting it, newest first.
pub fn list(conn: &Connection) -> Result<Vec<(Inspection, Option<InspectionId>)>> {
    let mut stmt = conn.prepare(
        "SELECT i.body, c.id FROM inspections i LEFT JOIN inspections c ON c.supersedes = i.id
         ORDER BY i.started_at DESC, i.id DESC",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, parsed_opt(r, 1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(|(body, by)| Ok((serde_json::from_str(&body)?, by))).collect()
}

/// One version as home sorts it: its status, when it started and ended, and the version
/// correcting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dates {
    pub id: InspectionId,
    pub status: InspectionStatus,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub superseded_by: Option<InspectionId>,
}

/// Every version's [`Dates`], newest first as [`list`] gives them. The end is read out of
/// the body by SQLite's JSON functions rather than by decoding each record: about 6 ms per
/// thousand versions, against some 13 ms to decode them whole.
pub fn dates(conn: &Connection) -> Result<Vec<Dates>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, i.status, i.started_at, json_extract(i.body, '$.ended_at'), c.id
         FROM inspections i LEFT JOIN inspections c ON c.supersedes = i.id
         ORDER BY i.started_at DESC, i.id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Dates {
            id: parsed(r, 0)?,
            status: status_at(r, 1)?,
            started_at: instant(r, 2)?,
            ended_at: instant_opt(r, 3)?,
            superseded_by: parsed_opt(r, 4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
