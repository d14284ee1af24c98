//! `source freshness`: for each selected source with a threshold, run the `collect_freshness` macro
//! (ours is dispatched, so a project's or package's override wins, as in dbt) through a live
//! session, read `max_loaded_at` and `snapshotted_at` from its one row, and rate the age
//! against `warn_after`/`error_after` ([`criteria`]). Sources are checked by `--threads` workers, each
//! with its own connection, in unique-id order, between the project's `on-run-start` and
//! `on-run-end` hooks (dbt 1.12 runs them for this command too); results come back in completion
//! order for `sources.json` ([`FreshnessReport::to_artifact`]).

pub mod criteria;
mod measure;
pub mod output;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use runner_adapters::{Adapter, Connection};
use runner_artifacts::sources::{FreshnessStatus, SourceFreshnessResult, SourcesArtifact};
use runner_artifacts::{NodeRunResult, RunStatus, SourceNode};
use runner_compile::ParsedProject;
use serde_json::Value as Json;

use crate::error::{ExecError, Result};
use crate::interrupt::Interrupt;
pub use criteria::Criteria;
pub use output::{FreshnessOutput, SourceLabel};

/// What [`check_sources`] needs besides the project.
pub struct FreshnessOptions<'a> {
    /// The project directory.
    pub project_dir: &'a std::path::Path,
    /// Root directory of each package.
    pub package_dirs: &'a HashMap<String, std::path::PathBuf>,
    /// Where the project hooks' lines go (they are node lines of the run verbs).
    pub console: &'a crate::Console,
    /// Worker threads.
    pub threads: usize,
    /// Target name, for the `Concurrency:` line and connection errors.
    pub target_name: String,
    /// Stops the check from outside (a signal): no further source starts.
    pub interrupt: Arc<Interrupt>,
}

/// The outcome of a freshness check.
pub struct FreshnessReport {
    /// Results in completion order.
    pub results: Vec<SourceFreshnessResult>,
    /// Seconds.
    pub elapsed: f64,
}

impl FreshnessReport {
    /// True when a source is `error` or `runtime error` (the command then exits 1).
    pub fn has_failures(&self) -> bool {
        self.results.iter().any(|r| r.status.is_failure())
    }

    /// The `sources.json` artifact.
    pub fn to_artifact(&self, parsed: &ParsedProject) -> SourcesArtifact {
        SourcesArtifact {
            dbt_version: runner_compile::DBT_VERSION.to_string(),
            generated_at: chrono::Utc::now(),
            invocation_id: parsed.shared.invocation_id.clone(),
            invocation_started_at: parsed.shared.run_started_at,
            results: self.results.clone(),
            elapsed_time: self.elapsed,
        }
    }
}

fn text<'a>(source: &'a SourceNode, key: &str) -> &'a str {
    source.body.get(key).and_then(Json::as_str).unwrap_or("")
}

/// How output lines name a source.
pub fn label(source: &SourceNode) -> SourceLabel<'_> {
    SourceLabel {
        unique_id: &source.unique_id,
        source_name: text(source, "source_name"),
        name: text(source, "name"),
        path: text(source, "original_file_path"),
    }
}

/// The source's thresholds, when it has any that are set.
pub fn criteria_of(source: &SourceNode) -> Option<Criteria> {
    source
        .body
        .get("freshness")
        .and_then(Criteria::from_json)
        .filter(Criteria::is_set)
}

/// Of the selected ids, the sources dbt checks (those with a threshold), in unique-id order.
pub fn checked_sources(parsed: &ParsedProject, selected: &[String]) -> Vec<String> {
    let mut ids: Vec<String> = selected
        .iter()
        .filter(|id| {
            parsed
                .manifest
                .sources
                .get(*id)
                .is_some_and(|s| criteria_of(s).is_some())
        })
        .cloned()
        .collect();
    ids.sort();
    ids
}

