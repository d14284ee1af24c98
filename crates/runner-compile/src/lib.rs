//! The dbt engine's compile half: from a project on disk to manifest nodes and compiled SQL.
//!
//! [`load`] reads the project (through `runner-project`), registers every macro, renders each node once at
//! parse time with dbt's context (recording refs, sources and `config()`), builds generic tests from property
//! YAML and resolves dependencies. [`compile::compile_nodes`] renders the selected nodes' SQL.
#![deny(missing_docs)]

pub mod compile;
pub mod config;
pub mod context;
mod digest;
pub mod error;
pub mod exposures;
mod file_nodes;
pub mod generic_tests;
pub mod hooks;
pub mod modules;
pub mod naming;
pub mod nodes;
mod parallel;
pub mod project;
pub mod registry;
pub mod relation;
pub mod resolve;
pub mod semantic;
mod shared_configs;
pub mod snapshots;
mod source_config;
mod test_decls;
pub mod test_names;
mod test_nodes;
pub mod versions;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use runner_artifacts::{ManifestMetadata, ResourceType};
use runner_jinja::{Environment, Globals, State, Template, Value};
use runner_project::{FileKind, LoadedProject, Target};
use serde_json::{Map, Value as Json, json};

pub use error::{CompileError, Result};
pub use project::ParsedProject;

/// The dbt-core version whose behaviour runner reproduces.
pub const DBT_VERSION: &str = "1.12.6";

/// What `load` needs.
pub struct LoadOptions {
    /// Project directory.
    pub project_dir: PathBuf,
    /// `--vars`.
    pub cli_vars: Map<String, Json>,
    /// Resolves the target once the project's profile name is known.
    pub target: Box<
        dyn Fn(
            &runner_project::ProjectConfig,
            &dyn Fn(&str) -> std::result::Result<String, String>,
        ) -> std::result::Result<Target, CompileError>,
    >,
    /// `flags` visible to templates (`FULL_REFRESH`, `STORE_FAILURES`, …).
    pub flags: Map<String, Json>,
}

/// Globals for rendering YAML values: `env_var` and `var` (from `--vars`) only, as dbt allows there.
struct YamlGlobals {
    cli_vars: Map<String, Json>,
}

impl Globals for YamlGlobals {
    fn lookup(&self, _state: &State, _package: &str, name: &str) -> Option<Value> {
        match name {
            "env_var" => Some(Value::from_function("env_var", |_, args, kwargs| {
                let name = args
                    .first()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                match std::env::var(&name) {
                    Ok(v) => Ok(Value::from(v)),
                    Err(_) => args
                        .get(1)
                        .or_else(|| kwargs.get("default"))
                        .cloned()
                        .ok_or_else(|| {
                            runner_jinja::Error::new(
                                runner_jinja::ErrorKind::Runtime,
                                format!("Env var required but not provided: '{name}'"),
                            )
                        }),
                }
            })),
            "var" => {
                let vars = self.cli_vars.clone();
                Some(Value::from_function("var", move |_, args, _| {
                    let name = args
                        .first()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default();
                    match vars.get(&name) {
                        Some(v) => Ok(Value::from_json(v)),
                        None => args.get(1).cloned().ok_or_else(|| {
                            runner_jinja::Error::new(
                                runner_jinja::ErrorKind::Runtime,
                                format!("Required var '{name}' not found in config"),
                            )
                        }),
                    }
                }))
            }
            _ => None,
        }
    }
}

/// A renderer for Jinja inside YAML values.
pub fn yaml_renderer(
    cli_vars: &Map<String, Json>,
) -> impl Fn(&str) -> std::result::Result<String, String> + use<> {
    let globals: Arc<dyn Globals> = Arc::new(YamlGlobals {
        cli_vars: cli_vars.clone(),
    });
    // dbt renders YAML with its native filters (`port: "{{ env_var('PORT') | as_number }}"`).
    let env = jinja_environment();
    // The caller names the file, line and key; the one-line template needs no excerpt of its own.
    move |text: &str| {
        let t = Template::parse("<yaml>", text).map_err(|e| e.message().to_string())?;
        env.render(&t, globals.clone(), "")
            .map_err(|e| e.message().to_string())
    }
}

fn jinja_environment() -> Environment {
    let mut env = Environment::new();
    env.add_filter("as_text", |_, v, _, _| Ok(Value::from(v.to_python_str())));
    env.add_filter("as_bool", |_, v, _, _| {
        Ok(match v.as_str() {
            Some("True") | Some("true") => Value::Bool(true),
            Some("False") | Some("false") => Value::Bool(false),
            _ => v,
        })
    });
    env.add_filter("as_number", |_, v, _, _| {
        Ok(match v.as_str() {
            Some(s) => s
                .parse::<i64>()
                .map(Value::Int)
                .or_else(|_| s.parse::<f64>().map(Value::Float))
                .unwrap_or(v.clone()),
            None => v,
        })
    });
    env.add_filter("as_native", |_, v, _, _| Ok(v));
    env
}

