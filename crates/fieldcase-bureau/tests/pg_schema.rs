//! The PostgreSQL schema against the SQLite one: the same tables with the same columns (so a
//! bureau moves between them row for row), and the same append-only rules.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use fieldcase_bureau::store::postgres::PostgresStore;
use fieldcase_bureau::store::sqlite::SqliteStore;
use fieldcase_bureau::transfer::TABLES;

type Columns = BTreeMap<String, Vec<String>>;

async fn postgres(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

#[tokio::test]
async fn both_backends_have_the_same_tables_and_columns() {
    let Some(url) = common::pg::database().await else { return };
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("bureau.db");
    drop(SqliteStore::open_async(db.clone()).await.unwrap());
    drop(PostgresStore::open(&url).await.unwrap());

    let sqlite = rusqlite::Connection::open(&db).unwrap();
    let mut in_sqlite = Columns::new();
    let tables: Vec<String> = sqlite
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in tables {
        let columns = sqlite
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        in_sqlite.insert(table, columns);
    }

    let client = postgres(&url).await;
    let mut in_postgres = Columns::new();
    for row in client
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> 'schema_migrations'
             ORDER BY table_name, ordinal_position",
            &[],
        )
        .await
        .unwrap()
    {
        in_postgres.entry(row.get(0)).or_default().push(row.get(1));
    }
    assert_eq!(in_postgres, in_sqlite, "the same tables, the same columns in the same order");
    let mut listed: Vec<String> = TABLES.iter().map(|t| (*t).to_owned()).collect();
    listed.sort();
    assert_eq!(listed, in_sqlite.keys().cloned().collect::<Vec<_>>(), "a move carries every table");
}

/// What was received is never changed or removed, on PostgreSQL as on SQLite: its triggers
/// refuse, whoever asks.
#[tokio::test]
async fn received_records_cannot_be_changed_or_removed() {
    let Some(url) = common::pg::database().await else { return };
    let bureau = common::TestBureau::start_with(|config| {
        config.database_url = Some(fieldcase_bureau::Secret::new(url.clone()));
    })
    .await;
    bureau.add_officer().await;
    let mut device = common::TestDevice::new();
    device.enroll(&bureau).await;
    let site = device.site("甲建筑公司", "91350100M000100Y4");
    device.finalized_inspection(&site);
    let answer = device.push(&bureau, device.outbox()).await;
    assert!(!answer.results.is_empty());
    assert!(!bureau.store.inspections().await.unwrap().is_empty());

    let client = postgres(&url).await;
    for (table, column) in [
        ("inspections", "record"),
        ("audit_entries", "actor"),
        ("certificate_checks", "record"),
        ("changes", "record"),
        ("certificate_history", "actor"),
        ("registry_versions", "signed"),
    ] {
        let held: i64 = client.query_one(&format!("SELECT count(*) FROM {table}"), &[]).await.unwrap().get(0);
        assert!(held > 0, "{table} holds rows to try");
        for statement in
            [format!("UPDATE {table} SET {column} = {column} WHERE true"), format!("DELETE FROM {table} WHERE true")]
        {
            let refused = client.batch_execute(&statement).await.expect_err(&statement);
            let message = refused.as_db_error().map(|e| e.message().to_owned()).unwrap_or_default();
            assert!(message.starts_with("immutable: "), "{statement}: {message}");
        }
        let still: i64 = client.query_one(&format!("SELECT count(*) FROM {table}"), &[]).await.unwrap().get(0);
        assert_eq!(still, held, "{table} kept every row");
    }
}
