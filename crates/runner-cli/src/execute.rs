//! The executing verbs (`run`, `build`, `seed`, `test`, `snapshot`): load and select as `compile` does, open the
//! warehouse, run through `runner-exec`, and write manifest.json and run_results.json.

use anyhow::{Context, Result};
use runner_adapters::{Adapter, AdapterConfig};
use runner_exec::{Console, ExecError, ExecOptions, Which};
use runner_graph::ResourceType as R;
use serde_json::{Map, Value as Json, json};

use crate::cli::Common;
use crate::commands::{Loaded, load, select, write_manifest};
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

fn invocation_args(c: &Common, which: Which, threads: u32) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("which".into(), json!(which.as_str()));
    m.insert("select".into(), json!(c.select));
    m.insert("exclude".into(), json!(c.exclude));
    m.insert("selector".into(), json!(c.selector));
    m.insert("resource_types".into(), json!(c.resource_type));
    m.insert("threads".into(), json!(threads));
    m.insert("full_refresh".into(), json!(c.full_refresh));
    m.insert("fail_fast".into(), json!(c.fail_fast));
    m.insert("target".into(), json!(c.target));
    m.insert("profile".into(), json!(c.profile));
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
    m
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
    let Loaded {
        project,
        mut parsed,
        target_dir,
        target,
    } = load(c, which.as_str())?;
    let console =
        Console::new(c.log_format == "json", c.quiet).with_invocation(&parsed.shared.invocation_id);
    let ids = select(c, &parsed, &default_types(which))?;
    std::fs::create_dir_all(&target_dir)
        .with_context(|| format!("creating {}", target_dir.display()))?;

    let adapter = open_adapter(&target)?;
    let interrupt = std::sync::Arc::new(runner_exec::Interrupt::new());
    crate::signals::watch(interrupt.clone());

    console.running();
    console.found(&parsed.manifest);

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
        invocation_args(c, which, target.threads),
    );
    runner_artifacts::write_streamed(&target_dir.join("run_results.json"), |w| {
        serde_json::to_writer(w, &artifact).map_err(std::io::Error::from)
    })?;
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
