//! `make bench`: measures what the issues promise, beside its reference, in one run.
//!
//! Each figure prints one line
//! `bench NAME: VALUE UNIT | REFERENCE: VALUE UNIT | ratio R | target T | met yes/no`
//! and appends the same as a JSON line to `target/bench/results.jsonl`.

mod cpu;
mod evidence;
mod first_screen;
mod fleet;
mod flood;
mod pin;
mod prepared;
mod push_postgres;
mod records;
mod registry;
mod report;
mod sync_push;
mod tus_reference;
mod uploads;

use anyhow::Result;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == evidence::CHILD) {
        return evidence::child(&args[1..]);
    }
    let only = args.first().cloned();
    let wants = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if wants("push") {
        sync_push::run()?;
    }
    // The same push into PostgreSQL, its rounds alternating with four devices through two
    // processes measured against it.
    if wants("push-postgres") {
        push_postgres::run()?;
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
    if wants("evidence") {
        evidence::run()?;
    }
    if wants("records") {
        records::run()?;
    }
    if wants("uploads") {
        uploads::run()?;
    }
    if wants("first-screen") {
        first_screen::run()?;
    }
    // The Node tus pair alone, only when asked: the upload figures measure it beside themselves.
    if only.as_deref() == Some("tus-reference") {
        tus_reference::run()?;
    }
    Ok(())
}
