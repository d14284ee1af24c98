//! Running one node: compile it through the live session, call its materialization macro, read what
//! the `main` statement returned, and turn that into dbt's status, message and failure count.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use runner_adapters::Connection;
use runner_artifacts::{
    InjectedCte, ManifestNode, NodeRunResult, ResourceType, ResponseInfo, RunStatus, Timing,
};
use runner_compile::ParsedProject;
use runner_compile::context::session::{AdapterResponseValue, Session, take_results};
use runner_compile::context::{NodeScope, Phase, RenderContext};
use runner_compile::relation::Relation;
use runner_jinja::Value;
use serde_json::Value as Json;

use crate::seed::SeedInput;
use crate::session::LiveSession;

/// What running a node produced, besides its result entry.
pub struct NodeOutcome {
    /// The run_results entry.
    pub result: NodeRunResult,
    /// Compiled SQL and injected CTEs, for the manifest and `target/compiled`.
    pub compiled: Option<(String, Vec<InjectedCte>)>,
    /// The `main` statement as run, for `target/run`.
    pub run_sql: Option<String>,
}

/// Run-wide inputs of node execution.
pub struct NodeEnv<'a> {
    /// The parsed project.
    pub parsed: &'a ParsedProject,
    /// Project root (seeds are read from it).
    pub project_dir: &'a std::path::Path,
    /// Root package name.
    pub root_package: &'a str,
    /// Packages' roots, for seeds of packages.
    pub package_dirs: &'a HashMap<String, std::path::PathBuf>,
    /// Run nodes that are not manifest nodes (unit tests), by id.
    pub extra_nodes: &'a HashMap<String, ManifestNode>,
    /// What relations exist, shared by the workers.
    pub relations: Arc<crate::cache::RelationCache>,
}

impl NodeEnv<'_> {
    /// A node to run: a manifest node or a unit test stand-in.
    pub fn node(&self, id: &str) -> &ManifestNode {
        self.extra_nodes
            .get(id)
            .unwrap_or_else(|| &self.parsed.manifest.nodes[id])
    }
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

fn hooks_value(config: &serde_json::Map<String, Json>, key: &str) -> Value {
    let hooks = config.get(key).cloned().unwrap_or(Json::Array(Vec::new()));
    Value::from_json(&hooks)
}

fn node_relation(node: &ManifestNode) -> Relation {
    Relation::new(
        node.database.clone(),
        Some(node.schema.clone()),
        Some(node.alias.clone()),
    )
}

fn seed_input(env: &NodeEnv, node: &ManifestNode) -> Arc<SeedInput> {
    let root = env
        .package_dirs
        .get(&node.package_name)
        .cloned()
        .unwrap_or_else(|| env.project_dir.to_path_buf());
    let delimiter = node
        .config
        .get("delimiter")
        .and_then(Json::as_str)
        .and_then(|d| d.bytes().next())
        .unwrap_or(b',');
    let mut input = SeedInput::new(
        root.join(&node.original_file_path),
        node.original_file_path.clone(),
        delimiter,
    );
    input.empty = env.parsed.shared.empty;
    Arc::new(input)
}

/// A saved query or exposure in `build`: nothing to run, reported as dbt reports it.
fn no_op(id: &str, thread_id: &str) -> NodeOutcome {
    let at = now();
    NodeOutcome {
        result: NodeRunResult {
            unique_id: id.to_string(),
            status: RunStatus::NoOp,
            timing: vec![
                Timing {
                    name: "compile",
                    started_at: at,
                    completed_at: at,
                },
                Timing {
                    name: "execute",
                    started_at: at,
                    completed_at: at,
                },
            ],
            thread_id: thread_id.to_string(),
            execution_time: 0.0,
            adapter_response: ResponseInfo::default(),
            message: Some("NO-OP".into()),
            failures: Some(0),
            compiled_code: None,
            relation_name: None,
        },
        compiled: None,
        run_sql: None,
    }
}

