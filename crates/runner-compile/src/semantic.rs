//! Resources declared only in property YAML: semantic models, metrics, saved queries and unit tests.
//! runner does not run the semantic layer (as dbt-core does not); it keeps these resources in the
//! manifest with their dependencies so `ls`, selection and `build` treat them as dbt does.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use runner_artifacts::{Manifest, RefArgs};
use runner_project::properties::{PropertyEntry, PropertyKind};
use serde_json::{Map, Value as Json, json};

use crate::context::Shared;
use crate::error::{CompileError, Result};
use crate::resolve::DependencyIndex;

/// A resource before its dependencies are resolved.
struct Pending {
    id: String,
    body: Map<String, Json>,
    deps: Vec<Dep>,
    file: String,
}

enum Dep {
    /// A model: a unit test's `model:` name, or the `ref()` in a semantic model's `model:`.
    Model(RefArgs),
    /// The semantic model defining this measure.
    Measure(String),
    /// Another metric.
    Metric(String),
}

fn base(
    entry: &PropertyEntry,
    rt: &str,
    id: &str,
    name: &str,
    fqn: Vec<String>,
) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("name".into(), json!(name));
    m.insert("resource_type".into(), json!(rt));
    m.insert("package_name".into(), json!(entry.package));
    let path = entry
        .file
        .split_once('/')
        .map_or(entry.file.as_str(), |(_, p)| p);
    m.insert("path".into(), json!(path));
    m.insert("original_file_path".into(), json!(entry.file));
    m.insert("unique_id".into(), json!(id));
    m.insert("fqn".into(), json!(fqn));
    m
}

fn field(e: &Json, key: &str) -> Json {
    e.get(key).cloned().unwrap_or(Json::Null)
}

/// A metric input written as `name` or `{name: …}`.
fn input_name(v: &Json) -> Option<String> {
    v.as_str()
        .map(String::from)
        .or_else(|| v.get("name")?.as_str().map(String::from))
}

fn fqn_of(entry: &PropertyEntry, tail: &[&str]) -> Vec<String> {
    std::iter::once(entry.package.clone())
        .chain(crate::project::yml_dirs(&entry.file))
        .chain(tail.iter().map(|s| s.to_string()))
        .collect()
}

