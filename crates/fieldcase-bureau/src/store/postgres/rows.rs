//! Queries and row reading shared by the table modules: every statement is prepared once per
//! connection and reused; a value that does not read back as the schema promises is named as
//! damage.

use std::fmt::Display;
use std::str::FromStr;

use serde::de::DeserializeOwned;
use tokio_postgres::Row;
use tokio_postgres::types::{FromSql, ToSql};

use crate::store::{Result, StoreError};

/// The transaction every table function runs in.
pub(super) type Tx<'c> = deadpool_postgres::Transaction<'c>;

/// Parameters of a statement.
pub(super) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

pub(super) async fn rows(tx: &Tx<'_>, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
    let statement = tx.prepare_cached(sql).await?;
    Ok(tx.query(&statement, params).await?)
}

pub(super) async fn row_opt(tx: &Tx<'_>, sql: &str, params: Params<'_>) -> Result<Option<Row>> {
    let statement = tx.prepare_cached(sql).await?;
    Ok(tx.query_opt(&statement, params).await?)
}

pub(super) async fn one(tx: &Tx<'_>, sql: &str, params: Params<'_>) -> Result<Row> {
    let statement = tx.prepare_cached(sql).await?;
    Ok(tx.query_one(&statement, params).await?)
}

/// Runs a statement; how many rows it changed.
pub(super) async fn exec(tx: &Tx<'_>, sql: &str, params: Params<'_>) -> Result<u64> {
    let statement = tx.prepare_cached(sql).await?;
    Ok(tx.execute(&statement, params).await?)
}

/// Column `i` as its SQL type.
pub(super) fn get<'a, T: FromSql<'a>>(row: &'a Row, i: usize) -> Result<T> {
    row.try_get(i).map_err(|e| StoreError::Corrupt(format!("column {i} does not read back: {e}")))
}

/// A text column parsed into its type.
pub(super) fn parsed<T: FromStr>(row: &Row, i: usize) -> Result<T>
where
    T::Err: Display,
{
    let text: &str = get(row, i)?;
    text.parse().map_err(|e| StoreError::Corrupt(format!("'{text}' in column {i}: {e}")))
}

pub(super) fn parsed_opt<T: FromStr>(row: &Row, i: usize) -> Result<Option<T>>
where
    T::Err: Display,
{
    let text: Option<&str> = get(row, i)?;
    text.map(|t| t.parse().map_err(|e| StoreError::Corrupt(format!("'{t}' in column {i}: {e}")))).transpose()
}

/// A JSON text column decoded into a record.
pub(super) fn json<T: DeserializeOwned>(row: &Row, i: usize) -> Result<T> {
    let text: &str = get(row, i)?;
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("a record in column {i}: {e}")))
}

/// A count or size as the `bigint` it is kept in.
pub(super) fn big(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A `bigint` column that holds a count, size or version.
pub(super) fn unsigned(row: &Row, i: usize) -> Result<u64> {
    let n: i64 = get(row, i)?;
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("a negative count {n} in column {i}")))
}
