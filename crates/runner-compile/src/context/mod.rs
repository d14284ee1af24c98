//! dbt's Jinja context: the names a model, test or macro sees (`ref`, `source`, `config`, `var`, `target`,
//! `this`, `adapter`, …), resolved through [`RenderContext`], the engine's `Globals`.
//!
//! Two phases share it. At parse time `execute` is false, `ref`/`source`/`config()` are recorded so the
//! engine learns dependencies and configuration; at compile time they resolve to relations.

pub mod column;
pub mod flat_graph;
pub mod functions;
pub mod objects;
pub mod output;
pub mod session;
pub mod set;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use runner_artifacts::RefArgs;
use runner_jinja::{Environment, Globals, State, Value};
use serde_json::{Map, Value as Json};

use crate::registry::MacroRegistry;
use crate::relation::Relation;

/// Which rendering pass is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Discovering refs, sources and config (`execute` is false).
    Parse,
    /// Producing SQL (`execute` is true).
    Compile,
}

/// Variables from `--vars` and from each project's `vars:`.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    /// `--vars`.
    pub cli: Map<String, Json>,
    /// Root project name.
    pub root: String,
    /// Each project's `vars:` as written, by project name.
    pub projects: HashMap<String, Map<String, Json>>,
}

impl Vars {
    /// dbt's precedence: `--vars`, then the root project's vars scoped to the package, then its global vars,
    /// then the package's own vars (scoped, then global).
    pub fn lookup(&self, package: &str, name: &str) -> Option<Json> {
        if let Some(v) = self.cli.get(name) {
            return Some(v.clone());
        }
        let mut order = vec![self.root.as_str()];
        if package != self.root {
            order.push(package);
        }
        for project in order {
            let Some(vars) = self.projects.get(project) else {
                continue;
            };
            if let Some(Json::Object(scoped)) = vars.get(package)
                && let Some(v) = scoped.get(name)
            {
                return Some(v.clone());
            }
            if let Some(v) = vars.get(name)
                && !(v.is_object() && self.projects.contains_key(name))
            {
                return Some(v.clone());
            }
        }
        None
    }
}

/// Everything a render needs that is the same for every node of a run.
pub struct Shared {
    /// The Jinja environment (options and dbt's extra filters).
    pub env: Environment,
    /// All macros.
    pub registry: MacroRegistry,
    /// `target` as templates see it (secrets removed).
    pub target: Value,
    /// Adapter type.
    pub adapter_type: String,
    /// Root project name.
    pub project_name: String,
    /// Variables.
    pub vars: Vars,
    /// Invocation id.
    pub invocation_id: String,
    /// Run start, RFC 3339.
    pub run_started_at: chrono::DateTime<chrono::Utc>,
    /// `flags`.
    pub flags: Value,
    /// `--empty`: compile-time `ref()` and `source()` read zero rows.
    pub empty: bool,
    /// Global names that don't depend on the node (`modules`, `exceptions`, `fromjson`, …).
    pub globals: foldhash::HashMap<&'static str, Value>,
    /// Resolves refs and sources at compile time (filled once parsing is done).
    pub resolver: std::sync::OnceLock<Arc<dyn RefResolver>>,
    /// `graph` (empty while parsing, complete once parsing is done).
    pub graph: flat_graph::FlatGraph,
    /// Default database and schema for relations.
    pub default_database: String,
    /// Default schema.
    pub default_schema: String,
    /// Which `generate_*_name` hooks are runner's built-ins, and their memoised results.
    pub naming: crate::naming::NamingMemo,
}

/// Compile-time resolution of `ref()` and `source()`.
pub trait RefResolver: Send + Sync {
    /// The relation for a ref from `package`, and the referenced node's unique id.
    fn resolve_ref(&self, package: &str, args: &RefArgs) -> Option<(String, Relation)>;
    /// The relation for a source.
    fn resolve_source(&self, source: &str, table: &str) -> Option<(String, Relation)>;
}

/// What a parse-time render recorded.
#[derive(Debug, Default, Clone)]
pub struct Captured {
    /// `ref()` calls in order.
    pub refs: Vec<RefArgs>,
    /// `source()` calls in order.
    pub sources: Vec<[String; 2]>,
    /// `config(...)` calls, merged in order.
    pub config_calls: Vec<Map<String, Json>>,
    /// Macros called directly from the node's own template, in first-call order.
    pub macros: Vec<String>,
    /// Ephemeral models referenced at compile time (unique ids), in order.
    pub ephemerals: Vec<String>,
}

