//! One job from start to exit: run id, work dir, log, the steps, publishing, the summary line.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use runner_aws::Aws;
use serde_json::{Value as Json, json};

use crate::publish::{Counts, Destination};
use crate::supervise::Stop;
use crate::{JobArgs, JobError, JobLog, error, exit, layout, record, steps};

/// What the run was, for the summary and the history record.
pub(crate) struct RunState {
    pub(crate) run_id: String,
    pub(crate) project: String,
    pub(crate) target: String,
    pub(crate) version: Option<String>,
    pub(crate) sha256: Option<String>,
    pub(crate) steps: Vec<(String, Json)>,
    pub(crate) counts: Counts,
    pub(crate) exit_code: i32,
    pub(crate) failure: Option<String>,
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
            // Absolute: the engine runs in the project directory, below this one.
            let dir = std::fs::canonicalize(dir)
                .map_err(error::io(format!("resolving {}", dir.display())))?;
            Ok((dir, false))
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
    let target_dir = match steps::run_steps(args, &aws, &work, &log, &stop, deadline, &mut state) {
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
    let published = record::publish_all(
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
