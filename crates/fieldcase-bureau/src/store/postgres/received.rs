//! The `sites`, `site_aliases`, `inspections`, `inspection_officer_checks` and
//! `certificate_checks` tables: the directory and what devices pushed of their inspections.

use chrono::{DateTime, Utc};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::certificate::{CertificateCheck, CheckResult};
use fieldcase_core::ids::{CheckId, DeviceId, InspectionId, SiteId};
use fieldcase_core::inspection::Inspection;
use fieldcase_core::site::Site;
use fieldcase_core::uscc::Uscc;
use fieldcase_storage::columns::record_text;

use super::feed::{self, Kind};
use super::ledger::{Write, owned};
use super::rows::{Tx, exec, get, json, parsed, parsed_opt, row_opt, rows};
use crate::store::{DirectorySite, ReceivedInspection, Result, ReviewReason, SiteSource, StoreError};

/// The hash held under a site id: a directory site's, or a joined device site's.
pub(super) async fn site_hash(tx: &Tx<'_>, id: SiteId) -> Result<Option<ContentHash>> {
    let sql = "SELECT content_hash FROM sites WHERE id = $1
               UNION ALL SELECT content_hash FROM site_aliases WHERE device_site_id = $1 LIMIT 1";
    row_opt(tx, sql, &[&id.to_string()]).await?.map(|r| parsed(&r, 0)).transpose()
}

pub(super) async fn site_by_uscc(tx: &Tx<'_>, uscc: &Uscc) -> Result<Option<SiteId>> {
    row_opt(tx, "SELECT id FROM sites WHERE uscc = $1", &[&uscc.as_str()]).await?.map(|r| parsed(&r, 0)).transpose()
}

/// A new directory site; it goes into the change feed too.
pub(super) async fn insert_site(tx: &Tx<'_>, site: &Site, source: Option<DeviceId>, at: DateTime<Utc>) -> Result<()> {
    let record = record_text(site)?;
    exec(
        tx,
        "INSERT INTO sites (id, uscc, name, record, content_hash, source_device, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &site.id.to_string(),
            &site.uscc.as_str(),
            &site.name,
            &record,
            &ContentHash::of(site).to_hex(),
            &source.map(|d| d.to_string()),
            &at,
        ],
    )
    .await?;
    feed::append(tx, Kind::Site, &site.id.to_string(), &record, at, None).await
}

/// A device's site that joins the directory site `joins`.
pub(super) fn alias_write(pushed: &Site, joins: SiteId, from: DeviceId, at: DateTime<Utc>) -> Result<Write> {
    Ok(Write::new(
        "INSERT INTO site_aliases (device_site_id, site_id, device_id, record, content_hash, received_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        owned![
            pushed.id.to_string(),
            joins.to_string(),
            from.to_string(),
            record_text(pushed)?,
            ContentHash::of(pushed).to_hex(),
            at
        ],
    ))
}

/// The directory by name, each site with the device ids that joined it.
pub(super) async fn sites(tx: &Tx<'_>) -> Result<Vec<DirectorySite>> {
    let found = rows(
        tx,
        "SELECT s.record, s.source_device, s.received_at,
                (SELECT string_agg(a.device_site_id, ',') FROM site_aliases a WHERE a.site_id = s.id)
         FROM sites s ORDER BY s.name, s.uscc",
        &[],
    )
    .await?;
    found
        .iter()
        .map(|r| {
            let source = match parsed_opt::<DeviceId>(r, 1)? {
                Some(device) => SiteSource::Device { device },
                None => SiteSource::Bureau,
            };
            let aliases: Option<String> = get(r, 3)?;
            Ok(DirectorySite {
                site: json(r, 0)?,
                source,
                received_at: get(r, 2)?,
                aliases: aliases.map(|a| a.split(',').map(str::to_owned).collect()).unwrap_or_default(),
            })
        })
        .collect()
}

pub(super) async fn inspection_hash(tx: &Tx<'_>, id: InspectionId) -> Result<Option<ContentHash>> {
    let found = row_opt(tx, "SELECT content_hash FROM inspections WHERE id = $1", &[&id.to_string()]).await?;
    found.map(|r| parsed(&r, 0)).transpose()
}

/// An inspection and the certificate checks it names.
pub(super) fn inspection_writes(
    inspection: &Inspection,
    content_hash: ContentHash,
    from: DeviceId,
    at: DateTime<Utc>,
) -> Result<Vec<Write>> {
    let id = inspection.id.to_string();
    let mut writes = vec![Write::new(
        "INSERT INTO inspections (id, supersedes, site_id, device_id, started_at, ended_at, outcome, record, content_hash, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        owned![
            id.clone(),
            inspection.supersedes.map(|s| s.to_string()),
            inspection.site_id.to_string(),
            from.to_string(),
            inspection.started_at,
            inspection.ended_at,
            inspection.outcome.as_ref().map(|o| o.name().to_owned()),
            record_text(inspection)?,
            content_hash.to_hex(),
            at,
        ],
    )];
    let checks: Vec<String> = inspection.officer_checks.iter().map(ToString::to_string).collect();
    if !checks.is_empty() {
        writes.push(Write::new(
            "INSERT INTO inspection_officer_checks (inspection_id, check_id)
             SELECT $1, check_id FROM unnest($2::text[]) AS check_id ON CONFLICT DO NOTHING",
            owned![id, checks],
        ));
    }
    Ok(writes)
}

