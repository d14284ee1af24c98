//! The nodes of a manifest (models, tests, seeds, snapshots, analyses, operations), sources, macros, docs
//! and exposures, with their dbt-core 1.12 JSON layout.

use serde_json::{Map, Value as Json, json};

/// Kinds of manifest entries, as dbt names them in `resource_type` and `unique_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceType {
    /// A SQL model.
    Model,
    /// A data test (generic or singular).
    Test,
    /// A CSV seed.
    Seed,
    /// A snapshot.
    Snapshot,
    /// An analysis.
    Analysis,
    /// An `on-run-start`/`on-run-end` hook.
    Operation,
    /// A source table.
    Source,
    /// An exposure.
    Exposure,
    /// A unit test.
    UnitTest,
    /// A saved query (MetricFlow); `build` reports it `no-op`.
    SavedQuery,
    /// A macro.
    Macro,
    /// A docs block.
    Doc,
}

impl ResourceType {
    /// The name dbt uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::Model => "model",
            ResourceType::Test => "test",
            ResourceType::Seed => "seed",
            ResourceType::Snapshot => "snapshot",
            ResourceType::Analysis => "analysis",
            ResourceType::Operation => "operation",
            ResourceType::Source => "source",
            ResourceType::Exposure => "exposure",
            ResourceType::UnitTest => "unit_test",
            ResourceType::SavedQuery => "saved_query",
            ResourceType::Macro => "macro",
            ResourceType::Doc => "doc",
        }
    }
}

impl std::fmt::Display for ResourceType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A file checksum: `{"name": "sha256", "checksum": "…"}` (or `none` for generated nodes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksum {
    /// Algorithm name.
    pub name: String,
    /// Hex digest.
    pub checksum: String,
}

impl Checksum {
    /// The checksum dbt gives generated nodes (generic tests).
    pub fn none() -> Checksum {
        Checksum {
            name: "none".into(),
            checksum: String::new(),
        }
    }
    fn to_json(&self) -> Json {
        json!({"name": self.name, "checksum": self.checksum})
    }
}

/// Arguments of one `ref()` call.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RefArgs {
    /// Model name.
    pub name: String,
    /// Package, when given as the first argument.
    pub package: Option<String>,
    /// `version=` / `v=`.
    pub version: Option<String>,
}

impl RefArgs {
    /// The ref as the manifest lists it in `refs`.
    pub fn to_json(&self) -> Json {
        json!({"name": self.name, "package": self.package, "version": self.version_json()})
    }

    /// The version as the manifest shows it: a number when it reads as one (`v=1`), else the text.
    fn version_json(&self) -> Json {
        match &self.version {
            None => Json::Null,
            Some(v) => v
                .parse::<i64>()
                .map(Json::from)
                .unwrap_or_else(|_| Json::String(v.clone())),
        }
    }
}

/// `depends_on` of a node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DependsOn {
    /// Macro unique ids.
    pub macros: Vec<String>,
    /// Node and source unique ids.
    pub nodes: Vec<String>,
}

/// One ephemeral model injected as a CTE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectedCte {
    /// The ephemeral model's unique id.
    pub id: String,
    /// `__dbt__cte__name as (…)`.
    pub sql: String,
}

/// What compilation adds to a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledInfo {
    /// SQL after Jinja and CTE injection.
    pub compiled_code: String,
    /// Whether ephemeral CTEs have been injected.
    pub extra_ctes_injected: bool,
    /// The injected CTEs.
    pub extra_ctes: Vec<InjectedCte>,
}

/// `test_metadata` of a generic test.
#[derive(Debug, Clone, PartialEq)]
pub struct TestMetadata {
    /// Test name (`unique`, `expression_is_true`).
    pub name: String,
    /// Keyword arguments, including `column_name` and `model`.
    pub kwargs: Map<String, Json>,
    /// Package namespace for `dbt_utils.expression_is_true`.
    pub namespace: Option<String>,
}

/// A `{{ doc() }}` reference recorded on a node or column.
pub type DocBlock = String;

