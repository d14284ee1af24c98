//! `show`: previews the rows of one node, or of inline SQL, as `dbt show` does.
//!
//! The node is compiled with a live session (introspective macros see the warehouse, as at run
//! time); inline SQL is rendered as a template in a compile-phase scope, like a hook, so `ref`,
//! `source` and macros work in it. dbt's `get_show_sql` then prepends the node's `sql_header` and
//! appends `limit N` (`default__get_limit_sql`), and the rows are printed the way dbt prints its
//! agate table ([`render_text`]: agate's `print_table`) or as JSON ([`render_json`]).

use std::sync::Arc;

use runner_adapters::{Adapter, AdapterError, Table};
use runner_artifacts::{InjectedCte, ResourceType};
use runner_compile::context::session::Session;
use runner_compile::context::{NodeScope, Phase, RenderContext};
use runner_compile::relation::Relation;
use runner_compile::{CompileError, ParsedProject};
use serde_json::{Value as Json, json};
use thiserror::Error;

use crate::session::LiveSession;

/// The name dbt gives inline SQL's node.
pub const INLINE_NAME: &str = "inline_query";
/// Where dbt says inline SQL comes from, in its error messages.
const INLINE_PATH: &str = "from remote system.sql";
/// The template name inline SQL is rendered under (shows in Jinja errors).
const INLINE_TEMPLATE: &str = "remote system.sql";

/// What to preview.
#[derive(Debug, Clone)]
pub enum Subject {
    /// A node of the manifest, by unique id.
    Node(String),
    /// SQL given on the command line (`--inline`); may use Jinja.
    Inline(String),
}

/// Rows fetched for a preview.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The name dbt prints: the node's name (`name.v2` for a versioned model) or `inline_query`.
    pub name: String,
    /// True for `--inline` SQL.
    pub inline: bool,
    /// The SQL that ran (header and limit included).
    pub sql: String,
    /// The rows.
    pub table: Table,
}

