//! `fieldcase`: the command line over the same crates the desktop app uses. Scripts and
//! tests rely on its subcommands, options, output and exit codes:
//! 0 success, 1 failure, 2 bad usage, 3 a rule refused the action.

// Unit tests may unwrap: a panic there is a failed test with its reason.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod cli;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            failure.report(json);
            ExitCode::from(failure.exit)
        }
    }
}
