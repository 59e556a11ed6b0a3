//! The `certificates`, `certificate_history`, `officers`, `signing_keys` and
//! `registry_versions` tables: the certificate registry, its past, its officers, the keys that
//! sign it and the versions published.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use fieldcase_core::certificate::{Certificate, CertificateStatus};
use fieldcase_core::ids::OfficerId;
use fieldcase_core::registry::{KeyId, OfficerEntry, RegistryUpdate, SignedRegistryUpdate};
use fieldcase_core::signing::PublicKey;
use fieldcase_storage::columns::record_text;

use super::rows::{Tx, big, exec, get, json, one, parsed, row_opt, rows, unsigned};
use crate::certificates::{CertificateEvent, CertificateRecord, HistoryAction, OfficerRecord};
use crate::store::{Result, SigningKeyRecord, StoreError};

const CERTIFICATE_COLUMNS: &str = "number, officer_id, holder_name, issuing_unit, areas, valid_from, valid_until, \
                                   status, issued_at, updated_at, registry_version";

/// A status as its serde name (`active`, `suspended`, `revoked`).
fn status_name(status: CertificateStatus) -> &'static str {
    match status {
        CertificateStatus::Active => "active",
        CertificateStatus::Suspended => "suspended",
        CertificateStatus::Revoked => "revoked",
    }
}

fn officer_id(r: &Row, i: usize) -> Result<OfficerId> {
    let text: &str = get(r, i)?;
    OfficerId::parse(text).map_err(|e| StoreError::Corrupt(format!("officer id '{text}': {e}")))
}

fn certificate(r: &Row) -> Result<CertificateRecord> {
    let status: String = get(r, 7)?;
    Ok(CertificateRecord {
        certificate: Certificate {
            number: get(r, 0)?,
            holder: officer_id(r, 1)?,
            holder_name: get(r, 2)?,
            issuing_unit: get(r, 3)?,
            areas: json(r, 4)?,
            valid_from: get(r, 5)?,
            valid_until: get(r, 6)?,
            status: serde_json::from_value(serde_json::Value::String(status))?,
        },
        issued_at: get(r, 8)?,
        updated_at: get(r, 9)?,
        registry_version: unsigned(r, 10)?,
    })
}

pub(super) async fn certificate_by_number(tx: &Tx<'_>, number: &str) -> Result<Option<CertificateRecord>> {
    let sql = format!("SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE number = $1");
    row_opt(tx, &sql, &[&number]).await?.as_ref().map(certificate).transpose()
}

pub(super) async fn certificates(tx: &Tx<'_>) -> Result<Vec<CertificateRecord>> {
    let sql = format!("SELECT {CERTIFICATE_COLUMNS} FROM certificates ORDER BY number");
    rows(tx, &sql, &[]).await?.iter().map(certificate).collect()
}

pub(super) async fn insert_certificate(tx: &Tx<'_>, c: &Certificate, now: DateTime<Utc>, version: u64) -> Result<()> {
    let sql = format!(
        "INSERT INTO certificates ({CERTIFICATE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)"
    );
    exec(
        tx,
        &sql,
        &[
            &c.number,
            &c.holder.as_str(),
            &c.holder_name,
            &c.issuing_unit,
            &record_text(&c.areas)?,
            &c.valid_from,
            &c.valid_until,
            &status_name(c.status),
            &now,
            &big(version),
        ],
    )
    .await?;
    Ok(())
}

/// What an action changes: validity and status (number, holder and unit stay as issued).
pub(super) async fn update_certificate(tx: &Tx<'_>, c: &Certificate, now: DateTime<Utc>, version: u64) -> Result<()> {
    exec(
        tx,
        "UPDATE certificates SET valid_until = $2, status = $3, updated_at = $4, registry_version = $5 WHERE number = $1",
        &[&c.number, &c.valid_until, &status_name(c.status), &now, &big(version)],
    )
    .await?;
    Ok(())
}

const HISTORY_COLUMNS: &str = "number, action, at, reason, actor, state, registry_version";

