//! The engine's run half: executes selected nodes of a parsed project against a warehouse with dbt's
//! semantics.
//!
//! [`execute`] checks the connection, runs `on-run-start` hooks, schedules the nodes over `--threads`
//! workers ([`scheduler`]), runs each through its materialization macro with a live session
//! ([`node`], [`session`]), runs `on-run-end` hooks, and returns the results with what each node
//! compiled to. The caller writes `run_results.json` ([`RunReport::to_run_results`]) and the manifest.
#![deny(missing_docs)]

pub mod agate;
pub mod console;
pub mod error;
pub mod hooks;
pub mod introspect;
pub mod materialization;
pub mod node;
pub mod scheduler;
pub mod seed;
pub mod session;
pub mod test_result;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use runner_adapters::Adapter;
use runner_artifacts::{NodeRunResult, RunResults};
use runner_compile::ParsedProject;
use serde_json::{Map, Value as Json};

pub use console::Console;
pub use error::{ExecError, Result};
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
}

impl Which {
    /// The name dbt records in `args.which`.
    pub fn as_str(self) -> &'static str {
        match self {
            Which::Run => "run",
            Which::Build => "build",
            Which::Seed => "seed",
            Which::Test => "test",
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
    /// True when a node errored or a test failed.
    pub fn has_failures(&self) -> bool {
        self.results.iter().any(|r| r.status.is_failure())
    }

    /// The `run_results.json` artifact.
    pub fn to_run_results(&self, invocation_id: &str, args: Map<String, Json>) -> RunResults {
        RunResults {
            dbt_version: runner_compile::DBT_VERSION.to_string(),
            generated_at: chrono::Utc::now(),
            invocation_id: invocation_id.to_string(),
            invocation_started_at: self.started_at,
            results: self.results.clone(),
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
    let graph = RunGraph::new(&parsed.manifest, selected, options.which == Which::Build);
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
    };
    let (mut results, first) = hooks::run_hooks(&env, first, "on-run-start", &[], console)?;
    let schedule = scheduler::Schedule {
        threads: options.threads,
        fail_fast: options.fail_fast,
        console,
    };
    let finished = if graph.order.is_empty() {
        drop(first);
        Vec::new()
    } else {
        scheduler::run_graph(&env, adapter, first, &graph, &schedule)
    };
    let node_results: Vec<NodeRunResult> =
        finished.iter().map(|f| f.outcome.result.clone()).collect();
    let end_conn = adapter.connect().map_err(|source| ExecError::Connect {
        target: options.target_name.clone(),
        source,
    })?;
    let (end_results, _) = hooks::run_hooks(&env, end_conn, "on-run-end", &node_results, console)?;
    results.extend(node_results);
    results.extend(end_results);

    for f in finished {
        let Some(node) = parsed.manifest.nodes.get_mut(&f.id) else {
            continue;
        };
        if let Some((sql, ctes)) = f.outcome.compiled {
            runner_compile::compile::store_compiled(node, sql, ctes, &options.target_dir)
                .map_err(ExecError::Compile)?;
        }
        if let Some(sql) = f.outcome.run_sql {
            let path = options
                .target_dir
                .join("run")
                .join(runner_compile::compile::node_sql_path(node));
            runner_compile::compile::write_sql_file(&path, &sql).map_err(ExecError::Compile)?;
        }
    }

    let elapsed = clock.elapsed().as_secs_f64();
    let report = RunReport {
        results,
        started_at,
        elapsed,
    };
    let pairs: Vec<(NodeRunResult, &runner_artifacts::ManifestNode)> = report
        .results
        .iter()
        .filter_map(|r| Some((r.clone(), parsed.manifest.nodes.get(&r.unique_id)?)))
        .collect();
    console.summary(&pairs, elapsed);
    Ok(report)
}

/// Creates the schemas the run builds into, as dbt does before the first node.
fn create_schemas(
    manifest: &runner_artifacts::Manifest,
    graph: &RunGraph,
    conn: &mut dyn runner_adapters::Connection,
) -> Result<()> {
    let mut schemas = std::collections::BTreeSet::new();
    for id in &graph.order {
        let node = &manifest.nodes[id];
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

/// Where a project's packages live: `dbt_packages/<name>` (or `packages-install-path`).
pub fn package_dirs(
    project_dir: &Path,
    packages: &[(String, PathBuf)],
) -> HashMap<String, PathBuf> {
    let mut map: HashMap<String, PathBuf> = packages.iter().cloned().collect();
    map.entry(String::new())
        .or_insert_with(|| project_dir.to_path_buf());
    map
}
