//! Reading and writing the columns of a row: how instants, parsed values and JSON records
//! are kept, so that every table module of either side reads them the same way.
//!
//! A value that does not read back is a row-mapping error (`FromSqlConversionFailure`),
//! which [`crate::DbError`] classifies as a damaged database.

use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Row;

use crate::DbError;

/// An instant as stored: RFC 3339 UTC with exactly six decimals, so that text order is time
/// order (finer digits are dropped, as `fieldcase_core::time::record_instant` drops them).
pub fn instant_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A value of `column` that does not read back as what the table promises.
pub fn conversion_error(column: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e))
}

/// A text column parsed into a domain value.
pub fn parsed<T: FromStr>(r: &Row<'_>, column: usize) -> rusqlite::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    r.get::<_, String>(column)?.parse().map_err(|e| conversion_error(column, e))
}

/// A nullable text column parsed into a domain value.
pub fn parsed_opt<T: FromStr>(r: &Row<'_>, column: usize) -> rusqlite::Result<Option<T>>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    r.get::<_, Option<String>>(column)?.map(|s| s.parse().map_err(|e| conversion_error(column, e))).transpose()
}

pub fn instant(r: &Row<'_>, column: usize) -> rusqlite::Result<DateTime<Utc>> {
    parsed(r, column)
}

pub fn instant_opt(r: &Row<'_>, column: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    parsed_opt(r, column)
}

/// A JSON text column decoded into a record.
pub fn json<T: serde::de::DeserializeOwned>(r: &Row<'_>, column: usize) -> rusqlite::Result<T> {
    serde_json::from_str(&r.get::<_, String>(column)?).map_err(|e| conversion_error(column, e))
}

/// How a record is kept in a JSON text column.
pub fn record_text<T: serde::Serialize + ?Sized>(record: &T) -> Result<String, DbError> {
    serde_json::to_string(record).map_err(|e| DbError::Other(format!("a record could not be written as JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    #[test]
    fn instants_keep_microseconds_and_sort_as_text() {
        let at: DateTime<Utc> = "2026-03-01T08:05:09.123456789Z".parse().unwrap();
        assert_eq!(instant_text(at), "2026-03-01T08:05:09.123456Z");
        let earlier: DateTime<Utc> = "2026-03-01T08:05:09Z".parse().unwrap();
        assert!(instant_text(earlier) < instant_text(at));
    }

    #[test]
    fn a_value_that_does_not_read_back_is_named_as_damage() {
        let conn = Connection::open_in_memory().unwrap();
        let read = conn.query_row("SELECT 'yesterday'", [], |r| instant(r, 0)).map_err(DbError::from);
        assert!(matches!(read, Err(DbError::Corrupt(_))), "{read:?}");
        let read = conn.query_row("SELECT NULL", [], |r| instant_opt(r, 0)).unwrap();
        assert_eq!(read, None);
    }
}
