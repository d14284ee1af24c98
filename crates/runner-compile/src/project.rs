//! Parsing a whole project into a manifest: macros first, then docs, sources, file nodes, generic tests,
//! property patches, and finally dependency resolution and the DAG check.

use std::collections::BTreeMap;
use std::sync::Arc;

use runner_artifacts::{Manifest, ManifestNode, SourceNode};
use runner_jinja::Template;
use runner_project::{FileKind, LoadedProject, PropertyEntry, PropertyKind};
use serde_json::{Map, Value as Json, json};

use crate::context::{NodeScope, Phase, RenderContext, Shared};
use crate::error::{CompileError, Result};
use crate::nodes::resource_type_of;
use crate::test_decls::columns_of;

/// A parsed project: the manifest plus each node's parsed template, ready to compile.
pub struct ParsedProject {
    /// The manifest.
    pub manifest: Manifest,
    /// Parsed SQL templates by node unique id.
    pub templates: foldhash::HashMap<String, Arc<Template>>,
    /// Test kwargs by test unique id (for compile-time rendering).
    pub test_kwargs: foldhash::HashMap<String, Map<String, Json>>,
    /// Run-wide context.
    pub shared: Arc<Shared>,
}

pub(crate) fn props_key(
    kind: PropertyKind,
    package: &str,
    name: &str,
) -> (PropertyKind, String, String) {
    (kind, package.to_string(), name.to_string())
}

fn column_json(name: &str, body: &Json, description: String) -> Json {
    let meta = body.get("meta").cloned().unwrap_or_else(|| json!({}));
    let tags = body.get("tags").cloned().unwrap_or_else(|| json!([]));
    json!({
        "name": name,
        "description": description,
        "meta": meta,
        "data_type": body.get("data_type").cloned().unwrap_or(Json::Null),
        "constraints": body.get("constraints").cloned().unwrap_or_else(|| json!([])),
        "quote": body.get("quote").cloned().unwrap_or(Json::Null),
        "config": {"meta": meta, "tags": tags},
        "tags": tags,
        "granularity": body.get("granularity").cloned().unwrap_or(Json::Null),
        "dimension": Json::Null,
        "entity": Json::Null,
        "doc_blocks": [],
    })
}

/// Files `node` under the manifest's `disabled` map when its config says `enabled: false`.
fn moved_to_disabled(node: &ManifestNode, disabled: &mut BTreeMap<String, Vec<Json>>) -> bool {
    if node.config.get("enabled") != Some(&Json::Bool(false)) {
        return false;
    }
    disabled
        .entry(node.unique_id.clone())
        .or_default()
        .push(node.to_json());
    true
}

/// The named columns of `body` in the manifest's layout, descriptions rendered (`doc()`).
pub(crate) fn described_columns(
    shared: &Arc<Shared>,
    docs: &BTreeMap<String, Json>,
    package: &str,
    file: &str,
    body: &Json,
) -> Result<Map<String, Json>> {
    let mut columns = Map::new();
    for c in columns_of(body) {
        if let Some(n) = c.get("name").and_then(Json::as_str) {
            let d = c.get("description").and_then(Json::as_str).unwrap_or("");
            let d = render_description(shared, docs, package, d, file)?;
            columns.insert(n.to_string(), column_json(n, c, d));
        }
    }
    Ok(columns)
}

/// Directories of a property file below its resource path (`models/staging/x.yml` gives `["staging"]`),
/// which dbt puts in the fqn of the tests and sources it declares.
pub(crate) fn yml_dirs(file: &str) -> Vec<String> {
    let parts: Vec<&str> = file.split('/').skip(1).collect();
    match parts.split_last() {
        Some((_, dirs)) => dirs.iter().map(|s| s.to_string()).collect(),
        None => Vec::new(),
    }
}

