//! Building manifest nodes from resource files: fqn, config precedence, parse-time rendering for refs,
//! sources and `config()`, and relation naming through `generate_*_name`.

use std::sync::Arc;

use runner_artifacts::{Checksum, ManifestNode, ResourceType};
use runner_jinja::{Template, Value};
use runner_project::{FileKind, LoadedProject, ProjectFile};
use serde_json::{Map, Value as Json, json};

use crate::config::{default_config, merge_into, project_tree_configs};
use crate::context::{NodeScope, Phase, RenderContext, Shared};
use crate::error::{CompileError, Result};
use crate::naming::NamingHook;
use crate::relation::Relation;

/// The project-tree key for a resource type in dbt_project.yml.
fn tree_for(p: &runner_project::ProjectConfig, rt: ResourceType) -> &Json {
    match rt {
        ResourceType::Seed => &p.seeds,
        ResourceType::Snapshot => &p.snapshots,
        ResourceType::Test => &p.data_tests,
        ResourceType::Source => &p.sources,
        _ => &p.models,
    }
}

/// Resolves a node's config from the project trees and property config; returns (config, unrendered).
pub fn base_config(
    loaded: &LoadedProject,
    rt: ResourceType,
    package: &str,
    fqn: &[String],
    properties: Option<&Map<String, Json>>,
) -> (Map<String, Json>, Map<String, Json>) {
    let mut config = default_config(rt);
    let mut unrendered = Map::new();
    let own = loaded.package(package).expect("node of a loaded package");
    for level in project_tree_configs(tree_for(own, rt), fqn) {
        merge_into(&mut config, &level);
        merge_into(&mut unrendered, &level);
    }
    if let Some(p) = properties {
        merge_into(&mut config, p);
        merge_into(&mut unrendered, p);
    }
    (config, unrendered)
}

/// Applies in-file `config()` calls, then (for package nodes) the root project's tree, which wins over both.
/// Returns whether the config may have changed (a call or root level was merged, or a hook was
/// rewritten as an object): when it has not, a relation named before is still right.
pub fn finish_config(
    loaded: &LoadedProject,
    rt: ResourceType,
    package: &str,
    fqn: &[String],
    config: &mut Map<String, Json>,
    unrendered: &mut Map<String, Json>,
    calls: &[Map<String, Json>],
) -> bool {
    let mut changed = false;
    for call in calls {
        merge_into(config, call);
        merge_into(unrendered, call);
        changed = true;
    }
    if package != loaded.root.name {
        for level in project_tree_configs(tree_for(&loaded.root, rt), fqn) {
            merge_into(config, &level);
            merge_into(unrendered, &level);
            changed = true;
        }
    }
    crate::config::hooks_as_objects(config) || changed
}

/// A file node's `tags` in dbt's order: project levels, then in-file `config()` calls, then the
/// property file, then (for package nodes) the root project's levels. (`config.tags` keeps the merge
/// order, project, properties, calls, as dbt's does; only the node's own `tags` list differs.)
pub fn ordered_tags(
    loaded: &LoadedProject,
    rt: ResourceType,
    package: &str,
    fqn: &[String],
    calls: &[Map<String, Json>],
    properties: Option<&Map<String, Json>>,
) -> Vec<String> {
    let mut ordered: Vec<String> = Vec::new();
    let mut add = |layer: &Map<String, Json>| {
        for (k, v) in layer {
            if crate::config::normalize_key(k) == "tags" {
                for t in crate::config::listify(v) {
                    if let Some(t) = t.as_str().filter(|t| !ordered.iter().any(|o| o == t)) {
                        ordered.push(t.to_string());
                    }
                }
            }
        }
    };
    let own = loaded.package(package).expect("node of a loaded package");
    project_tree_configs(tree_for(own, rt), fqn)
        .iter()
        .for_each(&mut add);
    calls.iter().for_each(&mut add);
    properties.into_iter().for_each(&mut add);
    if package != loaded.root.name {
        project_tree_configs(tree_for(&loaded.root, rt), fqn)
            .iter()
            .for_each(&mut add);
    }
    ordered
}

/// sha256 of a file's contents, as dbt's `checksum`.
pub fn file_checksum(contents: &[u8]) -> Checksum {
    Checksum {
        name: "sha256".into(),
        checksum: crate::digest::sha256_hex(contents),
    }
}

