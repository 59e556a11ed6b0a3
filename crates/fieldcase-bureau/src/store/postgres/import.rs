//! Loading the move's file (see [`crate::transfer`]) into an empty PostgreSQL database, in one
//! transaction, then proving what arrived: every table's rows counted against the file, every
//! device's audit chain verified entry by entry.

use std::collections::BTreeMap;
use std::io::BufRead;

use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use fieldcase_core::audit::{AuditEntry, verify_chain};
use fieldcase_core::canonical::ContentHash;

use super::rows::{Tx, exec, get, one, rows, unsigned};
use super::{PostgresStore, migrate};
use crate::certificates::{Refusal, RefusalKind};
use crate::store::{Result, StoreError};
use crate::transfer::{COUNTED, FORMAT, Line, Moved, TABLES, VERSION};

impl PostgresStore {
    /// Loads the file into this database, which must hold no bureau yet (only what opening
    /// it added: the default checklist, which the file carries too). Refused whole, with
    /// nothing kept, if the file is not a whole export or does not load.
    pub async fn import(&self, source: Box<dyn BufRead + Send>) -> Result<Moved> {
        let lines = tokio::task::spawn_blocking(move || read_lines(source))
            .await
            .map_err(|e| StoreError::Other(format!("reading the export stopped: {e}")))??;
        self.run(move |l| {
            l.block(migrate::up(l.tx))?;
            l.block(load(l.tx, lines))
        })
        .await?;
        let rows = self.run(|l| l.block(counts(l.tx))).await?;
        let chains = self.run(|l| l.block(verify_audit_chains(l.tx))).await?;
        Ok(Moved { rows, chains })
    }
}

/// The file's lines, checked whole: its header, and a row count for every table at the end.
fn read_lines(source: Box<dyn BufRead + Send>) -> Result<Vec<Line>> {
    let mut lines = Vec::new();
    for (n, text) in source.lines().enumerate() {
        let text = text.map_err(|e| StoreError::Other(format!("cannot read the export: {e}")))?;
        let line: Line = serde_json::from_str(&text)
            .map_err(|e| StoreError::Other(format!("line {} of the export is not one of its lines: {e}", n + 1)))?;
        lines.push(line);
    }
    match (lines.first(), lines.last()) {
        (Some(Line::Header { format, version }), Some(Line::Counts { .. }))
            if format == FORMAT && *version == VERSION =>
        {
            Ok(lines)
        }
        (Some(Line::Header { format, version }), _) if format == FORMAT && *version == VERSION => {
            Err(StoreError::Other(
                "the export ends early (its last line, the row counts, is missing): export it again".into(),
            ))
        }
        _ => Err(StoreError::Other(format!(
            "this is not a fieldcase bureau export of version {VERSION}; make one with `fieldcase bureau export`"
        ))),
    }
}