/// Why a preview failed.
#[derive(Debug, Error)]
pub enum ShowError {
    /// The warehouse could not be reached.
    #[error("could not connect to target '{target}': {source}")]
    Connect {
        /// Target name.
        target: String,
        /// The adapter's error (host and reason, never the password).
        source: AdapterError,
    },
    /// The id is not a node of the manifest.
    #[error("no node '{0}' in the project")]
    UnknownNode(String),
    /// The node or the inline SQL did not compile.
    #[error(transparent)]
    Compile(#[from] CompileError),
    /// The warehouse rejected the query: dbt's `Runtime Error in <type> <name> (<path>)`.
    #[error("Runtime Error in {what}\n  {message}")]
    Database {
        /// `model customers (models/customers.sql)`.
        what: String,
        /// The warehouse's message.
        message: String,
    },
}

/// dbt's `default__get_limit_sql`: the SQL, then `limit N` on its own line (a trailing line
/// comment cannot swallow it). A negative `--limit` means no limit. As in dbt, SQL that already
/// ends in a `limit` fails when a limit is added.
pub fn limit_sql(sql: &str, limit: Option<u64>) -> String {
    match limit {
        Some(n) => format!("{sql}\nlimit {n}"),
        None => sql.to_string(),
    }
}

/// dbt's `get_show_sql`: the node's `sql_header` (if any), then the limited SQL.
fn show_sql(sql: &str, header: Option<&str>, limit: Option<u64>) -> String {
    let limited = limit_sql(sql, limit);
    match header {
        Some(h) if !h.trim().is_empty() => format!("{h}\n{limited}"),
        _ => limited,
    }
}

/// The warehouse's words, without the adapter's endpoint and SQL excerpt, every line indented
/// under dbt's `Runtime Error in …` heading.
fn db_message(e: &AdapterError) -> String {
    let text = match e {
        AdapterError::Database {
            message, detail, ..
        } => match detail {
            Some(d) => format!("{message}\n{d}"),
            None => message.clone(),
        },
        other => other.to_string(),
    };
    text.trim_end().replace('\n', "\n  ")
}

/// Renders inline SQL in a compile-phase scope with the session; returns the SQL with the
/// ephemeral models it refs injected as CTEs.
fn render_inline(
    parsed: &ParsedProject,
    sql: &str,
    session: &Arc<dyn Session>,
) -> Result<String, CompileError> {
    let shared = &parsed.shared;
    let mut scope = NodeScope::new(Phase::Compile, &shared.project_name, INLINE_TEMPLATE);
    scope.session = Some(session.clone());
    let database = Some(shared.default_database.clone()).filter(|d| !d.is_empty());
    scope.this = Some(Relation::new(
        database.clone(),
        Some(shared.default_schema.clone()),
        Some(INLINE_NAME.to_string()),
    ));
    // dbt renders inline SQL as a `sql_operation` node; macros reading `model` see its basics.
    scope.model = runner_jinja::Value::from_json(&json!({
        "name": INLINE_NAME,
        "resource_type": "sql_operation",
        "package_name": shared.project_name,
        "unique_id": format!("sql_operation.{}.{INLINE_NAME}", shared.project_name),
        "database": database,
        "schema": shared.default_schema,
        "alias": INLINE_NAME,
        "raw_code": sql,
        "config": {},
    }));
    let scope = Arc::new(scope);
    let ctx = Arc::new(RenderContext {
        shared: shared.clone(),
        scope: scope.clone(),
    });
    let template = runner_jinja::Template::parse(INLINE_TEMPLATE, sql)
        .map_err(|e| CompileError::jinja(INLINE_TEMPLATE, &e))?;
    let rendered = ctx
        .render(&template)
        .map_err(|e| CompileError::jinja(INLINE_TEMPLATE, &e))?;
    // Each ephemeral model the SQL refs becomes a CTE; its own ephemeral upstreams are already
    // injected into its compiled SQL, which nests validly inside the CTE.
    let mut ctes = Vec::new();
    for id in scope.take_captured().ephemerals {
        let (esql, _) = runner_compile::compile::compile_node(parsed, &id, Some(session))?;
        let name = &parsed.manifest.nodes[&id].name;
        ctes.push(InjectedCte {
            id: id.clone(),
            sql: format!(" __dbt__cte__{name} as (\n{esql}\n)"),
        });
    }
    Ok(runner_compile::compile::with_ctes(&rendered, &ctes))
}

/// Compiles `subject` against the warehouse and fetches its first `limit` rows (all when `None`).
pub fn show(
    parsed: &ParsedProject,
    adapter: &Adapter,
    target_name: &str,
    subject: &Subject,
    limit: Option<u64>,
) -> Result<Preview, ShowError> {
    runner_compile::compile::install_resolver(parsed);
    let conn = adapter.connect().map_err(|source| ShowError::Connect {
        target: target_name.to_string(),
        source,
    })?;
    let session = Arc::new(LiveSession::new(conn, None));
    let dyn_session: Arc<dyn Session> = session.clone();
    let (name, what, sql) = match subject {
        Subject::Inline(text) => {
            let sql = render_inline(parsed, text, &dyn_session)?;
            (
                INLINE_NAME.to_string(),
                format!("sql_operation {INLINE_NAME} ({INLINE_PATH})"),
                show_sql(&sql, None, limit),
            )
        }
        Subject::Node(id) => {
            let node = parsed
                .manifest
                .nodes
                .get(id)
                .ok_or_else(|| ShowError::UnknownNode(id.clone()))?;
            let compiled = if node.resource_type == ResourceType::Seed {
                // A seed has no SQL: preview what it loaded.
                let relation = Relation::new(
                    node.database.clone(),
                    Some(node.schema.clone()),
                    Some(node.alias.clone()),
                );
                format!("select * from {}", relation.render())
            } else {
                runner_compile::compile::compile_node(parsed, id, Some(&dyn_session))?.0
            };
            let header = node.config.get("sql_header").and_then(Json::as_str);
            let version = node.version.as_ref().and_then(|v| match v {
                Json::String(s) => Some(s.clone()),
                Json::Number(n) => Some(n.to_string()),
                _ => None,
            });
            (
                match version {
                    Some(v) => format!("{}.v{v}", node.name),
                    None => node.name.clone(),
                },
                format!(
                    "{} {} ({})",
                    node.resource_type.as_str(),
                    node.name,
                    node.original_file_path
                ),
                show_sql(&compiled, header, limit),
            )
        }
    };
    drop(dyn_session);
    let mut conn = session.conn();
    let fetched = conn.fetch(&sql);
    // A preview changes nothing: whatever a macro began is rolled back, as dbt releases it.
    if conn.in_transaction() {
        let _ = conn.rollback();
    }
    let (_, table) = fetched.map_err(|e| ShowError::Database {
        what,
        message: db_message(&e),
    })?;
    Ok(Preview {
        name,
        inline: matches!(subject, Subject::Inline(_)),
        sql,
        table,
    })
}

// ---------------------------------------------------------------------------------------------
// Printing, as agate and dbt's ShowNode event do.

mod json;
#[cfg(test)]
mod tests;
mod text;

pub use json::render_json;
pub use text::render_text;

/// dbt's ShowNode message: the JSON document, or the table under `Previewing node 'x':` /
/// `Previewing inline node:` (the bare table when quiet).
pub fn message(preview: &Preview, json: bool, quiet: bool) -> String {
    if json {
        return render_json(preview);
    }
    let table = render_text(&preview.table);
    if quiet {
        table
    } else if preview.inline {
        format!("Previewing inline node:\n{table}")
    } else {
        format!("Previewing node '{}':\n{table}", preview.name)
    }
}
