//! The ECS entrypoint behind `runner run --package …`: the job a container runs.
//!
//! 1. fetch the package ([`fetch`]): S3 or local, checksum verified, unpacked into a fresh work dir;
//! 2. fetch profiles.yml and resolve credentials from Glue or Secrets Manager ([`setup`]);
//! 3. run each dbt command in a supervised engine process ([`supervise`]), forwarding a stop;
//! 4. publish the artifacts and the run history, also after a failure ([`publish`]);
//! 5. print a one-line summary last and return dbt's exit code: 0, 1 for failing nodes, 2 for
//!    configuration or infrastructure errors (and for a run stopped by a signal or the deadline).
//!
//! [`build_package`] is `runner package`. All options are in [`options`].

mod error;
pub mod fetch;
pub mod layout;
mod log;
pub mod options;
mod package_cmd;
pub mod publish;
pub mod setup;
pub mod supervise;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use runner_aws::Aws;
use serde_json::{Value as Json, json};

pub use error::JobError;
pub use log::JobLog;
pub use options::{JobArgs, PackageArgs};
pub use package_cmd::build_package;
use publish::{Counts, Destination};
use supervise::{EngineCall, Stop};

/// Exit codes, as dbt and schedulers read them (the same table as the binary's).
pub mod exit {
    /// Everything passed.
    pub const SUCCESS: i32 = 0;
    /// A node failed.
    pub const NODE_FAILURE: i32 = 1;
    /// Configuration or infrastructure error, or a stopped run.
    pub const ERROR: i32 = 2;
}

/// What the run was, for the summary and the history record.
struct RunState {
    run_id: String,
    project: String,
    target: String,
    version: Option<String>,
    sha256: Option<String>,
    steps: Vec<(String, Json)>,
    counts: Counts,
    exit_code: i32,
    failure: Option<String>,
}

/// A run id: the ECS task id on ECS, else a sortable time stamp with a random suffix.
fn run_id(args: &JobArgs) -> Result<String, JobError> {
    if let Some(id) = args.run_id.clone().filter(|s| !s.is_empty()) {
        if !layout::is_safe_segment(&id) {
            return Err(JobError::Option {
                option: "--run-id / RUNNER_RUN_ID",
                message: format!("'{id}' may only use letters, digits, '.', '_' and '-'"),
            });
        }
        return Ok(id);
    }
    if let Ok(uri) = std::env::var("ECS_CONTAINER_METADATA_URI_V4") {
        return Ok(runner_aws::task_id_from_metadata(&uri)?);
    }
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    Ok(format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ"),
        &suffix[..8]
    ))
}

/// A fresh work dir: the one given (it must be empty) or a new temp dir, removed at the end.
fn work_dir(args: &JobArgs, run_id: &str) -> Result<(PathBuf, bool), JobError> {
    match &args.work_dir {
        Some(dir) => {
            let busy = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some());
            if busy {
                return Err(JobError::Option {
                    option: "--work-dir / RUNNER_WORK_DIR",
                    message: format!(
                        "{} is not empty; the job needs a fresh directory",
                        dir.display()
                    ),
                });
            }
            std::fs::create_dir_all(dir)
                .map_err(error::io(format!("creating {}", dir.display())))?;
            Ok((dir.clone(), false))
        }
        None => {
            let dir = std::env::temp_dir().join(format!("runner-{run_id}"));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir)
                .map_err(error::io(format!("creating {}", dir.display())))?;
            Ok((dir, true))
        }
    }
}

