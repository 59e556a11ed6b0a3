//! The `registry_versions` table: every signed registry update the bureau published.

use rusqlite::{Connection, params};

use fieldcase_core::registry::{RegistryUpdate, SignedRegistryUpdate};
use fieldcase_storage::columns::instant_text;

use crate::store::{Result, StoreError};

/// The latest published version; 0 while there is none.
pub fn latest(conn: &Connection) -> Result<u64> {
    let v: Option<i64> =
        conn.prepare_cached("SELECT MAX(version) FROM registry_versions")?.query_row([], |r| r.get(0))?;
    u64::try_from(v.unwrap_or(0)).map_err(|_| StoreError::Corrupt("a negative registry version".into()))
}

/// Keeps a published version; `text` is the signed update's JSON, as the feed carries it.
pub fn insert(conn: &Connection, update: &RegistryUpdate, signed: &SignedRegistryUpdate, text: &str) -> Result<()> {
    let version =
        i64::try_from(update.version).map_err(|_| StoreError::Other("registry version out of range".into()))?;
    conn.prepare_cached(
        "INSERT INTO registry_versions (version, from_version, issued_at, key_id, signed) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        version,
        update.from_version.and_then(|v| i64::try_from(v).ok()),
        instant_text(update.issued_at),
        signed.key_id.0,
        text
    ])?;
    Ok(())
}
