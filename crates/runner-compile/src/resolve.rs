//! Turning recorded `ref()`/`source()` calls into `depends_on.nodes`, with dbt's lookup rules
//! (same package first, then any package; versions), and macro entries into manifest macros.

use std::collections::HashMap;

use runner_artifacts::{MacroNode, Manifest, RefArgs, ResourceType};

use crate::error::{CompileError, Result};
use crate::registry::MacroEntry;

/// Index of refable nodes by name.
pub struct RefIndex {
    by_name: HashMap<String, Vec<RefTarget>>,
}

struct RefTarget {
    package: String,
    id: String,
    version: Option<String>,
    is_latest: bool,
}

impl RefIndex {
    /// Builds the index over models, seeds and snapshots.
    pub fn new(manifest: &Manifest) -> RefIndex {
        let mut by_name: HashMap<String, Vec<RefTarget>> = HashMap::new();
        for (id, n) in &manifest.nodes {
            if matches!(
                n.resource_type,
                ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot
            ) {
                by_name.entry(n.name.clone()).or_default().push(RefTarget {
                    package: n.package_name.clone(),
                    id: id.clone(),
                    version: n.version.as_ref().map(crate::versions::json_label),
                    is_latest: n.version.is_none() || n.version == n.latest_version,
                });
            }
        }
        RefIndex { by_name }
    }

    /// The unique id a ref from `package` resolves to: an explicit package, else the node's own package,
    /// else the only candidate in any package.
    pub fn find(&self, package: &str, r: &RefArgs) -> Option<&str> {
        let candidates: Vec<&RefTarget> = self
            .by_name
            .get(&r.name)?
            .iter()
            .filter(|t| match &r.version {
                Some(v) => t.version.as_deref() == Some(v.as_str()),
                None => t.is_latest,
            })
            .collect();
        if let Some(p) = &r.package {
            return candidates
                .iter()
                .find(|t| &t.package == p)
                .map(|t| t.id.as_str());
        }
        candidates
            .iter()
            .find(|t| t.package == package)
            .or_else(|| candidates.first())
            .map(|t| t.id.as_str())
    }
}

/// Fills `depends_on.nodes` of every node from its refs and sources.
pub fn resolve_dependencies(manifest: &mut Manifest) -> Result<()> {
    let index = RefIndex::new(manifest);
    let source_ids: HashMap<(String, String), String> = manifest
        .sources
        .values()
        .map(|s| {
            let src = s.body["source_name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let table = s.body["name"].as_str().unwrap_or_default().to_string();
            ((src, table), s.unique_id.clone())
        })
        .collect();
    for node in manifest.nodes.values_mut() {
        let mut deps: Vec<String> = Vec::new();
        for r in &node.refs {
            let id = index
                .find(&node.package_name, r)
                .ok_or_else(|| CompileError::UnknownRef {
                    node: node.unique_id.clone(),
                    file: node.original_file_path.clone(),
                    name: match &r.package {
                        Some(p) => format!("{p}.{}", r.name),
                        None => r.name.clone(),
                    },
                })?;
            if !deps.iter().any(|d| d == id) {
                deps.push(id.to_string());
            }
        }
        for [src, table] in &node.sources {
            let id = source_ids
                .get(&(src.clone(), table.clone()))
                .ok_or_else(|| CompileError::UnknownSource {
                    node: node.unique_id.clone(),
                    file: node.original_file_path.clone(),
                    source_name: src.clone(),
                    table: table.clone(),
                })?;
            if !deps.contains(id) {
                deps.push(id.clone());
            }
        }
        node.depends_on.nodes = deps;
    }
    Ok(())
}

/// A macro as the manifest shows it.
pub fn macro_node(entry: &MacroEntry, created_at: f64) -> MacroNode {
    MacroNode {
        name: entry.name.clone(),
        package_name: entry.package.clone(),
        original_file_path: entry.file.clone(),
        unique_id: entry.unique_id.clone(),
        macro_sql: String::new(),
        depends_on_macros: Vec::new(),
        description: String::new(),
        meta: Default::default(),
        patch_path: None,
        arguments: Vec::new(),
        created_at,
        supported_languages: None,
    }
}
