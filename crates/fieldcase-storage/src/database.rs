//! Opening a fieldcase SQLite file, bringing its schema up to date, and writing to it.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

use crate::DbError;

/// How a side opens its database; the rest (journal, durability, foreign keys) is the same
/// for both.
#[derive(Debug, Clone, Copy)]
pub struct OpenOptions {
    /// How long a statement waits for another connection's write before giving up.
    pub busy_timeout: Duration,
    /// Prepared statements kept for reuse: a sync or a push runs the same few thousands of times.
    pub statement_cache: usize,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { busy_timeout: Duration::from_secs(5), statement_cache: 64 }
    }
}

/// Opens (creating if needed) a database file for reading and writing: WAL journal (so
/// another process can read while one writes), foreign keys on, and `synchronous = FULL`,
/// because a record the user has seen saved, or a page the bureau has acknowledged, must
/// survive a power cut. A damaged or foreign file fails here, before anything is written.
pub fn open(path: &Path, options: OpenOptions) -> Result<Connection, DbError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(options.busy_timeout)?;
    conn.set_prepared_statement_cache_capacity(options.statement_cache);
    let mode: String = conn.prepare_cached("PRAGMA journal_mode = WAL")?.query_row([], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(DbError::ReadOnly(format!("journal mode stayed {mode}")));
    }
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

/// Opens a database file that must exist, for reading only: a query that tried to write
/// would fail rather than slip past the writer.
pub fn open_read_only(path: &Path, options: OpenOptions) -> Result<Connection, DbError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(options.busy_timeout)?;
    conn.set_prepared_statement_cache_capacity(options.statement_cache);
    Ok(conn)
}

/// Brings the schema up to date with `migrations`: embedded, ordered, each in a
/// transaction, never edited once landed.
pub fn migrate(conn: &mut Connection, migrations: &[M<'static>]) -> Result<(), DbError> {
    Ok(Migrations::from_slice(migrations).to_latest(conn)?)
}

/// Runs `f` in one write transaction, committed only if `f` succeeds.
///
/// The transaction takes the write lock at once (`BEGIN IMMEDIATE`): a deferred one that
/// read first and then tried to write could meet another process's write in between and
/// fail at once with "database is locked" instead of waiting its turn.
pub fn write<T, E: From<DbError>>(
    conn: &mut Connection,
    f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
) -> Result<T, E> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(DbError::from)?;
    let value = f(&tx)?;
    tx.commit().map_err(DbError::from)?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &[M<'static>] = &[M::up(
        "CREATE TABLE sealed (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT;
         CREATE TRIGGER sealed_no_update BEFORE UPDATE ON sealed
         BEGIN SELECT RAISE(ABORT, 'immutable: a sealed row is never changed'); END;",
    )];

    #[test]
    fn a_database_is_opened_durable_and_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir.path().join("a.db"), OpenOptions::default()).unwrap();
        migrate(&mut conn, SCHEMA).unwrap();
        let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!(sync, 2, "FULL: a saved record survives a power cut");
        let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(fk, 1);
        assert!(Migrations::from_slice(SCHEMA).validate().is_ok());
    }

    #[test]
    fn a_write_commits_whole_or_not_at_all_and_a_trigger_refusal_is_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir.path().join("a.db"), OpenOptions::default()).unwrap();
        migrate(&mut conn, SCHEMA).unwrap();
        let failed: Result<(), DbError> = write(&mut conn, |tx| {
            tx.execute("INSERT INTO sealed (body) VALUES ('a')", [])?;
            Err(DbError::Other("the caller gave up".into()))
        });
        assert!(failed.is_err());
        let rows: i64 = conn.query_row("SELECT count(*) FROM sealed", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, 0, "nothing of a failed write may stay");

        write::<_, DbError>(&mut conn, |tx| Ok(tx.execute("INSERT INTO sealed (body) VALUES ('a')", [])?)).unwrap();
        let refused = write::<_, DbError>(&mut conn, |tx| Ok(tx.execute("UPDATE sealed SET body = 'b'", [])?));
        assert!(matches!(refused, Err(DbError::Immutable(_))), "{refused:?}");
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        std::fs::write(&path, b"this is not a database, it is a shopping list").unwrap();
        let refused = open(&path, OpenOptions::default());
        assert!(matches!(refused, Err(DbError::Corrupt(_))), "{refused:?}");
        assert_eq!(std::fs::read(&path).unwrap(), b"this is not a database, it is a shopping list");
    }

    #[test]
    fn a_read_only_connection_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let mut conn = open(&path, OpenOptions::default()).unwrap();
        migrate(&mut conn, SCHEMA).unwrap();
        let reader = open_read_only(&path, OpenOptions::default()).unwrap();
        let refused = reader.execute("INSERT INTO sealed (body) VALUES ('a')", []).map_err(DbError::from);
        assert!(matches!(refused, Err(DbError::ReadOnly(_))), "{refused:?}");
    }
}