/// Runs the job; returns the process exit code. Never panics on bad input: every failure becomes a
/// logged message and exit code 2.
pub fn run(args: &JobArgs) -> i32 {
    let started = chrono::Utc::now();
    let clock = Instant::now();
    let early = |e: JobError| {
        eprintln!("runner: {e}");
        eprintln!("runner: job failed before it started (exit 2)");
        exit::ERROR
    };
    if let Err(e) = args.validate() {
        return early(e);
    }
    let run_id = match run_id(args) {
        Ok(id) => id,
        Err(e) => return early(e),
    };
    let (work, remove_work) = match work_dir(args, &run_id) {
        Ok(w) => w,
        Err(e) => return early(e),
    };
    let log = Arc::new(JobLog::new(
        args.json_logs(),
        &run_id,
        &work.join("run.log"),
    ));
    let dest = match Destination::parse(&args.artifacts) {
        Ok(d) => d,
        Err(e) => return early(e),
    };
    let history = match &args.history {
        Some(h) => match Destination::parse(h) {
            Ok(d) => d,
            Err(e) => return early(e),
        },
        None => dest.below("history"),
    };
    let aws = match Aws::new() {
        Ok(a) => a,
        Err(e) => return early(e.into()),
    };
    let stop = Arc::new(Stop::default());
    if let Err(e) = stop.watch_signals(log.clone()) {
        log.warn(&e.to_string());
    }
    let deadline = args.timeout.map(|t| clock + t);
    log.info(&format!(
        "runner {} job {run_id}: package {}",
        env!("CARGO_PKG_VERSION"),
        args.package
    ));

    let mut state = RunState {
        run_id: run_id.clone(),
        project: guess_project(&args.package),
        target: args.target.clone().unwrap_or_else(|| "default".into()),
        version: None,
        sha256: None,
        steps: Vec::new(),
        counts: Counts::default(),
        exit_code: exit::SUCCESS,
        failure: None,
    };
    let target_dir = match run_steps(args, &aws, &work, &log, &stop, deadline, &mut state) {
        Ok(dir) => Some(dir),
        Err(e) => {
            log.error(&e.to_string());
            state.exit_code = exit::ERROR;
            state.failure = Some(e.to_string());
            None
        }
    };
    if let Some(reason) = stop.reason() {
        state.exit_code = exit::ERROR;
        state.failure.get_or_insert(reason);
    }

    // Publishing happens whatever came before, so a failed run leaves its evidence.
    let published = publish_all(
        &aws,
        &dest,
        &history,
        &work,
        target_dir.as_deref(),
        &log,
        &state,
        started,
        args,
    );
    let location = match published {
        Ok(location) => location,
        Err(e) => {
            log.error(&format!("publishing the artifacts failed: {e}"));
            state.exit_code = exit::ERROR;
            dest.describe(&[])
        }
    };
    let c = state.counts;
    let outcome = match state.exit_code {
        exit::SUCCESS => "succeeded",
        exit::NODE_FAILURE => "failed (nodes failed)",
        _ => "failed",
    };
    let why = state
        .failure
        .as_deref()
        .map(|f| format!(": {}", first_line(f)))
        .unwrap_or_default();
    log.summary(
        &format!(
            "{} {} run {} {outcome}{why} — PASS={} WARN={} ERROR={} SKIP={} TOTAL={} in {:.1}s; artifacts {location}; exit {}",
            state.project, state.target, state.run_id, c.pass, c.warn, c.error, c.skip, c.total, clock.elapsed().as_secs_f64(), state.exit_code
        ),
        json!({"run_id": state.run_id, "project": state.project, "target": state.target, "exit_code": state.exit_code, "artifacts": location}),
    );
    log.flush();
    if remove_work {
        let _ = std::fs::remove_dir_all(&work);
    }
    state.exit_code
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// The project's name as the package address suggests it, for a run that fails before unpacking.
fn guess_project(package: &str) -> String {
    let trimmed = package.trim_end_matches('/');
    let name = if runner_aws::S3Location::is_s3(trimmed) {
        let mut parts = trimmed.rsplit('/');
        let last = parts.next().unwrap_or("");
        if last.ends_with(".tar.gz") || last.ends_with(".tgz") {
            last.split('-').next().unwrap_or(last)
        } else {
            parts.next().unwrap_or(last)
        }
    } else {
        Path::new(trimmed)
            .file_name()
            .and_then(|n| n.to_str())
            .map_or("project", |n| {
                n.trim_end_matches(".tar.gz").trim_end_matches(".tgz")
            })
    };
    if layout::is_safe_segment(name) {
        name.to_string()
    } else {
        "project".into()
    }
}

/// Fetch, set up and run every command; returns the target directory holding the artifacts.
fn run_steps(
    args: &JobArgs,
    aws: &Aws,
    work: &Path,
    log: &Arc<JobLog>,
    stop: &Stop,
    deadline: Option<Instant>,
    state: &mut RunState,
) -> Result<PathBuf, JobError> {
    let project = fetch::fetch(args, aws, work)?;
    state.version = project.version.clone();
    state.sha256 = project.sha256.clone();
    let (name, profile) = setup::project_names(&project.root)?;
    state.project = name;
    log.info(&format!(
        "project {}{} in {}",
        state.project,
        project
            .version
            .as_deref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default(),
        project.root.display()
    ));
    let profiles = setup::profiles_dir(args, aws, &project.root, work)?;
    state.target = setup::target_name(args, profiles.as_deref(), &profile);
    let overrides = setup::credentials(args, aws)?;
    if let Some(pw) = overrides
        .as_ref()
        .and_then(|o| o.get("password"))
        .and_then(Json::as_str)
    {
        log.redact(pw);
    }
    if overrides.is_some() {
        log.info(&format!("credentials from {}", args.credentials));
    }
    let target_dir = project.root.join(setup::target_path(&project.root));
    let job_id = args
        .job_id
        .clone()
        .unwrap_or_else(|| format!("{}-{}", state.project, state.target));
    let call = EngineCall {
        project_root: &project.root,
        profiles_dir: profiles.as_deref(),
        target: args.target.as_deref(),
        json_logs: log.is_json(),
        overrides: overrides.as_ref(),
        env: vec![
            ("DBT_JOB_ID".into(), job_id),
            ("DBT_JOB_RUN_ID".into(), state.run_id.clone()),
        ],
    };
    let commands: Vec<&str> = args
        .commands
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    for (i, command) in commands.iter().enumerate() {
        if stop.reason().is_some() {
            break;
        }
        let words = supervise::split_words(command).map_err(|message| JobError::Option {
            option: "--command / RUNNER_COMMAND",
            message,
        })?;
        log.info(&format!(
            "step {} of {}: dbt {command}",
            i + 1,
            commands.len()
        ));
        let results_file = target_dir.join("run_results.json");
        // A command that fails before running anything must not be credited with the previous
        // command's results.
        let _ = std::fs::remove_file(&results_file);
        let code = supervise::run_command(&words, &call, stop, deadline, log)?;
        if let Some(results) = std::fs::read(&results_file)
            .ok()
            .and_then(|b| serde_json::from_slice::<Json>(&b).ok())
        {
            state
                .counts
                .add(results["results"].as_array().map_or(&[][..], Vec::as_slice));
            if commands.len() > 1 {
                let step_dir = work.join("steps").join(format!(
                    "{}-{}",
                    i + 1,
                    words.first().map_or("step", String::as_str)
                ));
                let _ = std::fs::create_dir_all(&step_dir);
                let _ = std::fs::copy(&results_file, step_dir.join("run_results.json"));
            }
            state.steps.push((command.to_string(), results));
        }
        if code != exit::SUCCESS {
            state.exit_code = code;
            if i + 1 < commands.len() {
                log.warn(&format!(
                    "step {} exited {code}: the remaining {} step(s) do not run",
                    i + 1,
                    commands.len() - i - 1
                ));
            }
            break;
        }
    }
    Ok(target_dir)
}

/// Publishes the artifacts, the run record and the history lines.
fn publish_all(
    aws: &Aws,
    dest: &Destination,
    history: &Destination,
    work: &Path,
    target_dir: Option<&Path>,
    log: &JobLog,
    state: &RunState,
    started: chrono::DateTime<chrono::Utc>,
    args: &JobArgs,
) -> Result<String, JobError> {
    let finished = chrono::Utc::now();
    let steps: Vec<(String, PathBuf)> = std::fs::read_dir(work.join("steps"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            (
                format!("steps/{}/run_results.json", e.file_name().to_string_lossy()),
                e.path().join("run_results.json"),
            )
        })
        .collect();
    let mut files = match target_dir {
        Some(dir) => publish::run_files(dir, log.path(), &steps),
        None => vec![("run.log".into(), log.path().to_path_buf())],
    };
    files.sort();
    let c = state.counts;
    let status = match state.exit_code {
        exit::SUCCESS => "success",
        exit::NODE_FAILURE => "failed",
        _ => "error",
    };
    let record = json!({
        "run_id": state.run_id,
        "project": state.project,
        "target": state.target,
        "package": args.package,
        "package_version": state.version,
        "package_sha256": state.sha256,
        "commands": args.commands,
        "status": status,
        "exit_code": state.exit_code,
        "error": state.failure,
        "started_at": started.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "finished_at": finished.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "elapsed_seconds": (finished - started).num_milliseconds() as f64 / 1000.0,
        "pass": c.pass, "warn": c.warn, "error_count": c.error, "skip": c.skip, "total": c.total,
        "files": files.iter().map(|(n, _)| n.clone()).chain(std::iter::once("run.json".to_string())).collect::<Vec<_>>(),
    });
    let record_file = work.join("run.json");
    std::fs::write(&record_file, format!("{record:#}\n")).map_err(error::io("writing run.json"))?;
    files.push(("run.json".into(), record_file));
    log.info(&format!(
        "publishing {} file(s) to {}",
        files.len(),
        dest.describe(
            &layout::run_path(&state.project, &state.target, &state.run_id)
                .each_ref()
                .map(String::as_str)
        )
    ));
    log.flush();
    let location = publish::publish_run(
        aws,
        dest,
        &state.project,
        &state.target,
        &state.run_id,
        &files,
    )?;
    let (run_line, node_lines) = publish::history_lines(&record, &state.steps);
    let date = started.format("%Y-%m-%d").to_string();
    let runs = layout::history_path("runs", &date, &state.run_id);
    history.put_bytes(
        aws,
        &runs.each_ref().map(String::as_str),
        run_line,
        "application/x-ndjson",
    )?;
    if !node_lines.is_empty() {
        let nodes = layout::history_path("node_results", &date, &state.run_id);
        history.put_bytes(
            aws,
            &nodes.each_ref().map(String::as_str),
            node_lines,
            "application/x-ndjson",
        )?;
    }
    // The log was uploaded before these last lines; the terminal and CloudWatch still get them.
    Ok(location)
}

#[cfg(test)]
mod tests {
    use super::guess_project;

    #[test]
    fn project_names_from_addresses() {
        assert_eq!(guess_project("s3://b/packages/shop/1.2.0"), "shop");
        assert_eq!(guess_project("s3://b/packages/shop/latest/"), "shop");
        assert_eq!(guess_project("s3://b/x/shop-1.2.0.tar.gz"), "shop");
        assert_eq!(guess_project("./dist/shop-1.0.tar.gz"), "shop-1.0");
        assert_eq!(guess_project("tests/fixtures/store"), "store");
    }
}
