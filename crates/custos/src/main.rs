//! `custos`: the one binary. It parses the command line, loads the configuration, wires the
//! store and web server together, and runs the subcommand.
//!
//! Invariants: configuration is read once and passed explicitly; every subcommand uses the
//! data directory from `--data` / `CUSTOS_DATA` / the config file; errors reach the user as
//! one clear message (never with a password in it) and a non-zero exit status.

mod bodyworn;
mod cameras;
mod cases;
mod checks;
mod cli;
mod commands;
mod config;
mod covert;
mod deadline;
mod deployments;
mod disclosures;
mod equipment;
mod export;
mod incidents;
mod keys;
mod ledger;
mod limits;
mod mail;
mod maintenance;
mod police_control;
mod prints;
mod recorder;
mod retention;
mod users;
mod visitors;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
