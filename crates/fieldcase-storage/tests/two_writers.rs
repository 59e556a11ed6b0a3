//! Two programs on one data directory (the desktop app and the command line, or the bureau
//! and an administrator's command): a write that meets another's waits its turn and then
//! succeeds, instead of failing at once with "database is locked".

// A panic in a test is a failed test with its reason.
#![allow(clippy::unwrap_used)]

use std::sync::mpsc;
use std::time::{Duration, Instant};

use fieldcase_storage::{DbError, OpenOptions, migrate, open, write};
use rusqlite_migration::M;

const SCHEMA: &[M<'static>] = &[M::up("CREATE TABLE entries (seq INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT;")];

/// How long the first writer keeps its transaction open: far shorter than the busy timeout.
const HOLD: Duration = Duration::from_millis(400);

#[test]
fn a_write_that_meets_another_waits_for_it_and_then_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let mut first = open(&path, OpenOptions::default()).unwrap();
    migrate(&mut first, SCHEMA).unwrap();
    let mut second = open(&path, OpenOptions::default()).unwrap();

    let (holding, held) = mpsc::channel();
    let writer = std::thread::spawn(move || {
        write::<_, DbError>(&mut first, |tx| {
            tx.execute("INSERT INTO entries (seq, body) VALUES (1, 'first')", [])?;
            holding.send(()).unwrap();
            std::thread::sleep(HOLD);
            Ok(())
        })
    });
    held.recv().unwrap();

    // The second writer reads, then writes on what it read: the next number in a sequence, as
    // the audit chain is appended. Had it read before the first committed, its entry would
    // follow a state that no longer is.
    let started = Instant::now();
    let next = write::<_, DbError>(&mut second, |tx| {
        let last: i64 = tx.query_row("SELECT coalesce(max(seq), 0) FROM entries", [], |r| r.get(0))?;
        tx.execute("INSERT INTO entries (seq, body) VALUES (?1, 'second')", [last + 1])?;
        Ok(last + 1)
    });
    let waited = started.elapsed();
    writer.join().unwrap().unwrap();

    let next = next.unwrap_or_else(|e| panic!("the second write must wait its turn, not fail: {e}"));
    assert_eq!(next, 2, "the second write reads what the first committed");
    assert!(waited >= HOLD / 2, "the second write waited for the first ({waited:?})");
    let rows: Vec<(i64, String)> = second
        .prepare("SELECT seq, body FROM entries ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows, [(1, "first".to_owned()), (2, "second".to_owned())], "both writes are kept");
}
