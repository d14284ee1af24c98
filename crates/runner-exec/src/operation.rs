//! `run-operation`: calls one macro with `--args` as keyword arguments, on a live connection, with
//! `execute` true, as dbt does. The macro's output is discarded (only what it runs through
//! `run_query`/`statement` touches the warehouse); a transaction it left open is committed when it
//! succeeded, and after a failure as each warehouse's dbt adapter leaves it.

use std::sync::Arc;
use std::time::Instant;

use runner_adapters::Adapter;
use runner_artifacts::{NodeRunResult, ResponseInfo, RunStatus, Timing};
use runner_compile::ParsedProject;
use runner_compile::context::session::Session;
use runner_compile::context::{NodeScope, Phase, RenderContext};
use runner_compile::registry::{INTERNAL_PACKAGE, MacroEntry, MacroRegistry};
use runner_jinja::{Globals, Kwargs, Value};
use serde_json::{Map, Value as Json};

use crate::RunReport;
use crate::console::Console;
use crate::error::{ExecError, Result};
use crate::interrupt::Interrupt;
use crate::session::LiveSession;

/// The one worker slot an operation registers with the [`Interrupt`].
const OPERATION_WORKER: usize = 0;

/// The macro `run-operation NAME` calls, found as dbt finds it: `package.name` in that package
/// only; a bare name in the root project, then the other packages in load order, then runner's
/// built-in `dbt` macros.
pub fn find_macro<'a>(registry: &'a MacroRegistry, spec: &str) -> Option<&'a Arc<MacroEntry>> {
    if let Some((package, name)) = spec.split_once('.') {
        return registry.get(package, name);
    }
    registry
        .get(registry.root(), spec)
        .or_else(|| {
            registry
                .package_names()
                .filter(|p| *p != registry.root() && *p != INTERNAL_PACKAGE)
                .find_map(|p| registry.get(p, spec))
        })
        .or_else(|| registry.get(INTERNAL_PACKAGE, spec))
}

/// Runs the macro named `spec` with `args`; the report holds its one result (`macro.pkg.name`).
/// A macro that does not exist is an error (no result); one that fails is an `error` result.
pub fn run_operation(
    parsed: &mut ParsedProject,
    adapter: &Adapter,
    spec: &str,
    args: &Map<String, Json>,
    target_name: &str,
    interrupt: &Interrupt,
    console: &Console,
) -> Result<RunReport> {
    let started_at = chrono::Utc::now();
    let clock = Instant::now();
    let entry = find_macro(&parsed.shared.registry, spec)
        .cloned()
        .ok_or_else(|| ExecError::UnknownMacro(spec.to_string()))?;
    runner_compile::compile::install_resolver(parsed);
    let conn = adapter.connect().map_err(|source| ExecError::Connect {
        target: target_name.to_string(),
        source,
    })?;
    let compiled_at = chrono::Utc::now();
    let session = Arc::new(LiveSession::new(conn, None));
    let outcome = if interrupt.enter(OPERATION_WORKER, session.conn().cancel_handle()) {
        let outcome = call_macro(parsed, &entry, args, &session);
        interrupt.leave(OPERATION_WORKER);
        outcome
    } else {
        Err(interrupted(interrupt))
    };
    let outcome = match outcome {
        // An interrupted operation is rolled back: the warehouse is being left in a hurry.
        Err(_) if interrupt.is_triggered() => {
            let _ = finish_transaction(&session, false);
            Err(interrupted(interrupt))
        }
        Err(message) => {
            let _ = finish_transaction(&session, keeps_work_of_failed_macro(&session));
            Err(message)
        }
        Ok(()) => finish_transaction(&session, true),
    };
    let completed_at = chrono::Utc::now();
    let (status, message, failures) = match outcome {
        Ok(()) => (RunStatus::Success, None, Some(0)),
        Err(message) => {
            console.error(&format!(
                "Encountered an error while running operation: {message}"
            ));
            (RunStatus::Error, Some(message), Some(1))
        }
    };
    let result = NodeRunResult {
        unique_id: entry.unique_id.clone(),
        status,
        timing: vec![
            Timing {
                name: "compile",
                started_at,
                completed_at: compiled_at,
            },
            Timing {
                name: "execute",
                started_at: compiled_at,
                completed_at,
            },
        ],
        thread_id: "MainThread".into(),
        execution_time: clock.elapsed().as_secs_f64(),
        adapter_response: ResponseInfo::default(),
        message,
        failures,
        compiled_code: None,
        relation_name: None,
    };
    Ok(RunReport {
        results: vec![result],
        started_at,
        elapsed: clock.elapsed().as_secs_f64(),
    })
}

fn interrupted(interrupt: &Interrupt) -> String {
    interrupt
        .reason()
        .unwrap_or_else(|| "the operation was interrupted".into())
}

/// Calls the macro in a render context of its own package; its return value is not used.
fn call_macro(
    parsed: &ParsedProject,
    entry: &MacroEntry,
    args: &Map<String, Json>,
    session: &Arc<LiveSession>,
) -> std::result::Result<(), String> {
    let mut scope = NodeScope::new(Phase::Compile, &entry.package, &entry.file);
    scope.session = Some(session.clone() as Arc<dyn Session>);
    let ctx = Arc::new(RenderContext {
        shared: parsed.shared.clone(),
        scope: Arc::new(scope),
    });
    let kwargs: Kwargs = args
        .iter()
        .map(|(k, v)| (k.clone(), Value::from_json(v)))
        .collect();
    let globals: Arc<dyn Globals> = ctx.clone();
    parsed
        .shared
        .env
        .call(globals, &entry.package, &entry.value(), Vec::new(), kwargs)
        .map(drop)
        .map_err(|e| runner_compile::CompileError::jinja(&entry.file, &e).to_string())
}

/// Whether a failed macro's open transaction is committed, as dbt does on each warehouse
/// (recorded in the operations fixture): dbt-postgres runs statements in autocommit, so a failing
/// macro's earlier statements stay; dbt-duckdb rolls the open transaction back when it closes the
/// connection. (dbt-duckdb does that after a macro that succeeded, too, losing what a
/// `statement(auto_begin=true)` did; runner commits there instead.)
fn keeps_work_of_failed_macro(session: &LiveSession) -> bool {
    session.conn().kind() != runner_adapters::AdapterKind::DuckDb
}

/// Commits (or rolls back) what the macro left in a transaction.
fn finish_transaction(session: &LiveSession, commit: bool) -> std::result::Result<(), String> {
    let mut conn = session.conn();
    if !conn.in_transaction() {
        return Ok(());
    }
    let done = if commit {
        conn.commit()
    } else {
        conn.rollback()
    };
    done.map_err(|e| format!("Database Error\n  {e}"))
}
