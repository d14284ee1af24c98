//! The whole `manifest.json`: metadata, every section, and the parent/child maps derived from them.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use crate::node::{ExposureNode, MacroNode, ManifestNode, SourceNode};

/// The manifest's `metadata` block.
#[derive(Debug, Clone)]
pub struct ManifestMetadata {
    /// dbt version we are compatible with (written as `dbt_version`).
    pub dbt_version: String,
    /// ISO timestamp of writing.
    pub generated_at: String,
    /// Invocation id (a UUID).
    pub invocation_id: String,
    /// When the invocation started.
    pub invocation_started_at: String,
    /// `DBT_ENV_CUSTOM_ENV_*` variables, prefix removed.
    pub env: BTreeMap<String, String>,
    /// Root project name.
    pub project_name: String,
    /// md5 of the project name.
    pub project_id: String,
    /// Adapter type of the target.
    pub adapter_type: String,
    /// Adapter's default quoting.
    pub quoting: Json,
}

/// A complete manifest, sections keyed by unique id (sorted, so output is byte-stable).
#[derive(Debug, Clone)]
pub struct Manifest {
    /// Metadata.
    pub metadata: ManifestMetadata,
    /// Models, tests, seeds, snapshots, analyses, operations.
    pub nodes: BTreeMap<String, ManifestNode>,
    /// Sources.
    pub sources: BTreeMap<String, SourceNode>,
    /// Macros.
    pub macros: BTreeMap<String, MacroNode>,
    /// Docs blocks, already in their JSON layout.
    pub docs: BTreeMap<String, Json>,
    /// Exposures.
    pub exposures: BTreeMap<String, ExposureNode>,
    /// Selectors from selectors.yml, as dbt writes them.
    pub selectors: Map<String, Json>,
    /// Disabled nodes, keyed by unique id.
    pub disabled: BTreeMap<String, Vec<Json>>,
    /// Resources declared only in YAML (`metric.`, `semantic_model.`, `saved_query.`, `unit_test.`),
    /// in their JSON layout; the id's prefix names the manifest section.
    pub yaml_resources: BTreeMap<String, Json>,
}

/// The manifest section a [`Manifest::yaml_resources`] id belongs to.
pub fn yaml_resource_section(unique_id: &str) -> &'static str {
    match unique_id.split('.').next() {
        Some("metric") => "metrics",
        Some("semantic_model") => "semantic_models",
        Some("saved_query") => "saved_queries",
        _ => "unit_tests",
    }
}

impl Manifest {
    /// Parents of every node, source and exposure (sorted, de-duplicated).
    pub fn parent_map(&self) -> BTreeMap<String, Vec<String>> {
        owned(&self.parent_lists())
    }

    /// [`Manifest::parent_map`] borrowing the ids: tens of thousands of them at 10,000 models.
    fn parent_lists(&self) -> BTreeMap<&str, Vec<&str>> {
        let mut map: BTreeMap<&str, Vec<&str>> = self
            .nodes
            .iter()
            .map(|(id, node)| {
                let parents = node.depends_on.nodes.iter().map(String::as_str);
                (id.as_str(), sorted_unique(parents))
            })
            .collect();
        for id in self.sources.keys() {
            map.insert(id, Vec::new());
        }
        for (id, e) in &self.exposures {
            let nodes = e.body.get("depends_on").and_then(|d| d.get("nodes"));
            map.insert(id, listed(nodes));
        }
        for (id, r) in &self.yaml_resources {
            map.insert(id, listed(r.get("depends_on").and_then(|d| d.get("nodes"))));
        }
        map
    }

    fn yaml_section(&self, section: &str) -> Json {
        Json::Object(
            self.yaml_resources
                .iter()
                .filter(|(id, _)| yaml_resource_section(id) == section)
                .map(|(id, r)| (id.clone(), r.clone()))
                .collect(),
        )
    }

    /// Children of every node, source and exposure (sorted).
    pub fn child_map(&self) -> BTreeMap<String, Vec<String>> {
        owned(&children_of(&self.parent_lists()))
    }
}

/// The ids of a JSON list of ids, sorted and without repeats.
fn listed(ids: Option<&Json>) -> Vec<&str> {
    sorted_unique(
        ids.and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(Json::as_str),
    )
}

fn sorted_unique<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut ids: Vec<&str> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn owned(map: &BTreeMap<&str, Vec<&str>>) -> BTreeMap<String, Vec<String>> {
    map.iter()
        .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
        .collect()
}

