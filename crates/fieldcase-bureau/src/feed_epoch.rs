//! The change feed's epoch: a device pulls by cursor, and a cursor means something only
//! within one run of the feed. A new database begins an epoch; so does a database restored
//! from a backup, whose feed went back and will hand out cursors a device already passed.
//! Seeing another epoch than the one it pulled in, a device pulls again from the start.
//!
//! A restore is recognised by the feed's high-water mark, kept in the data directory beside
//! the database (`feed.high-water`: the epoch, the last cursor seen, and which database file
//! that was): a database whose feed ends before the mark of its own epoch has gone back, and
//! a database that is not the file the mark was taken on (restored by copying it back, the
//! mark with it) may have. Either begins a new epoch; devices then pull again, which costs a
//! little and loses nothing. A restore that keeps the file's identity and the mark both as
//! they were at the backup (a file-system snapshot rolled back) is not recognised. The mark is
//! written when the store is opened and again as the feed grows while the bureau serves.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::BureauError;
use crate::store::{BureauStore, FeedState};

/// The mark's file in the data directory.
pub const HIGH_WATER_FILE: &str = "feed.high-water";

/// Makes sure the feed has an epoch that devices can trust their cursors by: begins one for a
/// new or restored database, and records the mark. Returns the epoch in force.
pub async fn settle(data_dir: &Path, store: &dyn BureauStore, now: DateTime<Utc>) -> Result<FeedState, BureauError> {
    let path = data_dir.join(HIGH_WATER_FILE);
    let mark = read_mark(&path);
    let identity = store.identity();
    let state = match store.feed_state().await? {
        Some(state) if !went_back(&state, &identity, mark.as_ref()) => state,
        Some(state) => {
            tracing::warn!(
                epoch = %state.epoch,
                last_cursor = state.last_cursor,
                "the change feed ends before the mark it had reached: the database was restored; a new epoch begins and devices pull again from the start"
            );
            store.begin_feed_epoch(new_epoch()?, now).await?
        }
        None => store.begin_first_feed_epoch(new_epoch()?, now).await?,
    };
    write_mark(&path, &Mark { state: state.clone(), identity })?;
    Ok(state)
}

/// Keeps the mark up with the feed while the bureau serves.
///
/// With several bureau processes this runs in each, per process and safe to repeat: each
/// writes the mark in its own data directory (or, sharing one, the same file through its own
/// aside file), and a mark only ever records a cursor the shared database had reached.
pub async fn keep_marking(data_dir: PathBuf, store: std::sync::Arc<dyn BureauStore>) {
    let path = data_dir.join(HIGH_WATER_FILE);
    let identity = store.identity();
    let mut marked: Option<FeedState> = read_mark(&path).map(|m| m.state);
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        match store.feed_state().await {
            Ok(Some(state)) if marked.as_ref() != Some(&state) => {
                match write_mark(&path, &Mark { state: state.clone(), identity: identity.clone() }) {
                    Ok(()) => marked = Some(state),
                    Err(e) => tracing::warn!("the feed's high-water mark could not be written: {e}"),
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("the feed's high-water mark could not be read: {e}"),
        }
    }
}

/// The feed as last seen, and on which database.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mark {
    state: FeedState,
    identity: String,
}

fn went_back(state: &FeedState, identity: &str, mark: Option<&Mark>) -> bool {
    mark.is_some_and(|mark| {
        mark.state.epoch == state.epoch && (state.last_cursor < mark.state.last_cursor || mark.identity != identity)
    })
}

fn new_epoch() -> Result<String, BureauError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| BureauError::Admin(crate::store::StoreError::Other(e.to_string())))?;
    Ok(hex::encode(bytes))
}

fn read_mark(path: &Path) -> Option<Mark> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut words = text.split_whitespace();
    let (epoch, cursor, identity) = (words.next()?, words.next()?, words.next()?);
    Some(Mark {
        state: FeedState { epoch: epoch.to_owned(), last_cursor: cursor.parse().ok()? },
        identity: identity.to_owned(),
    })
}

fn write_mark(path: &Path, mark: &Mark) -> Result<(), BureauError> {
    // Written aside and renamed, so a crash leaves the old mark or the new one, never half; the
    // aside file is this process's own, since processes sharing a data directory each mark.
    let aside = path.with_extension(format!("next.{}", std::process::id()));
    std::fs::write(&aside, format!("{} {} {}\n", mark.state.epoch, mark.state.last_cursor, mark.identity))
        .and_then(|()| std::fs::rename(&aside, path))
        .map_err(|e| BureauError::DataDir {
            path: path.to_owned(),
            detail: format!("the feed's mark cannot be written ({e})"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_that_ends_before_its_own_mark_or_on_another_file_went_back() {
        let state = |epoch: &str, last_cursor| FeedState { epoch: epoch.into(), last_cursor };
        let mark = |epoch: &str, last_cursor, identity: &str| Mark {
            state: state(epoch, last_cursor),
            identity: identity.into(),
        };
        assert!(went_back(&state("a", 10), "f1", Some(&mark("a", 12, "f1"))), "the database was copied back");
        assert!(went_back(&state("a", 12), "f2", Some(&mark("a", 12, "f1"))), "the mark was copied back with it");
        assert!(!went_back(&state("a", 12), "f1", Some(&mark("a", 10, "f1"))), "grew");
        assert!(!went_back(&state("b", 1), "f2", Some(&mark("a", 12, "f1"))), "another epoch already");
        assert!(!went_back(&state("a", 3), "f1", None), "no mark yet");
    }
}
