//! The `sites` table: employers and projects, one row per unified social credit code.

use rusqlite::{Connection, OptionalExtension, Row, params};

use fieldcase_core::ids::SiteId;
use fieldcase_core::site::Site;

use super::{Result, StoreError, instant_text, parse_column, parse_instant};

const COLUMNS: &str = "id, uscc, name, address, project_name, general_contractor, created_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(Site, String)> {
    let site = Site {
        id: parse_column(r.get(0)?, 0)?,
        uscc: fieldcase_core::uscc::Uscc::parse(&r.get::<_, String>(1)?)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e)))?,
        name: r.get(2)?,
        address: r.get(3)?,
        project_name: r.get(4)?,
        general_contractor: r.get(5)?,
        created_at: Default::default(),
    };
    Ok((site, r.get(6)?))
}

fn finish(row: (Site, String)) -> Result<Site> {
    let (mut site, created_at) = row;
    site.created_at = parse_instant(&created_at)?;
    Ok(site)
}

pub fn insert(conn: &Connection, site: &Site) -> Result<()> {
    conn.prepare_cached(&format!("INSERT INTO sites ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"))?.execute(
        params![
            site.id.to_string(),
            site.uscc.as_str(),
            site.name,
            site.address,
            site.project_name,
            site.general_contractor,
            instant_text(site.created_at)
        ],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, id: SiteId) -> Result<Option<Site>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM sites WHERE id = ?1"))?
        .query_row([id.to_string()], from_row)
        .optional()?
        .map(finish)
        .transpose()
}

pub fn by_uscc(conn: &Connection, uscc: &str) -> Result<Option<Site>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM sites WHERE uscc = ?1"))?
        .query_row([uscc], from_row)
        .optional()?
        .map(finish)
        .transpose()
}

/// All sites, by name.
pub fn list(conn: &Connection) -> Result<Vec<Site>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM sites ORDER BY name, uscc"))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>().map_err(StoreError::from)?;
    rows.into_iter().map(finish).collect()
}