/// The child map of a parent map: every key of `parents`, with the ids that list it as a parent.
fn children_of<'a>(parents: &BTreeMap<&'a str, Vec<&'a str>>) -> BTreeMap<&'a str, Vec<&'a str>> {
    let mut map: BTreeMap<&str, Vec<&str>> = parents.keys().map(|k| (*k, Vec::new())).collect();
    // Children are visited in sorted order and a parent list has no repeats, so every list of
    // children comes out sorted and without repeats.
    for (child, ps) in parents {
        for p in ps {
            map.entry(p).or_default().push(child);
        }
    }
    map
}

impl Manifest {
    /// Writes the manifest as compact JSON, byte for byte what serializing [`Manifest::to_json`]
    /// gives, one entry at a time: the large sections never exist as a `serde_json::Value` (a
    /// 10,000-node manifest is hundreds of megabytes as one), and `nodes` are serialised on
    /// several threads.
    pub fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        std::thread::scope(|scope| {
            // The parent and child maps come after `nodes`: built beside its serialisation.
            let mut building = Some(scope.spawn(|| {
                let parents = self.parent_lists();
                let children = children_of(&parents);
                (parents, children)
            }));
            let mut maps = None;
            // Sections small enough to build whole come from `sections()`; the large ones stream.
            let sections = self.sections(false);
            w.write_all(b"{")?;
            for (i, (key, value)) in sections.into_iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                serde_json::to_writer(&mut *w, key)?;
                w.write_all(b":")?;
                match (key, value) {
                    ("nodes", None) => crate::stream::object_in_parallel(w, &self.nodes)?,
                    ("macros", None) => {
                        crate::stream::object(w, self.macros.iter().map(|(k, v)| (k, v.to_json())))?
                    }
                    ("parent_map", None) => {
                        let built = match building.take().map(|h| h.join()) {
                            Some(Ok(built)) => built,
                            Some(Err(panic)) => std::panic::resume_unwind(panic),
                            None => unreachable!("one parent_map section"),
                        };
                        serde_json::to_writer(&mut *w, &built.0)?;
                        maps = Some(built);
                    }
                    ("child_map", None) => {
                        let (_, children) = maps.as_ref().expect("parent_map comes first");
                        serde_json::to_writer(&mut *w, children)?
                    }
                    (_, Some(v)) => serde_json::to_writer(&mut *w, &v)?,
                    (_, None) => w.write_all(b"{}")?,
                }
            }
            w.write_all(b"}")
        })
    }

    /// The manifest in v12 layout.
    pub fn to_json(&self) -> Json {
        Json::Object(
            self.sections(true)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.unwrap_or(Json::Null)))
                .collect(),
        )
    }

    /// The top-level sections in dbt's order; `nodes`, `macros`, `parent_map` and `child_map` are
    /// `None` unless `whole`.
    fn sections(&self, whole: bool) -> Vec<(&'static str, Option<Json>)> {
        let md = &self.metadata;
        let metadata = json!({
            "dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json",
            "dbt_version": md.dbt_version,
            "generated_at": md.generated_at,
            "invocation_id": md.invocation_id,
            "invocation_started_at": md.invocation_started_at,
            "env": md.env,
            "project_name": md.project_name,
            "project_id": md.project_id,
            "user_id": null,
            "send_anonymous_usage_stats": false,
            "adapter_type": md.adapter_type,
            "quoting": md.quoting,
            "run_started_at": md.invocation_started_at,
        });
        let nodes = whole.then(|| {
            Json::Object(
                self.nodes
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            )
        });
        let macros = whole.then(|| {
            Json::Object(
                self.macros
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            )
        });
        vec![
            ("metadata", Some(metadata)),
            ("nodes", nodes),
            (
                "sources",
                Some(Json::Object(
                    self.sources
                        .iter()
                        .map(|(k, v)| (k.clone(), Json::Object(v.body.clone())))
                        .collect(),
                )),
            ),
            ("macros", macros),
            ("docs", Some(json!(self.docs))),
            (
                "exposures",
                Some(Json::Object(
                    self.exposures
                        .iter()
                        .map(|(k, v)| (k.clone(), Json::Object(v.body.clone())))
                        .collect(),
                )),
            ),
            ("metrics", Some(self.yaml_section("metrics"))),
            ("groups", Some(json!({}))),
            ("selectors", Some(Json::Object(self.selectors.clone()))),
            ("disabled", Some(json!(self.disabled))),
            ("parent_map", whole.then(|| json!(self.parent_map()))),
            ("child_map", whole.then(|| json!(self.child_map()))),
            ("group_map", Some(json!({}))),
            ("saved_queries", Some(self.yaml_section("saved_queries"))),
            (
                "semantic_models",
                Some(self.yaml_section("semantic_models")),
            ),
            ("unit_tests", Some(self.yaml_section("unit_tests"))),
            ("functions", Some(json!({}))),
        ]
    }
}
