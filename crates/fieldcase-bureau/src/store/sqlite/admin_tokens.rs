//! The `admin_tokens` table: administrators' bearer tokens, by their SHA-256 only, with
//! when each expires, was last used and was revoked.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use fieldcase_core::canonical::ContentHash;

use crate::store::{AdminRecord, NewAdminToken, Result, TokenHash};
use fieldcase_storage::columns::{conversion_error, instant, instant_opt, instant_text};

const COLUMNS: &str = "token_hash, label, created_at, expires_at, last_used, revoked_at";

fn row(r: &Row<'_>) -> rusqlite::Result<AdminRecord> {
    let hash: ContentHash = r.get::<_, String>(0)?.parse().map_err(|e| conversion_error(0, e))?;
    let token_hash = TokenHash::from_hash(hash);
    Ok(AdminRecord {
        token_hash,
        hash_prefix: token_hash.prefix(),
        label: r.get(1)?,
        created_at: instant(r, 2)?,
        expires_at: instant(r, 3)?,
        last_used: instant_opt(r, 4)?,
        revoked_at: instant_opt(r, 5)?,
    })
}

pub fn insert(conn: &Connection, token: &NewAdminToken) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO admin_tokens (token_hash, label, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        token.token_hash.to_hex(),
        token.label,
        instant_text(token.created_at),
        instant_text(token.expires_at)
    ])?;
    Ok(())
}

pub fn get(conn: &Connection, token: TokenHash) -> Result<Option<AdminRecord>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM admin_tokens WHERE token_hash = ?1"))?
        .query_row([token.to_hex()], row)
        .optional()?)
}

/// Oldest first.
pub fn list(conn: &Connection) -> Result<Vec<AdminRecord>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM admin_tokens ORDER BY created_at, token_hash"))?;
    let rows = stmt.query_map([], row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub fn note_use(conn: &Connection, token: TokenHash, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached("UPDATE admin_tokens SET last_used = ?2 WHERE token_hash = ?1")?
        .execute(params![token.to_hex(), instant_text(now)])?;
    Ok(())
}

/// Sets the revocation time unless there is one; false when there is no such token.
pub fn revoke(conn: &Connection, token: TokenHash, now: DateTime<Utc>) -> Result<bool> {
    let hash = token.to_hex();
    conn.prepare_cached("UPDATE admin_tokens SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL")?
        .execute(params![hash, instant_text(now)])?;
    let known = conn.prepare_cached("SELECT 1 FROM admin_tokens WHERE token_hash = ?1")?.exists([hash])?;
    Ok(known)
}
