//! Writing a SQLite bureau database to the move's file.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use rusqlite::types::ValueRef;

use super::{COUNTED, FORMAT, Line, Moved, TABLES, VERSION};
use crate::store::{Result, StoreError};

/// Writes every row of the database at `db` to `out`; what it wrote. Blocking. The database is
/// read in one transaction, so the file is one moment of it even while a bureau serves.
pub fn export_sqlite(db: &Path, out: &mut dyn Write) -> Result<Moved> {
    let mut conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let tx = conn.transaction()?;
    let mut line = |line: &Line| -> Result<()> {
        serde_json::to_writer(&mut *out, line)?;
        out.write_all(b"\n").map_err(|e| StoreError::Other(format!("cannot write the export: {e}")))
    };
    line(&Line::Header { format: FORMAT.into(), version: VERSION })?;
    let mut counts = BTreeMap::new();
    for table in TABLES {
        let mut stmt = tx.prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))?;
        let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
        let mut rows = stmt.query([])?;
        let mut count = 0u64;
        while let Some(r) = rows.next()? {
            let mut row = serde_json::Map::new();
            for (i, column) in columns.iter().enumerate() {
                row.insert(column.clone(), value(r.get_ref(i)?));
            }
            line(&Line::Row { table: (*table).to_owned(), row })?;
            count += 1;
        }
        counts.insert((*table).to_owned(), count);
    }
    let mut stmt = tx.prepare("SELECT name, seq FROM sqlite_sequence")?;
    let counters: Vec<(String, i64)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    for (counter, value) in counters {
        if COUNTED.iter().any(|(table, _)| *table == counter) {
            line(&Line::Counter { counter, value })?;
        }
    }
    line(&Line::Counts { counts: counts.clone() })?;
    out.flush().map_err(|e| StoreError::Other(format!("cannot write the export: {e}")))?;
    Ok(Moved { rows: counts, chains: Vec::new() })
}

/// A SQLite value as JSON PostgreSQL reads into the column's type.
fn value(v: ValueRef<'_>) -> serde_json::Value {
    match v {
        ValueRef::Null => serde_json::Value::Null,
        ValueRef::Integer(n) => n.into(),
        ValueRef::Real(x) => x.into(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
        // bytea's text form.
        ValueRef::Blob(b) => format!("\\x{}", hex::encode(b)).into(),
    }
}
