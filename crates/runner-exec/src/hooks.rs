//! `on-run-start` and `on-run-end`: the projects' operation nodes, rendered with a live session (and,
//! at the end, with `results`) and run in order before and after the nodes.

use std::sync::Arc;
use std::time::Instant;

use indexmap::IndexMap;
use runner_adapters::Connection;
use runner_artifacts::{NodeRunResult, ResourceType, ResponseInfo, RunStatus, Timing};
use runner_compile::context::session::Session;
use runner_compile::context::{NodeScope, Phase, RenderContext};
use runner_jinja::Value;

use crate::console::Console;
use crate::error::{ExecError, Result};
use crate::node::NodeEnv;
use crate::session::LiveSession;

/// `results` as on-run-end hooks see it: one entry per node result, with the node itself.
fn results_value(env: &NodeEnv, results: &[NodeRunResult]) -> Value {
    Value::list(
        results
            .iter()
            .map(|r| {
                let mut m = IndexMap::new();
                let node = env
                    .parsed
                    .manifest
                    .nodes
                    .get(&r.unique_id)
                    .map(|n| Value::from_json(&n.to_json()))
                    .unwrap_or(Value::None);
                m.insert(Value::from("node"), node);
                m.insert(Value::from("status"), Value::from(r.status.as_str()));
                m.insert(
                    Value::from("message"),
                    r.message.clone().map(Value::from).unwrap_or(Value::None),
                );
                m.insert(
                    Value::from("failures"),
                    r.failures.map(Value::Int).unwrap_or(Value::None),
                );
                m.insert(
                    Value::from("execution_time"),
                    Value::Float(r.execution_time),
                );
                m.insert(Value::from("thread_id"), Value::from(r.thread_id.as_str()));
                m.insert(
                    Value::from("adapter_response"),
                    Value::from_json(&serde_json::json!({
                        "_message": r.adapter_response.message,
                        "code": r.adapter_response.code,
                        "rows_affected": r.adapter_response.rows_affected,
                    })),
                );
                Value::dict(m)
            })
            .collect(),
    )
}

/// Runs the hooks of `kind` (`on-run-start`/`on-run-end`); returns their results and the connection.
pub fn run_hooks(
    env: &NodeEnv,
    conn: Box<dyn Connection>,
    kind: &str,
    results: &[NodeRunResult],
    console: &Console,
) -> Result<(Vec<NodeRunResult>, Box<dyn Connection>)> {
    let manifest = &env.parsed.manifest;
    let mut hooks: Vec<(&String, usize)> = manifest
        .nodes
        .iter()
        .filter(|(_, n)| n.resource_type == ResourceType::Operation)
        .filter_map(|(id, n)| {
            let index = n.name.rsplit_once(&format!("-{kind}-"))?.1.parse().ok()?;
            Some((id, index))
        })
        .collect();
    // Packages' hooks before the root project's, each in the order written.
    hooks.sort_by_key(|(id, index)| {
        (
            manifest.nodes[*id].package_name == env.root_package,
            manifest.nodes[*id].package_name.clone(),
            *index,
        )
    });
    if hooks.is_empty() {
        return Ok((Vec::new(), conn));
    }
    let total = hooks.len();
    console.info(&format!(
        "Running {total} {kind} hook{}",
        if total == 1 { "" } else { "s" }
    ));
    let session = Arc::new(LiveSession::new(conn, None));
    let results_list = results_value(env, results);
    let mut out = Vec::new();
    for (i, (id, index)) in hooks.into_iter().enumerate() {
        let node = &manifest.nodes[id];
        let label = format!("{}.{kind}.{index}", node.package_name);
        let mut shown = node.clone();
        shown.name = label.clone();
        console.start(i + 1, total, &shown);
        let started = chrono::Utc::now();
        let clock = Instant::now();
        let mut scope =
            NodeScope::new(Phase::Compile, &node.package_name, &node.original_file_path);
        scope.session = Some(session.clone() as Arc<dyn Session>);
        scope.extra.insert("results".into(), results_list.clone());
        let scope = Arc::new(scope);
        let ctx = Arc::new(RenderContext {
            shared: env.parsed.shared.clone(),
            scope,
        });
        let rendered = runner_jinja::Template::parse(&node.original_file_path, &node.raw_code)
            .and_then(|t| ctx.render(&t));
        let run = rendered
            .map_err(|e| {
                runner_compile::CompileError::jinja(&node.original_file_path, &e).to_string()
            })
            .and_then(|sql| {
                if sql.trim().is_empty() {
                    return Ok(None);
                }
                session
                    .execute(&sql, false, false)
                    .map(|_| Some(sql))
                    .map_err(|e| format!("Database Error in operation {label}\n  {}", e.message()))
            });
        let mut result = NodeRunResult {
            unique_id: id.clone(),
            status: RunStatus::Success,
            timing: vec![Timing {
                name: "execute",
                started_at: started,
                completed_at: chrono::Utc::now(),
            }],
            thread_id: "main".into(),
            execution_time: clock.elapsed().as_secs_f64(),
            adapter_response: ResponseInfo {
                message: Some("OK".into()),
                ..Default::default()
            },
            message: Some("OK".into()),
            failures: None,
            compiled_code: None,
            relation_name: None,
        };
        match run {
            Ok(sql) => result.compiled_code = Some(sql.unwrap_or_default()),
            Err(e) => {
                result.status = RunStatus::Error;
                result.message = Some(e);
            }
        }
        console.result(i + 1, total, &shown, &result);
        let failed = result.status.is_failure();
        out.push(result);
        if failed && kind == "on-run-start" {
            return Err(ExecError::Hook {
                hook: label,
                message: out
                    .last()
                    .and_then(|r| r.message.clone())
                    .unwrap_or_default(),
            });
        }
    }
    console.info("");
    drop(session.conn());
    let conn = Arc::try_unwrap(session)
        .map_err(|_| ExecError::Internal("hook session still in use".into()))?
        .into_connection();
    Ok((out, conn))
}
