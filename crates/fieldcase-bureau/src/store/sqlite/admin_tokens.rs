//! The `admin_tokens` table: administrators' bearer tokens, by their SHA-256 only.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::store::{AdminRecord, Result, TokenHash};
use fieldcase_storage::columns::{instant, instant_text};

pub fn insert(conn: &Connection, token: TokenHash, label: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached("INSERT INTO admin_tokens (token_hash, label, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![token.to_hex(), label, instant_text(now)])?;
    Ok(())
}

/// The administrator of a token, noting its use.
pub fn by_token(conn: &Connection, token: TokenHash, now: DateTime<Utc>) -> Result<Option<AdminRecord>> {
    let hash = token.to_hex();
    let found = conn
        .prepare_cached("SELECT label, created_at FROM admin_tokens WHERE token_hash = ?1")?
        .query_row([&hash], |r| {
            Ok(AdminRecord { label: r.get(0)?, created_at: instant(r, 1)?, hash_prefix: hash[..8].to_owned() })
        })
        .optional()?;
    if found.is_some() {
        conn.prepare_cached("UPDATE admin_tokens SET last_used = ?2 WHERE token_hash = ?1")?
            .execute(params![hash, instant_text(now)])?;
    }
    Ok(found)
}
