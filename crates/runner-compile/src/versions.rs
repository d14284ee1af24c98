//! Model versions (`versions:` in property YAML): which file holds which version, and the names dbt gives
//! a versioned node (`model.pkg.name.v2`, fqn ending in `v2`, alias `name_v2`).

use std::collections::HashMap;

use runner_artifacts::ManifestNode;
use runner_project::properties::{PropertyEntry, PropertyKind};
use serde_json::Value as Json;

/// One version of a versioned model, keyed by the file that defines it.
#[derive(Debug, Clone)]
pub struct ModelVersion {
    /// The model's name (without the version).
    pub model: String,
    /// `v:` as written (a number or a string).
    pub version: Json,
    /// The model's latest version.
    pub latest: Json,
}

impl ModelVersion {
    /// The version as text (`2`, `2.1`).
    pub fn label(&self) -> String {
        json_label(&self.version)
    }
}

/// A version value as text: numbers and strings without quotes.
pub fn json_label(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Versions by (package, file stem) for every versioned model in `entries`.
pub fn versioned_files<'a>(
    entries: impl Iterator<Item = &'a PropertyEntry>,
) -> HashMap<(String, String), ModelVersion> {
    let mut out = HashMap::new();
    for entry in entries.filter(|e| e.kind == PropertyKind::Models) {
        let Some(versions) = entry.body.get("versions").and_then(Json::as_array) else {
            continue;
        };
        let latest = entry
            .body
            .get("latest_version")
            .cloned()
            .unwrap_or_else(|| {
                // dbt takes the greatest version when `latest_version` is absent.
                versions
                    .iter()
                    .filter_map(|v| v.get("v"))
                    .max_by(|a, b| {
                        let num = |x: &Json| x.as_f64().or_else(|| x.as_str()?.parse().ok());
                        num(a)
                            .partial_cmp(&num(b))
                            .unwrap_or(std::cmp::Ordering::Equal)
                    })
                    .cloned()
                    .unwrap_or(Json::Null)
            });
        for v in versions {
            let Some(version) = v.get("v") else { continue };
            let stem = v
                .get("defined_in")
                .and_then(Json::as_str)
                .map(String::from)
                .unwrap_or_else(|| format!("{}_v{}", entry.name, json_label(version)));
            out.insert(
                (entry.package.clone(), stem),
                ModelVersion {
                    model: entry.name.clone(),
                    version: version.clone(),
                    latest: latest.clone(),
                },
            );
        }
    }
    out
}

/// Renames a node built from a version's file to the versioned model it is.
pub fn apply(node: &mut ManifestNode, v: &ModelVersion) {
    let label = v.label();
    node.name = v.model.clone();
    node.unique_id = format!("model.{}.{}.v{label}", node.package_name, v.model);
    if let Some(last) = node.fqn.last_mut() {
        *last = v.model.clone();
    }
    node.fqn.push(format!("v{label}"));
    node.version = Some(v.version.clone());
    node.latest_version = Some(v.latest.clone());
}