/// Builds the YAML-only resources of `entries` and resolves their `depends_on` against `manifest`.
pub fn parse<'a>(
    shared: &Arc<Shared>,
    entries: impl Iterator<Item = &'a PropertyEntry>,
    manifest: &Manifest,
    index: &DependencyIndex,
    created_at: f64,
) -> Result<BTreeMap<String, Json>> {
    let mut pending = Vec::new();
    for entry in entries {
        let e = &entry.body;
        let name = entry.name.as_str();
        let config = |extra: Json| {
            let mut c = json!({"enabled": true, "group": null, "meta": {}});
            if let (Some(c), Some(x)) = (c.as_object_mut(), extra.as_object()) {
                c.extend(x.clone());
            }
            if let (Some(c), Some(user)) =
                (c.as_object_mut(), e.get("config").and_then(Json::as_object))
            {
                c.extend(user.clone());
            }
            c
        };
        match entry.kind {
            PropertyKind::SemanticModels => {
                let id = format!("semantic_model.{}.{name}", entry.package);
                let mut b = base(entry, "semantic_model", &id, name, fqn_of(entry, &[name]));
                for k in [
                    "model",
                    "node_relation",
                    "description",
                    "label",
                    "defaults",
                    "entities",
                    "measures",
                    "dimensions",
                    "metadata",
                ] {
                    b.insert(k.into(), field(e, k));
                }
                b.insert("created_at".into(), json!(created_at));
                b.insert("config".into(), config(json!({})));
                b.insert("unrendered_config".into(), json!({}));
                b.insert("primary_entity".into(), field(e, "primary_entity"));
                b.insert("group".into(), Json::Null);
                let captured = crate::nodes::capture_expressions(
                    shared,
                    &entry.package,
                    &entry.file,
                    e.get("model").and_then(Json::as_str),
                )?;
                pending.push(Pending {
                    id,
                    body: b,
                    deps: captured.refs.into_iter().map(Dep::Model).collect(),
                    file: entry.file.clone(),
                });
            }
            PropertyKind::Metrics => {
                let id = format!("metric.{}.{name}", entry.package);
                let mut b = base(entry, "metric", &id, name, fqn_of(entry, &[name]));
                for k in [
                    "description",
                    "label",
                    "type",
                    "type_params",
                    "filter",
                    "metadata",
                    "time_granularity",
                ] {
                    b.insert(k.into(), field(e, k));
                }
                b.insert("config".into(), config(json!({})));
                b.insert("unrendered_config".into(), json!({}));
                b.insert("sources".into(), json!([]));
                b.insert("refs".into(), json!([]));
                b.insert("metrics".into(), json!([]));
                b.insert("created_at".into(), json!(created_at));
                b.insert("group".into(), Json::Null);
                b.insert(
                    "meta".into(),
                    e.get("meta").cloned().unwrap_or_else(|| json!({})),
                );
                b.insert(
                    "tags".into(),
                    e.get("tags").cloned().unwrap_or_else(|| json!([])),
                );
                let tp = e.get("type_params").cloned().unwrap_or(Json::Null);
                let mut deps = Vec::new();
                for key in ["measure"] {
                    if let Some(n) = tp.get(key).and_then(input_name) {
                        deps.push(Dep::Measure(n));
                    }
                }
                for key in ["numerator", "denominator"] {
                    if let Some(n) = tp.get(key).and_then(input_name) {
                        deps.push(Dep::Metric(n));
                    }
                }
                for m in tp
                    .get("metrics")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(n) = input_name(m) {
                        deps.push(Dep::Metric(n));
                    }
                }
                if let Some(c) = tp.get("conversion_type_params") {
                    for key in ["base_measure", "conversion_measure"] {
                        if let Some(n) = c.get(key).and_then(input_name) {
                            deps.push(Dep::Measure(n));
                        }
                    }
                }
                pending.push(Pending {
                    id,
                    body: b,
                    deps,
                    file: entry.file.clone(),
                });
            }
            PropertyKind::SavedQueries => {
                let id = format!("saved_query.{}.{name}", entry.package);
                let mut b = base(entry, "saved_query", &id, name, fqn_of(entry, &[name]));
                for k in [
                    "query_params",
                    "exports",
                    "description",
                    "label",
                    "metadata",
                ] {
                    b.insert(k.into(), field(e, k));
                }
                b.insert(
                    "config".into(),
                    config(json!({"export_as": null, "schema": null, "cache": {"enabled": false}})),
                );
                b.insert("unrendered_config".into(), json!({}));
                b.insert("group".into(), Json::Null);
                b.insert("created_at".into(), json!(created_at));
                b.insert("refs".into(), json!([]));
                b.insert(
                    "tags".into(),
                    e.get("tags").cloned().unwrap_or_else(|| json!([])),
                );
                let deps = e["query_params"]["metrics"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(input_name)
                    .map(Dep::Metric)
                    .collect();
                pending.push(Pending {
                    id,
                    body: b,
                    deps,
                    file: entry.file.clone(),
                });
            }
            PropertyKind::UnitTests => {
                let model = e
                    .get("model")
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_string();
                let id = format!("unit_test.{}.{model}.{name}", entry.package);
                let mut b = Map::new();
                b.insert("model".into(), json!(model));
                b.insert(
                    "given".into(),
                    e.get("given").cloned().unwrap_or_else(|| json!([])),
                );
                b.insert("expect".into(), field(e, "expect"));
                b.extend(base(
                    entry,
                    "unit_test",
                    &id,
                    name,
                    fqn_of(entry, &[&model, name]),
                ));
                b.insert(
                    "description".into(),
                    e.get("description").cloned().unwrap_or(json!("")),
                );
                b.insert("overrides".into(), field(e, "overrides"));
                b.insert("config".into(), {
                    let mut c =
                        json!({"tags": [], "meta": {}, "enabled": true, "static_analysis": null});
                    if let (Some(c), Some(user)) =
                        (c.as_object_mut(), e.get("config").and_then(Json::as_object))
                    {
                        c.extend(user.clone());
                    }
                    c
                });
                // dbt hashes the test's definition; runner uses the sha256 of its YAML entry as JSON.
                b.insert(
                    "checksum".into(),
                    json!(crate::nodes::file_checksum(e.to_string().as_bytes()).checksum),
                );
                b.insert("schema".into(), Json::Null);
                b.insert("created_at".into(), json!(created_at));
                b.insert("versions".into(), field(e, "versions"));
                b.insert("version".into(), Json::Null);
                pending.push(Pending {
                    id,
                    body: b,
                    deps: vec![Dep::Model(RefArgs {
                        name: model,
                        package: None,
                        version: None,
                    })],
                    file: entry.file.clone(),
                });
            }
            _ => {}
        }
    }
    resolve(pending, manifest, index)
}

