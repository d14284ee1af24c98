//! The executing verbs (`run`, `build`, `seed`, `test`, `snapshot`): load and select as `compile` does, open the
//! warehouse, run through `runner-exec`, and write manifest.json and run_results.json.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result};
use runner_adapters::{Adapter, AdapterConfig};
use runner_artifacts::RunResults;
use runner_exec::{Console, ExecError, ExecOptions, Which};
use runner_graph::ResourceType as R;
use serde_json::{Map, Value as Json, json};

use crate::cli::Common;
use crate::commands::{Loaded, Selection, load, select_reporting_unmatched, write_manifest};
use crate::exit;

fn default_types(which: Which) -> Vec<R> {
    match which {
        Which::Run => vec![R::Model],
        Which::Seed => vec![R::Seed],
        Which::Test => vec![R::Test, R::UnitTest],
        Which::Snapshot => vec![R::Snapshot],
        Which::Build => vec![
            R::Model,
            R::Seed,
            R::Test,
            R::Snapshot,
            R::UnitTest,
            R::SavedQuery,
            R::Exposure,
        ],
    }
}

/// The `args` of run_results.json: what dbt records, and all `retry` needs to run the command
/// again with the same selection and flags.
fn invocation_args(c: &Common, which: Which, threads: u32) -> Result<Map<String, Json>> {
    let mut m = Map::new();
    m.insert("which".into(), json!(which.as_str()));
    m.insert("select".into(), json!(c.select));
    m.insert("exclude".into(), json!(c.exclude));
    m.insert("selector".into(), json!(c.selector));
    m.insert("resource_types".into(), json!(c.resource_type));
    m.insert("indirect_selection".into(), json!(c.indirect_selection));
    m.insert("threads".into(), json!(threads));
    // dbt writes null, not false, when the flag was not given.
    m.insert("full_refresh".into(), json!(c.full_refresh.then_some(true)));
    m.insert("fail_fast".into(), json!(c.fail_fast));
    m.insert("empty".into(), json!(c.empty));
    m.insert("target".into(), json!(c.target));
    m.insert("profile".into(), json!(c.profile));
    m.insert(
        "vars".into(),
        Json::Object(crate::commands::parse_vars(&c.vars)?),
    );
    m.insert("log_format".into(), json!(c.log_format));
    m.insert(
        "invocation_command".into(),
        json!(
            std::env::args()
                .map(|a| if a.contains(' ') { format!("'{a}'") } else { a })
                .collect::<Vec<_>>()
                .join(" ")
        ),
    );
    Ok(m)
}

/// Writes `target/run_results.json`.
pub fn write_run_results(target_dir: &Path, artifact: RunResults) -> Result<()> {
    runner_artifacts::write_streamed(&target_dir.join("run_results.json"), |w| {
        serde_json::to_writer(w, &artifact).map_err(std::io::Error::from)
    })?;
    Ok(())
}

/// The warehouse of a resolved target (DuckDB is opened here; Postgres connects lazily).
pub fn open_adapter(target: &runner_project::Target) -> Result<Adapter> {
    let config = AdapterConfig::from_profile(&target.adapter_type, target.threads, &target.fields)
        .with_context(|| {
            format!(
                "target '{}' of profile '{}'",
                target.target_name, target.profile_name
            )
        })?;
    Adapter::open(config).with_context(|| format!("opening target '{}'", target.target_name))
}

/// Runs one of the executing verbs; returns the exit code.
pub fn run(c: &Common, which: Which) -> Result<i32> {
    run_nodes(c, which, None)
}

/// Runs `which` on the nodes the selection flags pick or, for `retry`, on the `only` ids (those
/// still in the project); returns the exit code.
pub fn run_nodes(c: &Common, which: Which, only: Option<&BTreeSet<String>>) -> Result<i32> {
    let Loaded {
        project,
        mut parsed,
        target_dir,
        target,
    } = load(c, which.as_str())?;
    let console =
        Console::new(c.log_format == "json", c.quiet).with_invocation(&parsed.shared.invocation_id);
    let Selection { ids, unmatched } = match only {
        None => select_reporting_unmatched(c, &parsed, &default_types(which))?,
        Some(only) => Selection {
            ids: crate::commands::in_dag_order(&parsed, only)?,
            unmatched: Vec::new(),
        },
    };
    std::fs::create_dir_all(&target_dir)
        .with_context(|| format!("creating {}", target_dir.display()))?;
    let warn_unmatched = || {
        for s in &unmatched {
            console.warn(&format!(
                "The selection criterion '{s}' does not match any enabled nodes"
            ));
        }
    };
    if ids.is_empty() {
        // As dbt: no connection, no hooks, an empty run_results.json, exit 0.
        console.running();
        console.found_line(&parsed.manifest);
        warn_unmatched();
        console.warn("Nothing to do. Try checking your model configs and model specification args");
        write_manifest(&parsed, &target_dir)?;
        let report = runner_exec::RunReport::nothing_ran();
        write_run_results(
            &target_dir,
            report.into_run_results(
                &parsed.shared.invocation_id,
                invocation_args(c, which, target.threads)?,
            ),
        )?;
        return Ok(exit::SUCCESS);
    }

    let adapter = open_adapter(&target)?;
    let interrupt = std::sync::Arc::new(runner_exec::Interrupt::new());
    crate::signals::watch(interrupt.clone());

    console.running();
    console.found_line(&parsed.manifest);
    warn_unmatched();
    console.info("");

    let options = ExecOptions {
        which,
        threads: usize::try_from(target.threads.max(1)).unwrap_or(1),
        fail_fast: c.fail_fast,
        project_dir: project.root.root.clone(),
        target_dir: target_dir.clone(),
        package_dirs: project.project_dirs(),
        target_name: target.target_name.clone(),
        interrupt: interrupt.clone(),
    };
    let report = match runner_exec::execute(&mut parsed, &adapter, &ids, &options, &console) {
        Ok(report) => report,
        Err(ExecError::Hook { hook, message }) => {
            console.error(&format!("on-run-start hook {hook} failed:\n{message}"));
            write_manifest(&parsed, &target_dir)?;
            return Ok(exit::NODE_FAILURE);
        }
        Err(e) => return Err(e.into()),
    };
    write_manifest(&parsed, &target_dir)?;
    let failed = report.has_failures();
    let artifact = report.into_run_results(
        &parsed.shared.invocation_id,
        invocation_args(c, which, target.threads)?,
    );
    write_run_results(&target_dir, artifact)?;
    if let Some(reason) = interrupt.reason() {
        console.error(&format!(
            "Interrupted: {reason}; run_results.json records the nodes that ran"
        ));
        return Ok(exit::ERROR);
    }
    Ok(if failed {
        exit::NODE_FAILURE
    } else {
        exit::SUCCESS
    })
}
