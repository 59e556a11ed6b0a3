//! The `changes`, `feed_epoch` and `templates` tables: the feed devices pull, its epoch, and
//! the checklist templates published in it. Every append takes the feed's lock first, so that
//! cursors are taken in commit order (see the module doc of `postgres`).

use chrono::{DateTime, Utc};

use fieldcase_core::checklist::ChecklistTemplate;
use fieldcase_core::ids::DeviceId;
use fieldcase_core::wire::{Change, ChangeRecord};
use fieldcase_storage::columns::record_text;

use super::ledger::{Lock, take};
use super::rows::{Tx, exec, get, one, row_opt, rows, unsigned};
use crate::store::{ChangePage, FeedState, PageBound, Result, StoreError};

pub(super) use crate::store::feed::ChangeKind as Kind;

/// Appends a change for every device (None) or for one device only.
pub(super) async fn append(
    tx: &Tx<'_>,
    kind: Kind,
    record_id: &str,
    record: &str,
    at: DateTime<Utc>,
    reader: Option<DeviceId>,
) -> Result<()> {
    take(tx, Lock::Feed).await?;
    let reader = reader.map(|d| d.to_string());
    exec(
        tx,
        "INSERT INTO changes (kind, record_id, record, at, device_id) VALUES ($1, $2, $3, $4, $5)",
        &[&kind.as_str(), &record_id, &record, &at, &reader],
    )
    .await?;
    Ok(())
}

/// The changes after `after` for every device and for `reader`, oldest first, as many as fit
/// in `bound` (at least one). A record's size is read before the record.
pub(super) async fn page(tx: &Tx<'_>, after: u64, bound: PageBound, reader: Option<DeviceId>) -> Result<ChangePage> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let limit = i64::try_from(bound.changes.max(1)).unwrap_or(i64::MAX).saturating_add(1);
    let reader = reader.map(|d| d.to_string());
    let found = rows(
        tx,
        "SELECT cursor, kind, octet_length(record) FROM changes
         WHERE cursor > $1 AND (device_id IS NULL OR device_id = $3) ORDER BY cursor LIMIT $2",
        &[&after, &limit, &reader],
    )
    .await?;
    let (mut taken, mut bytes, mut more) = (Vec::new(), 0usize, false);
    for row in &found {
        let record_bytes = usize::try_from(get::<i32>(row, 2)?).unwrap_or(usize::MAX);
        if !bound.admits(taken.len(), bytes, record_bytes) {
            more = true;
            break;
        }
        bytes = bytes.saturating_add(PageBound::size_of(record_bytes));
        taken.push((get::<i64>(row, 0)?, get::<String>(row, 1)?));
    }
    // The records themselves, only of the changes that fit.
    let (Some(first), Some(last)) = (taken.first(), taken.last()) else {
        return Ok(ChangePage { changes: Vec::new(), more });
    };
    let records = rows(
        tx,
        "SELECT cursor, record FROM changes
         WHERE cursor BETWEEN $1 AND $2 AND (device_id IS NULL OR device_id = $3) ORDER BY cursor",
        &[&first.0, &last.0, &reader],
    )
    .await?;
    let mut changes = Vec::with_capacity(taken.len());
    for ((cursor, kind), row) in taken.iter().zip(&records) {
        let record: &str = get(row, 1)?;
        let record = match kind.as_str() {
            "site" => ChangeRecord::Site(serde_json::from_str(record)?),
            "template" => ChangeRecord::Template(serde_json::from_str(record)?),
            "registry" => ChangeRecord::Registry(serde_json::from_str(record)?),
            "key_rotation" => ChangeRecord::KeyRotation(serde_json::from_str(record)?),
            "evidence_verdict" => ChangeRecord::EvidenceVerdict(serde_json::from_str(record)?),
            other => return Err(StoreError::Corrupt(format!("change {cursor} has an unknown kind '{other}'"))),
        };
        changes.push(Change::new(*cursor as u64, record));
    }
    Ok(ChangePage { changes, more })
}

/// The epoch and the feed's last cursor (0 for an empty feed); no epoch before one is begun.
pub(super) async fn state(tx: &Tx<'_>) -> Result<Option<FeedState>> {
    let epoch = row_opt(tx, "SELECT epoch FROM feed_epoch WHERE singleton = 1", &[]).await?;
    let last = one(tx, "SELECT COALESCE(MAX(cursor), 0) FROM changes", &[]).await?;
    let last_cursor = unsigned(&last, 0)?;
    epoch.map(|row| Ok(FeedState { epoch: get(&row, 0)?, last_cursor })).transpose()
}

/// Begins `epoch`, in place of any before it.
pub(super) async fn begin(tx: &Tx<'_>, epoch: &str, at: DateTime<Utc>) -> Result<()> {
    exec(
        tx,
        "INSERT INTO feed_epoch (singleton, epoch, started_at) VALUES (1, $1, $2)
         ON CONFLICT (singleton) DO UPDATE SET epoch = EXCLUDED.epoch, started_at = EXCLUDED.started_at",
        &[&epoch, &at],
    )
    .await?;
    Ok(())
}

/// Publishes a template version unless it is already there. True when added.
pub(super) async fn insert_template_if_missing(
    tx: &Tx<'_>,
    template: &ChecklistTemplate,
    at: DateTime<Utc>,
) -> Result<bool> {
    let record = record_text(template)?;
    let version = i64::from(template.version);
    let added = exec(
        tx,
        "INSERT INTO templates (id, version, record) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        &[&template.id.0, &version, &record],
    )
    .await?;
    if added == 1 {
        let id = format!("{}@{}", template.id.0, template.version);
        append(tx, Kind::Template, &id, &record, at, None).await?;
    }
    Ok(added == 1)
}

/// What tells this database apart from another put in its place: its name and object id (a
/// database restored from a dump is a new object, with another id).
pub(super) async fn identity(tx: &Tx<'_>) -> Result<String> {
    let row = one(
        tx,
        "SELECT d.oid::bigint, current_database()::text FROM pg_database d WHERE d.datname = current_database()",
        &[],
    )
    .await?;
    let (oid, name): (i64, String) = (get(&row, 0)?, get(&row, 1)?);
    Ok(format!("postgres:{name}:{oid}"))
}