async fn load(tx: &Tx<'_>, lines: Vec<Line>) -> Result<()> {
    // What opening the database added is replaced by the file's, which carries it.
    let opened = one(tx, "SELECT count(*) FROM changes WHERE kind <> 'template'", &[]).await?;
    let devices = one(tx, "SELECT count(*) FROM devices", &[]).await?;
    if unsigned(&opened, 0)? > 0 || unsigned(&devices, 0)? > 0 {
        return Err(StoreError::Refused(Refusal::new(
            RefusalKind::NotAllowed,
            None,
            "the PostgreSQL database already holds a bureau; import into a new, empty database",
        )));
    }
    tx.batch_execute(
        "ALTER TABLE changes DISABLE TRIGGER changes_append_only;
         DELETE FROM changes; DELETE FROM templates; DELETE FROM feed_epoch;
         ALTER TABLE changes ENABLE TRIGGER changes_append_only;",
    )
    .await?;
    let mut expected = BTreeMap::new();
    for line in lines {
        match line {
            Line::Header { .. } => {}
            Line::Row { table, row } => {
                let Some(table) = TABLES.iter().find(|t| **t == table) else {
                    return Err(StoreError::Other(format!("the export has rows of an unknown table '{table}'")));
                };
                let overriding = if COUNTED.iter().any(|(t, _)| t == table) { "OVERRIDING SYSTEM VALUE" } else { "" };
                let sql = format!(
                    "INSERT INTO {table} {overriding} SELECT * FROM json_populate_record(NULL::{table}, $1::text::json)"
                );
                let row = serde_json::Value::Object(row).to_string();
                exec(tx, &sql, &[&row]).await.map_err(|e| StoreError::Other(format!("a row of {table}: {e}")))?;
            }
            Line::Counter { counter, value } => {
                if let Some((table, column)) = COUNTED.iter().find(|(t, _)| *t == counter) {
                    set_counter(tx, table, column, value).await?;
                }
            }
            Line::Counts { counts } => expected = counts,
        }
    }
    for (table, column) in COUNTED {
        set_counter(tx, table, column, 0).await?;
    }
    let found = counts(tx).await?;
    if found != expected {
        return Err(StoreError::Other(format!(
            "the rows loaded ({found:?}) are not those the export counted ({expected:?}); nothing was kept"
        )));
    }
    Ok(())
}

/// Moves a table's counter on to at least `at_least` and past every key it holds.
async fn set_counter(tx: &Tx<'_>, table: &str, column: &str, at_least: i64) -> Result<()> {
    let sql = format!(
        "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), v, true)
         FROM (SELECT GREATEST(COALESCE(MAX({column}), 0), $1::bigint) AS v FROM {table}) m WHERE v > 0"
    );
    exec(tx, &sql, &[&at_least]).await?;
    Ok(())
}

/// Every table's rows.
async fn counts(tx: &Tx<'_>) -> Result<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    for table in TABLES {
        let row = one(tx, &format!("SELECT count(*) FROM {table}"), &[]).await?;
        counts.insert((*table).to_owned(), unsigned(&row, 0)?);
    }
    Ok(counts)
}

/// Verifies every device's audit chain as held, each entry's hash recomputed and each link
/// checked: the devices and how many entries each holds.
pub(super) async fn verify_audit_chains(tx: &Tx<'_>) -> Result<Vec<(String, u64)>> {
    let found = rows(
        tx,
        "SELECT device_id, seq, prev_hash, at, actor, action, subject, payload_hash, hash
         FROM audit_entries ORDER BY device_id, seq",
        &[],
    )
    .await?;
    let mut chains: Vec<(String, Vec<AuditEntry>)> = Vec::new();
    for row in &found {
        let device: String = get(row, 0)?;
        let entry = entry(row)?;
        match chains.last_mut() {
            Some((last, entries)) if *last == device => entries.push(entry),
            _ => chains.push((device, vec![entry])),
        }
    }
    chains
        .into_iter()
        .map(|(device, entries)| {
            let count = verify_chain(None, &entries).map_err(|e| {
                StoreError::Corrupt(format!("device {device}'s audit chain does not verify after the move: {e}"))
            })?;
            Ok((device, count))
        })
        .collect()
}

fn entry(row: &Row) -> Result<AuditEntry> {
    let hash = |i: usize| -> Result<ContentHash> {
        let bytes: &[u8] = get(row, i)?;
        let digest: [u8; 32] =
            bytes.try_into().map_err(|_| StoreError::Corrupt(format!("an audit hash of {} bytes", bytes.len())))?;
        Ok(ContentHash::from_digest(digest))
    };
    let at: &str = get(row, 3)?;
    Ok(AuditEntry {
        seq: unsigned(row, 1)?,
        prev_hash: hash(2)?,
        at: at.parse::<DateTime<Utc>>().map_err(|e| StoreError::Corrupt(format!("audit entry instant '{at}': {e}")))?,
        actor: get(row, 4)?,
        action: get(row, 5)?,
        subject: get(row, 6)?,
        payload_hash: hash(7)?,
        hash: hash(8)?,
    })
}
