//! Command-line arguments: dbt's verbs and flags, read from the environment as dbt reads them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// runner: run dbt projects with an embedded dbt-compatible engine.
#[derive(Debug, Parser)]
#[command(name = "runner", version, about)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags shared by every dbt verb.
#[derive(Debug, Args, Clone)]
pub struct Common {
    /// Sub-verb words (`docs generate`, `source freshness`).
    #[arg(hide = true)]
    pub words: Vec<String>,
    /// Directory holding dbt_project.yml.
    #[arg(long, env = "DBT_PROJECT_DIR", global = true)]
    pub project_dir: Option<PathBuf>,
    /// Directory holding profiles.yml.
    #[arg(long, env = "DBT_PROFILES_DIR", global = true)]
    pub profiles_dir: Option<PathBuf>,
    /// Profile to use (defaults to the project's `profile:`).
    #[arg(long, env = "DBT_PROFILE", global = true)]
    pub profile: Option<String>,
    /// Target within the profile.
    #[arg(long, short = 't', env = "DBT_TARGET", global = true)]
    pub target: Option<String>,
    /// Variables as YAML or JSON.
    #[arg(long, global = true)]
    pub vars: Option<String>,
    /// `run-operation`: the macro's keyword arguments as a YAML or JSON mapping.
    #[arg(long, global = true)]
    pub args: Option<String>,
    /// Nodes to select.
    #[arg(long, short = 's', num_args = 1.., global = true, alias = "models", short_alias = 'm')]
    pub select: Vec<String>,
    /// Nodes to exclude.
    #[arg(long, num_args = 1.., global = true)]
    pub exclude: Vec<String>,
    /// A selector from selectors.yml.
    #[arg(long, global = true)]
    pub selector: Option<String>,
    /// Resource types to keep.
    #[arg(long, num_args = 1.., global = true)]
    pub resource_type: Vec<String>,
    /// Threads.
    #[arg(long, env = "DBT_THREADS", global = true)]
    pub threads: Option<u32>,
    /// Rebuild incremental models from scratch.
    #[arg(long, env = "DBT_FULL_REFRESH", global = true)]
    pub full_refresh: bool,
    /// `run`, `build`, `compile`, `seed`, `snapshot`: refs and sources read no rows, seeds load none
    /// (check that a project builds without processing data).
    #[arg(long, env = "DBT_EMPTY", global = true)]
    pub empty: bool,
    /// Stop at the first failure.
    #[arg(long, short = 'x', env = "DBT_FAIL_FAST", global = true)]
    pub fail_fast: bool,
    /// Where artifacts go (default `target`).
    #[arg(long, env = "DBT_TARGET_PATH", global = true)]
    pub target_path: Option<String>,
    /// `text` or `json` log lines.
    #[arg(long, env = "DBT_LOG_FORMAT", global = true, default_value = "text")]
    pub log_format: String,
    /// Only print results.
    #[arg(long, short = 'q', env = "DBT_QUIET", global = true)]
    pub quiet: bool,
    /// Accepted for compatibility; runner always parses fully (it is fast).
    #[arg(long, global = true)]
    pub no_partial_parse: bool,
    /// `ls` output format (selector, name, path, json); `source freshness`: where sources.json goes.
    #[arg(long, short = 'o', global = true, default_value = "selector")]
    pub output: String,
    /// Keys `ls --output json` prints (space separated, or repeated).
    #[arg(long, global = true, num_args = 1.., value_delimiter = ' ')]
    pub output_keys: Vec<String>,
    /// Indirect test selection mode.
    #[arg(
        long,
        env = "DBT_INDIRECT_SELECTION",
        global = true,
        default_value = "eager"
    )]
    pub indirect_selection: String,
    /// `show`: SQL to preview instead of a selected node (may use `ref`, `source` and macros).
    #[arg(long, global = true)]
    pub inline: Option<String>,
    /// `docs generate`: read the catalog without compiling first.
    #[arg(long, global = true)]
    pub no_compile: bool,
    /// `docs generate`: write a catalog without asking the warehouse.
    #[arg(long, global = true)]
    pub empty_catalog: bool,
    /// `docs generate`: also write static_index.html (index.html is self-contained already).
    #[arg(long = "static", global = true)]
    pub static_page: bool,
    /// Read target fields (credentials from AWS) as a JSON object from stdin: how `runner run
    /// --package` hands credentials to the engine process without a file or an environment variable.
    #[arg(long, global = true, hide = true)]
    pub target_overrides_stdin: bool,
    /// `show`: rows to preview (a negative number shows all rows).
    #[arg(
        long,
        global = true,
        default_value_t = 5,
        allow_negative_numbers = true
    )]
    pub limit: i64,
}