/// The node-specific part of a render.
pub struct NodeScope {
    /// Phase.
    pub phase: Phase,
    /// The node's package.
    pub package: String,
    /// Template name of the node's own SQL (to tell top-level macro calls from nested ones).
    pub template_name: String,
    /// `model` (the node as JSON), when no `model_node` is set.
    pub model: Value,
    /// The node behind `model` and `config.get`, turned into a template value only if a template
    /// reads `model` (at parse time few do, and building it for every node was a large part of
    /// `parse`).
    pub model_node: Option<Arc<runner_artifacts::ManifestNode>>,
    model_from_node: std::sync::OnceLock<Value>,
    /// `this`.
    pub this: Option<Relation>,
    /// Resolved config so far (for `config.get` at compile time), shared with the node.
    pub config: Arc<Map<String, Json>>,
    /// What the render recorded.
    pub captured: Mutex<Captured>,
    /// Extra names (test kwargs, `_dbt_generic_test_kwargs`, `sql`, `pre_hooks` at execution).
    pub extra: foldhash::HashMap<String, Value>,
    /// The warehouse, when executing.
    pub session: Option<Arc<dyn session::Session>>,
    /// Unit tests: what `ref()`/`source()` of a node or source id resolve to instead (fixture CTEs).
    pub ref_overrides: HashMap<String, Relation>,
    /// Statement results of this render.
    pub results: session::ResultsStore,
}

impl NodeScope {
    /// A scope for rendering `template_name` of `package`.
    pub fn new(phase: Phase, package: &str, template_name: &str) -> NodeScope {
        NodeScope {
            phase,
            package: package.to_string(),
            template_name: template_name.to_string(),
            model: Value::None,
            model_node: None,
            model_from_node: std::sync::OnceLock::new(),
            this: None,
            config: Default::default(),
            captured: Mutex::new(Captured::default()),
            extra: Default::default(),
            session: None,
            ref_overrides: HashMap::new(),
            results: Default::default(),
        }
    }

    /// `model` as templates see it.
    pub fn model_value(&self) -> Value {
        match &self.model_node {
            Some(node) => self
                .model_from_node
                .get_or_init(|| Value::from_json(&node.to_json()))
                .clone(),
            None => self.model.clone(),
        }
    }

    /// The config `config.get` reads: the node's, when the scope has one, else `config`.
    pub fn config_map(&self) -> &Map<String, Json> {
        match &self.model_node {
            Some(node) => &node.config,
            None => &self.config,
        }
    }

    /// What was recorded.
    pub fn take_captured(&self) -> Captured {
        std::mem::take(&mut self.captured.lock().expect("capture lock"))
    }
}

/// `Globals` for one render: node scope first for its own names, then macros, then run-wide names.
pub struct RenderContext {
    /// Run-wide state.
    pub shared: Arc<Shared>,
    /// Node-specific state.
    pub scope: Arc<NodeScope>,
}

impl Globals for RenderContext {
    fn lookup(&self, state: &State, package: &str, name: &str) -> Option<Value> {
        if let Some(v) = self.scope.extra.get(name) {
            return Some(v.clone());
        }
        if let Some(entry) = self.shared.registry.resolve(package, name) {
            if state.template_name() == self.scope.template_name {
                let mut c = self.scope.captured.lock().expect("capture lock");
                if !c.macros.contains(&entry.unique_id) {
                    c.macros.push(entry.unique_id.clone());
                }
            }
            return Some(entry.value());
        }
        if self.shared.registry.is_package(name) {
            // Calls through a namespace written in the node itself (`dbt_utils.star(...)`) are
            // dependencies of the node, as plain macro calls are.
            let capture =
                (state.template_name() == self.scope.template_name).then(|| self.scope.clone());
            return Some(objects::package_namespace(&self.shared, name, capture));
        }
        session::session_name(self, name)
            .or_else(|| functions::node_name(self, name))
            .or_else(|| self.shared.globals.get(name).cloned())
    }
}

impl RenderContext {
    /// Renders `template` in this context.
    pub fn render(
        self: &Arc<Self>,
        template: &runner_jinja::Template,
    ) -> Result<String, runner_jinja::Error> {
        let globals: Arc<dyn Globals> = self.clone();
        self.shared
            .env
            .render(template, globals, &self.scope.package)
    }

    /// The value of a template that is one `{{ expression }}` (see `Environment::eval_output`).
    pub fn eval_output(
        self: &Arc<Self>,
        template: &runner_jinja::Template,
    ) -> Result<Option<Value>, runner_jinja::Error> {
        let globals: Arc<dyn Globals> = self.clone();
        self.shared
            .env
            .eval_output(template, globals, &self.scope.package)
    }

    /// Calls a macro value with positional arguments.
    pub fn call(
        self: &Arc<Self>,
        callee: &Value,
        args: Vec<Value>,
    ) -> Result<Value, runner_jinja::Error> {
        let globals: Arc<dyn Globals> = self.clone();
        self.shared.env.call(
            globals,
            &self.scope.package,
            callee,
            args,
            Default::default(),
        )
    }
}
