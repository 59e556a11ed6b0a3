//! What a page of a push will ask, read before it is applied: the hash held under each of its
//! items' ids, and the inspections that name each of its certificate checks. A few queries per
//! page instead of one per item; [`PgLedger`] answers from them and keeps them up to date as
//! it writes (the push holds its device's lock, so nothing else changes them meanwhile).

use std::collections::{BTreeSet, HashMap};

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::codes::RecordKind;
use fieldcase_core::ids::{CheckId, DeviceId};
use fieldcase_core::inspection::Inspection;
use fieldcase_core::wire::PushItem;

use super::PgLedger;
use super::rows::{Tx, get, json, parsed, rows};
use crate::store::Result;

/// An item's id, as the tables key it (None for an audit run, keyed by its device's chain).
pub(super) fn key(item: &PushItem) -> Option<(RecordKind, String)> {
    match item {
        PushItem::Audit(_) => None,
        other => Some((other.kind(), other.id())),
    }
}

/// The query of each kind's held hashes, by ids.
fn held_hashes_sql(kind: RecordKind) -> Option<&'static str> {
    Some(match kind {
        RecordKind::Site => {
            "SELECT id, content_hash FROM sites WHERE id = ANY($1)
             UNION ALL SELECT device_site_id, content_hash FROM site_aliases WHERE device_site_id = ANY($1)"
        }
        RecordKind::Inspection => "SELECT id, content_hash FROM inspections WHERE id = ANY($1)",
        RecordKind::CertificateCheck => "SELECT id, content_hash FROM certificate_checks WHERE id = ANY($1)",
        RecordKind::Evidence => "SELECT id, content_hash FROM evidence WHERE id = ANY($1)",
        RecordKind::RecorderCheck => "SELECT id, content_hash FROM recorder_checks WHERE id = ANY($1)",
        RecordKind::Audit => return None,
    })
}

/// The hashes held under `ids` of `kind` (None where nothing is held).
async fn held_hashes(
    tx: &Tx<'_>,
    kind: RecordKind,
    ids: Vec<String>,
) -> Result<Vec<((RecordKind, String), Option<ContentHash>)>> {
    let Some(sql) = held_hashes_sql(kind) else { return Ok(Vec::new()) };
    let mut held: HashMap<String, ContentHash> = HashMap::new();
    for row in rows(tx, sql, &[&ids]).await? {
        held.entry(get(&row, 0)?).or_insert(parsed(&row, 1)?);
    }
    Ok(ids
        .into_iter()
        .map(|id| {
            let hash = held.get(&id).copied();
            ((kind, id), hash)
        })
        .collect())
}

/// The stored inspections naming each of `checks`, with the device that pushed each.
async fn citing(tx: &Tx<'_>, checks: Vec<String>) -> Result<HashMap<CheckId, Vec<(DeviceId, Inspection)>>> {
    let mut citing: HashMap<CheckId, Vec<(DeviceId, Inspection)>> = HashMap::new();
    for check in &checks {
        citing.insert(
            check.parse().map_err(|e| crate::store::StoreError::Other(format!("check id {check}: {e}")))?,
            Vec::new(),
        );
    }
    let found = rows(
        tx,
        "SELECT c.check_id, i.device_id, i.record FROM inspection_officer_checks c
         JOIN inspections i ON i.id = c.inspection_id WHERE c.check_id = ANY($1)",
        &[&checks],
    )
    .await?;
    for row in &found {
        citing.entry(parsed(row, 0)?).or_default().push((parsed(row, 1)?, json(row, 2)?));
    }
    Ok(citing)
}

impl PgLedger<'_, '_> {
    /// Reads what the page's items will ask.
    pub(super) fn prefetch(&mut self, items: &[&PushItem]) -> Result<()> {
        let mut by_kind: HashMap<RecordKind, Vec<String>> = HashMap::new();
        let mut checks = Vec::new();
        for item in items {
            if let Some((kind, id)) = key(item) {
                if kind == RecordKind::CertificateCheck {
                    checks.push(id.clone());
                }
                by_kind.entry(kind).or_default().push(id);
            }
        }
        for (kind, ids) in by_kind {
            let ids: Vec<String> = ids.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
            let held = self.block(held_hashes(self.tx, kind, ids))?;
            self.hashes.extend(held);
        }
        if !checks.is_empty() {
            let citing = self.block(citing(self.tx, checks))?;
            self.citing.extend(citing);
        }
        Ok(())
    }

    /// Notes what a write now holds under an id.
    pub(super) fn now_holds(&mut self, kind: RecordKind, id: String, hash: ContentHash) {
        self.hashes.insert((kind, id), Some(hash));
    }

    /// Notes a stored inspection under the checks it names, where they were read.
    pub(super) fn now_cites(&mut self, from: DeviceId, inspection: &Inspection) {
        let named: BTreeSet<CheckId> = inspection.officer_checks.iter().copied().collect();
        for check in named {
            if let Some(citing) = self.citing.get_mut(&check) {
                citing.push((from, inspection.clone()));
            }
        }
    }
}
