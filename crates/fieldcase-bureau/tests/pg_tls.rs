//! The bureau reaching PostgreSQL over TLS, as a bureau whose database runs on another machine
//! does: `sslmode=verify-full&sslrootcert=…` in `database_url` gives an encrypted connection to
//! a server whose certificate that authority signed, and a server it cannot verify is refused
//! with a message that says what to fix. The throwaway cluster serves TLS with a certificate
//! from an authority made for it (`fieldcase_tests::pg_cluster`).

#![allow(clippy::unwrap_used)]

mod common;

use fieldcase_bureau::store::postgres::PostgresStore;
use fieldcase_tests::pg_cluster;

/// The name of the database a cluster URL names.
fn name_of(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

/// How many connections to `database` are encrypted now, seen by the server itself.
async fn encrypted_connections(plain_url: &str, database: &str) -> i64 {
    let (client, connection) = tokio_postgres::connect(plain_url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let row = client
        .query_one(
            "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = $1 AND s.ssl",
            &[&database],
        )
        .await
        .unwrap();
    row.get(0)
}

#[tokio::test]
async fn the_bureau_keeps_its_records_over_tls_to_a_server_it_verified() {
    let Some(url) = common::pg::database().await else { return };
    let cluster = pg_cluster::cluster().unwrap();
    let database = name_of(&url);
    assert_eq!(encrypted_connections(&url, database).await, 0);

    let store = PostgresStore::open(&cluster.tls_url(database, None)).await.unwrap();
    // The pool keeps the connections it opened (the schema was made through them).
    assert!(encrypted_connections(&url, database).await > 0, "the bureau's connections are encrypted");
    drop(store);
}

#[tokio::test]
async fn a_server_whose_certificate_cannot_be_verified_is_refused_with_what_to_fix() {
    let Some(url) = common::pg::database().await else { return };
    let cluster = pg_cluster::cluster().unwrap();
    let database = name_of(&url);

    // Another authority than the one that signed the server's certificate.
    let tmp = tempfile::tempdir().unwrap();
    let stranger = tmp.path().join("other authority.pem");
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    std::fs::write(&stranger, params.self_signed(&key).unwrap().pem()).unwrap();
    let refused = PostgresStore::open(&cluster.tls_url(database, Some(&stranger))).await.unwrap_err().to_string();
    assert!(refused.contains("certificate") && refused.contains("sslrootcert"), "{refused}");

    // No file where sslrootcert points.
    let missing = PostgresStore::open(&cluster.tls_url(database, Some(&tmp.path().join("none.pem"))))
        .await
        .unwrap_err()
        .to_string();
    assert!(missing.contains("none.pem") && missing.contains("TLS settings"), "{missing}");

    // Nothing was made in the database by the refused attempts.
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let tables: i64 = client
        .query_one("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(tables, 0, "a refused connection changes nothing");
}
