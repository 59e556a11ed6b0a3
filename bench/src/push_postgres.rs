//! Issue 13's targets for the PostgreSQL backend: the same push as `push_10k_inspections`
//! (10,000 finalized inspections from one device), to a bureau keeping its records in
//! PostgreSQL, at least 0.45 of the rate of inserting the same rows straight into PostgreSQL
//! in the same run; the bureau under 200 MB at its peak. Then the fleet's (`fleet.rs`), whose
//! reference is this push.
//!
//! The cluster is the throwaway one the bureau's tests use (`fieldcase_tests::pg_cluster`),
//! started by this run and stopped when it ends. The prepared bureau is moved into one
//! database once (`fieldcase bureau export`, then `import`), and every round pushes into a
//! fresh copy of it (`CREATE DATABASE … TEMPLATE`).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow, bail};
use fieldcase_tests::pg_cluster::{self, Cluster};

use crate::cpu::undisturbed;
use crate::fleet::{self, Fleet};
use crate::prepared::prepared_pair;
use crate::report::{Figure, results_dir};
use crate::sync_push::{Rounds, Row, median, push_once, push_rows};

const INSPECTIONS: usize = 10_000;
/// Rounds of each measurement. Every round pushes one device, inserts the same rows straight
/// into PostgreSQL, and pushes the fleet (`fleet.rs`), so the figures whose ratio is taken are
/// measured side by side, not minutes apart on a machine whose speed drifts.
pub(crate) const ROUNDS: usize = 5;

/// Measures and prints the figures of one device and of the fleet.
pub fn run() -> Result<()> {
    let cluster = cluster()?;
    let work = results_dir().join("work");
    let template = prepared_pair(&work, INSPECTIONS)?;
    let database = import_bureau(cluster, &template, "bench_pair")?;
    let rows = push_rows(&template.join("device"))?;
    let fleet = Fleet::prepare(cluster)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;

    let (mut single, mut fleet_rounds) = (Rounds::default(), Rounds::default());
    let mut references = Vec::with_capacity(ROUNDS);
    for round in 1..=ROUNDS {
        let pushed = undisturbed("the push", || {
            let name = format!("push_{round}");
            let url = runtime.block_on(fresh(cluster, &name, Some(&database)))?;
            let pushed = push_once(&work, &template, Some(&url));
            runtime.block_on(gone(cluster, &name))?;
            pushed
        })?;
        eprintln!(
            "(postgres round {round}: {} items pushed in {:.2} s, bureau peak {:.1} MB, {})",
            pushed.items, pushed.seconds, pushed.peak_mb, pushed.cpu
        );
        single.keep(INSPECTIONS, &pushed);
        references.push(undisturbed("the straight insert", || {
            let name = format!("raw_{round}");
            let url = runtime.block_on(fresh(cluster, &name, None))?;
            let rate = runtime.block_on(straight_postgres_rate(&url, &rows));
            runtime.block_on(gone(cluster, &name))?;
            rate
        })?);
        fleet.round(round, &mut fleet_rounds)?;
    }
    let (rate, reference) = (single.rate(), median(references));
    Figure {
        name: "push_10k_inspections_postgres",
        value: rate,
        unit: "inspections/s",
        reference_name: "postgres_one_transaction",
        reference,
        reference_unit: "inspections/s",
        target: format!("ratio >= 0.45 (medians of {ROUNDS} rounds)"),
        met: rate / reference >= 0.45,
    }
    .emit()?;
    Figure {
        name: "bureau_peak_memory_push_10k_postgres",
        value: single.peak_mb,
        unit: "MB",
        reference_name: "ceiling",
        reference: 200.0,
        reference_unit: "MB",
        target: format!("< 200 MB (the highest of {ROUNDS} rounds)"),
        met: single.peak_mb < 200.0,
    }
    .emit()?;
    fleet::emit(&fleet_rounds, &single)
}

/// This run's throwaway cluster, or why the PostgreSQL figures cannot be measured.
pub(crate) fn cluster() -> Result<&'static Cluster> {
    pg_cluster::cluster().map_err(|why| anyhow!("the PostgreSQL figures need a throwaway cluster: {why}"))
}

/// A fresh database `name` in the cluster (a copy of `template` when given), as its URL.
pub(crate) async fn fresh(cluster: &Cluster, name: &str, template: Option<&str>) -> Result<String> {
    cluster.create_database(name, template).await.map_err(|why| anyhow!(why))
}

/// Drops a round's database once measured: autovacuum would otherwise go over the rows the
/// round wrote while the next round is measured, and take its CPU.
pub(crate) async fn gone(cluster: &Cluster, name: &str) -> Result<()> {
    cluster.drop_database(name).await.map_err(|why| anyhow!(why))
}

/// Moves the prepared bureau's records (SQLite, in `template/bureau`) into a new database
/// `name`, the template of every round's copy; gives the database's name.
pub(crate) fn import_bureau(cluster: &Cluster, template: &Path, name: &str) -> Result<String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let url = runtime.block_on(fresh(cluster, name, None))?;
    let scratch = tempfile::tempdir_in(template.parent().context("the template lies in the work folder")?)?;
    let export = scratch.path().join("bureau.jsonl");
    let fieldcase = std::env::current_exe()?.with_file_name("fieldcase");
    // The import runs on a copy: it must not change the template the SQLite rounds copy.
    let data_dir = scratch.path().join("bureau");
    crate::prepared::copy_dir(&template.join("bureau"), &data_dir)?;
    let run = |args: &[&std::ffi::OsStr], database: Option<&str>| -> Result<()> {
        let mut command = Command::new(&fieldcase);
        command.arg("--data-dir").arg(&data_dir).arg("bureau").args(args);
        match database {
            Some(url) => command.env("FIELDCASE_DATABASE_URL", url),
            None => command.env_remove("FIELDCASE_DATABASE_URL"),
        };
        let out =
            command.output().context("the fieldcase binary is built beside the bench (make bench builds both)")?;
        if !out.status.success() {
            bail!("fieldcase bureau {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    };
    run(&["export".as_ref(), "--out".as_ref(), export.as_os_str()], None)?;
    run(&["import".as_ref(), export.as_os_str()], Some(&url))?;
    Ok(name.to_owned())
}

/// Inserts the rows a push carries straight into a fresh PostgreSQL database in one
/// transaction, as the SQLite reference does into its file: one prepared insert executed per
/// row. The executes are sent without waiting for each answer (tokio-postgres pipelines the
/// queries in flight on one connection), as the bureau's store sends its inserts: the floor
/// under any server that stores these rows in PostgreSQL, not a round trip per row.
async fn straight_postgres_rate(url: &str, rows: &[Row]) -> Result<f64> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    let driving = tokio::spawn(connection);
    client
        .batch_execute(
            "CREATE TABLE records (kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, id))",
        )
        .await?;
    let rows: Vec<Row> = rows.to_vec();
    let started = Instant::now();
    let client = Arc::new(client);
    client.batch_execute("BEGIN").await?;
    let insert = client.prepare("INSERT INTO records (kind, id, body) VALUES ($1, $2, $3)").await?;
    let mut inserts = tokio::task::JoinSet::new();
    for (kind, id, body) in rows {
        let (client, insert) = (client.clone(), insert.clone());
        inserts.spawn(async move { client.execute(&insert, &[&kind, &id, &body]).await });
    }
    while let Some(done) = inserts.join_next().await {
        done??;
    }
    client.batch_execute("COMMIT").await?;
    let rate = INSPECTIONS as f64 / started.elapsed().as_secs_f64();
    drop(client);
    let _ = driving.await;
    Ok(rate)
}
