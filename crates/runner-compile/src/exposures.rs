//! Exposures (`exposures:` in property YAML): the dashboards and apps downstream of the project, with
//! their `depends_on` refs and sources rendered and resolved as dbt does.

use std::collections::BTreeMap;
use std::sync::Arc;

use runner_artifacts::{ExposureNode, RefArgs};
use runner_project::properties::{PropertyEntry, PropertyKind};
use serde_json::{Map, Value as Json, json};

use crate::context::Shared;
use crate::error::Result;
use crate::resolve::DependencyIndex;

/// Builds every exposure declared in `entries`, its dependencies resolved through `index`.
pub fn parse<'a>(
    shared: &Arc<Shared>,
    entries: impl Iterator<Item = &'a PropertyEntry>,
    index: &DependencyIndex,
    created_at: f64,
) -> Result<BTreeMap<String, ExposureNode>> {
    let mut out = BTreeMap::new();
    for entry in entries.filter(|e| e.kind == PropertyKind::Exposures) {
        let e = &entry.body;
        let id = format!("exposure.{}.{}", entry.package, entry.name);
        let captured = crate::nodes::capture_expressions(
            shared,
            &entry.package,
            &entry.file,
            e.get("depends_on")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str),
        )?;
        // dbt lists an exposure's sources before its refs.
        let mut nodes =
            index.nodes_for(&id, &entry.package, &entry.file, &[], &captured.sources)?;
        for id_of_ref in index.nodes_for(&id, &entry.package, &entry.file, &captured.refs, &[])? {
            if !nodes.contains(&id_of_ref) {
                nodes.push(id_of_ref);
            }
        }
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
            (
                "owner",
                e.get("owner").cloned().unwrap_or_else(|| json!({})),
            ),
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
            ("depends_on", json!({"macros": [], "nodes": nodes})),
            (
                "refs",
                Json::Array(captured.refs.iter().map(RefArgs::to_json).collect()),
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
