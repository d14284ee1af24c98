//! Measuring one source: call `collect_freshness` (or `collect_freshness_custom_sql` for a
//! `loaded_at_query`) as the root project resolves it, with a live session, and turn its one row of
//! `(max_loaded_at, snapshotted_at)` into an age and a status. Every failure — the query, the macro,
//! an unexpected result — becomes a `runtime error` result with dbt's message, never an error of
//! the whole command.

use std::sync::Arc;
use std::time::Instant;

use runner_adapters::{Adapter, AdapterKind, Connection};
use runner_artifacts::sources::{FreshnessStatus, Measured, SourceFreshnessResult};
use runner_artifacts::{ResponseInfo, SourceNode, Timing};
use runner_compile::ParsedProject;
use runner_compile::context::session::{AdapterResponseValue, Session};
use runner_compile::context::{NodeScope, Phase, RenderContext};
use runner_compile::relation::Relation;
use runner_jinja::Value;
use serde_json::Value as Json;

use super::criteria::{Criteria, age_seconds, beginning_of_time, utc_instant};
use crate::agate::AgateTable;
use crate::session::LiveSession;

fn field<'a>(source: &'a SourceNode, key: &str) -> Option<&'a str> {
    source.body.get(key).and_then(Json::as_str)
}

fn relation_of(source: &SourceNode) -> Relation {
    Relation::new(
        field(source, "database").map(String::from),
        field(source, "schema").map(String::from),
        field(source, "identifier").map(String::from),
    )
}

/// Checks one source on `conn` (a new connection when `None`); returns the result and the
/// connection, unless it broke.
pub(super) fn check(
    parsed: &ParsedProject,
    adapter: &Adapter,
    source: &SourceNode,
    conn: Option<Box<dyn Connection>>,
    thread_id: &str,
) -> (SourceFreshnessResult, Option<Box<dyn Connection>>) {
    let clock = Instant::now();
    // dbt compiles nothing for a source: its compile phase is empty.
    let compiled_at = chrono::Utc::now();
    let criteria = super::criteria_of(source).unwrap_or_default();
    let execute_started = chrono::Utc::now();
    let (outcome, conn) = match conn.map(Ok).unwrap_or_else(|| adapter.connect()) {
        Ok(conn) => {
            let session = Arc::new(LiveSession::new(conn, None));
            let outcome = measure(parsed, source, &criteria, &session);
            {
                // The query ran outside a transaction; anything a custom macro left open goes.
                let mut c = session.conn();
                if c.in_transaction() {
                    let _ = c.rollback();
                }
            }
            (outcome, LiveSession::reclaim(session))
        }
        Err(e) => (Err(format!("Database Error\n  {e}")), None),
    };
    let name = field(source, "name").unwrap_or_default();
    let path = field(source, "original_file_path").unwrap_or_default();
    let mut result = SourceFreshnessResult {
        unique_id: source.unique_id.clone(),
        status: FreshnessStatus::RuntimeError,
        measured: None,
        criteria: criteria.to_json(),
        adapter_response: ResponseInfo::default(),
        timing: vec![
            Timing {
                name: "compile",
                started_at: compiled_at,
                completed_at: compiled_at,
            },
            Timing {
                name: "execute",
                started_at: execute_started,
                completed_at: chrono::Utc::now(),
            },
        ],
        thread_id: thread_id.to_string(),
        execution_time: 0.0,
        message: None,
    };
    match outcome {
        Ok((response, measured)) => {
            result.status = criteria.status(measured.age);
            result.measured = Some(measured);
            result.adapter_response = response;
        }
        Err(message) => {
            // DuckDB's failures are runtime errors in dbt-duckdb; Postgres's are database errors.
            let kind = if adapter.kind() == AdapterKind::DuckDb {
                "Runtime Error"
            } else {
                "Database Error"
            };
            result.message = Some(match message.strip_prefix("Database Error") {
                Some(rest) => format!(
                    "{kind} in source {name} ({path})\n{}",
                    rest.trim_start_matches('\n')
                ),
                None => format!("Runtime Error in source {name} ({path})\n  {message}"),
            });
        }
    }
    result.execution_time = clock.elapsed().as_secs_f64();
    (result, conn)
}

