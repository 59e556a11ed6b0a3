//! `make bench`: measures what the issues promise, beside its reference, in one run.
//!
//! Each figure prints one line
//! `bench NAME: VALUE UNIT | REFERENCE: VALUE UNIT | ratio R | target T | met yes/no`
//! and appends the same as a JSON line to `target/bench/results.jsonl`.

mod flood;
mod pin;
mod prepared;
mod registry;
mod report;
mod sync_push;

use anyhow::Result;

fn main() -> Result<()> {
    let only = std::env::args().nth(1);
    let wants = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if wants("push") {
        sync_push::run()?;
    }
    if wants("flood") {
        flood::run()?;
    }
    if wants("registry") {
        registry::run()?;
    }
    if wants("pin") {
        pin::run()?;
    }
    Ok(())
}
