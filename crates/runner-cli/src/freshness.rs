//! `source freshness`: load and select sources as the other verbs do (`--select source:…`), check
//! those with a freshness threshold through `runner-exec`, and write `sources.json` (to `--output`
//! when given, else `target/sources.json`). dbt writes no run_results.json for this command, and
//! neither do we. Exit 0 when every source passes or warns, 1 when one is stale past
//! `error_after` or its check failed, 2 when the project, profile or warehouse is unusable.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use runner_exec::freshness::{self, FreshnessOptions, FreshnessOutput};
use runner_exec::{Console, ExecError};
use runner_graph::ResourceType as R;

use crate::cli::Common;
use crate::commands::{Loaded, load, select};
use crate::exit;

/// `--output` when it names a file: the flag is shared with `ls`, whose default is `selector`.
fn output_path(c: &Common, target_dir: &std::path::Path) -> PathBuf {
    match c.output.as_str() {
        "selector" | "" => target_dir.join("sources.json"),
        // dbt resolves the path from the working directory, not the project.
        path => PathBuf::from(path),
    }
}

/// Runs `source freshness`; returns the exit code.
pub fn run(c: &Common) -> Result<i32> {
    let mut c = c.clone();
    match c.words.first().map(String::as_str) {
        Some("freshness") => {
            c.words.remove(0);
        }
        Some(other) => bail!("unknown `source` command '{other}': only `source freshness` exists"),
        None => bail!("`source` needs a command: `source freshness`"),
    }
    let Loaded {
        project,
        mut parsed,
        target_dir,
        target,
    } = load(&c, "freshness")?;
    let console =
        Console::new(c.log_format == "json", c.quiet).with_invocation(&parsed.shared.invocation_id);
    let out = FreshnessOutput::new(
        c.log_format == "json",
        c.quiet,
        &parsed.shared.invocation_id,
    );
    let selected = select(&c, &parsed, &[R::Source])?;
    let ids = freshness::checked_sources(&parsed, &selected);
    let path = output_path(&c, &target_dir);
    let interrupt = std::sync::Arc::new(runner_exec::Interrupt::new());
    crate::signals::watch(interrupt.clone());

    console.running();
    // dbt deprecates --output for this command (sources.json belongs in the target path) but
    // still honours it; it says so once before and once after the run.
    let custom_output = path != target_dir.join("sources.json");
    if custom_output {
        out.deprecation(
            "CustomOutputPathInSourceFreshnessDeprecation",
            &format!(
                "Custom output path usage `--output {}` usage detected in `dbt source freshness` command.",
                c.output
            ),
        );
    }
    console.found(&parsed.manifest);
    let report = if ids.is_empty() {
        for s in &c.select {
            out.warning(&format!(
                "The selection criterion '{s}' does not match any enabled nodes"
            ));
        }
        out.warning("Nothing to do. Try checking your model configs and model specification args");
        out.done();
        freshness::FreshnessReport {
            results: Vec::new(),
            elapsed: 0.0,
        }
    } else {
        let adapter = crate::execute::open_adapter(&target)?;
        let package_dirs = project.project_dirs();
        let options = FreshnessOptions {
            project_dir: &project.root.root,
            package_dirs: &package_dirs,
            console: &console,
            threads: usize::try_from(target.threads.max(1)).unwrap_or(1),
            target_name: target.target_name.clone(),
            interrupt: interrupt.clone(),
        };
        match freshness::check_sources(&mut parsed, &adapter, &ids, &options, &out) {
            Ok(report) => report,
            Err(ExecError::Hook { hook, message }) => {
                // As for the run verbs: a failed on-run-start hook stops everything, exit 1.
                console.error(&format!("on-run-start hook {hook} failed:\n{message}"));
                return Ok(exit::NODE_FAILURE);
            }
            Err(e) => return Err(e.into()),
        }
    };
    if custom_output {
        out.deprecation(
            "DeprecationsSummary",
            "Summary of encountered deprecations:\n- CustomOutputPathInSourceFreshnessDeprecation: 1 occurrence",
        );
    }
    let artifact = report.to_artifact(&parsed);
    runner_artifacts::write_json_file(&path, &artifact.to_json())
        .with_context(|| format!("writing {}", path.display()))?;
    if let Some(reason) = interrupt.reason() {
        console.error(&format!(
            "Interrupted: {reason}; sources.json records the sources checked"
        ));
        return Ok(exit::ERROR);
    }
    Ok(if report.has_failures() {
        exit::NODE_FAILURE
    } else {
        exit::SUCCESS
    })
}
