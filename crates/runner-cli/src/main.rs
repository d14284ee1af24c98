//! `runner`: the thin binary. It parses arguments, wires the engine crates together and maps outcomes to
//! the exit codes in [`exit`].

mod cli;
mod commands;
mod exit;
mod list;

use clap::Parser;

fn main() {
    let args = cli::normalize_argv(std::env::args().collect());
    let cli = cli::Cli::parse_from(args);
    let code = match commands::run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Error: {e:#}");
            exit::ERROR
        }
    };
    std::process::exit(code);
}
