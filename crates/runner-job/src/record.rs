//! The end of a job: the run's record (run.json), its artifacts and its history lines.

use std::path::{Path, PathBuf};

use runner_aws::Aws;
use serde_json::json;

use crate::job::RunState;
use crate::publish::{self, Destination};
use crate::{JobArgs, JobError, JobLog, error, exit, layout};

/// Publishes the artifacts, the run record and the history lines.
pub(crate) fn publish_all(
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