/// fqn for a file-based node: package, directories below the resource path, name.
pub fn file_fqn(file: &ProjectFile, name: &str) -> Vec<String> {
    let mut fqn = vec![file.package.clone()];
    let parts: Vec<&str> = file.path_in_resource_dir.split('/').collect();
    for dir in &parts[..parts.len().saturating_sub(1)] {
        fqn.push((*dir).to_string());
    }
    fqn.push(name.to_string());
    fqn
}

/// The resource type a SQL file becomes.
pub fn resource_type_of(kind: FileKind) -> Option<ResourceType> {
    Some(match kind {
        FileKind::Model => ResourceType::Model,
        FileKind::Seed => ResourceType::Seed,
        FileKind::SingularTest => ResourceType::Test,
        FileKind::Analysis => ResourceType::Analysis,
        FileKind::Snapshot => ResourceType::Snapshot,
        _ => return None,
    })
}

fn json_str(v: Option<&Json>) -> Option<String> {
    match v? {
        Json::String(s) => Some(s.clone()),
        Json::Null => None,
        other => Some(other.to_string()),
    }
}

/// Sets database, schema, alias and relation_name by calling the `generate_*_name` macros (or
/// their memoised built-in results, see [`crate::naming`]).
pub fn name_relation(shared: &Arc<Shared>, node: &mut ManifestNode) -> Result<()> {
    let scope = Arc::new(NodeScope::new(Phase::Parse, &node.package_name, "<naming>"));
    let ctx = Arc::new(RenderContext {
        shared: shared.clone(),
        scope,
    });
    // The node as templates see it, built only if a macro that may read it runs.
    let node_value = std::cell::OnceCell::new();
    let call = |hook: NamingHook, custom: Option<String>, node_arg: bool| -> Result<String> {
        let macro_name = hook.macro_name();
        let entry = shared
            .registry
            .resolve(&shared.project_name, macro_name)
            .ok_or_else(|| CompileError::Jinja {
                file: node.original_file_path.clone(),
                message: format!("macro '{macro_name}' is not defined"),
            })?;
        let node_arg = if node_arg {
            node_value
                .get_or_init(|| Value::from_json(&node.to_json()))
                .clone()
        } else {
            Value::None
        };
        let custom = custom.map(Value::from).unwrap_or(Value::None);
        let out = ctx
            .call(&entry.value(), vec![custom, node_arg])
            .map_err(|e| CompileError::jinja(&entry.file, &e))?;
        Ok(out.to_python_str().trim().to_string())
    };
    let builtin = |hook| {
        shared
            .naming
            .is_builtin(&shared.registry, &shared.project_name, hook)
    };
    // The built-ins read the node only for an alias without a custom name.
    let named = |hook: NamingHook, custom: Option<String>| -> Result<String> {
        if !builtin(hook) {
            return call(hook, custom, true);
        }
        let custom_is_truthy = custom.as_deref().is_some_and(|c| !c.is_empty());
        if hook == NamingHook::Alias && !custom_is_truthy {
            return match node.version {
                None | Some(Json::Null) => Ok(node.name.trim().to_string()),
                Some(_) => call(hook, custom, true),
            };
        }
        shared.naming.get_or_render(hook, custom.as_deref(), || {
            call(hook, custom.clone(), false)
        })
    };
    let database = named(NamingHook::Database, json_str(node.config.get("database")))?;
    let schema = named(NamingHook::Schema, json_str(node.config.get("schema")))?;
    let alias = named(NamingHook::Alias, json_str(node.config.get("alias")))?;
    node.database = Some(database).filter(|d| !d.is_empty());
    node.schema = schema;
    if node.resource_type == ResourceType::Snapshot {
        crate::snapshots::apply_target_location(node);
    }
    if node.resource_type != ResourceType::Test
        || node.config.get("alias").is_some_and(|a| !a.is_null())
    {
        node.alias = alias;
    }
    let relational = matches!(
        node.resource_type,
        ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot
    ) && node.config.get("materialized").and_then(Json::as_str)
        != Some("ephemeral");
    if !relational {
        node.relation_name = None;
    } else {
        node.relation_name = Some(
            Relation::new(
                node.database.clone(),
                Some(node.schema.clone()),
                Some(node.alias.clone()),
            )
            .render(),
        );
    }
    Ok(())
}