/// A model, test, seed, snapshot, analysis or operation: the `nodes` section of the manifest.
#[derive(Debug, Clone)]
pub struct ManifestNode {
    /// Database, when the adapter has one.
    pub database: Option<String>,
    /// Schema.
    pub schema: String,
    /// Node name.
    pub name: String,
    /// Resource type.
    pub resource_type: ResourceType,
    /// Owning package.
    pub package_name: String,
    /// Path below the resource directory.
    pub path: String,
    /// Path relative to the package root.
    pub original_file_path: String,
    /// `model.pkg.name`, …
    pub unique_id: String,
    /// Fully qualified name.
    pub fqn: Vec<String>,
    /// Relation name in the warehouse.
    pub alias: String,
    /// File checksum.
    pub checksum: Checksum,
    /// Resolved config, keys in dbt's order. Shared: most nodes of a project have one of a few
    /// configs, and parsing hands identical ones the same map (`Arc::make_mut` to change one).
    pub config: std::sync::Arc<Map<String, Json>>,
    /// Tags (same as `config.tags`).
    pub tags: Vec<String>,
    /// Description from properties.
    pub description: String,
    /// Columns from properties, keyed by name, each already in dbt's JSON layout.
    pub columns: indexmap::IndexMap<String, Json>,
    /// `meta`.
    pub meta: Map<String, Json>,
    /// `group`.
    pub group: Option<String>,
    /// `docs` ({show, node_color}).
    pub docs: Json,
    /// `pkg://path/to/props.yml` of the properties that patched this node.
    pub patch_path: Option<String>,
    /// Config as written by the user, before defaults.
    pub unrendered_config: Map<String, Json>,
    /// Unix timestamp of parsing.
    pub created_at: f64,
    /// Quoted relation name, for relational nodes.
    pub relation_name: Option<String>,
    /// Source text (empty for seeds).
    pub raw_code: String,
    /// `doc()` references in the description.
    pub doc_blocks: Vec<DocBlock>,
    /// `ref()` calls.
    pub refs: Vec<RefArgs>,
    /// `source()` calls.
    pub sources: Vec<[String; 2]>,
    /// Dependencies.
    pub depends_on: DependsOn,
    /// `target/compiled/...` path once compiled.
    pub compiled_path: Option<String>,
    /// Compilation results.
    pub compiled: Option<CompiledInfo>,
    /// `contract` config block as a node field.
    pub contract: Json,
    /// Model only: `access`.
    pub access: String,
    /// Model only: versions.
    pub version: Option<Json>,
    /// Model only: latest version.
    pub latest_version: Option<Json>,
    /// Model only: primary key inferred from tests.
    pub primary_key: Vec<String>,
    /// Test only: column under test.
    pub column_name: Option<String>,
    /// Test only: `models.customers`-style key of the property entry.
    pub file_key_name: Option<String>,
    /// Test only: the model the test is attached to.
    pub attached_node: Option<String>,
    /// Test only: generic test metadata.
    pub test_metadata: Option<TestMetadata>,
    /// Seed only: the package root on disk.
    pub root_path: Option<String>,
    /// Operation only: the hook's position in its `on-run-start`/`on-run-end` list.
    pub hook_index: Option<usize>,
}

impl ManifestNode {
    /// A node with every optional field empty.
    pub fn new(resource_type: ResourceType, package_name: &str, name: &str) -> ManifestNode {
        ManifestNode {
            database: None,
            schema: String::new(),
            name: name.to_string(),
            resource_type,
            package_name: package_name.to_string(),
            path: String::new(),
            original_file_path: String::new(),
            unique_id: String::new(),
            fqn: Vec::new(),
            alias: name.to_string(),
            checksum: Checksum::none(),
            config: Default::default(),
            tags: Vec::new(),
            description: String::new(),
            columns: indexmap::IndexMap::new(),
            meta: Map::new(),
            group: None,
            docs: json!({"show": true, "node_color": null}),
            patch_path: None,
            unrendered_config: Map::new(),
            created_at: 0.0,
            relation_name: None,
            raw_code: String::new(),
            doc_blocks: Vec::new(),
            refs: Vec::new(),
            sources: Vec::new(),
            depends_on: DependsOn::default(),
            compiled_path: None,
            compiled: None,
            contract: json!({"enforced": false, "alias_types": true, "checksum": null}),
            access: "protected".into(),
            version: None,
            latest_version: None,
            primary_key: Vec::new(),
            column_name: None,
            file_key_name: None,
            attached_node: None,
            test_metadata: None,
            root_path: None,
            hook_index: None,
        }
    }

    /// The node in manifest v12 layout (the `Serialize` impl below is the layout's one definition).
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).expect("a manifest node serializes to JSON")
    }
}

