//! `runner`: the thin binary. It parses arguments, wires the engine crates together and maps outcomes to
//! the exit codes in [`exit`].

mod cli;
mod commands;
mod docs;
mod execute;
mod exit;
mod freshness;
mod list;
mod operation;
mod retry;
mod signals;
mod utility;

use clap::Parser;

// Parse, compile and the artifacts make many small allocations on several threads: mimalloc is
// cheaper there than glibc's malloc (measured in docs/adr/0006).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let raw: Vec<String> = std::env::args().collect();
    match cli::mode(&raw) {
        cli::Mode::Job => {
            let job = cli::JobCli::parse_from(raw.into_iter().skip(1));
            std::process::exit(runner_job::run(&job.job));
        }
        cli::Mode::JobCommand(words) => {
            // Every job option comes from RUNNER_*; argv is the one dbt command to run.
            let mut job = cli::JobCli::parse_from(["run"]);
            job.job.commands = vec![runner_job::supervise::join_words(&words)];
            std::process::exit(runner_job::run(&job.job));
        }
        cli::Mode::Dbt => {}
    }
    let args = cli::normalize_argv(raw);
    let cli = cli::Cli::parse_from(args);
    let code = match commands::run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Error: {}", scrub_secrets(&format!("{e:#}")));
            exit::ERROR
        }
    };
    std::process::exit(code);
}

/// Replaces the value of every `DBT_ENV_SECRET_*` variable with `*****`, as dbt does in its output: an
/// error may quote a rendered value (a failed lookup, a bad port), and secrets must never be printed.
fn scrub_secrets(text: &str) -> String {
    let mut secrets: Vec<String> = std::env::vars_os()
        .filter(|(k, _)| k.to_str().is_some_and(|k| k.starts_with("DBT_ENV_SECRET")))
        .filter_map(|(_, v)| v.into_string().ok())
        .filter(|v| !v.is_empty())
        .collect();
    // Longest first, so a secret containing another is replaced whole.
    secrets.sort_by_key(|v| std::cmp::Reverse(v.len()));
    secrets
        .iter()
        .fold(text.to_string(), |acc, secret| acc.replace(secret, "*****"))
}
