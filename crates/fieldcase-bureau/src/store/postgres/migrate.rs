//! The schema's migrations: embedded, ordered, never edited once landed (add a file for every
//! change). Each applied one is recorded in `schema_migrations`; at open, those not yet
//! applied run in one transaction, under a lock so that two bureau processes starting at once
//! do not both apply them.

use super::ledger::{Lock, take};
use super::rows::{Tx, exec, get, rows};
use crate::store::{Result, StoreError};

/// `(version, name, SQL)`, in order.
const MIGRATIONS: &[(i32, &str, &str)] = &[(1, "schema", include_str!("migrations/0001_schema.sql"))];

/// Applies the migrations `tx`'s database has not had yet.
pub(super) async fn up(tx: &Tx<'_>) -> Result<()> {
    take(tx, Lock::Schema).await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version     integer PRIMARY KEY,
             name        text NOT NULL,
             applied_at  timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await?;
    let applied: Vec<i32> = rows(tx, "SELECT version FROM schema_migrations ORDER BY version", &[])
        .await?
        .iter()
        .map(|row| get(row, 0))
        .collect::<Result<_>>()?;
    let known = MIGRATIONS.last().map_or(0, |(version, ..)| *version);
    if let Some(newer) = applied.iter().find(|v| **v > known) {
        return Err(StoreError::Corrupt(format!(
            "its schema is at version {newer}, newer than this bureau knows ({known}); run the newer fieldcase that migrated it"
        )));
    }
    for (version, name, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        tx.batch_execute(sql).await.map_err(|e| match e.as_db_error() {
            Some(db) => StoreError::Other(format!("migration {version} ({name}) failed: {}", db.message())),
            None => StoreError::from(e),
        })?;
        exec(tx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", &[version, name]).await?;
        tracing::info!(version, name, "applied a migration of the bureau's PostgreSQL schema");
    }
    Ok(())
}
