//! Which backend a test bureau keeps its records on, and how a test runs on each.

use rusqlite::Connection;

use super::{TestBureau, pg};

/// Where a test bureau keeps its records: each test of the API and upload stories runs on
/// both ([`crate::on_both_backends!`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in the bureau's temporary data directory (the default).
    Sqlite,
    /// A fresh database in this test binary's PostgreSQL cluster ([`pg`]).
    Postgres,
}

impl Backend {
    /// The `database_url` that puts a bureau on this backend (None for SQLite); None outside
    /// CI when PostgreSQL is not installed (the test is then skipped, having said why).
    pub async fn database_url(self) -> Option<Option<String>> {
        match self {
            Backend::Sqlite => Some(None),
            Backend::Postgres => pg::database().await.map(Some),
        }
    }
}

/// Runs each named test, an `async fn(Backend)`, once on SQLite (`sqlite::name`) and once on
/// PostgreSQL (`postgres::name`).
#[macro_export]
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $test() {
                super::$test($crate::common::Backend::Sqlite).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $test() {
                super::$test($crate::common::Backend::Postgres).await;
            })*
        }
    };
}

/// What the bureau's database holds of a device's token and of enrollment codes: the device's
/// token hash, every code's hash and label, and all the database's bytes (SQLite: the file;
/// PostgreSQL: every row of the tables that could hold a token, as text).
pub async fn stored_secrets(bureau: &TestBureau, device: &str) -> (String, String, String) {
    match &bureau.config.database_url {
        None => {
            let db = Connection::open(bureau.data_dir.join(fieldcase_bureau::DB_FILE)).expect("the database opens");
            let stored: String = db
                .query_row("SELECT token_hash FROM devices WHERE device_id = ?1", [device], |r| r.get(0))
                .expect("the device is registered");
            let codes: String = db
                .query_row(
                    "SELECT group_concat(code_hash) || group_concat(COALESCE(label, '')) FROM enrollment_codes",
                    [],
                    |r| r.get(0),
                )
                .expect("codes");
            let bytes = std::fs::read(bureau.data_dir.join(fieldcase_bureau::DB_FILE)).expect("the file");
            (stored, codes, String::from_utf8_lossy(&bytes).into_owned())
        }
        Some(url) => {
            let (client, connection) =
                tokio_postgres::connect(url.expose(), tokio_postgres::NoTls).await.expect("the database opens");
            tokio::spawn(connection);
            let stored: String = client
                .query_one("SELECT token_hash FROM devices WHERE device_id = $1", &[&device])
                .await
                .expect("the device is registered")
                .get(0);
            let codes: String = client
                .query_one(
                    "SELECT string_agg(code_hash, ',') || string_agg(COALESCE(label, ''), ',') FROM enrollment_codes",
                    &[],
                )
                .await
                .expect("codes")
                .get(0);
            let mut everything = String::new();
            for table in ["devices", "enrollment_codes", "admin_tokens", "changes", "reviews"] {
                let rows = client.query(&format!("SELECT t::text FROM {table} t"), &[]).await.expect("the rows");
                everything.extend(rows.iter().map(|row| row.get::<_, String>(0)));
            }
            (stored, codes, everything)
        }
    }
}