/// The error text and the connection after a failed node (its transaction rolled back).
fn rollback(session: &LiveSession) {
    let mut conn = session.conn();
    if conn.in_transaction() {
        let _ = conn.rollback();
    }
}

/// Runs `id` on `conn`; returns the outcome and the connection (or `None` if it broke).
pub fn run_node(
    env: &NodeEnv,
    id: &str,
    conn: Box<dyn Connection>,
    thread_id: &str,
) -> (NodeOutcome, Option<Box<dyn Connection>>) {
    let node = env.node(id);
    if node.resource_type == ResourceType::UnitTest {
        return crate::unit_test::run_unit_test(env, node, conn, thread_id);
    }
    if matches!(
        node.resource_type,
        ResourceType::SavedQuery | ResourceType::Exposure
    ) {
        return (no_op(id, thread_id), Some(conn));
    }
    let seed = (node.resource_type == ResourceType::Seed).then(|| seed_input(env, node));
    let session = Arc::new(LiveSession::new(conn, seed).with_cache(env.relations.clone()));
    let start = Instant::now();
    let compile_started = now();
    let mut timing = Vec::new();

    let dyn_session: Arc<dyn Session> = session.clone();
    let compiled = if node.resource_type == ResourceType::Seed {
        Ok(None)
    } else {
        runner_compile::compile::compile_node(env.parsed, id, Some(&dyn_session)).map(Some)
    };
    timing.push(Timing {
        name: "compile",
        started_at: compile_started,
        completed_at: now(),
    });

    let execute_started = now();
    // Compiled SQL is kept (and written) even when the materialization then fails, as dbt does.
    let (compiled, compile_error) = match compiled {
        Ok(c) => (c, None),
        Err(e) => (None, Some(e.to_string())),
    };
    let run = match compile_error {
        Some(message) => Err(message),
        None => {
            let sql = compiled
                .as_ref()
                .map(|(s, _)| s.clone())
                .unwrap_or_default();
            materialize(env, node, &sql, dyn_session.clone()).map(|(built, rest)| {
                session.relations_built(&built);
                rest
            })
        }
    };
    drop(dyn_session);
    // Nothing a node left open may leak into the next node on this connection: an open
    // transaction would pin an old snapshot.
    let mut run = run;
    if run.is_ok() {
        let committed = {
            let mut conn = session.conn();
            if conn.in_transaction() {
                conn.commit().map_err(|e| e.to_string())
            } else {
                Ok(())
            }
        };
        if let Err(e) = committed {
            run = Err(format!(
                "Database Error in {} {} ({})\n  {e}",
                node.resource_type.as_str(),
                node.name,
                node.original_file_path
            ));
        }
    }
    timing.push(Timing {
        name: "execute",
        started_at: execute_started,
        completed_at: now(),
    });

    let mut result = NodeRunResult {
        unique_id: id.to_string(),
        status: RunStatus::Success,
        timing,
        thread_id: thread_id.to_string(),
        execution_time: 0.0,
        adapter_response: ResponseInfo::default(),
        message: None,
        failures: None,
        compiled_code: None,
        relation_name: node.relation_name.clone(),
    };
    if node.resource_type == ResourceType::Test {
        result.relation_name = None;
    }
    let mut outcome_compiled = None;
    let mut run_sql = None;
    if let Some((sql, ctes)) = compiled {
        result.compiled_code = Some(sql.clone());
        outcome_compiled = Some((sql, ctes));
    }
    match run {
        Ok((response, main_sql, table)) => {
            run_sql = main_sql;
            if let Some(r) = &response {
                result.adapter_response = ResponseInfo {
                    message: Some(r.message.clone()),
                    code: r.code.clone(),
                    rows_affected: r.rows_affected,
                };
            }
            if node.resource_type == ResourceType::Test {
                crate::test_result::apply(&mut result, node, table.as_ref());
            } else {
                result.message = response.map(|r| r.message);
            }
        }
        Err(message) => {
            rollback(&session);
            result.status = RunStatus::Error;
            result.message = Some(message);
        }
    }
    result.execution_time = start.elapsed().as_secs_f64();
    let conn = LiveSession::reclaim(session);
    (
        NodeOutcome {
            result,
            compiled: outcome_compiled,
            run_sql,
        },
        conn,
    )
}

