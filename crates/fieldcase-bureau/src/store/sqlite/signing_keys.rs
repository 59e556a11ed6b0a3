//! The `signing_keys` table: the public halves of the bureau's signing keys, one active.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use fieldcase_core::registry::KeyId;
use fieldcase_core::signing::PublicKey;

use super::{instant, instant_opt, instant_text, parsed};
use crate::store::{Result, SigningKeyRecord, StoreError};

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

fn get(conn: &Connection, key: &PublicKey) -> Result<Option<SigningKeyRecord>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM signing_keys WHERE key_id = ?1"))?
        .query_row([KeyId::of(key).0], from_row)
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

fn insert_active(conn: &Connection, key: &PublicKey, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO signing_keys (key_id, public_key, state, created_at) VALUES (?1, ?2, 'active', ?3)",
    )?
    .execute(params![KeyId::of(key).0, key.to_string(), instant_text(now)])?;
    Ok(())
}

/// Fine if `key` is the active key; made active if there is none yet.
pub fn register(conn: &Connection, key: &PublicKey, now: DateTime<Utc>) -> Result<SigningKeyRecord> {
    match (get(conn, key)?, active(conn)?) {
        (Some(known), _) if known.active => Ok(known),
        (Some(known), _) => Err(StoreError::SigningKey(format!(
            "the key in bureau.key ({}) was retired {}; devices no longer trust it. Restore the current bureau.key from a backup",
            known.key_id,
            known.retired_at.map(|at| at.to_rfc3339()).unwrap_or_default()
        ))),
        (None, Some(other)) => Err(StoreError::SigningKey(format!(
            "the key in bureau.key ({}) is not the bureau's active signing key ({}); restore the bureau.key that belongs to this database from a backup",
            KeyId::of(key),
            other.key_id
        ))),
        (None, None) => {
            insert_active(conn, key, now)?;
            get(conn, key)?.ok_or_else(|| StoreError::Other("the signing key vanished while registering it".into()))
        }
    }
}

/// Refuses to sign with anything but the active key.
pub fn ensure_active(conn: &Connection, key: &PublicKey) -> Result<()> {
    match get(conn, key)? {
        Some(known) if known.active => Ok(()),
        _ => Err(StoreError::SigningKey(format!(
            "key {} is not the bureau's active signing key (it was rotated meanwhile?); try again",
            KeyId::of(key)
        ))),
    }
}

/// Retires the active `old` key and makes `new` active.
pub fn rotate(conn: &Connection, old: &PublicKey, new: &PublicKey, now: DateTime<Utc>) -> Result<()> {
    ensure_active(conn, old)?;
    if get(conn, new)?.is_some() {
        return Err(StoreError::SigningKey(format!(
            "key {} was already used by this bureau; a rotation needs a new key",
            KeyId::of(new)
        )));
    }
    conn.prepare_cached("UPDATE signing_keys SET state = 'retired', retired_at = ?2 WHERE key_id = ?1")?
        .execute(params![KeyId::of(old).0, instant_text(now)])?;
    insert_active(conn, new, now)
}
