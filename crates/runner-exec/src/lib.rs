//! The engine's run half: executes selected nodes of a parsed project against a warehouse with dbt's
//! semantics.
//!
//! [`execute`] checks the connection, runs `on-run-start` hooks, schedules the nodes over `--threads`
//! workers ([`scheduler`]), runs each through its materialization macro with a live session
//! ([`node`], [`session`]), runs `on-run-end` hooks, and returns the results with what each node
//! compiled to. The caller writes `run_results.json` ([`RunReport::into_run_results`]) and the manifest.
#![deny(missing_docs)]

pub mod agate;
pub mod cache;
pub mod console;
mod ephemeral;
pub mod error;
pub mod freshness;
pub mod hooks;
pub mod interrupt;
pub mod introspect;
pub mod node;
pub mod operation;
pub mod scheduler;
pub mod seed;
pub mod session;
pub mod show;
pub mod test_result;
pub mod unit_test;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use runner_adapters::Adapter;
use runner_artifacts::{NodeRunResult, RunResults};
use runner_compile::ParsedProject;
use serde_json::{Map, Value as Json};

pub use console::Console;
pub use error::{ExecError, Result};
pub use interrupt::Interrupt;
pub use scheduler::RunGraph;

/// Which verb is running (decides test edges and the `flags.WHICH` templates see).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// `run`: models.
    Run,
    /// `build`: everything, tests right after what they test.
    Build,
    /// `seed`.
    Seed,
    /// `test`.
    Test,
    /// `snapshot`.
    Snapshot,
}

impl Which {
    /// The name dbt records in `args.which`.
    pub fn as_str(self) -> &'static str {
        match self {
            Which::Run => "run",
            Which::Build => "build",
            Which::Seed => "seed",
            Which::Test => "test",
            Which::Snapshot => "snapshot",
        }
    }
}

/// What [`execute`] needs besides the project.
pub struct ExecOptions {
    /// The verb.
    pub which: Which,
    /// Worker threads.
    pub threads: usize,
    /// Stop after the first failure.
    pub fail_fast: bool,
    /// The project directory.
    pub project_dir: PathBuf,
    /// `target/`.
    pub target_dir: PathBuf,
    /// Root directory of each package (seeds of packages live there).
    pub package_dirs: HashMap<String, PathBuf>,
    /// Target name, for the `Concurrency:` line.
    pub target_name: String,
    /// Stops the run from outside (a signal, a deadline).
    pub interrupt: Arc<Interrupt>,
}

/// The outcome of a run.
pub struct RunReport {
    /// Results in completion order.
    pub results: Vec<NodeRunResult>,
    /// When the run started.
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// Seconds.
    pub elapsed: f64,
}

impl RunReport {
    /// The report of a run that had nothing to do (an empty selection).
    pub fn nothing_ran() -> RunReport {
        RunReport {
            results: Vec::new(),
            started_at: chrono::Utc::now(),
            elapsed: 0.0,
        }
    }

    /// True when a node errored or a test failed.
    pub fn has_failures(&self) -> bool {
        self.results.iter().any(|r| r.status.is_failure())
    }

    /// The `run_results.json` artifact.
    pub fn into_run_results(self, invocation_id: &str, args: Map<String, Json>) -> RunResults {
        RunResults {
            dbt_version: runner_compile::DBT_VERSION.to_string(),
            generated_at: chrono::Utc::now(),
            invocation_id: invocation_id.to_string(),
            invocation_started_at: self.started_at,
            results: self.results,
            elapsed_time: self.elapsed,
            args,
        }
    }
}

/// Runs `selected` (topologically ordered ids) on `adapter`, recording compiled SQL on the manifest
/// and writing `target/compiled` and `target/run`.
pub fn execute(
    parsed: &mut ParsedProject,
    adapter: &Adapter,
    selected: &[String],
    options: &ExecOptions,
    console: &Console,
) -> Result<RunReport> {
    let started_at = chrono::Utc::now();
    let clock = std::time::Instant::now();
    runner_compile::compile::install_resolver(parsed);
    // A bad profile or an unreachable warehouse stops the run before any SQL.
    let first = adapter.connect().map_err(|source| ExecError::Connect {
        target: options.target_name.clone(),
        source,
    })?;
    let extra_nodes: HashMap<String, runner_artifacts::ManifestNode> =
        unit_test::stand_in_nodes(&parsed.manifest, selected)
            .into_iter()
            .map(|n| (n.unique_id.clone(), n))
            .collect();
    let graph = RunGraph::new(
        &parsed.manifest,
        &extra_nodes,
        selected,
        options.which == Which::Build,
    );
    let mut first = first;
    create_schemas(&parsed.manifest, &graph, &mut *first)?;
    console.info(&format!(
        "Concurrency: {} threads (target='{}')",
        options.threads, options.target_name
    ));
    console.info("");

    let root = parsed.shared.project_name.clone();
    let env = node::NodeEnv {
        parsed,
        project_dir: &options.project_dir,
        root_package: &root,
        package_dirs: &options.package_dirs,
        extra_nodes: &extra_nodes,
        relations: Arc::new(cache::RelationCache::default()),
    };
    let (mut results, first) = hooks::run_hooks(&env, first, "on-run-start", &[], console)?;
    let schedule = scheduler::Schedule {
        threads: options.threads,
        fail_fast: options.fail_fast,
        console,
        interrupt: &options.interrupt,
    };
    let finished = if graph.order.is_empty() {
        drop(first);
        Vec::new()
    } else {
        scheduler::run_graph(&env, adapter, first, &graph, &schedule)
    };
    let node_results: Vec<NodeRunResult> =
        finished.iter().map(|f| f.outcome.result.clone()).collect();
    // An interrupted run skips on-run-end, as dbt does: the warehouse may be going away.
    if !options.interrupt.is_triggered() {
        let end_conn = adapter.connect().map_err(|source| ExecError::Connect {
            target: options.target_name.clone(),
            source,
        })?;
        let (end_results, _) =
            hooks::run_hooks(&env, end_conn, "on-run-end", &node_results, console)?;
        results.extend(node_results);
        results.extend(end_results);
    } else {
        results.extend(node_results);
    }

    let statuses: HashMap<&str, runner_artifacts::RunStatus> = finished
        .iter()
        .map(|f| (f.id.as_str(), f.outcome.result.status))
        .collect();
    let ephemerals = ephemeral::compiled_on_their_own(
        &parsed.manifest,
        selected,
        &statuses,
        options.which == Which::Build,
    );
    record_compiled(
        parsed,
        finished,
        &ephemerals,
        &results,
        &extra_nodes,
        &options.target_dir,
    )?;

    let elapsed = clock.elapsed().as_secs_f64();
    let report = RunReport {
        results,
        started_at,
        elapsed,
    };
    let pairs: Vec<(NodeRunResult, &runner_artifacts::ManifestNode)> = report
        .results
        .iter()
        .filter_map(|r| {
            let node = extra_nodes
                .get(&r.unique_id)
                .or_else(|| parsed.manifest.nodes.get(&r.unique_id))?;
            Some((r.clone(), node))
        })
        .collect();
    console.summary(&pairs, elapsed);
    Ok(report)
}

