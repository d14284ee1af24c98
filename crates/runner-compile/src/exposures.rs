//! Exposures (`exposures:` in property YAML): the dashboards and apps downstream of the project, with
//! their `depends_on` refs and sources rendered and resolved as dbt does.

use std::collections::BTreeMap;
use std::sync::Arc;

use runner_artifacts::{ExposureNode, Manifest};
use runner_jinja::Template;
use runner_project::properties::{PropertyEntry, PropertyKind};
use serde_json::{Map, Value as Json, json};

use crate::context::{NodeScope, Phase, RenderContext, Shared};
use crate::error::{CompileError, Result};

/// Builds every exposure declared in `entries`; their `depends_on.nodes` are filled by [`resolve`].
pub fn parse<'a>(
    shared: &Arc<Shared>,
    entries: impl Iterator<Item = &'a PropertyEntry>,
    created_at: f64,
) -> Result<BTreeMap<String, ExposureNode>> {
    let mut out = BTreeMap::new();
    for entry in entries.filter(|e| e.kind == PropertyKind::Exposures) {
        let e = &entry.body;
        let id = format!("exposure.{}.{}", entry.package, entry.name);
        let scope = Arc::new(NodeScope::new(Phase::Parse, &entry.package, &entry.file));
        let ctx = Arc::new(RenderContext {
            shared: shared.clone(),
            scope: scope.clone(),
        });
        for dep in e
            .get("depends_on")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let Some(text) = dep.as_str() else { continue };
            let t = Template::parse(&entry.file, &format!("{{{{ {text} }}}}"))
                .map_err(|err| CompileError::jinja(&entry.file, &err))?;
            ctx.render(&t)
                .map_err(|err| CompileError::jinja(&entry.file, &err))?;
        }
        let captured = scope.take_captured();
        let path = entry
            .file
            .split_once('/')
            .map_or(entry.file.as_str(), |(_, rest)| rest);
        let mut fqn = vec![entry.package.clone()];
        fqn.extend(crate::project::yml_dirs(&entry.file));
        fqn.push(entry.name.clone());
        let config = e.get("config").and_then(Json::as_object);
        let tags = e.get("tags").cloned().unwrap_or_else(|| json!([]));
        let meta = e.get("meta").cloned().unwrap_or_else(|| json!({}));
        let enabled = config
            .and_then(|c| c.get("enabled"))
            .cloned()
            .unwrap_or(json!(true));
        let mut body = Map::new();
        for (k, v) in [
            ("name", json!(entry.name)),
            ("resource_type", json!("exposure")),
            ("package_name", json!(entry.package)),
            ("path", json!(path)),
            ("original_file_path", json!(entry.file)),
            ("unique_id", json!(id)),
            ("fqn", json!(fqn)),
            ("type", e.get("type").cloned().unwrap_or(Json::Null)),
            ("owner", e.get("owner").cloned().unwrap_or_else(|| json!({}))),
            (
                "description",
                e.get("description").cloned().unwrap_or(json!("")),
            ),
            ("label", e.get("label").cloned().unwrap_or(Json::Null)),
            ("maturity", e.get("maturity").cloned().unwrap_or(Json::Null)),
            ("meta", meta.clone()),
            ("tags", tags.clone()),
            (
                "config",
                json!({"enabled": enabled, "tags": tags, "meta": meta}),
            ),
            (
                "unrendered_config",
                config.map_or_else(|| json!({}), |c| Json::Object(c.clone())),
            ),
            ("url", e.get("url").cloned().unwrap_or(Json::Null)),
            ("depends_on", json!({"macros": [], "nodes": []})),
            (
                "refs",
                Json::Array(
                    captured
                        .refs
                        .iter()
                        .map(|r| json!({"name": r.name, "package": r.package, "version": r.version_json()}))
                        .collect(),
                ),
            ),
            ("sources", json!(captured.sources)),
            ("metrics", json!([])),
            ("created_at", json!(created_at)),
        ] {
            body.insert(k.to_string(), v);
        }
        out.insert(
            id.clone(),
            ExposureNode {
                unique_id: id,
                body,
            },
        );
    }
    Ok(out)
}

/// Fills each exposure's `depends_on.nodes`: sources first, then refs, as dbt lists them.
pub fn resolve(manifest: &mut Manifest) -> Result<()> {
    let index = crate::resolve::RefIndex::new(manifest);
    let mut resolved = Vec::new();
    for (id, e) in &manifest.exposures {
        let package = e.body["package_name"].as_str().unwrap_or_default();
        let file = e.body["original_file_path"].as_str().unwrap_or_default();
        let mut nodes: Vec<String> = Vec::new();
        for pair in e.body["sources"].as_array().into_iter().flatten() {
            let (src, table) = (
                pair[0].as_str().unwrap_or(""),
                pair[1].as_str().unwrap_or(""),
            );
            let found = manifest
                .sources
                .values()
                .find(|s| s.body["source_name"] == src && s.body["name"] == table);
            let Some(s) = found else {
                return Err(CompileError::UnknownSource {
                    node: id.clone(),
                    file: file.to_string(),
                    source_name: src.to_string(),
                    table: table.to_string(),
                });
            };
            nodes.push(s.unique_id.clone());
        }
        for r in e.body["refs"].as_array().into_iter().flatten() {
            let args = runner_artifacts::RefArgs {
                name: r["name"].as_str().unwrap_or_default().to_string(),
                package: r["package"].as_str().map(String::from),
                version: r["version"]
                    .as_str()
                    .map(String::from)
                    .or_else(|| r["version"].as_i64().map(|v| v.to_string())),
            };
            let target = index
                .find(package, &args)
                .ok_or_else(|| CompileError::UnknownRef {
                    node: id.clone(),
                    file: file.to_string(),
                    name: args.name.clone(),
                })?;
            nodes.push(target.to_string());
        }
        resolved.push((id.clone(), nodes));
    }
    for (id, nodes) in resolved {
        if let Some(e) = manifest.exposures.get_mut(&id) {
            e.body
                .insert("depends_on".into(), json!({"macros": [], "nodes": nodes}));
        }
    }
    Ok(())
}
