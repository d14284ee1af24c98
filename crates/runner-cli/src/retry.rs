//! `retry`: runs the last command again on the nodes that did not succeed, as dbt does. It reads
//! run_results.json in the target path, takes back that command's selection and flags from its
//! `args` (`--vars` and `--threads` given now win; the project and profiles directories are
//! today's), and runs the command on the results whose status was error, fail, skipped, runtime
//! error or partial success. Hooks (`operation.*`) are not retried, except after `run-operation`,
//! whose macro is called again with its arguments when it failed. With nothing to retry a
//! node command writes an empty run_results.json (keeping the command's `args`, so a later
//! `retry` still knows it) and exits 0.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use runner_exec::Which;
use serde_json::{Map, Value as Json};

use crate::cli::Common;

/// Statuses whose nodes `retry` runs again.
const RETRIED_STATUSES: [&str; 5] = [
    "error",
    "fail",
    "skipped",
    "runtime error",
    "partial success",
];

/// Runs `retry`; returns the exit code.
pub fn run(c: &Common) -> Result<i32> {
    if let Some(word) = c.words.first() {
        bail!("unexpected argument '{word}'");
    }
    let target_dir = target_dir(c)?;
    let path = target_dir.join("run_results.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "Could not find previous run in '{}' target directory",
            target_dir.display()
        ),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let previous: Json = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a run_results.json", path.display()))?;
    let args = previous["args"]
        .as_object()
        .with_context(|| format!("{}: no `args` to retry with", path.display()))?;
    let which = args.get("which").and_then(Json::as_str).unwrap_or_default();
    let ids = retried_ids(&previous, which);
    let again = restored_flags(c, args);
    match which {
        "run-operation" => {
            // After a macro that ran, there is nothing to do and nothing is written, as in dbt.
            if ids.is_empty() {
                return Ok(crate::exit::SUCCESS);
            }
            let name = args
                .get("macro")
                .and_then(Json::as_str)
                .with_context(|| format!("{}: no `args.macro` to retry", path.display()))?;
            let macro_args = args.get("args").and_then(Json::as_object);
            crate::operation::run_macro(&again, name, macro_args)
        }
        "build" => crate::execute::run_nodes(&again, Which::Build, Some(&ids)),
        "run" => crate::execute::run_nodes(&again, Which::Run, Some(&ids)),
        "seed" => crate::execute::run_nodes(&again, Which::Seed, Some(&ids)),
        "test" => crate::execute::run_nodes(&again, Which::Test, Some(&ids)),
        "snapshot" => crate::execute::run_nodes(&again, Which::Snapshot, Some(&ids)),
        other => bail!(
            "{}: the last command was `{other}`; retry re-runs build, run, seed, test, snapshot and run-operation",
            path.display()
        ),
    }
}

/// Where the last run wrote run_results.json: the target path every verb uses.
fn target_dir(c: &Common) -> Result<PathBuf> {
    let dir = c.project_dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let render = runner_compile::yaml_renderer(&crate::commands::parse_vars(&c.vars)?);
    let project = runner_project::ProjectConfig::load(&dir, &render)?;
    Ok(crate::commands::target_dir(c, &dir, &project.target_path))
}

/// The ids of results to run again.
fn retried_ids(previous: &Json, which: &str) -> BTreeSet<String> {
    previous["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| {
            r["status"]
                .as_str()
                .is_some_and(|s| RETRIED_STATUSES.contains(&s))
        })
        .filter_map(|r| r["unique_id"].as_str())
        .filter(|id| which == "run-operation" || !id.starts_with("operation."))
        .map(String::from)
        .collect()
}

/// Today's flags with the last command's selection and run flags put back.
fn restored_flags(c: &Common, args: &Map<String, Json>) -> Common {
    let text = |key: &str| args.get(key).and_then(Json::as_str).map(String::from);
    let texts = |key: &str| -> Vec<String> {
        args.get(key)
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .map(String::from)
            .collect()
    };
    let flag = |key: &str| args.get(key).and_then(Json::as_bool).unwrap_or(false);
    let mut again = c.clone();
    again.select = texts("select");
    again.exclude = texts("exclude");
    again.selector = text("selector");
    again.resource_type = texts("resource_types");
    again.full_refresh = flag("full_refresh");
    again.fail_fast = flag("fail_fast");
    again.empty = flag("empty");
    again.target = text("target").or_else(|| c.target.clone());
    again.profile = text("profile").or_else(|| c.profile.clone());
    if let Some(mode) = text("indirect_selection") {
        again.indirect_selection = mode;
    }
    if c.vars.is_none() {
        again.vars = args
            .get("vars")
            .and_then(Json::as_object)
            .filter(|v| !v.is_empty())
            .map(|v| Json::Object(v.clone()).to_string());
    }
    if c.threads.is_none() {
        again.threads = args
            .get("threads")
            .and_then(Json::as_u64)
            .and_then(|n| u32::try_from(n).ok());
    }
    again
}
