//! The SQLite backend's own tests: its migrations carry a bureau's records across every
//! schema change, and its reads and writes keep out of each other's way.

use std::time::Duration;

use rusqlite::{Connection, params};
use rusqlite_migration::Migrations;

use fieldcase_core::canonical::ContentHash;
use fieldcase_core::ids::DeviceId;

use super::*;
use crate::store::BureauStore;

#[test]
fn migrations_are_valid() {
    assert!(Migrations::from_slice(MIGRATIONS).validate().is_ok());
}

#[test]
fn a_bureau_of_the_first_schema_keeps_its_feed_when_the_certificates_arrive() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("bureau.db");
    {
        let mut conn = Connection::open(&path).expect("a database");
        Migrations::from_slice(&MIGRATIONS[..1]).to_latest(&mut conn).expect("the first schema");
        for (kind, id) in [("template", "t@1"), ("site", "s1"), ("site", "s2")] {
            conn.execute("INSERT INTO changes (kind, record_id, record, at) VALUES (?1, ?2, '{}', '2026-01-01T00:00:00.000000Z')", [kind, id])
                .expect("a change");
        }
        let refused =
            conn.execute("INSERT INTO changes (kind, record_id, record, at) VALUES ('registry', '1', '{}', 'x')", []);
        assert!(refused.is_err(), "the first schema's feed takes sites and templates only");
    }
    let store = SqliteStore::open(&path).expect("migrated");
    let conn = store.conn.lock().expect("the connection");
    let rows: Vec<(i64, String)> = conn
        .prepare("SELECT cursor, record_id FROM changes ORDER BY cursor")
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .expect("the feed");
    assert_eq!(
        rows[..3],
        [(1, "t@1".to_owned()), (2, "s1".to_owned()), (3, "s2".to_owned())],
        "every change keeps its cursor"
    );
    assert_eq!(rows.len(), 4, "and the default checklist follows (the fake one was never in `templates`)");
    conn.execute("INSERT INTO changes (kind, record_id, record, at) VALUES ('key_rotation', 'k', '{}', 'x')", [])
        .expect("the new kinds");
    assert_eq!(conn.last_insert_rowid(), 5, "cursors go on growing");
    assert!(conn.execute("UPDATE changes SET record = '' WHERE cursor = 1", []).is_err(), "still append-only");
    assert!(conn.execute("DELETE FROM changes WHERE cursor = 1", []).is_err(), "still append-only");
}

/// A device is authenticated for its next page while its last page is being stored: a
/// read does not wait for a write in progress, and sees what was committed before it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_go_on_beside_an_open_write_and_cannot_write() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = SqliteStore::open_async(dir.path().join("bureau.db")).await.expect("a store");
    let (started, wait_started) = std::sync::mpsc::channel();
    let (release, held) = std::sync::mpsc::channel::<()>();
    let writing = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .write(move |tx| {
                    tx.execute(
                        "INSERT INTO admin_tokens (token_hash, created_at, expires_at) VALUES ('t', 'x', 'y')",
                        [],
                    )?;
                    started.send(()).expect("the test waits");
                    held.recv().expect("the test releases the write");
                    Ok(())
                })
                .await
        })
    };
    tokio::task::spawn_blocking(move || wait_started.recv()).await.expect("joined").expect("the write began");
    // The write holds its transaction open until released: a read that waited for it
    // would never return (the timeout only turns that hang into a failure).
    let devices = tokio::time::timeout(Duration::from_secs(60), store.devices())
        .await
        .expect("the read waited for the write")
        .expect("a read beside the write");
    assert!(devices.is_empty());
    let uncommitted: i64 =
        store.read(|c| Ok(c.query_row("SELECT count(*) FROM admin_tokens", [], |r| r.get(0))?)).await.expect("counted");
    assert_eq!(uncommitted, 0, "a read sees only what was committed");
    release.send(()).expect("the write is waiting");
    writing.await.expect("joined").expect("the write commits");

    let refused = store.read(|c| Ok(c.execute("DELETE FROM admin_tokens", [])?)).await;
    assert!(matches!(refused, Err(StoreError::ReadOnly(_))), "a read cannot write: {refused:?}");
}

