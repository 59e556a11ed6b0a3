//! The registry copy: `bureau_keys`, `registry_meta`, `registry_certificates`,
//! `registry_officers`. Replaced or updated only in whole, verified updates; the officers'
//! PIN verifiers only of the units the copy was made for.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_core::certificate::Certificate;
use fieldcase_core::registry::{KeyId, OfficerEntry};
use fieldcase_core::signing::PublicKey;

use fieldcase_storage::columns::{conversion_error, instant, instant_text, parsed};

use super::Result;

/// The version held, when it was issued and when it arrived, and the units it was made for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub version: u64,
    pub issued_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    /// The units whose officers' PIN verifiers the copy holds (None: a copy made before the
    /// bureau scoped them).
    pub units: Option<Vec<String>>,
}

pub fn trust_key(conn: &Connection, key: &PublicKey, at: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO bureau_keys (key_id, public_key, trusted_at) VALUES (?1, ?2, ?3)")?
        .execute(params![KeyId::of(key).0, key.to_string(), instant_text(at)])?;
    Ok(())
}

pub fn key(conn: &Connection, id: &KeyId) -> Result<Option<PublicKey>> {
    conn.prepare_cached("SELECT public_key FROM bureau_keys WHERE key_id = ?1")?
        .query_row([&id.0], |r| parsed(r, 0))
        .optional()
        .map_err(Into::into)
}

pub fn meta(conn: &Connection) -> Result<Option<Meta>> {
    Ok(conn
        .prepare_cached("SELECT version, issued_at, received_at, units FROM registry_meta WHERE singleton = 1")?
        .query_row([], |r| {
            let units: Option<String> = r.get(3)?;
            Ok(Meta {
                version: r.get::<_, i64>(0)? as u64,
                issued_at: instant(r, 1)?,
                received_at: instant(r, 2)?,
                units: units.map(|u| serde_json::from_str(&u).map_err(|e| conversion_error(3, e))).transpose()?,
            })
        })
        .optional()?)
}

pub fn set_meta(conn: &Connection, m: &Meta) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO registry_meta (singleton, version, issued_at, received_at, units) VALUES (1, ?1, ?2, ?3, ?4)
         ON CONFLICT (singleton) DO UPDATE SET version = ?1, issued_at = ?2, received_at = ?3, units = ?4",
    )?
    .execute(params![
        m.version as i64,
        instant_text(m.issued_at),
        instant_text(m.received_at),
        m.units.as_ref().map(serde_json::to_string).transpose()?
    ])?;
    Ok(())
}

/// Empties the copy before a snapshot is written in.
pub fn clear(conn: &Connection) -> Result<()> {
    conn.execute_batch("DELETE FROM registry_certificates; DELETE FROM registry_officers;")?;
    Ok(())
}

pub fn put_certificates(conn: &Connection, certificates: &[Certificate]) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("INSERT OR REPLACE INTO registry_certificates (number, holder, body) VALUES (?1, ?2, ?3)")?;
    for c in certificates {
        stmt.execute(params![c.number, c.holder.as_str(), serde_json::to_string(c)?])?;
    }
    Ok(())
}

pub fn put_officers(conn: &Connection, officers: &[OfficerEntry]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR REPLACE INTO registry_officers (officer_id, name, pin_verifier, unit) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for o in officers {
        stmt.execute(params![o.officer.as_str(), o.name, o.pin_verifier, o.unit])?;
    }
    Ok(())
}

pub fn certificate(conn: &Connection, number: &str) -> Result<Option<Certificate>> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM registry_certificates WHERE number = ?1")?
        .query_row([number], |r| r.get(0))
        .optional()?;
    Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
}

pub fn certificates_of(conn: &Connection, officer: &str) -> Result<Vec<Certificate>> {
    let mut stmt = conn.prepare_cached("SELECT body FROM registry_certificates WHERE holder = ?1 ORDER BY number")?;
    let bodies = stmt.query_map([officer], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(bodies.iter().map(|b| serde_json::from_str(b)).collect::<Result<_, _>>()?)
}

pub fn officer(conn: &Connection, officer: &str) -> Result<Option<OfficerEntry>> {
    let row = conn
        .prepare_cached("SELECT officer_id, name, pin_verifier, unit FROM registry_officers WHERE officer_id = ?1")?
        .query_row([officer], |r| Ok((parsed(r, 0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    Ok(row.map(|(officer, name, pin_verifier, unit)| OfficerEntry { officer, name, unit, pin_verifier }))
}
