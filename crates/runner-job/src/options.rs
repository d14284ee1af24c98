//! Every option of `runner run --package …` and `runner package`, each also an environment variable
//! (`RUNNER_*`). This file is the one place they are declared; `docs/entrypoint.md` explains them.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::JobError;

/// `runner run --package …`: the container entrypoint.
#[derive(Debug, Clone, Args)]
pub struct JobArgs {
    /// The dbt project: `s3://bucket/prefix/<project>/<version>` (or `…/latest`, or the key of a
    /// `.tar.gz`), a local `.tar.gz`, or a project directory.
    #[arg(long, env = "RUNNER_PACKAGE")]
    pub package: String,
    /// profiles.yml: `s3://…` (an object, or a prefix holding profiles.yml) or a local file or
    /// directory. Default: the package's own profiles.yml, then dbt's search (DBT_PROFILES_DIR,
    /// ~/.dbt); without any, the embedded DuckDB database.
    #[arg(long, env = "RUNNER_PROFILES")]
    pub profiles: Option<String>,
    /// The profile's target (default: the profile's `target:`).
    #[arg(long, short = 't', env = "RUNNER_TARGET")]
    pub target: Option<String>,
    /// Warehouse credentials: `glue:<connection>`, `secretsmanager:<name-or-arn>`, or `env` (the
    /// profile as written, with its env_var() calls).
    #[arg(long, env = "RUNNER_CREDENTIALS", default_value = "env")]
    pub credentials: String,
    /// dbt commands, run in order until one fails: repeat the flag, or separate them with `;` in
    /// RUNNER_COMMAND (`seed; build --select tag:daily`).
    #[arg(
        long = "command",
        env = "RUNNER_COMMAND",
        value_delimiter = ';',
        default_value = "build"
    )]
    pub commands: Vec<String>,
    /// Where artifacts go: `s3://bucket/prefix` or a local directory.
    #[arg(long, env = "RUNNER_ARTIFACTS", default_value = "runner-artifacts")]
    pub artifacts: String,
    /// Where run-history lines go (`s3://…` or a directory; default `<artifacts>/history`): one JSON
    /// line per run under `runs/dt=YYYY-MM-DD/`, one per node result under `node_results/dt=…/`.
    #[arg(long, env = "RUNNER_HISTORY")]
    pub history: Option<String>,
    /// A fresh directory for the package and the run (default: a new temp dir, removed at the end).
    #[arg(long, env = "RUNNER_WORK_DIR")]
    pub work_dir: Option<PathBuf>,
    /// Stop the run after this long (`90m`, `2h`, `3600s`, or seconds): queries are cancelled and
    /// the partial artifacts published, as on SIGTERM.
    #[arg(long, env = "RUNNER_TIMEOUT", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// `text` or `json` (default: json on ECS, text elsewhere).
    #[arg(long, env = "RUNNER_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// The run id naming the artifact prefix (default: the ECS task id, or a generated id).
    #[arg(long, env = "RUNNER_RUN_ID")]
    pub run_id: Option<String>,
    /// The job's name, visible to env_var('DBT_JOB_ID') (default: `<project>-<target>`).
    #[arg(long, env = "RUNNER_JOB_ID")]
    pub job_id: Option<String>,
    /// Expected SHA-256 of a local tarball without a `.sha256` beside it.
    #[arg(long, env = "RUNNER_PACKAGE_SHA256")]
    pub package_sha256: Option<String>,
    /// Largest unpacked package, in MiB.
    #[arg(long, env = "RUNNER_MAX_PACKAGE_MIB", default_value_t = 1024)]
    pub max_package_mib: u64,
}

/// `runner package`: build a project's package and publish it.
#[derive(Debug, Clone, Args)]
pub struct PackageArgs {
    /// The dbt project directory (with its packages vendored in dbt_packages/).
    #[arg(long, env = "DBT_PROJECT_DIR", default_value = ".")]
    pub project_dir: PathBuf,
    /// Version (default: `version:` of dbt_project.yml).
    #[arg(long = "version", env = "RUNNER_PACKAGE_VERSION")]
    pub package_version: Option<String>,
    /// `s3://bucket/prefix` (uploads to `<prefix>/<project>/<version>/` and moves
    /// `<prefix>/<project>/latest.json`) or a local directory.
    #[arg(long, env = "RUNNER_PACKAGE_OUTPUT", default_value = "dist")]
    pub output: String,
    /// Do not move the `latest` pointer.
    #[arg(long)]
    pub no_latest: bool,
}

/// `90m`, `2h`, `30s`, `1h30m` or plain seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = 0u64;
    let mut number = String::new();
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            number.push(ch);
            continue;
        }
        let unit = match ch {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(format!("'{text}' is not a duration like 90m, 2h or 3600")),
        };
        let n: u64 = number
            .parse()
            .map_err(|_| format!("'{text}' is not a duration like 90m, 2h or 3600"))?;
        total += n * unit;
        number.clear();
    }
    if !number.is_empty() || total == 0 {
        return Err(format!("'{text}' is not a duration like 90m, 2h or 3600"));
    }
    Ok(Duration::from_secs(total))
}

impl JobArgs {
    /// JSON log lines: asked for, or running on ECS (CloudWatch keeps one event per line).
    pub fn json_logs(&self) -> bool {
        match self.log_format.as_deref() {
            Some(f) => f == "json",
            None => std::env::var_os("ECS_CONTAINER_METADATA_URI_V4").is_some(),
        }
    }

    /// Checks values clap cannot.
    pub fn validate(&self) -> Result<(), JobError> {
        if let Some(f) = self
            .log_format
            .as_deref()
            .filter(|f| !["text", "json"].contains(f))
        {
            return Err(JobError::Option {
                option: "--log-format / RUNNER_LOG_FORMAT",
                message: format!("'{f}' is neither text nor json"),
            });
        }
        if self.commands.iter().all(|c| c.trim().is_empty()) {
            return Err(JobError::Option {
                option: "--command / RUNNER_COMMAND",
                message: "no command given".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("10x").is_err());
        assert!(parse_duration("0m").is_err());
    }
}