/// A fault in one database call (a panic inside its transaction) fails that call only: the
/// transaction is rolled back and the next write is stored. Before, the panic poisoned the
/// writer's lock and every write after it failed until the bureau restarted.
#[tokio::test]
async fn a_write_that_panics_fails_alone_and_the_next_write_is_stored() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = SqliteStore::open_async(dir.path().join("bureau.db")).await.expect("a store");
    let insert = |tx: &Transaction<'_>, hash: &str| {
        tx.execute("INSERT INTO admin_tokens (token_hash, created_at, expires_at) VALUES (?1, 'x', 'y')", [hash])
            .map(drop)
    };
    let panicked = store
        .write(move |tx| -> Result<()> {
            insert(tx, "half-written")?;
            panic!("a fault inside a database call");
        })
        .await;
    assert!(matches!(panicked, Err(StoreError::Other(_))), "the call that panicked fails: {panicked:?}");

    for hash in ["next", "and the one after"] {
        store.write(move |tx| Ok(insert(tx, hash)?)).await.expect("a write after a panic must be stored");
    }
    let held: Vec<String> = store
        .read(|c| {
            let mut stmt = c.prepare("SELECT token_hash FROM admin_tokens ORDER BY rowid")?;
            let rows = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
        .await
        .expect("read");
    assert_eq!(held, ["next", "and the one after"], "the panicked transaction left nothing behind");
}

#[test]
fn audit_entries_keep_their_hashes_when_the_table_is_compacted() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("bureau.db");
    let device: DeviceId = "01900000-0000-7000-8000-000000000009".parse().expect("an id");
    let (one, two) = (ContentHash::of_bytes(b"1"), ContentHash::of_bytes(b"2"));
    {
        let mut conn = Connection::open(&path).expect("a database");
        Migrations::from_slice(&MIGRATIONS[..2]).to_latest(&mut conn).expect("the second schema");
        conn.execute(
            "INSERT INTO devices (device_id, public_key, token_hash, enrolled_at) VALUES (?1, 'k', 't', 'x')",
            [device.to_string()],
        )
        .expect("a device");
        for (seq, prev, hash) in [(1, ContentHash::ZERO, one), (2, one, two)] {
            conn.execute(
                "INSERT INTO audit_entries VALUES (?1, ?2, ?3, 'at', 'actor', 'action', 'subject', ?4, ?5, 'r')",
                params![device.to_string(), seq, prev.to_hex(), one.to_hex(), hash.to_hex()],
            )
            .expect("an entry");
        }
    }
    let store = SqliteStore::open(&path).expect("migrated");
    let conn = store.conn.lock().expect("the connection");
    assert_eq!(audit_entries::head(&conn, device).expect("the head"), Some((2, two)));
    assert_eq!(audit_entries::stored_hash(&conn, device, 1).expect("entry 1"), Some(one));
    assert!(conn.execute("UPDATE audit_entries SET action = 'x'", []).is_err(), "still append-only");
    assert!(conn.execute("DELETE FROM audit_entries", []).is_err(), "still append-only");
}

/// Devices enrolled before the bureau kept codes' labels take their code's label, and what
/// the laptop called itself moves beside it.
#[test]
fn devices_take_their_codes_labels_when_the_schema_learns_them() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("bureau.db");
    let device: DeviceId = "01900000-0000-7000-8000-000000000009".parse().expect("an id");
    {
        let mut conn = Connection::open(&path).expect("a database");
        Migrations::from_slice(&MIGRATIONS[..3]).to_latest(&mut conn).expect("the third schema");
        conn.execute(
            "INSERT INTO devices (device_id, public_key, label, token_hash, enrolled_at)
             VALUES (?1, ?2, 'vm', 't', '2026-01-01T00:00:00.000000Z')",
            [device.to_string(), "ab".repeat(32)],
        )
        .expect("a device");
        conn.execute(
            "INSERT INTO enrollment_codes (code_hash, label, created_at, expires_at, used_at, used_by)
             VALUES ('c', 'laptop-1', 'x', 'y', 'z', ?1)",
            [device.to_string()],
        )
        .expect("its code");
    }
    let store = SqliteStore::open(&path).expect("migrated");
    let conn = store.conn.lock().expect("the connection");
    let known = devices::get(&conn, device).expect("read").expect("kept");
    assert_eq!(known.label.as_deref(), Some("laptop-1"), "named as the administrator named its code");
    assert_eq!(known.host_label.as_deref(), Some("vm"));
}

