//! Opening a fieldcase SQLite file, bringing its schema up to date, and writing to it.

use std::path::{Path, PathBuf};
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
///
/// The file is readable by its owner only (it holds tokens and officers' PIN verifiers):
/// made so when it is created, and tightened when an existing one is looser, with the
/// journal files SQLite keeps beside it.
pub fn open(path: &Path, options: OpenOptions) -> Result<Connection, DbError> {
    keep_owner_only(path)?;
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

/// As [`write`], but committed without waiting for the disk (`synchronous = NORMAL` for this
/// transaction alone): the database stays whole after a power cut, but this transaction may be
/// lost with it, until the next ordinary write (or a checkpoint) makes it durable. Only for
/// notes a crash may take back safely: the bureau's count of an upload's bytes, whose loss
/// makes the client send the last chunks again.
pub fn write_unsynced<T, E: From<DbError>>(
    conn: &mut Connection,
    f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
) -> Result<T, E> {
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(DbError::from)?;
    let result = write(conn, f);
    let restored = conn.pragma_update(None, "synchronous", "FULL").map_err(DbError::from);
    let value = result?;
    restored?;
    Ok(value)
}

/// The files SQLite keeps beside a database in WAL mode: the log and its shared-memory index.
fn journal_files(path: &Path) -> [PathBuf; 2] {
    ["-wal", "-shm"].map(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    })
}

/// Makes the database owner-only: a new file is created so before SQLite opens it (an empty
/// file is an empty database), and an existing one, with its journal files, loses any access
/// by group and others. SQLite gives the journal files it creates the database file's mode.
#[cfg(unix)]
fn keep_owner_only(path: &Path) -> Result<(), DbError> {
    use std::fs;
    use std::io::ErrorKind;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

    let failed = |what: &str, file: &Path, e: std::io::Error| {
        let detail = format!("{what} {} ({e})", file.display());
        match e.kind() {
            ErrorKind::PermissionDenied | ErrorKind::NotFound | ErrorKind::ReadOnlyFilesystem => {
                DbError::ReadOnly(detail)
            }
            _ => DbError::Other(detail),
        }
    };
    match fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
        Err(e) => return Err(failed("cannot create", path, e)),
    }
    let [wal, shm] = journal_files(path);
    for file in [path.to_owned(), wal, shm] {
        let mode = match fs::metadata(&file) {
            Ok(meta) => meta.permissions().mode(),
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(failed("cannot read the permissions of", &file, e)),
        };
        if mode & 0o077 != 0 {
            fs::set_permissions(&file, fs::Permissions::from_mode(mode & 0o700))
                .map_err(|e| failed("cannot make owner-only", &file, e))?;
        }
    }
    Ok(())
}

/// Elsewhere a file's access is its directory's (the data directory is in the user's profile).
#[cfg(not(unix))]
fn keep_owner_only(_path: &Path) -> Result<(), DbError> {
    Ok(())
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

    /// The file's permission bits, in octal as `ls` and `chmod` show them.
    #[cfg(unix)]
    fn mode(path: &Path) -> String {
        use std::os::unix::fs::PermissionsExt;
        format!("{:03o}", std::fs::metadata(path).unwrap().permissions().mode() & 0o777)
    }

    #[cfg(unix)]
    #[test]
    fn a_new_database_and_its_journal_files_are_readable_by_their_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let mut conn = open(&path, OpenOptions::default()).unwrap();
        migrate(&mut conn, SCHEMA).unwrap();
        write::<_, DbError>(&mut conn, |tx| Ok(tx.execute("INSERT INTO sealed (body) VALUES ('a')", [])?)).unwrap();
        let [wal, shm] = journal_files(&path);
        for file in [&path, &wal, &shm] {
            assert!(file.exists(), "{} is there while the database is open", file.display());
            assert_eq!(
                mode(file),
                "600",
                "{}: the database holds secrets (a bureau token, PIN verifiers)",
                file.display()
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_existing_database_readable_by_others_is_made_owner_only_when_opened() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let [wal, shm] = journal_files(&path);
        {
            let mut conn = open(&path, OpenOptions::default()).unwrap();
            migrate(&mut conn, SCHEMA).unwrap();
            // Left open below while the files are loosened, so the journal files stay.
            let loose = std::fs::Permissions::from_mode(0o644);
            for file in [&path, &wal, &shm] {
                std::fs::set_permissions(file, loose.clone()).unwrap();
            }
            let again = open(&path, OpenOptions::default()).unwrap();
            for file in [&path, &wal, &shm] {
                assert_eq!(mode(file), "600", "{}: tightened on open", file.display());
            }
            drop(again);
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).unwrap();
        let conn = open(&path, OpenOptions::default()).unwrap();
        let rows: i64 = conn.query_row("SELECT count(*) FROM sealed", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, 0, "the records are untouched");
        assert_eq!(mode(&path), "600");
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
