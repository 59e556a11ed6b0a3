//! The `signing_keys` table: the public halves of the bureau's signing keys, one active.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use fieldcase_core::registry::KeyId;
use fieldcase_core::signing::PublicKey;
use fieldcase_storage::columns::{instant, instant_opt, instant_text, parsed};

use crate::store::{Result, SigningKeyRecord};

const COLUMNS: &str = "key_id, public_key, state, created_at, retired_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<SigningKeyRecord> {
    let state: String = r.get(2)?;
    Ok(SigningKeyRecord {
        key_id: KeyId(r.get(0)?),
        public_key: parsed(r, 1)?,
        active: state == "active",
        created_at: instant(r, 3)?,
        retired_at: instant_opt(r, 4)?,
    })
}

pub fn get(conn: &Connection, key: &KeyId) -> Result<Option<SigningKeyRecord>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM signing_keys WHERE key_id = ?1"))?
        .query_row([&key.0], from_row)
        .optional()?)
}

pub fn active(conn: &Connection) -> Result<Option<SigningKeyRecord>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM signing_keys WHERE state = 'active'"))?
        .query_row([], from_row)
        .optional()?)
}

pub fn list(conn: &Connection) -> Result<Vec<SigningKeyRecord>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM signing_keys ORDER BY created_at, key_id"))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn insert_active(conn: &Connection, key: &PublicKey, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO signing_keys (key_id, public_key, state, created_at) VALUES (?1, ?2, 'active', ?3)",
    )?
    .execute(params![KeyId::of(key).0, key.to_string(), instant_text(now)])?;
    Ok(())
}

pub fn retire(conn: &Connection, key: &KeyId, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached("UPDATE signing_keys SET state = 'retired', retired_at = ?2 WHERE key_id = ?1")?
        .execute(params![key.0, instant_text(now)])?;
    Ok(())
}