/// dbt's verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse the project and write target/manifest.json.
    Parse(Common),
    /// Compile selected nodes to target/compiled.
    Compile(Common),
    /// List selected resources.
    #[command(alias = "list")]
    Ls(Common),
    /// Run models.
    Run(Common),
    /// Build seeds, models, snapshots, data tests and unit tests in DAG order.
    Build(Common),
    /// Run data tests and unit tests.
    Test(Common),
    /// Load seeds.
    Seed(Common),
    /// Run snapshots.
    Snapshot(Common),
    /// `docs generate`: catalog.json and the single-file docs page (index.html).
    Docs(Common),
    /// `source freshness`: check sources' loaded_at against their freshness and write sources.json.
    Source(Common),
    /// Run the last command again on the nodes that did not succeed (from target/run_results.json).
    Retry(Common),
    /// Run a macro with `--args` on the warehouse.
    RunOperation(Common),
    /// Check the project, the profile and the connection.
    Debug(Common),
    /// Install packages (runner expects packages vendored; not available).
    Deps(Common),
    /// Remove the project's clean-targets (target/ by default).
    Clean(Common),
    /// Preview rows of a model or of inline SQL.
    Show(Common),
    /// Build a project's reproducible package (.tar.gz + .sha256) and publish it to S3 or a folder.
    Package(runner_job::PackageArgs),
}

/// `runner run --package …` (or `runner run` with RUNNER_PACKAGE set): the container entrypoint.
#[derive(Debug, Parser)]
#[command(
    name = "runner run",
    version,
    about = "Fetch a dbt project package, run dbt commands on it, publish the artifacts, exit 0/1/2"
)]
pub struct JobCli {
    /// The job's options.
    #[command(flatten)]
    pub job: runner_job::JobArgs,
}

impl Command {
    /// The dbt flags of a dbt verb (`package` has its own).
    pub fn common(&self) -> Option<&Common> {
        match self {
            Command::Parse(c)
            | Command::Compile(c)
            | Command::Ls(c)
            | Command::Run(c)
            | Command::Build(c)
            | Command::Test(c)
            | Command::Seed(c)
            | Command::Snapshot(c)
            | Command::Docs(c)
            | Command::Source(c)
            | Command::Retry(c)
            | Command::RunOperation(c)
            | Command::Debug(c)
            | Command::Deps(c)
            | Command::Clean(c)
            | Command::Show(c) => Some(c),
            Command::Package(_) => None,
        }
    }

    /// The verb's name.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Parse(_) => "parse",
            Command::Compile(_) => "compile",
            Command::Ls(_) => "ls",
            Command::Run(_) => "run",
            Command::Build(_) => "build",
            Command::Test(_) => "test",
            Command::Seed(_) => "seed",
            Command::Snapshot(_) => "snapshot",
            Command::Docs(_) => "docs",
            Command::Source(_) => "source",
            Command::Retry(_) => "retry",
            Command::RunOperation(_) => "run-operation",
            Command::Debug(_) => "debug",
            Command::Deps(_) => "deps",
            Command::Clean(_) => "clean",
            Command::Show(_) => "show",
            Command::Package(_) => "package",
        }
    }
}

/// How the process was asked to work.
pub enum Mode {
    /// The container entrypoint: `runner run --package …`, or `runner run` with RUNNER_PACKAGE set.
    Job,
    /// The entrypoint running one dbt command given as argv: `runner dbt build --select x` with
    /// RUNNER_PACKAGE set (an ECS command override or a schedule's container override).
    JobCommand(Vec<String>),
    /// A dbt verb on a project directory.
    Dbt,
}

/// Decides the [`Mode`] from argv and the environment. Without RUNNER_PACKAGE and `--package`,
/// everything is dbt's verbs (`runner run` is dbt's `run`).
pub fn mode(args: &[String]) -> Mode {
    let package_env = std::env::var_os("RUNNER_PACKAGE").is_some_and(|p| !p.is_empty());
    match args.get(1).map(String::as_str) {
        Some("run")
            if package_env
                || args
                    .iter()
                    .skip(2)
                    .any(|a| a == "--package" || a.starts_with("--package=")) =>
        {
            Mode::Job
        }
        Some("dbt") if package_env && args.len() > 2 => Mode::JobCommand(args[2..].to_vec()),
        _ => Mode::Dbt,
    }
}

/// Accepts `runner dbt build …` (what Airflow/Cosmos and ECS overrides send) as `runner build …`.
pub fn normalize_argv(mut args: Vec<String>) -> Vec<String> {
    if args.get(1).map(String::as_str) == Some("dbt") {
        args.remove(1);
    }
    args
}
