//! `catalog.json`: the warehouse's relations matched to the manifest's nodes and sources, written in
//! dbt-core 1.12's layout (catalog schema v1).
//!
//! dbt reads every schema a model, seed, snapshot or source lives in, then keeps a relation only
//! when its database, schema and name (compared lower-cased) are those of a manifest node or
//! source; a relation that is both a seed and a source appears in both sections. Relations the
//! project does not know (hook tables, leftovers) and nodes never built are left out.

use std::collections::{BTreeMap, BTreeSet};

use runner_adapters::Connection;
use runner_artifacts::node::ResourceType;
use runner_artifacts::{Manifest, ManifestMetadata, ManifestNode};
use serde_json::{Map, Value as Json, json};

use crate::Result;
pub use crate::query::CatalogTable;
use crate::query::{self, CatalogColumn, TableMetadata};

/// The `$schema` id dbt-core 1.12 writes into catalog.json.
pub const CATALOG_SCHEMA: &str = "https://schemas.getdbt.com/dbt/catalog/v1.json";

/// The current time as dbt writes `generated_at`: `2026-01-31T12:00:00.123456Z`.
pub fn timestamp_now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// dbt's catalog writes the invocation's start in UTC with a `Z` (its manifest writes `+00:00`).
fn zulu(timestamp: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(timestamp)
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string()
        })
        .unwrap_or_else(|_| timestamp.to_string())
}

/// A relation's identity for matching, lower-cased as dbt's `CatalogKey`.
type Key = (String, String, String);

fn key(database: &str, schema: &str, name: &str) -> Key {
    (
        database.to_lowercase(),
        schema.to_lowercase(),
        name.to_lowercase(),
    )
}

/// The nodes that are relations in the warehouse (ephemeral models are only CTEs).
fn is_relational(node: &ManifestNode) -> bool {
    matches!(
        node.resource_type,
        ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot
    ) && node.config.get("materialized").and_then(Json::as_str) != Some("ephemeral")
}

fn source_key(body: &Map<String, Json>) -> Key {
    let text = |k: &str| body.get(k).and_then(Json::as_str).unwrap_or_default();
    key(text("database"), text("schema"), text("identifier"))
}

/// The (database, schema) pairs the catalog query covers: where relational nodes are built and
/// where sources are read, deduplicated without regard to case, sorted.
pub fn used_schemas(manifest: &Manifest) -> Vec<(String, String)> {
    let nodes = manifest
        .nodes
        .values()
        .filter(|n| is_relational(n))
        .map(|n| (n.database.clone().unwrap_or_default(), n.schema.clone()));
    let sources = manifest.sources.values().map(|s| {
        let text = |k: &str| s.body.get(k).and_then(Json::as_str).unwrap_or_default();
        (text("database").to_string(), text("schema").to_string())
    });
    let mut seen = BTreeSet::new();
    let mut out: Vec<(String, String)> = nodes
        .chain(sources)
        .filter(|(db, s)| seen.insert((db.to_lowercase(), s.to_lowercase())))
        .collect();
    out.sort();
    out
}

/// The catalog of a project: relations with their nodes' and sources' unique ids.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Models, seeds and snapshots found in the warehouse, in the catalog query's order.
    pub nodes: Vec<(String, CatalogTable)>,
    /// Sources found in the warehouse, in the catalog query's order.
    pub sources: Vec<(String, CatalogTable)>,
    /// Errors reading part of the catalog (dbt's `errors`); `None` when there were none.
    pub errors: Option<Vec<String>>,
}

/// Reads the catalog of `manifest`'s schemas through `conn` and matches it to the manifest.
/// `selected`, when given (`docs generate --select`), keeps only those unique ids.
pub fn read_catalog(
    conn: &mut dyn Connection,
    manifest: &Manifest,
    selected: Option<&BTreeSet<String>>,
) -> Result<Catalog> {
    let tables = query::fetch(conn, &used_schemas(manifest))?;
    Ok(Catalog::build(tables, manifest, selected))
}

impl Catalog {
    /// Matches warehouse relations to manifest nodes and sources.
    pub fn build(
        tables: Vec<CatalogTable>,
        manifest: &Manifest,
        selected: Option<&BTreeSet<String>>,
    ) -> Catalog {
        // dbt maps every node by its relation, the last one winning; relational nodes go last here
        // so an analysis or test sharing a model's name cannot take its place.
        let mut node_map: BTreeMap<Key, &str> = BTreeMap::new();
        let (relational, other): (Vec<&ManifestNode>, Vec<&ManifestNode>) =
            manifest.nodes.values().partition(|n| is_relational(n));
        for node in other.into_iter().chain(relational) {
            let db = node.database.as_deref().unwrap_or_default();
            node_map.insert(key(db, &node.schema, &node.alias), &node.unique_id);
        }
        let mut source_map: BTreeMap<Key, Vec<&str>> = BTreeMap::new();
        for source in manifest.sources.values() {
            source_map
                .entry(source_key(&source.body))
                .or_default()
                .push(&source.unique_id);
        }
        let wanted = |id: &str| selected.is_none_or(|s| s.contains(id));
        let mut catalog = Catalog::default();
        for table in tables {
            let m = &table.metadata;
            let k = key(&m.database, &m.schema, &m.name);
            if let Some(id) = node_map.get(&k).filter(|id| wanted(id)) {
                catalog.nodes.push((id.to_string(), table.clone()));
            }
            for id in source_map.get(&k).into_iter().flatten() {
                if wanted(id) {
                    catalog.sources.push((id.to_string(), table.clone()));
                }
            }
        }
        catalog
    }

    /// catalog.json in dbt's key order. `generated_at` is when the catalog was read; the
    /// invocation and environment come from the manifest written by the same command.
    pub fn to_json(&self, metadata: &ManifestMetadata, generated_at: &str) -> Json {
        let section = |entries: &[(String, CatalogTable)]| {
            Json::Object(
                entries
                    .iter()
                    .map(|(id, t)| (id.clone(), table_json(id, t)))
                    .collect(),
            )
        };
        json!({
            "metadata": {
                "dbt_schema_version": CATALOG_SCHEMA,
                "dbt_version": metadata.dbt_version,
                "generated_at": generated_at,
                "invocation_id": metadata.invocation_id,
                "invocation_started_at": zulu(&metadata.invocation_started_at),
                "env": metadata.env,
            },
            "nodes": section(&self.nodes),
            "sources": section(&self.sources),
            "errors": self.errors,
        })
    }
}

fn table_json(unique_id: &str, table: &CatalogTable) -> Json {
    let TableMetadata {
        table_type,
        schema,
        name,
        database,
        comment,
        owner,
    } = &table.metadata;
    let columns: Map<String, Json> = table
        .columns
        .iter()
        .map(|c: &CatalogColumn| {
            let body = json!({"type": c.data_type, "index": c.index, "name": c.name, "comment": c.comment});
            (c.name.clone(), body)
        })
        .collect();
    json!({
        "metadata": {
            "type": table_type, "schema": schema, "name": name, "database": database,
            "comment": comment, "owner": owner,
        },
        "columns": columns,
        // None of the adapters we support report table statistics, so dbt gives every relation
        // this one entry.
        "stats": {
            "has_stats": {
                "id": "has_stats",
                "label": "Has Stats?",
                "value": false,
                "include": false,
                "description": "Indicates whether there are statistics for this table",
            }
        },
        "unique_id": unique_id,
    })
}

#[cfg(test)]
#[path = "catalog_tests.rs"]
mod tests;
