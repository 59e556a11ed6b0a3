//! The `feed_epoch` table: which run of cursors the change feed is in.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use fieldcase_storage::columns::instant_text;

use crate::store::{FeedState, Result};

/// The epoch and the feed's last cursor (0 for an empty feed); no epoch before one is begun.
pub fn state(conn: &Connection) -> Result<Option<FeedState>> {
    let epoch: Option<String> = conn
        .prepare_cached("SELECT epoch FROM feed_epoch WHERE singleton = 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let last: i64 = conn.prepare_cached("SELECT COALESCE(MAX(cursor), 0) FROM changes")?.query_row([], |r| r.get(0))?;
    Ok(epoch.map(|epoch| FeedState { epoch, last_cursor: u64::try_from(last).unwrap_or(0) }))
}

/// Begins `epoch`, in place of any before it.
pub fn begin(conn: &Connection, epoch: &str, at: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO feed_epoch (singleton, epoch, started_at) VALUES (1, ?1, ?2)
         ON CONFLICT (singleton) DO UPDATE SET epoch = ?1, started_at = ?2",
    )?
    .execute(params![epoch, instant_text(at)])?;
    Ok(())
}
