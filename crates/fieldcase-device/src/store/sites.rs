//! The `sites` table: employers and projects, one row per unified social credit code.

use rusqlite::{Connection, OptionalExtension, Row, params};

use fieldcase_core::ids::SiteId;
use fieldcase_core::site::Site;

use fieldcase_storage::columns::{instant, instant_text, parsed};

use super::Result;

const COLUMNS: &str = "id, uscc, name, address, project_name, general_contractor, created_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Site> {
    Ok(Site {
        id: parsed(r, 0)?,
        uscc: parsed(r, 1)?,
        name: r.get(2)?,
        address: r.get(3)?,
        project_name: r.get(4)?,
        general_contractor: r.get(5)?,
        created_at: instant(r, 6)?,
    })
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
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM sites WHERE id = ?1"))?
        .query_row([id.to_string()], from_row)
        .optional()?)
}

pub fn by_uscc(conn: &Connection, uscc: &str) -> Result<Option<Site>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM sites WHERE uscc = ?1"))?
        .query_row([uscc], from_row)
        .optional()?)
}

/// All sites, by name.
pub fn list(conn: &Connection) -> Result<Vec<Site>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM sites ORDER BY name, uscc"))?;
    Ok(stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?)
}