/// Tokens made before they had a lifetime are given one when the schema learns it: 90 days
/// from then, so what uses them goes on working while new ones are made.
#[test]
fn administrators_tokens_made_before_expiry_existed_expire_90_days_after_the_upgrade() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("bureau.db");
    let old = crate::store::TokenHash::of_token("fca_old");
    {
        let mut conn = Connection::open(&path).expect("a database");
        Migrations::from_slice(&MIGRATIONS[..5]).to_latest(&mut conn).expect("the fifth schema");
        conn.execute(
            "INSERT INTO admin_tokens (token_hash, label, created_at, last_used)
             VALUES (?1, '李', '2024-01-01T00:00:00.000000Z', '2024-02-01T00:00:00.000000Z')",
            [old.to_hex()],
        )
        .expect("a token of the old schema");
    }
    let store = SqliteStore::open(&path).expect("migrated");
    let conn = store.conn.lock().expect("the connection");
    let token = admin_tokens::get(&conn, old).expect("read").expect("kept");
    let days = (token.expires_at - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((89.9..=90.0).contains(&days), "expires 90 days after the upgrade, not at once: {days}");
    assert_eq!(token.label.as_deref(), Some("李"));
    assert!(token.last_used.is_some() && token.revoked_at.is_none());
    let text: String =
        conn.query_row("SELECT expires_at FROM admin_tokens", [], |r| r.get(0)).expect("the stored expiry");
    assert_eq!(text.len(), "2024-01-01T00:00:00.000000Z".len(), "written as every other instant: {text}");
}

#[test]
fn a_bureau_before_uploads_keeps_its_feed_and_serves_a_verdict_to_its_device_only() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("bureau.db");
    {
        let mut conn = Connection::open(&path).expect("a database");
        Migrations::from_slice(&MIGRATIONS[..8]).to_latest(&mut conn).expect("the schema before uploads");
        conn.execute("INSERT INTO changes (kind, record_id, record, at) VALUES ('site', 's1', '{}', 'x')", [])
            .expect("a change");
    }
    let store = SqliteStore::open(&path).expect("migrated");
    let conn = store.conn.lock().expect("the connection");
    let cursor: i64 = conn.query_row("SELECT cursor FROM changes WHERE record_id = 's1'", [], |r| r.get(0)).unwrap();
    assert_eq!(cursor, 1, "the change keeps its cursor");
    let device = |n: u8| -> DeviceId { format!("0190f3a2-1b2c-7d4e-8f00-00000000000{n}").parse().unwrap() };
    let (mine, theirs) = (device(1), device(2));
    let verdict = fieldcase_core::upload::EvidenceVerdict {
        evidence_id: "0190f3a2-1b2c-7d4e-8f00-0000000000e1".parse().unwrap(),
        device_id: mine,
        outcome: fieldcase_core::upload::VerdictOutcome::Verified,
        received_sha256: ContentHash::of_bytes(b"file"),
        received_bytes: 4,
        decided_at: chrono::Utc::now(),
    };
    let record = serde_json::to_string(&verdict).unwrap();
    let before: i64 = conn.query_row("SELECT MAX(cursor) FROM changes", [], |r| r.get(0)).unwrap();
    changes::append_for(&conn, changes::Kind::EvidenceVerdict, "e1", &record, verdict.decided_at, Some(mine))
        .expect("a change for one device");
    // After the changes before it (the site's record this test left empty).
    let after = before as u64;
    let seen_by = |reader| changes::page(&conn, after, crate::store::PageBound::changes(100), reader).unwrap().changes;
    assert_eq!(seen_by(Some(mine)).len(), 1, "its device is served the verdict");
    assert!(
        matches!(&seen_by(Some(mine))[0].record, fieldcase_core::wire::ChangeRecord::EvidenceVerdict(v) if *v == verdict)
    );
    assert!(seen_by(Some(theirs)).is_empty(), "another device is not");
    assert!(seen_by(None).is_empty());
    // Rows of their own, without the evidence and uploads they would name.
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
         INSERT INTO evidence_custody (evidence_id, at, actor, event) VALUES ('e1', 'x', 'bureau', 'upload.created');
         INSERT INTO evidence_blobs (upload_id, evidence_id, blob_key, sha256, bytes, outcome, decided_at)
             VALUES ('u1', 'e1', 'apart/u1', 'h', 1, 'mismatch', 'x');
         PRAGMA foreign_keys = ON;",
    )
    .expect("rows");
    for (table, column) in [("evidence_custody", "actor"), ("evidence_blobs", "outcome")] {
        let changed = conn.execute(&format!("UPDATE {table} SET {column} = 'verified'"), []);
        assert!(changed.is_err(), "{table} is never changed");
        assert!(conn.execute(&format!("DELETE FROM {table}"), []).is_err(), "{table} is never emptied");
    }
}