/// Puts what the run compiled on the manifest and under `target/compiled` and `target/run`: each
/// node's SQL (also when its build then failed), the ephemeral models they used or the queue
/// reached (`ephemeral`), and the hooks.
fn record_compiled(
    parsed: &mut ParsedProject,
    finished: Vec<scheduler::Finished>,
    selected_ephemerals: &[String],
    results: &[NodeRunResult],
    unit_tests: &HashMap<String, runner_artifacts::ManifestNode>,
    target_dir: &Path,
) -> Result<()> {
    use runner_compile::compile::{compile_node, node_sql_path, store_compiled, write_sql_file};
    let mut ephemerals: std::collections::BTreeSet<String> =
        selected_ephemerals.iter().cloned().collect();
    for f in finished {
        let Some(node) = parsed.manifest.nodes.get_mut(&f.id) else {
            continue;
        };
        if let Some((sql, ctes)) = f.outcome.compiled {
            ephemerals.extend(ctes.iter().map(|c| c.id.clone()));
            store_compiled(node, sql, ctes, target_dir)?;
        }
        if let Some(sql) = f.outcome.run_sql {
            write_sql_file(&target_dir.join("run").join(node_sql_path(node)), &sql)?;
        }
    }
    for id in ephemerals {
        // Ephemeral models never touch the warehouse: compiling them offline gives the same SQL.
        let (sql, ctes) = compile_node(parsed, &id, None)?;
        if let Some(node) = parsed.manifest.nodes.get_mut(&id) {
            store_compiled(node, sql, ctes, target_dir)?;
        }
    }
    for r in results {
        // A unit test's SQL (the model over its fixtures) goes where dbt puts it.
        if let (Some(sql), Some(test)) = (&r.compiled_code, unit_tests.get(&r.unique_id))
            && test.resource_type == runner_artifacts::ResourceType::UnitTest
        {
            let dir = std::path::Path::new(&test.original_file_path)
                .parent()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            let path = target_dir.join("compiled").join(format!(
                "{}/{}/{dir}/{}.sql",
                test.package_name, test.original_file_path, test.name
            ));
            write_sql_file(&path, sql)?;
        }
        if let (Some(sql), Some(node)) = (
            &r.compiled_code,
            parsed.manifest.nodes.get_mut(&r.unique_id),
        ) && node.resource_type == runner_artifacts::ResourceType::Operation
        {
            store_compiled(node, sql.clone(), Vec::new(), target_dir)?;
        }
    }
    Ok(())
}

/// Creates the schemas the run builds into, as dbt does before the first node.
fn create_schemas(
    manifest: &runner_artifacts::Manifest,
    graph: &RunGraph,
    conn: &mut dyn runner_adapters::Connection,
) -> Result<()> {
    let mut schemas = std::collections::BTreeSet::new();
    for id in &graph.order {
        // Unit tests build nothing.
        let Some(node) = manifest.nodes.get(id) else {
            continue;
        };
        let stores_failures = node
            .config
            .get("store_failures")
            .and_then(Json::as_bool)
            .unwrap_or(false);
        if node.resource_type != runner_artifacts::ResourceType::Test || stores_failures {
            schemas.insert((node.database.clone(), node.schema.clone()));
        }
    }
    let existing = conn.list_schemas().map_err(|source| ExecError::Schema {
        schema: String::new(),
        source,
    })?;
    for (database, schema) in schemas {
        if existing.iter().any(|s| s == &schema) {
            continue;
        }
        introspect::create_schema(conn, database.as_deref(), &schema).map_err(|source| {
            ExecError::Schema {
                schema: schema.clone(),
                source,
            }
        })?;
    }
    Ok(())
}
