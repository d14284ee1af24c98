//! Turning recorded `ref()`/`source()` calls into `depends_on.nodes`, with dbt's lookup rules
//! (same package first, then any package; versions), and macro entries into manifest macros.

use runner_artifacts::{MacroNode, Manifest, ManifestNode, RefArgs, ResourceType};

use crate::error::{CompileError, Result};
use crate::registry::MacroEntry;

/// Index of refable nodes by name.
pub struct RefIndex {
    by_name: foldhash::HashMap<String, Vec<RefTarget>>,
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
        let mut by_name: foldhash::HashMap<String, Vec<RefTarget>> = Default::default();
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

/// Refs and sources resolved to unique ids, with dbt's errors naming the resource that asked.
pub struct DependencyIndex {
    refs: RefIndex,
    sources: foldhash::HashMap<(String, String), String>,
    /// Names of disabled models, seeds and snapshots, and `(source, table)` of disabled sources:
    /// dbt says "is disabled" rather than "was not found" for them.
    disabled_refs: foldhash::HashSet<String>,
    disabled_sources: foldhash::HashSet<(String, String)>,
}

impl DependencyIndex {
    /// Indexes the refable nodes and the sources of `manifest`.
    pub fn new(manifest: &Manifest) -> DependencyIndex {
        let sources = manifest
            .sources
            .values()
            .map(|s| {
                let src = s.body["source_name"].as_str().unwrap_or_default();
                let table = s.body["name"].as_str().unwrap_or_default();
                ((src.to_string(), table.to_string()), s.unique_id.clone())
            })
            .collect();
        let mut disabled_refs = foldhash::HashSet::default();
        let mut disabled_sources = foldhash::HashSet::default();
        for entry in manifest.disabled.values().flatten() {
            let text = |key: &str| entry[key].as_str().unwrap_or_default().to_string();
            match entry["resource_type"].as_str() {
                Some("model" | "seed" | "snapshot") => {
                    disabled_refs.insert(text("name"));
                }
                Some("source") => {
                    disabled_sources.insert((text("source_name"), text("name")));
                }
                _ => {}
            }
        }
        DependencyIndex {
            refs: RefIndex::new(manifest),
            sources,
            disabled_refs,
            disabled_sources,
        }
    }

    /// `depends_on.nodes` for `refs` and `sources` recorded by the resource `owner` of `package`,
    /// defined in `file`: refs first, then sources, without repeats (dbt's order for nodes).
    pub fn nodes_for(
        &self,
        owner: &str,
        package: &str,
        file: &str,
        refs: &[RefArgs],
        sources: &[[String; 2]],
    ) -> Result<Vec<String>> {
        let mut deps = Vec::new();
        for r in refs {
            push_unique(&mut deps, self.ref_id(owner, package, file, r)?);
        }
        for [src, table] in sources {
            push_unique(&mut deps, self.source_id(owner, file, src, table)?);
        }
        Ok(deps)
    }

    /// The node a `ref()` from `package` resolves to.
    pub fn ref_id(&self, owner: &str, package: &str, file: &str, r: &RefArgs) -> Result<String> {
        self.refs
            .find(package, r)
            .map(String::from)
            .ok_or_else(|| CompileError::UnknownRef {
                node: owner.to_string(),
                file: file.to_string(),
                name: match &r.package {
                    Some(p) => format!("{p}.{}", r.name),
                    None => r.name.clone(),
                },
                disabled: self.disabled_refs.contains(&r.name),
            })
    }

    /// The source a `source()` call resolves to.
    pub fn source_id(&self, owner: &str, file: &str, src: &str, table: &str) -> Result<String> {
        self.sources
            .get(&(src.to_string(), table.to_string()))
            .cloned()
            .ok_or_else(|| CompileError::UnknownSource {
                node: owner.to_string(),
                file: file.to_string(),
                source_name: src.to_string(),
                table: table.to_string(),
                disabled: self
                    .disabled_sources
                    .contains(&(src.to_string(), table.to_string())),
            })
    }
}

fn push_unique(deps: &mut Vec<String>, id: String) {
    if !deps.contains(&id) {
        deps.push(id);
    }
}

/// Fills `depends_on.nodes` of every node from its refs and sources.
///
/// As in dbt, a test whose ref or source does not resolve (a test of a missing or disabled model,
/// a `relationships` test to one) is not an error: it depends on what does resolve and is disabled
/// in place (it stays in `nodes` with `enabled: false`, and is neither listed nor run).
pub fn resolve_dependencies(manifest: &mut Manifest, index: &DependencyIndex) -> Result<()> {
    // Each node is resolved on its own against the finished index: in parallel, first error in
    // node order.
    let nodes: Vec<&mut ManifestNode> = manifest.nodes.values_mut().collect();
    crate::parallel::map_in_order(nodes, crate::parallel::SMALL_ITEMS_PER_THREAD, |node| {
        resolve_node(node, index)
    })
    .collect()
}

fn resolve_node(node: &mut ManifestNode, index: &DependencyIndex) -> Result<()> {
    if node.resource_type != ResourceType::Test {
        node.depends_on.nodes = index.nodes_for(
            &node.unique_id,
            &node.package_name,
            &node.original_file_path,
            &node.refs,
            &node.sources,
        )?;
        return Ok(());
    }
    let mut deps = Vec::new();
    let mut unresolved = false;
    for r in &node.refs {
        match index.refs.find(&node.package_name, r) {
            Some(id) => push_unique(&mut deps, id.to_string()),
            None => unresolved = true,
        }
    }
    for [src, table] in &node.sources {
        match index.sources.get(&(src.clone(), table.clone())) {
            Some(id) => push_unique(&mut deps, id.clone()),
            None => unresolved = true,
        }
    }
    node.depends_on.nodes = deps;
    if unresolved {
        std::sync::Arc::make_mut(&mut node.config)
            .insert("enabled".into(), serde_json::Value::Bool(false));
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