/// Renders a node's SQL at parse time and records refs, sources, config calls and direct macro calls.
/// The node is lent to the render (as `model`, `this` and `config.get`) and put back afterwards.
pub fn parse_render(
    shared: &Arc<Shared>,
    node: &mut ManifestNode,
    template: &Template,
    extra: foldhash::HashMap<String, Value>,
) -> Result<crate::context::Captured> {
    let placeholder = ManifestNode::new(node.resource_type, "", "");
    let lent = Arc::new(std::mem::replace(node, placeholder));
    let mut scope = NodeScope::new(Phase::Parse, &lent.package_name, template.name());
    scope.this = Some(Relation::new(
        lent.database.clone(),
        Some(lent.schema.clone()),
        Some(lent.alias.clone()),
    ));
    scope.model_node = Some(lent.clone());
    scope.extra = extra;
    let scope = Arc::new(scope);
    let ctx = Arc::new(RenderContext {
        shared: shared.clone(),
        scope: scope.clone(),
    });
    let rendered = ctx.render(template);
    let captured = scope.take_captured();
    drop(ctx);
    drop(scope);
    // A value made during the render may still hold the scope (a macro kept in a namespace);
    // then the node is copied back instead of moved.
    *node = Arc::try_unwrap(lent).unwrap_or_else(|kept| (*kept).clone());
    rendered.map_err(|e| CompileError::jinja(&node.original_file_path, &e))?;
    Ok(captured)
}

/// Renders each YAML expression (`ref('orders')`, `source('raw', 't')`) in parse mode for `package`
/// and returns the refs and sources it recorded: exposures' `depends_on`, semantic models' `model`.
pub fn capture_expressions<'a>(
    shared: &Arc<Shared>,
    package: &str,
    file: &str,
    expressions: impl IntoIterator<Item = &'a str>,
) -> Result<crate::context::Captured> {
    let scope = Arc::new(NodeScope::new(Phase::Parse, package, file));
    let ctx = Arc::new(RenderContext {
        shared: shared.clone(),
        scope: scope.clone(),
    });
    for expr in expressions {
        let t = Template::parse(file, &format!("{{{{ {expr} }}}}"))
            .map_err(|e| CompileError::jinja(file, &e))?;
        ctx.render(&t).map_err(|e| CompileError::jinja(file, &e))?;
    }
    Ok(scope.take_captured())
}

/// A node for a model, analysis, singular test or seed file, before parse-time rendering.
pub fn node_for_file(
    loaded: &LoadedProject,
    file: &ProjectFile,
    rt: ResourceType,
    contents: &str,
    properties: Option<&Map<String, Json>>,
    created_at: f64,
) -> ManifestNode {
    let name = file.stem().to_string();
    let mut node = ManifestNode::new(rt, &file.package, &name);
    node.unique_id = format!("{}.{}.{}", rt.as_str(), file.package, name);
    node.path = file.path_in_resource_dir.clone();
    node.original_file_path = file.rel_path.clone();
    node.fqn = file_fqn(file, &name);
    if rt == ResourceType::Analysis {
        // dbt files analyses under an `analysis` folder in both path and fqn.
        node.path = format!("analysis/{}", node.path);
        node.fqn.insert(1, "analysis".to_string());
    }
    // dbt strips SQL files on load and checksums them with all whitespace runs collapsed to one space;
    // seeds are checksummed as stripped text.
    node.checksum = if rt == ResourceType::Seed {
        file_checksum(contents.trim().as_bytes())
    } else {
        file_checksum(
            contents
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .as_bytes(),
        )
    };
    node.created_at = created_at;
    let (config, unrendered) = base_config(loaded, rt, &file.package, &node.fqn, properties);
    node.config = config.into();
    node.unrendered_config = unrendered;
    if rt == ResourceType::Seed {
        node.root_path = Some(
            loaded
                .package(&file.package)
                .map(|p| p.root.display().to_string())
                .unwrap_or_default(),
        );
    } else {
        node.raw_code = contents.trim().to_string();
    }
    if rt == ResourceType::Test {
        node.contract = json!({"enforced": false, "alias_types": true, "checksum": null});
    }
    node
}
