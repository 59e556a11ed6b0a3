//! The `admin_tokens` table: administrators' bearer tokens, by their SHA-256 only.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{instant, instant_text};
use crate::store::{AdminRecord, Result, TokenHash};

pub fn insert(conn: &Connection, token: TokenHash, label: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "INSERT INTO admin_tokens (token_hash, label, created_at) VALUES (?1, ?2, ?3)",
        params![token.to_hex(), label, instant_text(now)],
    )?;
    Ok(())
}

/// The administrator of a token, noting its use.
pub fn by_token(conn: &Connection, token: TokenHash, now: DateTime<Utc>) -> Result<Option<AdminRecord>> {
    let hash = token.to_hex();
    let found = conn
        .query_row("SELECT label, created_at FROM admin_tokens WHERE token_hash = ?1", [&hash], |r| {
            Ok(AdminRecord { label: r.get(0)?, created_at: instant(r, 1)?, hash_prefix: hash[..8].to_owned() })
        })
        .optional()?;
    if found.is_some() {
        conn.execute("UPDATE admin_tokens SET last_used = ?2 WHERE token_hash = ?1", params![hash, instant_text(now)])?;
    }
    Ok(found)
}