/// Runs the freshness macro and reads its row.
fn measure(
    parsed: &ParsedProject,
    source: &SourceNode,
    criteria: &Criteria,
    session: &Arc<LiveSession>,
) -> Result<(ResponseInfo, Measured), String> {
    let shared = &parsed.shared;
    let root = shared.project_name.as_str();
    let relation = relation_of(source);
    let rendered_relation = relation.render();
    let name = field(source, "name").unwrap_or_default();
    let path = field(source, "original_file_path").unwrap_or_default();
    let mut scope = NodeScope::new(Phase::Compile, root, path);
    scope.session = Some(session.clone() as Arc<dyn Session>);
    scope.model = Value::from_json(&Json::Object(source.body.clone()));
    scope.this = Some(relation.clone());
    let ctx = Arc::new(RenderContext {
        shared: shared.clone(),
        scope: Arc::new(scope),
    });
    let query = source
        .body
        .get("loaded_at_query")
        .or_else(|| source.body.get("config")?.get("loaded_at_query"))
        .and_then(Json::as_str);
    let loaded_at_field = field(source, "loaded_at_field");
    let (macro_name, args, column) = match (query, loaded_at_field) {
        (Some(q), _) => {
            let template =
                runner_jinja::Template::parse(path, q).map_err(|e| jinja_message(path, &e))?;
            let sql = ctx.render(&template).map_err(|e| jinja_message(path, &e))?;
            let args = vec![relation.into_value(), Value::from(sql)];
            ("collect_freshness_custom_sql", args, "loaded_at_query")
        }
        (None, Some(f)) => {
            let filter = criteria.filter.clone().map_or(Value::None, Value::from);
            let args = vec![relation.into_value(), Value::from(f), filter];
            ("collect_freshness", args, f)
        }
        (None, None) => {
            return Err(format!(
                "Could not compute freshness for source {name}: no 'loaded_at_field' provided and {} adapter does not support metadata-based freshness checks.",
                shared.adapter_type
            ));
        }
    };
    let entry = shared
        .registry
        .resolve(root, macro_name)
        .ok_or_else(|| format!("No macro named '{macro_name}' was found"))?;
    let returned = ctx.call(&entry.value(), args).map_err(|e| {
        if e.message().starts_with("Database Error") {
            e.message().to_string()
        } else {
            jinja_message(path, &e)
        }
    })?;
    read_row(&returned, macro_name, column, &rendered_relation)
}

fn jinja_message(path: &str, e: &runner_jinja::Error) -> String {
    runner_compile::CompileError::jinja(path, e).to_string()
}

/// The macro's result: `load_result(...)` (response and table), or a bare table as older
/// overrides return; exactly one row of two columns.
fn read_row(
    returned: &Value,
    macro_name: &str,
    column: &str,
    relation: &str,
) -> Result<(ResponseInfo, Measured), String> {
    let (table, response) = if returned.downcast_object::<AgateTable>().is_some() {
        (returned.clone(), None)
    } else {
        let response = returned
            .get_item(&Value::from("response"))
            .downcast_object::<AdapterResponseValue>()
            .cloned();
        (returned.get_item(&Value::from("table")), response)
    };
    let rows = table.get_attr("rows").try_iter().map_err(|_| {
        format!(
            "Got an invalid result from \"{macro_name}\" macro: {}",
            returned.repr()
        )
    })?;
    let columns = table
        .get_attr("column_names")
        .try_iter()
        .map(|c| c.len())
        .unwrap_or(0);
    if rows.len() != 1 || columns != 2 {
        let shown: Vec<String> = rows
            .iter()
            .map(|r| {
                let cells: Vec<String> = r
                    .try_iter()
                    .unwrap_or_default()
                    .iter()
                    .map(Value::repr)
                    .collect();
                format!("({})", cells.join(", "))
            })
            .collect();
        return Err(format!(
            "Got an invalid result from \"{macro_name}\" macro: [{}]",
            shown.join(", ")
        ));
    }
    let row = &rows[0];
    let max_loaded_at = utc_instant(&row.get_item(&Value::Int(0)), column, relation)?
        .unwrap_or_else(beginning_of_time);
    let snapshotted_at = utc_instant(&row.get_item(&Value::Int(1)), "snapshotted_at", relation)?
        .ok_or_else(|| {
            format!(
                "Expected a non-null value when querying field 'snapshotted_at' of table  {relation} but received value 'null' instead"
            )
        })?;
    let measured = Measured {
        max_loaded_at,
        snapshotted_at,
        age: age_seconds(&max_loaded_at, &snapshotted_at),
    };
    let response = response.map_or_else(ResponseInfo::default, |r| ResponseInfo {
        message: Some(r.message),
        code: r.code,
        rows_affected: r.rows_affected,
    });
    Ok((response, measured))
}