/// Checks `ids` (from [`checked_sources`]) on `adapter`, printing dbt's lines as it goes.
pub fn check_sources(
    parsed: &mut ParsedProject,
    adapter: &Adapter,
    ids: &[String],
    options: &FreshnessOptions<'_>,
    out: &FreshnessOutput,
) -> Result<FreshnessReport> {
    let clock = Instant::now();
    // `source()` and `ref()` in a loaded_at_query resolve as in any render.
    runner_compile::compile::install_resolver(parsed);
    let parsed: &ParsedProject = parsed;
    let workers = options.threads.clamp(1, ids.len().max(1));
    // Every worker's connection first: a bad profile or an unreachable warehouse stops the check
    // before any source starts (exit 2), as for the run verbs.
    let mut conns = Vec::with_capacity(workers);
    for _ in 0..workers {
        conns.push(adapter.connect().map_err(|source| ExecError::Connect {
            target: options.target_name.clone(),
            source,
        })?);
    }
    out.info(
        "ConcurrencyLine",
        &format!(
            "Concurrency: {} threads (target='{}')",
            options.threads, options.target_name
        ),
    );
    out.info("Formatting", "");
    let root = parsed.shared.project_name.clone();
    let extra_nodes = HashMap::new();
    let env = crate::node::NodeEnv {
        parsed,
        project_dir: options.project_dir,
        root_package: &root,
        package_dirs: options.package_dirs,
        extra_nodes: &extra_nodes,
        relations: Arc::new(crate::cache::RelationCache::default()),
    };
    // dbt 1.12 runs the project's on-run-start and on-run-end hooks around the check.
    let (mut hooks, first) =
        crate::hooks::run_hooks(&env, conns.remove(0), "on-run-start", &[], options.console)?;
    conns.insert(0, first);

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<SourceFreshnessResult>> = Mutex::new(Vec::new());
    let total = ids.len();
    std::thread::scope(|scope| {
        for (w, conn) in conns.into_iter().enumerate() {
            let (next, results) = (&next, &results);
            scope.spawn(move || {
                let thread_id = format!("Thread-{} (worker)", w + 1);
                let mut conn: Option<Box<dyn Connection>> = Some(conn);
                loop {
                    if options.interrupt.is_triggered() {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(id) = ids.get(i) else { break };
                    let source = &parsed.manifest.sources[id];
                    // Registered so a SIGTERM cancels this worker's query on the warehouse.
                    if let Some(c) = &conn
                        && !options.interrupt.enter(w, c.cancel_handle())
                    {
                        options.interrupt.leave(w);
                        break;
                    }
                    out.start(i + 1, total, &label(source));
                    let (result, back) =
                        measure::check(parsed, adapter, source, conn.take(), &thread_id);
                    options.interrupt.leave(w);
                    conn = back;
                    out.result(
                        i + 1,
                        total,
                        &label(source),
                        result.status,
                        result.execution_time,
                    );
                    results
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(result);
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(PoisonError::into_inner);
    // The hooks' lines end with a blank line of their own.
    let mut ended_blank = !hooks.is_empty();
    if !options.interrupt.is_triggered() {
        let conn = adapter.connect().map_err(|source| ExecError::Connect {
            target: options.target_name.clone(),
            source,
        })?;
        let has_end_hooks = parsed.manifest.nodes.values().any(|n| {
            n.resource_type == runner_artifacts::ResourceType::Operation
                && n.name.contains("-on-run-end-")
        });
        if has_end_hooks {
            out.info("Formatting", "");
        }
        let as_nodes: Vec<NodeRunResult> = results.iter().map(node_result).collect();
        let (end, _) =
            crate::hooks::run_hooks(&env, conn, "on-run-end", &as_nodes, options.console)?;
        ended_blank = !end.is_empty();
        hooks.extend(end);
    }
    let elapsed = clock.elapsed().as_secs_f64();
    let labelled: Vec<(SourceFreshnessResult, SourceLabel)> = results
        .iter()
        .map(|r| (r.clone(), label(&parsed.manifest.sources[&r.unique_id])))
        .collect();
    out.summary(&labelled, hooks.len(), !ended_blank, elapsed);
    Ok(FreshnessReport { results, elapsed })
}

/// A source's result as on-run-end hooks see it in `results`.
fn node_result(r: &SourceFreshnessResult) -> NodeRunResult {
    NodeRunResult {
        unique_id: r.unique_id.clone(),
        status: match r.status {
            FreshnessStatus::Pass => RunStatus::Pass,
            FreshnessStatus::Warn => RunStatus::Warn,
            FreshnessStatus::Error | FreshnessStatus::RuntimeError => RunStatus::Error,
        },
        timing: r.timing.clone(),
        thread_id: r.thread_id.clone(),
        execution_time: r.execution_time,
        adapter_response: r.adapter_response.clone(),
        message: r.message.clone(),
        failures: None,
        compiled_code: None,
        relation_name: None,
    }
}
