//! The `enrollment` table: which bureau this device belongs to, its token, and the bureau's
//! public key pinned at enrollment.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::signing::PublicKey;

use fieldcase_storage::columns::{instant, instant_text, parsed};

use super::Result;

#[derive(Clone, PartialEq, Eq)]
pub struct Enrollment {
    pub bureau_url: String,
    pub token: String,
    pub bureau_public_key: PublicKey,
    pub enrolled_at: DateTime<Utc>,
    /// Plain HTTP to a bureau on another machine, chosen for a lab.
    pub insecure_http: bool,
    /// The certificate authority (PEM) trusted for the bureau's certificate, if it has its own.
    pub ca_pem: Option<String>,
}

/// The token is a secret: never printed.
impl std::fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrollment")
            .field("bureau_url", &self.bureau_url)
            .field("token", &"<secret>")
            .field("bureau_public_key", &self.bureau_public_key)
            .field("enrolled_at", &self.enrolled_at)
            .field("insecure_http", &self.insecure_http)
            .field("ca_pem", &self.ca_pem.is_some())
            .finish()
    }
}

pub fn get(conn: &Connection) -> Result<Option<Enrollment>> {
    Ok(conn
        .prepare_cached("SELECT bureau_url, token, bureau_public_key, enrolled_at, insecure_http, ca_pem FROM enrollment WHERE singleton = 1")?
        .query_row([], |r| {
            Ok(Enrollment {
                bureau_url: r.get(0)?,
                token: r.get(1)?,
                bureau_public_key: parsed(r, 2)?,
                enrolled_at: instant(r, 3)?,
                insecure_http: r.get(4)?,
                ca_pem: r.get(5)?,
            })
        })
        .optional()?)
}

/// Records an enrollment, replacing an earlier one (re-enrolling after a revocation).
pub fn set(conn: &Connection, e: &Enrollment) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO enrollment (singleton, bureau_url, token, bureau_public_key, enrolled_at, insecure_http, ca_pem)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (singleton) DO UPDATE SET bureau_url = ?1, token = ?2, bureau_public_key = ?3, enrolled_at = ?4,
             insecure_http = ?5, ca_pem = ?6",
    )?
    .execute(params![
        e.bureau_url,
        e.token,
        e.bureau_public_key.to_string(),
        instant_text(e.enrolled_at),
        e.insecure_http,
        e.ca_pem
    ])?;
    Ok(())
}

/// Moves the enrollment to another address of the same bureau (its key stays pinned).
pub fn set_url(conn: &Connection, bureau_url: &str) -> Result<()> {
    conn.prepare_cached("UPDATE enrollment SET bureau_url = ?1 WHERE singleton = 1")?.execute([bureau_url])?;
    Ok(())
}
