//! The storage plumbing that the device and the bureau share, written once.
//!
//! Both sides keep their records in a SQLite file inside a data directory, and a secret key
//! beside it. How such a file is opened (journal, durability, foreign keys), migrated,
//! written in one transaction, how its failures are told apart, how its columns are read,
//! and how the directory and the key file are prepared: all of that is here. What the
//! tables hold, and every decision about records, stays with each side.

// Unit tests may unwrap: a panic there is a failed test with its reason.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod columns;
pub mod data_dir;
mod database;
mod error;
pub mod secret_file;

pub use database::{OpenOptions, migrate, open, open_read_only, write, write_unsynced};
pub use error::DbError;
