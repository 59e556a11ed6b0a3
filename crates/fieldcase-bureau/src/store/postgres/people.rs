//! The `devices`, `enrollment_codes` and `admin_tokens` tables: who may sync, the one-time
//! codes that enroll them, and administrators' tokens (every secret by its hash only).

use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::DeviceId;
use fieldcase_storage::columns::record_text;

use super::rows::{Tx, exec, get, json, parsed, row_opt, rows};
use crate::enrollment::UsableCode;
use crate::store::{AdminRecord, DeviceRecord, Enrollment, NewAdminToken, NewEnrollmentCode, Result, TokenHash};

const DEVICE_COLUMNS: &str = "device_id, public_key, label, host_label, enrolled_at, last_seen, revoked_at, units";

fn device(r: &Row) -> Result<DeviceRecord> {
    Ok(DeviceRecord {
        device_id: parsed(r, 0)?,
        public_key: parsed(r, 1)?,
        label: get(r, 2)?,
        host_label: get(r, 3)?,
        enrolled_at: get(r, 4)?,
        last_seen: get(r, 5)?,
        revoked_at: get(r, 6)?,
        units: json(r, 7)?,
    })
}

pub(super) async fn device_by_id(tx: &Tx<'_>, id: DeviceId) -> Result<Option<DeviceRecord>> {
    let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE device_id = $1");
    row_opt(tx, &sql, &[&id.to_string()]).await?.as_ref().map(device).transpose()
}

pub(super) async fn device_by_token(tx: &Tx<'_>, token: TokenHash) -> Result<Option<DeviceRecord>> {
    let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = $1");
    row_opt(tx, &sql, &[&token.to_hex()]).await?.as_ref().map(device).transpose()
}

pub(super) async fn devices(tx: &Tx<'_>) -> Result<Vec<DeviceRecord>> {
    let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices ORDER BY enrolled_at, device_id");
    rows(tx, &sql, &[]).await?.iter().map(device).collect()
}

pub(super) async fn insert_device(tx: &Tx<'_>, e: &Enrollment, code: &UsableCode, now: DateTime<Utc>) -> Result<()> {
    exec(
        tx,
        "INSERT INTO devices (device_id, public_key, label, host_label, token_hash, enrolled_at, units)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &e.device_id.to_string(),
            &e.public_key.to_string(),
            &code.label,
            &e.host_label,
            &e.token_hash.to_hex(),
            &now,
            &record_text(&code.units)?,
        ],
    )
    .await?;
    Ok(())
}

/// A known device enrolls again: the new token replaces the old; the code's label and units,
/// if it has them, replace the device's.
pub(super) async fn renew_device(tx: &Tx<'_>, e: &Enrollment, code: &UsableCode, now: DateTime<Utc>) -> Result<()> {
    let units = if code.units.is_empty() { None } else { Some(record_text(&code.units)?) };
    exec(
        tx,
        "UPDATE devices SET token_hash = $2, label = COALESCE($3, label), host_label = COALESCE($4, host_label),
                enrolled_at = $5, units = COALESCE($6, units)
         WHERE device_id = $1",
        &[&e.device_id.to_string(), &e.token_hash.to_hex(), &code.label, &e.host_label, &now, &units],
    )
    .await?;
    Ok(())
}

/// Sets the units a device serves; false when there is no such device.
pub(super) async fn set_units(tx: &Tx<'_>, id: DeviceId, units: &[String]) -> Result<bool> {
    let changed =
        exec(tx, "UPDATE devices SET units = $2 WHERE device_id = $1", &[&id.to_string(), &record_text(units)?])
            .await?;
    Ok(changed == 1)
}

pub(super) async fn touch(tx: &Tx<'_>, id: DeviceId, now: DateTime<Utc>) -> Result<()> {
    exec(tx, "UPDATE devices SET last_seen = $2 WHERE device_id = $1", &[&id.to_string(), &now]).await?;
    Ok(())
}

/// Sets or clears the revocation; false when there is no such device.
pub(super) async fn set_revoked(tx: &Tx<'_>, id: DeviceId, at: Option<DateTime<Utc>>) -> Result<bool> {
    let changed = exec(tx, "UPDATE devices SET revoked_at = $2 WHERE device_id = $1", &[&id.to_string(), &at]).await?;
    Ok(changed == 1)
}