/// Renders `{{ doc('x') }}` in a description.
pub(crate) fn render_description(
    shared: &Arc<Shared>,
    docs: &BTreeMap<String, Json>,
    package: &str,
    text: &str,
    file: &str,
) -> Result<String> {
    if !text.contains("{{") && !text.contains("{%") {
        return Ok(text.to_string());
    }
    let template = Template::parse(file, text).map_err(|e| CompileError::jinja(file, &e))?;
    let mut scope = NodeScope::new(Phase::Parse, package, file);
    let docs = docs.clone();
    let pkg = package.to_string();
    scope.extra.insert(
        "doc".into(),
        runner_jinja::Value::from_function("doc", move |_, args, _| {
            let names: Vec<String> = args
                .iter()
                .filter_map(|a| a.as_str().map(String::from))
                .collect();
            let (p, n) = match names.as_slice() {
                [n] => (pkg.clone(), n.clone()),
                [p, n] => (p.clone(), n.clone()),
                _ => {
                    return Err(runner_jinja::Error::new(
                        runner_jinja::ErrorKind::Type,
                        "doc() takes one or two names",
                    ));
                }
            };
            let found = docs
                .get(&format!("doc.{p}.{n}"))
                .or_else(|| docs.values().find(|d| d["name"] == n.as_str()));
            match found {
                Some(d) => Ok(runner_jinja::Value::from(
                    d["block_contents"].as_str().unwrap_or(""),
                )),
                None => Err(runner_jinja::Error::new(
                    runner_jinja::ErrorKind::Runtime,
                    format!("Documentation for '{n}' not found"),
                )),
            }
        }),
    );
    let ctx = Arc::new(RenderContext {
        shared: shared.clone(),
        scope: Arc::new(scope),
    });
    ctx.render(&template)
        .map_err(|e| CompileError::jinja(file, &e))
}

