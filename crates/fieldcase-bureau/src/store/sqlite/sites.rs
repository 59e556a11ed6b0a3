//! The `sites` and `site_aliases` tables: the directory, one site per unified social credit
//! code, and the device-made ids that joined a site of it.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::{DeviceId, SiteId};
use fieldcase_core::site::Site;
use fieldcase_core::uscc::Uscc;

use super::changes;
use crate::store::{DirectorySite, Result, SiteSource};
use fieldcase_storage::columns::{instant, instant_text, json, parsed, parsed_opt, record_text};

/// The hash held under a site id: a directory site's, or a joined device site's.
pub fn stored_hash(conn: &Connection, id: SiteId) -> Result<Option<ContentHash>> {
    Ok(conn
        .prepare_cached("SELECT content_hash FROM sites WHERE id = ?1 UNION ALL SELECT content_hash FROM site_aliases WHERE device_site_id = ?1")?.query_row([id.to_string()],
            |r| parsed(r, 0),
        )
        .optional()?)
}

pub fn by_uscc(conn: &Connection, uscc: &Uscc) -> Result<Option<SiteId>> {
    Ok(conn
        .prepare_cached("SELECT id FROM sites WHERE uscc = ?1")?
        .query_row([uscc.as_str()], |r| parsed(r, 0))
        .optional()?)
}

/// A new directory site; it goes into the change feed too.
pub fn insert(conn: &Connection, site: &Site, source: Option<DeviceId>, at: DateTime<Utc>) -> Result<()> {
    let record = record_text(site)?;
    conn.prepare_cached("INSERT INTO sites (id, uscc, name, record, content_hash, source_device, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?.execute(params![
            site.id.to_string(),
            site.uscc.as_str(),
            site.name,
            record,
            ContentHash::of(site).to_hex(),
            source.map(|d| d.to_string()),
            instant_text(at)
        ],
    )?;
    changes::append(conn, changes::Kind::Site, &site.id.to_string(), &record, at)
}

pub fn insert_alias(conn: &Connection, pushed: &Site, joins: SiteId, from: DeviceId, at: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached("INSERT INTO site_aliases (device_site_id, site_id, device_id, record, content_hash, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?.execute(params![
            pushed.id.to_string(),
            joins.to_string(),
            from.to_string(),
            record_text(pushed)?,
            ContentHash::of(pushed).to_hex(),
            instant_text(at)
        ],
    )?;
    Ok(())
}

/// The directory by name, each site with the device ids that joined it.
pub fn list(conn: &Connection) -> Result<Vec<DirectorySite>> {
    let mut stmt = conn.prepare(
        "SELECT s.record, s.source_device, s.received_at,
                (SELECT group_concat(a.device_site_id, ',') FROM site_aliases a WHERE a.site_id = s.id)
         FROM sites s ORDER BY s.name, s.uscc",
    )?;
    let rows = stmt
        .query_map([], |r| {
            let source = match parsed_opt::<DeviceId>(r, 1)? {
                Some(device) => SiteSource::Device { device },
                None => SiteSource::Bureau,
            };
            let aliases: Option<String> = r.get(3)?;
            Ok(DirectorySite {
                site: json(r, 0)?,
                source,
                received_at: instant(r, 2)?,
                aliases: aliases.map(|a| a.split(',').map(str::to_owned).collect()).unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