/// The inspection held under `id`, as it was sealed.
pub(super) async fn inspection(tx: &Tx<'_>, id: InspectionId) -> Result<Option<Inspection>> {
    row_opt(tx, "SELECT record FROM inspections WHERE id = $1", &[&id.to_string()])
        .await?
        .map(|r| json(&r, 0))
        .transpose()
}

/// The stored inspections naming `check` among their officer checks, with their devices.
pub(super) async fn citing(tx: &Tx<'_>, check: CheckId) -> Result<Vec<(DeviceId, Inspection)>> {
    let found = rows(
        tx,
        "SELECT i.device_id, i.record FROM inspections i
         JOIN inspection_officer_checks c ON c.inspection_id = i.id WHERE c.check_id = $1",
        &[&check.to_string()],
    )
    .await?;
    found.iter().map(|r| Ok((parsed(r, 0)?, json(r, 1)?))).collect()
}

/// Received inspections, newest first, with their bureau site and open review reasons.
pub(super) async fn inspections(tx: &Tx<'_>) -> Result<Vec<ReceivedInspection>> {
    let found = rows(
        tx,
        "SELECT i.id, i.supersedes, COALESCE(a.site_id, i.site_id), s.name, i.device_id, d.label,
                i.started_at, i.ended_at, NULLIF(i.record::jsonb -> 'outcome', 'null'::jsonb)::text,
                i.content_hash, i.received_at,
                (SELECT string_agg(DISTINCT r.reason, ',') FROM reviews r
                  WHERE r.kind = 'inspection' AND r.item_id = i.id AND r.resolved_at IS NULL),
                (SELECT string_agg(r.detail, chr(31) ORDER BY r.id) FROM reviews r
                  WHERE r.kind = 'inspection' AND r.item_id = i.id AND r.resolved_at IS NULL)
         FROM inspections i
         LEFT JOIN site_aliases a ON a.device_site_id = i.site_id
         LEFT JOIN sites s ON s.id = COALESCE(a.site_id, i.site_id)
         LEFT JOIN devices d ON d.device_id = i.device_id
         ORDER BY i.started_at DESC, i.id DESC",
        &[],
    )
    .await?;
    found
        .iter()
        .map(|r| {
            let reasons: Option<String> = get(r, 11)?;
            let mut review_reasons: Vec<ReviewReason> =
                reasons.as_deref().unwrap_or_default().split(',').filter_map(ReviewReason::parse).collect();
            review_reasons.sort();
            let details: Option<String> = get(r, 12)?;
            let outcome: Option<String> = get(r, 8)?;
            Ok(ReceivedInspection {
                id: get(r, 0)?,
                supersedes: get(r, 1)?,
                site_id: get(r, 2)?,
                site_name: get(r, 3)?,
                device_id: parsed(r, 4)?,
                device_label: get(r, 5)?,
                started_at: get(r, 6)?,
                ended_at: get(r, 7)?,
                outcome: outcome.map(|text| serde_json::from_str(&text)).transpose()?,
                content_hash: parsed(r, 9)?,
                received_at: get(r, 10)?,
                needs_review: !review_reasons.is_empty(),
                review_reasons,
                review_details: details.map(|d| d.split('\u{1f}').map(str::to_owned).collect()).unwrap_or_default(),
            })
        })
        .collect()
}

pub(super) async fn check_hash(tx: &Tx<'_>, id: CheckId) -> Result<Option<ContentHash>> {
    let found = row_opt(tx, "SELECT content_hash FROM certificate_checks WHERE id = $1", &[&id.to_string()]).await?;
    found.map(|r| parsed(&r, 0)).transpose()
}

/// A result as its serde name (`valid`, `expired`, …).
fn result_name(result: CheckResult) -> Result<String> {
    match serde_json::to_value(result) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(StoreError::Other(format!("check result {result:?} has no name"))),
    }
}

pub(super) fn check_write(
    check: &CertificateCheck,
    content_hash: ContentHash,
    from: DeviceId,
    at: DateTime<Utc>,
) -> Result<Write> {
    Ok(Write::new(
        "INSERT INTO certificate_checks (id, inspection_id, officer_id, result, device_id, record, content_hash, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        owned![
            check.id.to_string(),
            check.inspection_id.to_string(),
            check.officer_id.as_str().to_owned(),
            result_name(check.result)?,
            from.to_string(),
            record_text(check)?,
            content_hash.to_hex(),
            at,
        ],
    ))
}

/// The checks among `checks` that the bureau holds, in the order named.
pub(super) async fn held_checks(tx: &Tx<'_>, checks: &[CheckId]) -> Result<Vec<CertificateCheck>> {
    if checks.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = checks.iter().map(ToString::to_string).collect();
    let found = rows(tx, "SELECT id, record FROM certificate_checks WHERE id = ANY($1)", &[&ids]).await?;
    let mut held: Vec<(String, CertificateCheck)> =
        found.iter().map(|r| Ok((get(r, 0)?, json(r, 1)?))).collect::<Result<_>>()?;
    held.sort_by_key(|(id, _)| ids.iter().position(|named| named == id));
    Ok(held.into_iter().map(|(_, check)| check).collect())
}
