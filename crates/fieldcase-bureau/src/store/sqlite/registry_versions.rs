//! The `registry_versions` table: every signed registry update the bureau published, each
//! also appended to the change feed.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use fieldcase_core::ids::OfficerId;
use fieldcase_core::registry::{RegistryUpdate, SignedRegistryUpdate};
use fieldcase_core::signing::SecretKey;

use super::{certificates, changes, instant_text, officers, record_text, signing_keys};
use crate::store::{Result, StoreError};

/// The latest published version; 0 while there is none.
pub fn latest(conn: &Connection) -> Result<u64> {
    let v: Option<i64> =
        conn.prepare_cached("SELECT MAX(version) FROM registry_versions")?.query_row([], |r| r.get(0))?;
    u64::try_from(v.unwrap_or(0)).map_err(|_| StoreError::Corrupt("a negative registry version".into()))
}

/// The whole registry as it now stands.
pub fn snapshot(conn: &Connection, version: u64, now: DateTime<Utc>) -> Result<RegistryUpdate> {
    Ok(RegistryUpdate {
        version,
        from_version: None,
        issued_at: now,
        certificates: certificates::list(conn)?.into_iter().map(|c| c.certificate).collect(),
        officers: officers::all_entries(conn)?,
    })
}

/// Publishes `version`: the first ever is a snapshot, each later one the certificates and
/// officers that changed, as they now stand. Signed with `key`, which must be the active key;
/// kept, and appended to the change feed.
pub fn publish(
    conn: &Connection,
    key: &SecretKey,
    version: u64,
    numbers: &BTreeSet<String>,
    officers_changed: &BTreeSet<OfficerId>,
    now: DateTime<Utc>,
) -> Result<SignedRegistryUpdate> {
    signing_keys::ensure_active(conn, &key.public_key())?;
    let previous = latest(conn)?;
    if version != previous + 1 {
        return Err(StoreError::Other(format!("registry version {version} does not follow {previous}")));
    }
    let update = if previous == 0 {
        snapshot(conn, version, now)?
    } else {
        let mut changed = Vec::with_capacity(numbers.len());
        for number in numbers {
            let record = certificates::get(conn, number)?
                .ok_or_else(|| StoreError::Other(format!("certificate {number} vanished while publishing")))?;
            changed.push(record.certificate);
        }
        RegistryUpdate {
            version,
            from_version: Some(previous),
            issued_at: now,
            certificates: changed,
            officers: officers::entries(conn, officers_changed)?,
        }
    };
    let signed = SignedRegistryUpdate::sign(&update, key);
    let text = record_text(&signed)?;
    let version_value =
        i64::try_from(version).map_err(|_| StoreError::Other("registry version out of range".into()))?;
    conn.prepare_cached(
        "INSERT INTO registry_versions (version, from_version, issued_at, key_id, signed) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        version_value,
        update.from_version.and_then(|v| i64::try_from(v).ok()),
        instant_text(now),
        signed.key_id.0,
        text
    ])?;
    changes::append(conn, changes::Kind::Registry, &version.to_string(), &text, now)?;
    Ok(signed)
}
