//! The steps of a job: fetch the project, set up profiles and credentials, run each dbt command.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use runner_aws::Aws;
use serde_json::Value as Json;

use crate::job::RunState;
use crate::supervise::{self, EngineCall, Stop};
use crate::{JobArgs, JobError, JobLog, exit, fetch, setup};

/// Fetch, set up and run every command; returns the target directory holding the artifacts.
pub(crate) fn run_steps(
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
