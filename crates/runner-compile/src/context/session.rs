//! The warehouse behind a render at execution time: the [`Session`] trait the run engine implements,
//! and the context names that reach it (`statement`, `load_result`, `store_result`, `noop_statement`,
//! `render`, and the introspective `adapter` methods).
//!
//! Without a session (parse, `runner compile`) these names keep their offline behaviour: statements
//! are rendered so template errors surface, but nothing runs and `load_result` answers `none`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use indexmap::IndexMap;
use runner_jinja::{Error, ErrorKind, Kwargs, Object, State, Value};

use super::objects::Adapter;
use super::{NodeScope, RenderContext};

/// What one statement returned: dbt's `AdapterResponse` and, when fetched, its rows as a table value.
pub struct StatementOutcome {
    /// The `AdapterResponse` value (`_message`, `code`, `rows_affected`).
    pub response: Value,
    /// An agate-like table (empty when nothing was fetched).
    pub table: Value,
    /// The rows as a list of tuples (dbt's `load_result(...)['data']`).
    pub data: Value,
}

/// A live warehouse connection for one node's render.
pub trait Session: Send + Sync {
    /// Runs `sql`; opens a transaction first when `auto_begin` is set and none is open.
    fn execute(&self, sql: &str, auto_begin: bool, fetch: bool) -> Result<StatementOutcome, Error>;
    /// An `adapter.<name>(…)` method that needs the warehouse; `None` when `name` is not one.
    fn adapter_method(
        &self,
        state: &State,
        name: &str,
        args: &[Value],
        kwargs: &Kwargs,
    ) -> Option<Result<Value, Error>>;
    /// The CSV of the seed being run, as an agate-like table (`load_agate_table()`).
    fn load_agate_table(&self) -> Result<Value, Error> {
        Err(Error::new(
            ErrorKind::Runtime,
            "load_agate_table() is only available while running a seed",
        ))
    }
}

/// Per-node statement results and the SQL that ran as `main`.
#[derive(Default)]
pub struct StatementResults {
    /// `store_result` / `statement(name)` results by name.
    pub by_name: HashMap<String, Value>,
    /// Every SQL string the node ran, in order.
    pub executed: Vec<String>,
    /// The SQL of the `main` statement (written to `target/run`).
    pub main_sql: Option<String>,
}

fn result_value(response: Value, table: Value, data: Value) -> Value {
    let mut m = IndexMap::new();
    m.insert(Value::from("response"), response);
    m.insert(Value::from("data"), data);
    m.insert(Value::from("table"), table);
    Value::dict(m)
}

/// A response value for a statement that ran nothing (`noop_statement`, `store_result` with a message).
pub fn response_value(message: &str, code: Option<&str>, rows: Option<i64>) -> Value {
    Value::from_object(Arc::new(AdapterResponseValue {
        message: message.to_string(),
        code: code.map(String::from),
        rows_affected: rows,
    }))
}

/// dbt's `AdapterResponse`: prints as its message.
#[derive(Debug, Clone)]
pub struct AdapterResponseValue {
    /// `_message`.
    pub message: String,
    /// `code`.
    pub code: Option<String>,
    /// `rows_affected`.
    pub rows_affected: Option<i64>,
}