/// The node in manifest v12 layout, written straight from the node: `manifest.json` streams
/// tens of thousands of these, and going through a `Json` value first copied every config.
impl serde::Serialize for ManifestNode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("database", &self.database)?;
        m.serialize_entry("schema", &self.schema)?;
        m.serialize_entry("name", &self.name)?;
        m.serialize_entry("resource_type", self.resource_type.as_str())?;
        m.serialize_entry("package_name", &self.package_name)?;
        m.serialize_entry("path", &self.path)?;
        m.serialize_entry("original_file_path", &self.original_file_path)?;
        m.serialize_entry("unique_id", &self.unique_id)?;
        m.serialize_entry("fqn", &self.fqn)?;
        m.serialize_entry("alias", &self.alias)?;
        m.serialize_entry("checksum", &self.checksum.to_json())?;
        m.serialize_entry("config", &*self.config)?;
        m.serialize_entry("tags", &self.tags)?;
        m.serialize_entry("description", &self.description)?;
        m.serialize_entry("columns", &self.columns)?;
        m.serialize_entry("meta", &self.meta)?;
        m.serialize_entry("group", &self.group)?;
        m.serialize_entry("docs", &self.docs)?;
        m.serialize_entry("patch_path", &self.patch_path)?;
        m.serialize_entry("build_path", &Json::Null)?;
        m.serialize_entry("unrendered_config", &self.unrendered_config)?;
        m.serialize_entry("created_at", &self.created_at)?;
        m.serialize_entry("relation_name", &self.relation_name)?;
        m.serialize_entry("raw_code", &self.raw_code)?;
        m.serialize_entry("doc_blocks", &self.doc_blocks)?;
        if self.resource_type == ResourceType::Seed {
            m.serialize_entry("root_path", &self.root_path)?;
            m.serialize_entry("depends_on", &json!({"macros": self.depends_on.macros}))?;
            return m.end();
        }
        m.serialize_entry("language", "sql")?;
        m.serialize_entry(
            "refs",
            &Json::Array(self.refs.iter().map(RefArgs::to_json).collect()),
        )?;
        m.serialize_entry("sources", &self.sources)?;
        m.serialize_entry("metrics", &json!([]))?;
        m.serialize_entry("functions", &json!([]))?;
        m.serialize_entry(
            "depends_on",
            &json!({"macros": self.depends_on.macros, "nodes": self.depends_on.nodes}),
        )?;
        m.serialize_entry("compiled_path", &self.compiled_path)?;
        if let Some(c) = &self.compiled {
            m.serialize_entry("compiled", &true)?;
            m.serialize_entry("compiled_code", &c.compiled_code)?;
            m.serialize_entry("extra_ctes_injected", &c.extra_ctes_injected)?;
            m.serialize_entry(
                "extra_ctes",
                &Json::Array(
                    c.extra_ctes
                        .iter()
                        .map(|e| json!({"id": e.id, "sql": e.sql}))
                        .collect(),
                ),
            )?;
        }
        m.serialize_entry("contract", &self.contract)?;
        match self.resource_type {
            ResourceType::Model => {
                m.serialize_entry("access", &self.access)?;
                m.serialize_entry("constraints", &json!([]))?;
                m.serialize_entry("version", &self.version)?;
                m.serialize_entry("latest_version", &self.latest_version)?;
                m.serialize_entry("deprecation_date", &Json::Null)?;
                m.serialize_entry("primary_key", &self.primary_key)?;
                m.serialize_entry("time_spine", &Json::Null)?;
            }
            ResourceType::Test => {
                if self.test_metadata.is_some() || self.column_name.is_some() {
                    m.serialize_entry("column_name", &self.column_name)?;
                    m.serialize_entry("file_key_name", &self.file_key_name)?;
                }
                if self.test_metadata.is_some() {
                    // Singular tests have no attached node key at all in dbt's manifest.
                    m.serialize_entry("attached_node", &self.attached_node)?;
                }
                if let Some(t) = &self.test_metadata {
                    m.serialize_entry(
                        "test_metadata",
                        &json!({"name": t.name, "kwargs": t.kwargs, "namespace": t.namespace}),
                    )?;
                }
            }
            ResourceType::Operation => {
                m.serialize_entry("index", &self.hook_index)?;
            }
            _ => {}
        }
        m.end()
    }
}

/// A source table (`sources` section).
#[derive(Debug, Clone)]
pub struct SourceNode {
    /// The JSON body in dbt's layout, built by the engine (sources have many static keys).
    pub body: Map<String, Json>,
    /// `source.pkg.source_name.table`.
    pub unique_id: String,
}

/// An exposure (`exposures` section), kept in dbt's layout.
#[derive(Debug, Clone)]
pub struct ExposureNode {
    /// `exposure.pkg.name`.
    pub unique_id: String,
    /// The JSON body.
    pub body: Map<String, Json>,
}

/// A macro (`macros` section).
#[derive(Debug, Clone)]
pub struct MacroNode {
    /// Macro name.
    pub name: String,
    /// Owning package.
    pub package_name: String,
    /// Path relative to the package root.
    pub original_file_path: String,
    /// `macro.pkg.name`.
    pub unique_id: String,
    /// The macro's source text, `{% macro %}` to `{% endmacro %}`.
    pub macro_sql: String,
    /// Macros this macro calls.
    pub depends_on_macros: Vec<String>,
    /// Description from properties.
    pub description: String,
    /// `meta` from properties.
    pub meta: Map<String, Json>,
    /// Properties file that described it.
    pub patch_path: Option<String>,
    /// Arguments documented in properties.
    pub arguments: Vec<Json>,
    /// Parse timestamp.
    pub created_at: f64,
    /// Materializations only: languages supported.
    pub supported_languages: Option<Vec<String>>,
}

impl MacroNode {
    /// The macro in manifest v12 layout.
    pub fn to_json(&self) -> Json {
        json!({
            "name": self.name,
            "resource_type": "macro",
            "package_name": self.package_name,
            "path": self.original_file_path,
            "original_file_path": self.original_file_path,
            "unique_id": self.unique_id,
            "macro_sql": self.macro_sql,
            "depends_on": {"macros": self.depends_on_macros},
            "description": self.description,
            "meta": self.meta,
            "docs": {"show": true, "node_color": null},
            "config": {"meta": self.meta, "docs": {"show": true, "node_color": null}},
            "patch_path": self.patch_path,
            "arguments": self.arguments,
            "created_at": self.created_at,
            "supported_languages": self.supported_languages,
        })
    }
}