fn event(r: &Row) -> Result<CertificateEvent> {
    let action: &str = get(r, 1)?;
    Ok(CertificateEvent {
        number: get(r, 0)?,
        action: HistoryAction::parse(action)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown certificate action '{action}'")))?,
        at: get(r, 2)?,
        reason: get(r, 3)?,
        actor: get(r, 4)?,
        state: json(r, 5)?,
        registry_version: unsigned(r, 6)?,
    })
}

pub(super) async fn append_event(tx: &Tx<'_>, e: &CertificateEvent) -> Result<()> {
    let sql = format!("INSERT INTO certificate_history ({HISTORY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
    exec(
        tx,
        &sql,
        &[&e.number, &e.action.as_str(), &e.at, &e.reason, &e.actor, &record_text(&e.state)?, &big(e.registry_version)],
    )
    .await?;
    Ok(())
}

/// The history of one certificate, or of all, oldest first.
pub(super) async fn history(tx: &Tx<'_>, number: Option<&str>) -> Result<Vec<CertificateEvent>> {
    let sql = format!(
        "SELECT {HISTORY_COLUMNS} FROM certificate_history WHERE $1::text IS NULL OR number = $1 ORDER BY at, id"
    );
    rows(tx, &sql, &[&number]).await?.iter().map(event).collect()
}

/// The last action at or before `at`: what the certificate was then.
pub(super) async fn event_at(tx: &Tx<'_>, number: &str, at: DateTime<Utc>) -> Result<Option<CertificateEvent>> {
    let sql = format!(
        "SELECT {HISTORY_COLUMNS} FROM certificate_history WHERE number = $1 AND at <= $2 ORDER BY at DESC, id DESC LIMIT 1"
    );
    row_opt(tx, &sql, &[&number, &at]).await?.as_ref().map(event).transpose()
}

fn entry(r: &Row) -> Result<OfficerEntry> {
    Ok(OfficerEntry { officer: officer_id(r, 0)?, name: get(r, 1)?, unit: get(r, 3)?, pin_verifier: get(r, 2)? })
}

pub(super) async fn officer_name(tx: &Tx<'_>, officer: &OfficerId) -> Result<Option<String>> {
    row_opt(tx, "SELECT name FROM officers WHERE officer_id = $1", &[&officer.as_str()])
        .await?
        .map(|r| get(&r, 0))
        .transpose()
}

pub(super) async fn insert_officer(tx: &Tx<'_>, officer: &OfficerId, name: &str, now: DateTime<Utc>) -> Result<()> {
    exec(
        tx,
        "INSERT INTO officers (officer_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)",
        &[&officer.as_str(), &name, &now],
    )
    .await?;
    Ok(())
}

/// Sets an officer's PIN verifier; false when the registry has no such officer.
pub(super) async fn set_pin(tx: &Tx<'_>, officer: &OfficerId, verifier: &str, now: DateTime<Utc>) -> Result<bool> {
    let changed = exec(
        tx,
        "UPDATE officers SET pin_verifier = $2, pin_set_at = $3, updated_at = $3 WHERE officer_id = $1",
        &[&officer.as_str(), &verifier, &now],
    )
    .await?;
    Ok(changed == 1)
}

/// Sets (or, with None, clears) an officer's unit; false when the registry has no such officer.
pub(super) async fn set_unit(tx: &Tx<'_>, officer: &OfficerId, unit: Option<&str>, now: DateTime<Utc>) -> Result<bool> {
    let changed = exec(
        tx,
        "UPDATE officers SET unit = $2, updated_at = $3 WHERE officer_id = $1",
        &[&officer.as_str(), &unit, &now],
    )
    .await?;
    Ok(changed == 1)
}

/// The registry entries of these officers (of all, with None), by id.
pub(super) async fn entries(tx: &Tx<'_>, officers: Option<&BTreeSet<OfficerId>>) -> Result<Vec<OfficerEntry>> {
    let found = match officers {
        Some(these) => {
            let ids: Vec<&str> = these.iter().map(OfficerId::as_str).collect();
            rows(
                tx,
                "SELECT officer_id, name, pin_verifier, unit FROM officers WHERE officer_id = ANY($1) ORDER BY officer_id",
                &[&ids],
            )
            .await?
        }
        None => rows(tx, "SELECT officer_id, name, pin_verifier, unit FROM officers ORDER BY officer_id", &[]).await?,
    };
    found.iter().map(entry).collect()
}

pub(super) async fn officers(tx: &Tx<'_>) -> Result<Vec<OfficerRecord>> {
    let found = rows(
        tx,
        "SELECT o.officer_id, o.name, o.pin_verifier IS NOT NULL, o.pin_set_at, o.unit,
                (SELECT string_agg(c.number, ',' ORDER BY c.number) FROM certificates c WHERE c.officer_id = o.officer_id)
         FROM officers o ORDER BY o.officer_id",
        &[],
    )
    .await?;
    found
        .iter()
        .map(|r| {
            let numbers: Option<String> = get(r, 5)?;
            Ok(OfficerRecord {
                officer: officer_id(r, 0)?,
                name: get(r, 1)?,
                has_pin: get(r, 2)?,
                pin_set_at: get(r, 3)?,
                unit: get(r, 4)?,
                certificates: numbers.map(|n| n.split(',').map(str::to_owned).collect()).unwrap_or_default(),
            })
        })
        .collect()
}

const KEY_COLUMNS: &str = "key_id, public_key, state, created_at, retired_at";

fn signing_key(r: &Row) -> Result<SigningKeyRecord> {
    let state: &str = get(r, 2)?;
    Ok(SigningKeyRecord {
        key_id: KeyId(get(r, 0)?),
        public_key: parsed(r, 1)?,
        active: state == "active",
        created_at: get(r, 3)?,
        retired_at: get(r, 4)?,
    })
}

pub(super) async fn key_by_id(tx: &Tx<'_>, key: &KeyId) -> Result<Option<SigningKeyRecord>> {
    let sql = format!("SELECT {KEY_COLUMNS} FROM signing_keys WHERE key_id = $1");
    row_opt(tx, &sql, &[&key.0]).await?.as_ref().map(signing_key).transpose()
}

pub(super) async fn active_key(tx: &Tx<'_>) -> Result<Option<SigningKeyRecord>> {
    let sql = format!("SELECT {KEY_COLUMNS} FROM signing_keys WHERE state = 'active'");
    row_opt(tx, &sql, &[]).await?.as_ref().map(signing_key).transpose()
}

pub(super) async fn keys(tx: &Tx<'_>) -> Result<Vec<SigningKeyRecord>> {
    let sql = format!("SELECT {KEY_COLUMNS} FROM signing_keys ORDER BY created_at, key_id");
    rows(tx, &sql, &[]).await?.iter().map(signing_key).collect()
}

pub(super) async fn insert_active_key(tx: &Tx<'_>, key: &PublicKey, now: DateTime<Utc>) -> Result<()> {
    exec(
        tx,
        "INSERT INTO signing_keys (key_id, public_key, state, created_at) VALUES ($1, $2, 'active', $3)",
        &[&KeyId::of(key).0, &key.to_string(), &now],
    )
    .await?;
    Ok(())
}

pub(super) async fn retire_key(tx: &Tx<'_>, key: &KeyId, now: DateTime<Utc>) -> Result<()> {
    exec(tx, "UPDATE signing_keys SET state = 'retired', retired_at = $2 WHERE key_id = $1", &[&key.0, &now]).await?;
    Ok(())
}

/// The latest published version; 0 while there is none.
pub(super) async fn latest_version(tx: &Tx<'_>) -> Result<u64> {
    let row = one(tx, "SELECT COALESCE(MAX(version), 0) FROM registry_versions", &[]).await?;
    unsigned(&row, 0)
}

/// Keeps a published version; `text` is the signed update's JSON, as the feed carries it.
pub(super) async fn insert_version(
    tx: &Tx<'_>,
    update: &RegistryUpdate,
    signed: &SignedRegistryUpdate,
    text: &str,
) -> Result<()> {
    exec(
        tx,
        "INSERT INTO registry_versions (version, from_version, issued_at, key_id, signed) VALUES ($1, $2, $3, $4, $5)",
        &[&big(update.version), &update.from_version.map(big), &update.issued_at, &signed.key_id.0, &text],
    )
    .await?;
    Ok(())
}
