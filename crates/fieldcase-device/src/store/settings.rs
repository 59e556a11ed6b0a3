//! `device_settings`: what an officer chose for this laptop in the window (how long a sign-in
//! lasts, the window's language). A value never chosen is absent, and the default applies.

use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_storage::columns::parsed_opt;

use super::Result;
use crate::preferences::Language;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredSettings {
    pub session_hours: Option<u32>,
    pub language: Option<Language>,
}

pub fn get(conn: &Connection) -> Result<StoredSettings> {
    Ok(conn
        .prepare_cached("SELECT session_hours, language FROM device_settings WHERE singleton = 1")?
        .query_row([], |r| Ok(StoredSettings { session_hours: r.get(0)?, language: parsed_opt(r, 1)? }))
        .optional()?
        .unwrap_or_default())
}

pub fn set_session_hours(conn: &Connection, hours: u32) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO device_settings (singleton, session_hours) VALUES (1, ?1)
         ON CONFLICT (singleton) DO UPDATE SET session_hours = ?1",
    )?
    .execute(params![hours])?;
    Ok(())
}

pub fn set_language(conn: &Connection, language: Language) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO device_settings (singleton, language) VALUES (1, ?1)
         ON CONFLICT (singleton) DO UPDATE SET language = ?1",
    )?
    .execute(params![language.as_str()])?;
    Ok(())
}