/// The manifest metadata for this run.
pub fn metadata(shared: &context::Shared) -> ManifestMetadata {
    let env: BTreeMap<String, String> = std::env::vars()
        .filter_map(|(k, v)| {
            k.strip_prefix("DBT_ENV_CUSTOM_ENV_")
                .map(|s| (s.to_string(), v))
        })
        .collect();
    ManifestMetadata {
        dbt_version: DBT_VERSION.into(),
        generated_at: shared
            .run_started_at
            .format("%Y-%m-%dT%H:%M:%S%.6fZ")
            .to_string(),
        invocation_id: shared.invocation_id.clone(),
        invocation_started_at: shared
            .run_started_at
            .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
            .to_string(),
        env,
        project_name: shared.project_name.clone(),
        project_id: digest::md5_hex(shared.project_name.as_bytes()),
        adapter_type: shared.adapter_type.clone(),
        quoting: json!({"database": true, "schema": true, "identifier": true, "column": null}),
    }
}

/// Loads and parses a project.
pub fn load(opts: &LoadOptions) -> Result<(LoadedProject, ParsedProject)> {
    let render = yaml_renderer(&opts.cli_vars);
    let loaded = LoadedProject::load(&opts.project_dir, &render)?;
    let target = (opts.target)(&loaded.root, &render)?;
    let run_started_at = chrono::Utc::now();
    let invocation_id = uuid::Uuid::new_v4().to_string();
    let mut registry = registry::MacroRegistry::new(&loaded.root.name, &target.adapter_type);
    for (file, text) in registry::BUILTIN_MACRO_FILES {
        let t = Template::parse(&format!("dbt://{file}"), text)
            .map_err(|e| CompileError::jinja(file, &e))?;
        registry.add_template(registry::INTERNAL_PACKAGE, file, Arc::new(t));
    }
    for p in loaded.all_projects() {
        registry.add_package(&p.name);
    }
    for d in &loaded.root.dispatch {
        registry.set_dispatch(&d.macro_namespace, d.search_order.clone());
    }
    for file in loaded
        .files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Macro | FileKind::GenericTest))
    {
        let text = file.read()?;
        let t = Template::parse(&file.rel_path, &text)
            .map_err(|e| CompileError::jinja(&file.rel_path, &e))?;
        registry.add_template(&file.package, &file.rel_path, Arc::new(t));
    }
    let mut target_value: Map<String, Json> = target
        .redacted_fields()
        .into_iter()
        .filter(|(k, _)| !runner_project::is_secret_field(k))
        .collect();
    target_value.insert("name".into(), json!(target.target_name));
    target_value.insert("target_name".into(), json!(target.target_name));
    target_value.insert("profile_name".into(), json!(target.profile_name));
    target_value.insert("type".into(), json!(target.adapter_type));
    target_value.insert("threads".into(), json!(target.threads));
    target_value.insert("database".into(), json!(target.database()));
    target_value.insert("schema".into(), json!(target.schema()));
    let vars = context::Vars {
        cli: opts.cli_vars.clone(),
        root: loaded.root.name.clone(),
        projects: loaded
            .all_projects()
            .map(|p| (p.name.clone(), p.vars.clone()))
            .collect::<HashMap<_, _>>(),
    };
    let project_name = loaded.root.name.clone();
    let target_v = Value::from_json(&Json::Object(target_value));
    let flags_v = Value::from_json(&Json::Object(opts.flags.clone()));
    let shared = Arc::new_cyclic(|weak| context::Shared {
        env: jinja_environment(),
        registry,
        target: target_v.clone(),
        adapter_type: target.adapter_type.clone(),
        project_name: project_name.clone(),
        vars,
        invocation_id: invocation_id.clone(),
        run_started_at,
        flags: flags_v.clone(),
        empty: opts.flags.get("EMPTY") == Some(&Json::Bool(true)),
        globals: {
            let mut g =
                context::objects::run_globals(weak, &project_name, &invocation_id, run_started_at);
            g.insert("target", target_v.clone());
            g.insert("flags", flags_v.clone());
            g
        },
        resolver: std::sync::OnceLock::new(),
        graph: Default::default(),
        default_database: target.database(),
        default_schema: target.schema(),
        naming: Default::default(),
    });
    let created_at = run_started_at.timestamp_micros() as f64 / 1e6;
    let parsed = project::parse_project(&loaded, shared, created_at)?;
    Ok((loaded, parsed))
}