/// Parses the loaded project.
pub fn parse_project(
    loaded: &LoadedProject,
    shared: Arc<Shared>,
    created_at: f64,
) -> Result<ParsedProject> {
    let mut templates: foldhash::HashMap<String, Arc<Template>> = Default::default();
    let mut test_kwargs: foldhash::HashMap<String, Map<String, Json>> = Default::default();
    let mut docs: BTreeMap<String, Json> = BTreeMap::new();
    let mut props: foldhash::HashMap<(PropertyKind, String, String), PropertyEntry> =
        Default::default();
    let mut sources: BTreeMap<String, SourceNode> = BTreeMap::new();
    let mut nodes: BTreeMap<String, ManifestNode> = BTreeMap::new();
    let mut disabled: BTreeMap<String, Vec<Json>> = BTreeMap::new();

    // The docs site's front page when a project defines none of its own (`{% docs __overview__ %}`).
    docs.insert(
        "doc.dbt.__overview__".to_string(),
        json!({
            "name": "__overview__", "resource_type": "doc", "package_name": "dbt",
            "path": "overview.md", "original_file_path": "docs/overview.md",
            "unique_id": "doc.dbt.__overview__",
            "block_contents": "### Welcome\n\nThis is the generated documentation of this dbt project: \
                               its models, sources, tests and how they depend on each other.",
        }),
    );
    // Property files are read on parse threads (YAML parsing is most of it), filed in file order.
    let property_files: Vec<_> = loaded
        .files
        .iter()
        .filter(|f| f.kind == FileKind::Properties)
        .collect();
    for entries in crate::parallel::map_in_order(
        property_files,
        crate::parallel::LARGE_ITEMS_PER_THREAD,
        runner_project::properties::read_entries,
    ) {
        for entry in entries? {
            props.insert(props_key(entry.kind, &entry.package, &entry.name), entry);
        }
    }
    for file in loaded.files.iter().filter(|f| f.kind == FileKind::Docs) {
        let text = file.read()?;
        let t = Template::parse(&file.rel_path, &text)
            .map_err(|e| CompileError::jinja(&file.rel_path, &e))?;
        for b in t.blocks() {
            if matches!(b.kind, runner_jinja::BlockKind::Docs) {
                let id = format!("doc.{}.{}", file.package, b.name);
                docs.insert(
                    id.clone(),
                    json!({
                        "name": b.name, "resource_type": "doc", "package_name": file.package,
                        "path": file.path_in_resource_dir, "original_file_path": file.rel_path,
                        "unique_id": id, "block_contents": b.body.trim(),
                    }),
                );
            }
        }
    }

    // Sources.
    let mut source_tests = Vec::new();
    for entry in props.values().filter(|e| e.kind == PropertyKind::Sources) {
        let src = &entry.body;
        // dbt renders a source's location (`schema: "{{ target.schema }}"` is common).
        let render =
            |text: &str| render_description(&shared, &docs, &entry.package, text, &entry.file);
        let schema = render(
            src.get("schema")
                .and_then(Json::as_str)
                .unwrap_or(&entry.name),
        )?;
        let database = match src.get("database").and_then(Json::as_str) {
            Some(d) => Some(render(d)?),
            None => Some(shared.default_database.clone()),
        };
        for table in src
            .get("tables")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let Some(tname) = table.get("name").and_then(Json::as_str) else {
                continue;
            };
            let id = format!("source.{}.{}.{}", entry.package, entry.name, tname);
            let identifier = render(
                table
                    .get("identifier")
                    .and_then(Json::as_str)
                    .unwrap_or(tname),
            )?;
            let dirs: Vec<String> = yml_dirs(&entry.file);
            let mut fqn = vec![entry.package.clone()];
            fqn.extend(dirs);
            fqn.push(entry.name.clone());
            fqn.push(tname.to_string());
            let rel = crate::relation::Relation::new(
                database.clone(),
                Some(schema.clone()),
                Some(identifier.clone()),
            );
            let columns = described_columns(&shared, &docs, &entry.package, &entry.file, table)?;
            crate::test_decls::on_source_table(entry, table, &mut source_tests);
            let desc = table
                .get("description")
                .and_then(Json::as_str)
                .unwrap_or("");
            let desc = render_description(&shared, &docs, &entry.package, desc, &entry.file)?;
            let src_desc = src.get("description").and_then(Json::as_str).unwrap_or("");
            let settings = crate::source_config::resolve(
                loaded,
                &entry.package,
                &fqn,
                src,
                table,
                &entry.file,
            )?;
            let enabled = settings.enabled();
            let crate::source_config::SourceSettings {
                config,
                unrendered,
                source_meta,
            } = settings;
            // The node repeats these config values at its top level.
            let [loaded_at_field, loaded_at_query, freshness, meta, tags] = [
                "loaded_at_field",
                "loaded_at_query",
                "freshness",
                "meta",
                "tags",
            ]
            .map(|key| config.get(key).cloned().unwrap_or(Json::Null));
            let mut body = Map::new();
            for (k, v) in [
                ("database", json!(database)),
                ("schema", json!(schema)),
                ("name", json!(tname)),
                ("resource_type", json!("source")),
                ("package_name", json!(entry.package)),
                ("path", json!(entry.file)),
                ("original_file_path", json!(entry.file)),
                ("unique_id", json!(id)),
                ("fqn", json!(fqn)),
                ("source_name", json!(entry.name)),
                ("source_description", json!(src_desc)),
                (
                    "loader",
                    json!(src.get("loader").and_then(Json::as_str).unwrap_or("")),
                ),
                ("identifier", json!(identifier)),
                (
                    "quoting",
                    json!({"database": null, "schema": null, "identifier": null, "column": null}),
                ),
                ("loaded_at_field", loaded_at_field),
                ("loaded_at_query", loaded_at_query),
                ("freshness", freshness),
                ("external", Json::Null),
                ("description", json!(desc)),
                ("columns", Json::Object(columns)),
                ("meta", meta),
                ("source_meta", source_meta),
                ("tags", tags),
                ("config", Json::Object(config)),
                ("patch_path", Json::Null),
                ("unrendered_config", Json::Object(unrendered)),
                ("relation_name", json!(rel.render())),
                ("created_at", json!(created_at)),
                ("unrendered_database", Json::Null),
                ("unrendered_schema", Json::Null),
                ("doc_blocks", json!([])),
            ] {
                body.insert(k.to_string(), v);
            }
            // A disabled table is listed under `disabled`; tests on it stay, disabled by resolve.
            if !enabled {
                disabled.entry(id).or_default().push(Json::Object(body));
                continue;
            }
            sources.insert(
                id.clone(),
                SourceNode {
                    body,
                    unique_id: id,
                },
            );
        }
    }

    // File nodes: built in parallel (a file's nodes depend only on the project, its properties and
    // docs, never on another file's nodes), then filed in file order.
    let versions = crate::versions::versioned_files(props.values());
    let node_files: Vec<&runner_project::ProjectFile> = loaded
        .files
        .iter()
        .filter(|f| resource_type_of(f.kind).is_some())
        .collect();
    let configs = crate::shared_configs::SharedConfigs::default();
    let inputs = crate::file_nodes::FileInputs {
        loaded,
        configs: &configs,
        shared: &shared,
        docs: &docs,
        props: &props,
        versions: &versions,
        created_at,
    };
    let built = crate::parallel::map_in_order(
        node_files,
        crate::parallel::SMALL_ITEMS_PER_THREAD,
        |file| inputs.nodes_of(file),
    );
    for file_nodes in built {
        for (node, template) in file_nodes? {
            if let Some(template) = template {
                templates.insert(node.unique_id.clone(), template);
            }
            // `enabled: false` (from any config level) moves the node to the manifest's `disabled` map.
            if moved_to_disabled(&node, &mut disabled) {
                continue;
            }
            if let Some(prev) = nodes.get(&node.unique_id) {
                return Err(CompileError::Duplicate {
                    name: node.name.clone(),
                    first: prev.original_file_path.clone(),
                    second: node.original_file_path.clone(),
                });
            }
            nodes.insert(node.unique_id.clone(), node);
        }
    }

    for (node, template) in crate::hooks::parse(loaded, &shared, created_at)? {
        templates.insert(node.unique_id.clone(), template);
        nodes.insert(node.unique_id.clone(), node);
    }

    // Generic tests: models' and seeds' first, then sources'. Each is built and finished (config,
    // name, parse-time render) on its own, so in parallel; they are filed in declaration order.
    let mut declared = Vec::new();
    for entry in props
        .values()
        .filter(|e| matches!(e.kind, PropertyKind::Models | PropertyKind::Seeds))
    {
        let exists = |id: &str| nodes.contains_key(id) || disabled.contains_key(id);
        crate::test_decls::on_node(entry, exists, &mut declared);
    }
    declared.append(&mut source_tests);
    let finished =
        crate::parallel::map_in_order(declared, crate::parallel::SMALL_ITEMS_PER_THREAD, |test| {
            let (built, decl) = test.build(created_at)?;
            crate::test_nodes::finish(loaded, &shared, &configs, built, &decl, test.package())
        });
    for result in finished {
        let (node, kwargs) = result?;
        // A test configured `enabled: false` goes to `disabled`, as other nodes do.
        if moved_to_disabled(&node, &mut disabled) {
            continue;
        }
        test_kwargs.insert(node.unique_id.clone(), kwargs);
        nodes.insert(node.unique_id.clone(), node);
    }

    let mut manifest = Manifest {
        metadata: crate::metadata(&shared),
        nodes,
        sources,
        macros: BTreeMap::new(),
        docs,
        exposures: BTreeMap::new(),
        selectors: match std::fs::read_to_string(loaded.root.root.join("selectors.yml")) {
            Ok(text) => runner_graph::manifest_selectors(&text, "selectors.yml")?,
            Err(_) => Map::new(),
        },
        disabled,
        yaml_resources: BTreeMap::new(),
    };
    let index = crate::resolve::DependencyIndex::new(&manifest);
    crate::resolve::resolve_dependencies(&mut manifest, &index)?;
    manifest.exposures = crate::exposures::parse(&shared, props.values(), &index, created_at)?;
    manifest.yaml_resources =
        crate::semantic::parse(&shared, props.values(), &manifest, &index, created_at)?;
    for entry in shared.registry.all() {
        manifest.macros.insert(
            entry.unique_id.clone(),
            crate::resolve::macro_node(entry, created_at),
        );
    }
    let graph_used = templates
        .values()
        .map(|t| t.source())
        .chain(shared.registry.all().iter().map(|m| m.template.source()))
        .any(crate::context::flat_graph::mentions_graph);
    shared.graph.install(&manifest, graph_used);
    crate::parallel::drop_in_background(props);
    Ok(ParsedProject {
        manifest,
        templates,
        test_kwargs,
        shared,
    })
}
