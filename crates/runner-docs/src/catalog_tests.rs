//! Unit tests of matching warehouse relations to the manifest and of catalog.json's layout.

use std::collections::{BTreeMap, BTreeSet};

use runner_artifacts::node::{ResourceType, SourceNode};
use runner_artifacts::{Manifest, ManifestMetadata, ManifestNode};
use serde_json::{Map, Value as Json, json};

use super::*;
use crate::query::{CatalogColumn, TableMetadata};

fn node(kind: ResourceType, name: &str, materialized: &str) -> ManifestNode {
    let mut n = ManifestNode::new(kind, "shop", name);
    n.unique_id = format!("{kind}.shop.{name}");
    n.database = Some("Shop".into());
    n.schema = "main".into();
    std::sync::Arc::make_mut(&mut n.config).insert("materialized".into(), Json::from(materialized));
    n
}

fn source(name: &str, schema: &str) -> SourceNode {
    let body: Map<String, Json> = serde_json::from_value(json!({
        "database": "shop", "schema": schema, "identifier": name, "name": name
    }))
    .unwrap();
    SourceNode {
        body,
        unique_id: format!("source.shop.raw.{name}"),
    }
}

fn manifest() -> Manifest {
    let nodes = [
        node(ResourceType::Model, "orders", "table"),
        node(ResourceType::Model, "amounts", "ephemeral"),
        node(ResourceType::Seed, "raw_orders", "seed"),
        // An analysis named like a model must not take the model's catalog entry.
        {
            let mut a = node(ResourceType::Analysis, "orders_analysis", "view");
            a.alias = "orders".into();
            a
        },
    ];
    Manifest {
        metadata: ManifestMetadata {
            dbt_version: "1.12.6".into(),
            generated_at: "2026-01-01T00:00:00.000000Z".into(),
            invocation_id: "inv-1".into(),
            invocation_started_at: "2026-01-01T00:00:00.500000+00:00".into(),
            env: BTreeMap::from([("TEAM".to_string(), "data".to_string())]),
            project_name: "shop".into(),
            project_id: String::new(),
            adapter_type: "duckdb".into(),
            quoting: json!({}),
        },
        nodes: nodes
            .into_iter()
            .map(|n| (n.unique_id.clone(), n))
            .collect(),
        sources: [source("raw_orders", "main"), source("elsewhere", "Raw")]
            .into_iter()
            .map(|s| (s.unique_id.clone(), s))
            .collect(),
        macros: BTreeMap::new(),
        docs: BTreeMap::new(),
        exposures: BTreeMap::new(),
        selectors: Map::new(),
        disabled: BTreeMap::new(),
        yaml_resources: BTreeMap::new(),
    }
}

fn table(name: &str, kind: &str, columns: &[(&str, &str)]) -> CatalogTable {
    CatalogTable {
        metadata: TableMetadata {
            table_type: kind.into(),
            schema: "MAIN".into(),
            name: name.into(),
            database: "shop".into(),
            comment: None,
            owner: None,
        },
        columns: columns
            .iter()
            .enumerate()
            .map(|(i, (n, t))| CatalogColumn {
                name: n.to_string(),
                index: i as i64 + 1,
                data_type: t.to_string(),
                comment: None,
            })
            .collect(),
    }
}

fn warehouse() -> Vec<CatalogTable> {
    vec![
        table(
            "ORDERS",
            "BASE TABLE",
            &[("id", "INTEGER"), ("status", "VARCHAR")],
        ),
        table("raw_orders", "BASE TABLE", &[("id", "INTEGER")]),
        table("main_audit_marker", "BASE TABLE", &[("marker", "INTEGER")]),
    ]
}

#[test]
fn schemas_cover_relational_nodes_and_sources_once() {
    let schemas = used_schemas(&manifest());
    // `Shop`.`main` from the nodes and `shop`.`main` from a source are one schema.
    assert_eq!(
        schemas,
        [
            ("Shop".to_string(), "main".to_string()),
            ("shop".to_string(), "Raw".to_string())
        ]
    );
}

#[test]
fn relations_match_nodes_and_sources_case_insensitively() {
    let catalog = Catalog::build(warehouse(), &manifest(), None);
    let ids = |e: &[(String, CatalogTable)]| e.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(&catalog.nodes),
        ["model.shop.orders", "seed.shop.raw_orders"]
    );
    // The seed's table is also a source: it is in both sections.
    assert_eq!(ids(&catalog.sources), ["source.shop.raw.raw_orders"]);
    // Names stay as the warehouse spells them.
    assert_eq!(catalog.nodes[0].1.metadata.name, "ORDERS");
}

#[test]
fn selection_keeps_only_selected_ids() {
    let selected = BTreeSet::from(["source.shop.raw.raw_orders".to_string()]);
    let catalog = Catalog::build(warehouse(), &manifest(), Some(&selected));
    assert!(catalog.nodes.is_empty());
    assert_eq!(catalog.sources.len(), 1);
}

#[test]
fn json_has_dbts_layout_and_matches_the_schema() {
    let m = manifest();
    let catalog = Catalog::build(warehouse(), &m, None);
    let out = catalog.to_json(&m.metadata, "2026-01-01T00:00:01.000000Z");
    let text = serde_json::to_string(&out).unwrap();
    assert!(
        text.starts_with(
            "{\"metadata\":{\"dbt_schema_version\":\"https://schemas.getdbt.com/dbt/catalog/v1.json\",\
             \"dbt_version\":\"1.12.6\",\"generated_at\":\"2026-01-01T00:00:01.000000Z\",\
             \"invocation_id\":\"inv-1\",\"invocation_started_at\":\"2026-01-01T00:00:00.500000Z\",\
             \"env\":{\"TEAM\":\"data\"}},\"nodes\":{\"model.shop.orders\":{\"metadata\":{\"type\":\"BASE TABLE\",\
             \"schema\":\"MAIN\",\"name\":\"ORDERS\",\"database\":\"shop\",\"comment\":null,\"owner\":null},\
             \"columns\":{\"id\":{\"type\":\"INTEGER\",\"index\":1,\"name\":\"id\",\"comment\":null},"
        ),
        "{text}"
    );
    assert!(text.ends_with("\"unique_id\":\"source.shop.raw.raw_orders\"}},\"errors\":null}"));
    let schema_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/schemas/catalog-v1.json"
    );
    let schema: Json =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&out).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn invocation_start_is_written_in_utc_with_z() {
    assert_eq!(
        zulu("2026-01-01T01:00:00.25+01:00"),
        "2026-01-01T00:00:00.250000Z"
    );
    assert_eq!(zulu("not a time"), "not a time");
}
