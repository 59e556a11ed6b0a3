//! `fieldcase bureau migrate | export | import`: bringing the bureau's database to the
//! current schema, and moving a bureau from SQLite to PostgreSQL (see
//! `fieldcase_bureau::transfer`). Export reads the SQLite database in the data directory;
//! import loads the file into the empty PostgreSQL database `database_url` names, and verifies
//! every device's audit chain there.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;

use fieldcase_bureau::store::postgres::PostgresStore;
use fieldcase_bureau::store::sqlite::SqliteStore;
use fieldcase_bureau::transfer::{Moved, export_sqlite};
use fieldcase_bureau::{BureauError, Config, DB_FILE, OpenMode};
use fieldcase_core::ErrorCode;

use super::store::{runtime, with_store};
use crate::commands::Context;
use crate::output::{Failure, print};

pub(super) fn migrate(ctx: &Context, data_dir: &Path) -> Result<(), Failure> {
    // Opening a store applies the migrations its database has not had.
    let store =
        with_store(data_dir, OpenMode::CreateIfMissing, async |store| Ok::<_, BureauError>(format!("{store:?}")))?;
    print(ctx.json, &serde_json::json!({ "migrated": store }), |_| {
        format!("the bureau's database has every migration of this fieldcase: {store}")
    });
    Ok(())
}

pub(super) fn export(ctx: &Context, data_dir: &Path, out: &Path) -> Result<(), Failure> {
    let db = data_dir.join(DB_FILE);
    if !db.is_file() {
        return Err(BureauError::NoData { path: data_dir.to_owned() }.into());
    }
    // Opened once first, so the file is of the current schema.
    let store = runtime()?
        .block_on(SqliteStore::open_async(db.clone()))
        .map_err(|source| BureauError::Store { path: db.clone(), source })?;
    drop(store);
    let file = File::create(out).map_err(|e| Failure {
        exit: 1,
        code: ErrorCode::InvalidInput,
        message: format!("cannot write the export to {}: {e}; choose a writable file with --out", out.display()),
    })?;
    let moved = export_sqlite(&db, &mut BufWriter::new(file)).map_err(BureauError::Admin)?;
    print(ctx.json, &moved, |m| {
        format!(
            "wrote {} rows of {} tables to {}; load them into PostgreSQL with `fieldcase bureau import {}` and database_url set",
            m.rows.values().sum::<u64>(),
            m.rows.len(),
            out.display(),
            out.display()
        )
    });
    Ok(())
}

pub(super) fn import(ctx: &Context, data_dir: &Path, from: &Path) -> Result<(), Failure> {
    let config = Config::load(data_dir, None).map_err(BureauError::Config)?;
    let Some(url) = config.database_url else {
        return Err(Failure {
            exit: 1,
            code: ErrorCode::ConfigInvalid,
            message: "import loads a bureau into PostgreSQL: set database_url (FIELDCASE_DATABASE_URL, or database_url in bureau.toml) to the new, empty database".into(),
        });
    };
    let file = File::open(from).map_err(|e| Failure {
        exit: 1,
        code: ErrorCode::InvalidInput,
        message: format!(
            "cannot read the export {}: {e}; make one with `fieldcase bureau export --out FILE`",
            from.display()
        ),
    })?;
    let moved: Moved = runtime()?.block_on(async move {
        let store = PostgresStore::open(url.expose()).await.map_err(|e| BureauError::Database(e.to_string()))?;
        store.import(Box::new(BufReader::new(file))).await.map_err(BureauError::Admin)
    })?;
    print(ctx.json, &moved, |m| {
        format!(
            "loaded {} rows of {} tables; the audit chains of {} devices verify ({} entries)",
            m.rows.values().sum::<u64>(),
            m.rows.len(),
            m.chains.len(),
            m.chains.iter().map(|(_, n)| n).sum::<u64>()
        )
    });
    Ok(())
}
