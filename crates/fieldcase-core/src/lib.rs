//! The fieldcase domain, shared by the officer's device and the bureau server.
//!
//! Everything here is pure: records, the legal rules they must satisfy, canonical
//! serialization and hashing, and signatures. No file, network or clock access: the time a
//! rule needs is passed in, so the rules can be tested at any instant.

// Unit tests may unwrap: a panic there is a failed test with its reason.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod audit;
pub mod canonical;
pub mod certificate;
pub mod checklist;
pub mod codes;
pub mod draft;
pub mod evidence;
mod hex_digits;
pub mod ids;
pub mod inspection;
pub mod limits;
#[cfg(feature = "openapi")]
mod openapi;
mod push_checks;
pub mod registry;
pub mod rules;
pub mod sha256_pair;
pub mod sign_in_scope;
pub mod signing;
pub mod site;
pub mod time;
pub mod upload;
pub mod uscc;
pub mod wire;

pub use canonical::ContentHash;
pub use codes::{ErrorCode, RecordKind};