pub(super) async fn insert_code(tx: &Tx<'_>, code: &NewEnrollmentCode) -> Result<()> {
    exec(
        tx,
        "INSERT INTO enrollment_codes (code_hash, label, created_at, expires_at, units) VALUES ($1, $2, $3, $4, $5)",
        &[&code.code_hash.to_hex(), &code.label, &code.created_at, &code.expires_at, &record_text(&code.units)?],
    )
    .await?;
    Ok(())
}

/// The code if it exists, is unused and has not expired at `now`. With `for_use`, its row
/// stays locked until the transaction ends, so that two enrollments cannot both use it.
pub(super) async fn usable_code(
    tx: &Tx<'_>,
    code_hash: &ContentHash,
    now: DateTime<Utc>,
    for_use: bool,
) -> Result<Option<UsableCode>> {
    let sql = if for_use {
        "SELECT expires_at, used_at, label, units FROM enrollment_codes WHERE code_hash = $1 FOR UPDATE"
    } else {
        "SELECT expires_at, used_at, label, units FROM enrollment_codes WHERE code_hash = $1"
    };
    let Some(row) = row_opt(tx, sql, &[&code_hash.to_hex()]).await? else { return Ok(None) };
    let (expires_at, used_at): (DateTime<Utc>, Option<DateTime<Utc>>) = (get(&row, 0)?, get(&row, 1)?);
    if used_at.is_some() || now >= expires_at {
        return Ok(None);
    }
    Ok(Some(UsableCode { label: get(&row, 2)?, units: json(&row, 3)? }))
}

pub(super) async fn use_code(tx: &Tx<'_>, code_hash: &ContentHash, device: DeviceId, now: DateTime<Utc>) -> Result<()> {
    exec(
        tx,
        "UPDATE enrollment_codes SET used_at = $2, used_by = $3 WHERE code_hash = $1 AND used_at IS NULL",
        &[&code_hash.to_hex(), &now, &device.to_string()],
    )
    .await?;
    Ok(())
}

const ADMIN_COLUMNS: &str = "token_hash, label, created_at, expires_at, last_used, revoked_at";

fn admin(r: &Row) -> Result<AdminRecord> {
    let token_hash = TokenHash::from_hash(parsed::<ContentHash>(r, 0)?);
    Ok(AdminRecord {
        token_hash,
        hash_prefix: token_hash.prefix(),
        label: get(r, 1)?,
        created_at: get(r, 2)?,
        expires_at: get(r, 3)?,
        last_used: get(r, 4)?,
        revoked_at: get(r, 5)?,
    })
}

pub(super) async fn insert_admin(tx: &Tx<'_>, token: &NewAdminToken) -> Result<()> {
    exec(
        tx,
        "INSERT INTO admin_tokens (token_hash, label, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        &[&token.token_hash.to_hex(), &token.label, &token.created_at, &token.expires_at],
    )
    .await?;
    Ok(())
}

pub(super) async fn admin_token(tx: &Tx<'_>, token: TokenHash) -> Result<Option<AdminRecord>> {
    let sql = format!("SELECT {ADMIN_COLUMNS} FROM admin_tokens WHERE token_hash = $1");
    row_opt(tx, &sql, &[&token.to_hex()]).await?.as_ref().map(admin).transpose()
}

/// Oldest first.
pub(super) async fn admin_tokens(tx: &Tx<'_>) -> Result<Vec<AdminRecord>> {
    let sql = format!("SELECT {ADMIN_COLUMNS} FROM admin_tokens ORDER BY created_at, token_hash");
    rows(tx, &sql, &[]).await?.iter().map(admin).collect()
}

pub(super) async fn note_admin_use(tx: &Tx<'_>, token: TokenHash, now: DateTime<Utc>) -> Result<()> {
    exec(tx, "UPDATE admin_tokens SET last_used = $2 WHERE token_hash = $1", &[&token.to_hex(), &now]).await?;
    Ok(())
}

/// Sets the revocation time unless there is one; false when there is no such token.
pub(super) async fn revoke_admin(tx: &Tx<'_>, token: TokenHash, now: DateTime<Utc>) -> Result<bool> {
    let hash = token.to_hex();
    exec(tx, "UPDATE admin_tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL", &[&hash, &now])
        .await?;
    Ok(row_opt(tx, "SELECT 1 FROM admin_tokens WHERE token_hash = $1", &[&hash]).await?.is_some())
}