type Materialized = (
    Vec<Relation>,
    (Option<AdapterResponseValue>, Option<String>, Option<Value>),
);

/// Calls the node's materialization; returns the `main` statement's response, SQL and table.
fn materialize(
    env: &NodeEnv,
    node: &ManifestNode,
    sql: &str,
    session: Arc<dyn Session>,
) -> Result<Materialized, String> {
    let parsed = env.parsed;
    let materialized = node
        .config
        .get("materialized")
        .and_then(Json::as_str)
        .unwrap_or("view")
        .to_string();
    let adapter_type = parsed.shared.adapter_type.clone();
    let entry = parsed.shared.registry.materialization(&materialized).ok_or_else(|| {
        format!(
            "Compilation Error in {} {} ({})\n  No materialization '{materialized}' was found for adapter {adapter_type}! (searched types 'default' and '{adapter_type}')",
            node.resource_type.as_str(),
            node.name,
            node.original_file_path
        )
    })?;

    let mut model = node.to_json();
    if let Json::Object(m) = &mut model {
        m.insert("compiled_code".into(), Json::String(sql.to_string()));
        m.insert("compiled".into(), Json::Bool(true));
    }
    let template_name = format!("materialization:{}", entry.name);
    let mut scope = NodeScope::new(Phase::Compile, &node.package_name, &template_name);
    scope.model = Value::from_json(&model);
    scope.this = Some(node_relation(node));
    scope.config = node.config.clone();
    scope.session = Some(session);
    scope.extra.insert("sql".into(), Value::from(sql));
    scope.extra.insert("compiled_code".into(), Value::from(sql));
    scope
        .extra
        .insert("pre_hooks".into(), hooks_value(&node.config, "pre-hook"));
    scope
        .extra
        .insert("post_hooks".into(), hooks_value(&node.config, "post-hook"));
    scope.extra.insert(
        "database".into(),
        node.database
            .clone()
            .map(Value::from)
            .unwrap_or(Value::None),
    );
    scope
        .extra
        .insert("schema".into(), Value::from(node.schema.as_str()));
    scope
        .extra
        .insert("context".into(), Value::dict(Default::default()));
    if node.resource_type == ResourceType::Seed {
        let root = env
            .package_dirs
            .get(&node.package_name)
            .cloned()
            .unwrap_or_else(|| env.project_dir.to_path_buf());
        let path = std::path::absolute(root.join(&node.original_file_path))
            .unwrap_or_else(|_| root.join(&node.original_file_path));
        scope.extra.insert(
            "seed_file_path".into(),
            Value::from(path.display().to_string()),
        );
    }
    let scope = Arc::new(scope);
    let ctx = Arc::new(RenderContext {
        shared: parsed.shared.clone(),
        scope: scope.clone(),
    });
    let call = ctx.call(&entry.value(), Vec::new());
    let results = take_results(&scope);
    let returned = call.map_err(|e| match e.message().strip_prefix("Database Error") {
        // The warehouse's words are what matter; the materialization's template line is noise.
        Some(rest) => format!(
            "Database Error in {} {} ({})\n{}",
            node.resource_type.as_str(),
            node.name,
            node.original_file_path,
            rest.trim_start_matches('\n')
        ),
        None => runner_compile::CompileError::jinja(&node.original_file_path, &e).to_string(),
    })?;
    let main = results.by_name.get("main").cloned();
    let response = main.as_ref().and_then(|m| {
        m.get_item(&Value::from("response"))
            .downcast_object::<AdapterResponseValue>()
            .cloned()
    });
    let table = main.map(|m| m.get_item(&Value::from("table")));
    let built = returned
        .get_item(&Value::from("relations"))
        .try_iter()
        .unwrap_or_default()
        .iter()
        .filter_map(|r| r.downcast_object::<Relation>().cloned())
        .collect();
    Ok((built, (response, results.main_sql, table)))
}