/// The DAG view of a manifest for selection. Node configs are copied only `with_config` (for the
/// `config.` selector method): at 1,000 models they are the largest part of the graph.
pub fn graph_nodes(
    manifest: &runner_artifacts::Manifest,
    with_config: bool,
) -> Vec<runner_graph::GraphNode> {
    let mut out = Vec::new();
    // A node disabled in place (a test of a missing model) is no part of the graph, as in dbt.
    for (id, n) in manifest.nodes.iter().filter(|(_, n)| is_enabled(n)) {
        let rt = match n.resource_type {
            ResourceType::Model => runner_graph::ResourceType::Model,
            ResourceType::Test => runner_graph::ResourceType::Test,
            ResourceType::Seed => runner_graph::ResourceType::Seed,
            ResourceType::Snapshot => runner_graph::ResourceType::Snapshot,
            ResourceType::Analysis => runner_graph::ResourceType::Analysis,
            _ => runner_graph::ResourceType::Operation,
        };
        out.push(runner_graph::GraphNode {
            unique_id: id.clone(),
            resource_type: rt,
            package_name: n.package_name.clone(),
            name: n.name.clone(),
            fqn: n.fqn.clone(),
            original_file_path: n.original_file_path.clone(),
            tags: n.tags.clone(),
            config: if with_config {
                Json::Object((*n.config).clone())
            } else {
                Json::Null
            },
            depends_on: n.depends_on.nodes.clone(),
            test_name: n.test_metadata.as_ref().map(|t| match &t.namespace {
                Some(ns) => format!("{ns}.{}", t.name),
                None => t.name.clone(),
            }),
            test_type: (n.resource_type == ResourceType::Test).then(|| {
                if n.test_metadata.is_some() {
                    runner_graph::TestType::Generic
                } else {
                    runner_graph::TestType::Singular
                }
            }),
            attached_node: n.attached_node.clone(),
            version: n.version.as_ref().map(versions::json_label),
            latest_version: n.latest_version.as_ref().map(versions::json_label),
            access: (n.resource_type == ResourceType::Model).then(|| n.access.clone()),
            ..Default::default()
        });
    }
    use runner_graph::ResourceType as G;
    for (id, s) in &manifest.sources {
        let body = Json::Object(s.body.clone());
        let mut node = json_graph_node(id, G::Source, &body, &body["tags"]);
        node.source_name = s.body["source_name"].as_str().map(String::from);
        out.push(node);
    }
    for (id, r) in &manifest.yaml_resources {
        let rt = match runner_artifacts::yaml_resource_section(id) {
            "metrics" => G::Metric,
            "semantic_models" => G::SemanticModel,
            "saved_queries" => G::SavedQuery,
            _ => G::UnitTest,
        };
        let mut node = json_graph_node(id, rt, r, &r["config"]["tags"]);
        if rt == G::UnitTest {
            node.test_type = Some(runner_graph::TestType::Unit);
            node.attached_node = node.depends_on.first().cloned();
        }
        out.push(node);
    }
    for (id, e) in &manifest.exposures {
        let body = Json::Object(e.body.clone());
        out.push(json_graph_node(id, G::Exposure, &body, &body["tags"]));
    }
    out
}

/// Whether a manifest node takes part in selection and runs (`config.enabled` is not false).
pub fn is_enabled(node: &runner_artifacts::ManifestNode) -> bool {
    node.config.get("enabled") != Some(&Json::Bool(false))
}

/// A graph node for a resource the manifest keeps as JSON (sources, exposures, YAML-only resources).
fn json_graph_node(
    id: &str,
    resource_type: runner_graph::ResourceType,
    body: &Json,
    tags: &Json,
) -> runner_graph::GraphNode {
    let text = |key: &str| body[key].as_str().unwrap_or_default().to_string();
    runner_graph::GraphNode {
        unique_id: id.to_string(),
        resource_type,
        package_name: text("package_name"),
        name: text("name"),
        fqn: serde_json::from_value(body["fqn"].clone()).unwrap_or_default(),
        original_file_path: text("original_file_path"),
        tags: serde_json::from_value(tags.clone()).unwrap_or_default(),
        config: body["config"].clone(),
        depends_on: serde_json::from_value(body["depends_on"]["nodes"].clone()).unwrap_or_default(),
        ..Default::default()
    }
}

/// Where compiled output goes.
pub fn target_dir(project_dir: &Path, target_path: &str) -> PathBuf {
    project_dir.join(target_path)
}