impl Object for AdapterResponseValue {
    fn type_name(&self) -> &str {
        "AdapterResponse"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        Some(match name {
            "_message" => Value::from(self.message.as_str()),
            "code" => self.code.clone().map(Value::from).unwrap_or(Value::None),
            "rows_affected" => self.rows_affected.map(Value::Int).unwrap_or(Value::None),
            _ => return None,
        })
    }
    fn get_item(&self, key: &Value) -> Option<Value> {
        key.as_str().and_then(|k| self.get_attr(k))
    }
    fn to_str(&self) -> String {
        self.message.clone()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn kw_or<'a>(args: &'a [Value], kwargs: &'a Kwargs, i: usize, key: &str) -> Option<&'a Value> {
    args.get(i).or_else(|| kwargs.get(key))
}

/// Looks up one of the session-backed names; `None` when `name` is not one of them.
pub fn session_name(ctx: &RenderContext, name: &str) -> Option<Value> {
    // Every name a render looks up passes here first: leave quickly for the common ones.
    if !matches!(
        name,
        "statement"
            | "noop_statement"
            | "load_result"
            | "store_result"
            | "store_raw_result"
            | "load_agate_table"
            | "render"
            | "adapter"
    ) {
        return None;
    }
    let scope = ctx.scope.clone();
    Some(match name {
        "statement" => Value::from_function("statement", move |state, args, kwargs| {
            // Unnamed statements (hooks, DDL helpers) run without leaving a result behind.
            let name = kw_or(args, kwargs, 0, "name").and_then(|v| v.as_str().map(String::from));
            let fetch = kwargs.get("fetch_result").is_some_and(Value::is_true);
            let auto_begin = kwargs.get("auto_begin").is_none_or(Value::is_true);
            let sql = match kwargs.get("caller") {
                Some(caller) => state.call(caller, Vec::new(), Kwargs::new())?,
                None => Value::from(""),
            };
            let Some(session) = scope.session.clone() else {
                return Ok(Value::from(""));
            };
            let sql = sql.to_python_str();
            let outcome = session.execute(&sql, auto_begin, fetch)?;
            let mut results = scope.results.lock().expect("results lock");
            if name.as_deref() == Some("main") {
                results.main_sql = Some(sql.clone());
            }
            results.executed.push(sql);
            if let Some(name) = name {
                results.by_name.insert(
                    name,
                    result_value(outcome.response, outcome.table, outcome.data),
                );
            }
            Ok(Value::from(""))
        }),
        "noop_statement" => Value::from_function("noop_statement", move |state, args, kwargs| {
            let name = kw_or(args, kwargs, 0, "name")
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_else(|| "main".into());
            let message = kw_or(args, kwargs, 1, "message")
                .map(Value::to_python_str)
                .unwrap_or_default();
            let code = kw_or(args, kwargs, 2, "code").map(Value::to_python_str);
            let rows = kw_or(args, kwargs, 3, "rows_affected").and_then(Value::as_int);
            if let Some(caller) = kwargs.get("caller") {
                state.call(caller, Vec::new(), Kwargs::new())?;
            }
            scope.results.lock().expect("results lock").by_name.insert(
                name,
                result_value(
                    response_value(&message, code.as_deref(), rows),
                    Value::None,
                    Value::list(Vec::new()),
                ),
            );
            Ok(Value::from(""))
        }),
        "load_result" => Value::from_function("load_result", move |_, args, kwargs| {
            let name = kw_or(args, kwargs, 0, "name")
                .map(Value::to_python_str)
                .unwrap_or_default();
            let results = scope.results.lock().expect("results lock");
            Ok(results.by_name.get(&name).cloned().unwrap_or(Value::None))
        }),
        "store_result" => Value::from_function("store_result", move |_, args, kwargs| {
            let name = kw_or(args, kwargs, 0, "name")
                .map(Value::to_python_str)
                .unwrap_or_default();
            let response = kw_or(args, kwargs, 1, "response")
                .cloned()
                .unwrap_or(Value::None);
            let response = match response.as_str() {
                Some(text) => response_value(text, None, None),
                None => response,
            };
            let table = kw_or(args, kwargs, 2, "agate_table")
                .cloned()
                .unwrap_or(Value::None);
            scope
                .results
                .lock()
                .expect("results lock")
                .by_name
                .insert(name, result_value(response, table, Value::list(Vec::new())));
            Ok(Value::from(""))
        }),
        "store_raw_result" => Value::from_function("store_raw_result", |_, _, _| Ok(Value::None)),
        "load_agate_table" => {
            Value::from_function("load_agate_table", move |_, _, _| match &scope.session {
                Some(s) => s.load_agate_table(),
                None => Ok(Value::None),
            })
        }
        "render" => {
            let ctx = RenderContext {
                shared: ctx.shared.clone(),
                scope: ctx.scope.clone(),
            };
            let ctx = Arc::new(ctx);
            Value::from_function("render", move |state, args, _| {
                let text = args.first().map(Value::to_python_str).unwrap_or_default();
                let template = runner_jinja::Template::parse(state.template_name(), &text)?;
                ctx.render(&template).map(Value::from)
            })
        }
        "adapter" if scope.session.is_some() => Value::from_object(Arc::new(LiveAdapter {
            base: Adapter::new(Arc::downgrade(&ctx.shared)),
            scope,
        })),
        _ => return None,
    })
}

/// `adapter` with a warehouse behind it: introspection and DDL go to the session, the rest (dispatch,
/// quoting) to the offline adapter.
struct LiveAdapter {
    base: Adapter,
    scope: Arc<NodeScope>,
}

impl std::fmt::Debug for LiveAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<adapter>")
    }
}

impl Object for LiveAdapter {
    fn type_name(&self) -> &str {
        "adapter"
    }
    fn call_method(
        &self,
        state: &State,
        name: &str,
        args: &[Value],
        kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        if let Some(session) = &self.scope.session
            && let Some(result) = session.adapter_method(state, name, args, kwargs)
        {
            return result;
        }
        self.base.call_method(state, name, args, kwargs)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Statement results a node's render collected (for `target/run` and run_results).
pub fn take_results(scope: &NodeScope) -> StatementResults {
    std::mem::take(&mut scope.results.lock().expect("results lock"))
}

/// A scope's results store, for [`NodeScope`].
pub type ResultsStore = Mutex<StatementResults>;