/// A long run is stored many rows to a statement and its tail one by one: every entry after
/// those already held arrives whole, in order, each naming the one before.
#[test]
fn a_long_audit_run_is_stored_entry_for_entry() {
    use fieldcase_core::audit::{AuditEntry, AuditRun};
    let store = SqliteStore::open(&tempfile::tempdir().expect("a temp dir").path().join("bureau.db")).expect("a store");
    let conn = store.conn.lock().expect("the connection");
    let device: DeviceId = "01900000-0000-7000-8000-000000000009".parse().expect("an id");
    conn.execute(
        "INSERT INTO devices (device_id, public_key, token_hash, enrolled_at) VALUES (?1, 'k', 't', 'x')",
        [device.to_string()],
    )
    .expect("a device");
    let at = chrono::DateTime::parse_from_rfc3339("2026-12-01T01:02:03.456Z").expect("an instant").to_utc();
    let mut entries: Vec<AuditEntry> = Vec::new();
    for n in 1..=75_u64 {
        let prev_hash = entries.last().map_or(ContentHash::ZERO, |e| e.hash);
        let mut entry = AuditEntry {
            seq: n,
            prev_hash,
            at: at + chrono::Duration::seconds(n as i64),
            actor: "officer".into(),
            action: format!("action {n}"),
            subject: format!("subject {n}"),
            payload_hash: ContentHash::of_bytes(format!("payload {n}").as_bytes()),
            hash: ContentHash::ZERO,
        };
        entry.hash = entry.computed_hash();
        entries.push(entry);
    }
    let run = AuditRun::of(&entries).expect("a run");
    let hashes = run.hashes().expect("a chain");
    // The first five are held already: 70 arrive, two statements of 32 and six of one.
    audit_entries::insert_run(&conn, device, &run, &hashes, 5, at).expect("stored");

    type Stored = (i64, Vec<u8>, String, String, Vec<u8>);
    let stored: Vec<Stored> = conn
        .prepare("SELECT seq, prev_hash, at, action, hash FROM audit_entries WHERE device_id = ?1 ORDER BY seq")
        .and_then(|mut s| {
            s.query_map([device.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
                .collect()
        })
        .expect("read back");
    assert_eq!(stored.len(), 70);
    for ((seq, prev, when, action, hash), n) in stored.iter().zip(6_usize..) {
        assert_eq!(*seq, n as i64);
        assert_eq!(prev.as_slice(), hashes[n - 2].as_bytes(), "entry {n} names the one before");
        assert_eq!(hash.as_slice(), hashes[n - 1].as_bytes());
        assert_eq!(action, &format!("action {n}"));
        assert_eq!(when, &run.steps[n - 1].at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
    }
    assert_eq!(audit_entries::head(&conn, device).expect("the head"), Some((75, run.last_hash)));
}