fn resolve(
    pending: Vec<Pending>,
    manifest: &Manifest,
    index: &DependencyIndex,
) -> Result<BTreeMap<String, Json>> {
    let mut measure_owner: HashMap<String, String> = HashMap::new();
    let mut metric_ids: HashMap<String, String> = HashMap::new();
    for p in &pending {
        if p.id.starts_with("semantic_model.") {
            for m in p.body["measures"].as_array().into_iter().flatten() {
                if let Some(n) = m.get("name").and_then(Json::as_str) {
                    measure_owner.insert(n.to_string(), p.id.clone());
                }
            }
        } else if p.id.starts_with("metric.") {
            metric_ids.insert(
                p.body["name"].as_str().unwrap_or_default().to_string(),
                p.id.clone(),
            );
        }
    }
    let mut out = BTreeMap::new();
    for mut p in pending {
        let package = p.body["package_name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut nodes: Vec<String> = Vec::new();
        let mut refs = Vec::new();
        for dep in &p.deps {
            let found = match dep {
                Dep::Model(args) => {
                    let id = index.ref_id(&p.id, &package, &p.file, args)?;
                    if p.id.starts_with("semantic_model.") {
                        refs.push(args.to_json());
                        if let Some(n) = manifest.nodes.get(&id) {
                            p.body.insert(
                                "node_relation".into(),
                                json!({"alias": n.alias, "schema_name": n.schema, "database": n.database, "relation_name": n.relation_name}),
                            );
                        }
                    }
                    id
                }
                Dep::Measure(name) => {
                    measure_owner
                        .get(name)
                        .cloned()
                        .ok_or_else(|| CompileError::Properties {
                            file: p.file.clone(),
                            message: format!(
                                "{}: no semantic model defines the measure '{name}'",
                                p.id
                            ),
                        })?
                }
                Dep::Metric(name) => {
                    metric_ids
                        .get(name)
                        .cloned()
                        .ok_or_else(|| CompileError::Properties {
                            file: p.file.clone(),
                            message: format!("{}: unknown metric '{name}'", p.id),
                        })?
                }
            };
            if !nodes.contains(&found) {
                nodes.push(found);
            }
        }
        if p.id.starts_with("semantic_model.") {
            p.body.insert("refs".into(), Json::Array(refs));
        }
        let depends_on = json!({"macros": [], "nodes": nodes});
        // dbt's key order puts depends_on after different keys per resource type.
        let mut body = Map::new();
        let anchor = match p.id.split('.').next() {
            Some("semantic_model") => "refs",
            Some("metric") => "refs",
            Some("saved_query") => "created_at",
            _ => "config",
        };
        for (k, v) in p.body {
            if k == anchor {
                body.insert("depends_on".into(), depends_on.clone());
            }
            body.insert(k, v);
        }
        out.insert(p.id, Json::Object(body));
    }
    Ok(out)
}
