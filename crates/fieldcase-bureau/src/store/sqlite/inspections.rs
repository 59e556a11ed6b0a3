//! The `inspections` and `inspection_officer_checks` tables: finalized inspections as the
//! devices sealed them, and the certificate checks each rests on.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::{CheckId, DeviceId, InspectionId};
use fieldcase_core::inspection::{Inspection, Outcome};

use crate::store::{ReceivedInspection, Result, ReviewReason};
use fieldcase_storage::columns::{conversion_error, instant, instant_opt, instant_text, json, parsed, record_text};

pub fn stored_hash(conn: &Connection, id: InspectionId) -> Result<Option<ContentHash>> {
    Ok(conn
        .prepare_cached("SELECT content_hash FROM inspections WHERE id = ?1")?
        .query_row([id.to_string()], |r| parsed(r, 0))
        .optional()?)
}

pub fn insert(
    conn: &Connection,
    inspection: &Inspection,
    content_hash: ContentHash,
    from: DeviceId,
    at: DateTime<Utc>,
) -> Result<()> {
    let id = inspection.id.to_string();
    conn.prepare_cached("INSERT INTO inspections (id, supersedes, site_id, device_id, started_at, ended_at, outcome, record, content_hash, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")?.execute(params![
            id,
            inspection.supersedes.map(|s| s.to_string()),
            inspection.site_id.to_string(),
            from.to_string(),
            instant_text(inspection.started_at),
            inspection.ended_at.map(instant_text),
            inspection.outcome.as_ref().map(Outcome::name),
            record_text(inspection)?,
            content_hash.to_hex(),
            instant_text(at),
        ],
    )?;
    let mut stmt = conn
        .prepare_cached("INSERT OR IGNORE INTO inspection_officer_checks (inspection_id, check_id) VALUES (?1, ?2)")?;
    for check in &inspection.officer_checks {
        stmt.execute(params![id, check.to_string()])?;
    }
    Ok(())
}

/// The inspection held under `id`, as it was sealed.
pub fn get(conn: &Connection, id: InspectionId) -> Result<Option<Inspection>> {
    Ok(conn
        .prepare_cached("SELECT record FROM inspections WHERE id = ?1")?
        .query_row([id.to_string()], |r| json(r, 0))
        .optional()?)
}

/// The stored inspections naming `check` among their officer checks, with the device that
/// pushed each.
pub fn citing(conn: &Connection, check: CheckId) -> Result<Vec<(DeviceId, Inspection)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.device_id, i.record FROM inspections i
         JOIN inspection_officer_checks c ON c.inspection_id = i.id WHERE c.check_id = ?1",
    )?;
    let rows = stmt
        .query_map([check.to_string()], |r| Ok((parsed(r, 0)?, json(r, 1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Received inspections, newest first, with their bureau site and open review reasons.
pub fn list(conn: &Connection) -> Result<Vec<ReceivedInspection>> {
    let mut stmt = conn.prepare(
        "SELECT i.id, i.supersedes, COALESCE(a.site_id, i.site_id), s.name, i.device_id, d.label,
                i.started_at, i.ended_at, json_extract(i.record, '$.outcome'), i.content_hash, i.received_at,
                (SELECT group_concat(DISTINCT r.reason) FROM reviews r
                  WHERE r.kind = 'inspection' AND r.item_id = i.id AND r.resolved_at IS NULL),
                (SELECT group_concat(r.detail, char(31)) FROM reviews r
                  WHERE r.kind = 'inspection' AND r.item_id = i.id AND r.resolved_at IS NULL)
         FROM inspections i
         LEFT JOIN site_aliases a ON a.device_site_id = i.site_id
         LEFT JOIN sites s ON s.id = COALESCE(a.site_id, i.site_id)
         LEFT JOIN devices d ON d.device_id = i.device_id
         ORDER BY i.started_at DESC, i.id DESC",
    )?;
    let rows = stmt
        .query_map([], |r| {
            let reasons: Option<String> = r.get(11)?;
            let mut review_reasons: Vec<ReviewReason> =
                reasons.as_deref().unwrap_or_default().split(',').filter_map(ReviewReason::parse).collect();
            review_reasons.sort();
            let details: Option<String> = r.get(12)?;
            let review_details = details.map(|d| d.split('\u{1f}').map(str::to_owned).collect()).unwrap_or_default();
            Ok(ReceivedInspection {
                id: r.get(0)?,
                supersedes: r.get(1)?,
                site_id: r.get(2)?,
                site_name: r.get(3)?,
                device_id: parsed(r, 4)?,
                device_label: r.get(5)?,
                started_at: instant(r, 6)?,
                ended_at: instant_opt(r, 7)?,
                outcome: r
                    .get::<_, Option<String>>(8)?
                    .map(|text| serde_json::from_str(&text))
                    .transpose()
                    .map_err(|e| conversion_error(8, e))?,
                content_hash: parsed(r, 9)?,
                received_at: instant(r, 10)?,
                needs_review: !review_reasons.is_empty(),
                review_reasons,
                review_details,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
