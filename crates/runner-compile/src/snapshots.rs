//! Snapshots defined as `{% snapshot name %}` blocks: one node per block, named after the block, with
//! the legacy `target_schema` / `target_database` configs placing the table directly.

use runner_artifacts::ManifestNode;
use serde_json::Value as Json;

/// Turns the node built from a snapshot file into the node for its block `name` with body `code`.
pub fn apply_block(node: &mut ManifestNode, name: &str, code: &str) {
    node.name = name.to_string();
    node.alias = name.to_string();
    node.unique_id = format!("snapshot.{}.{name}", node.package_name);
    // dbt keeps the file stem in the fqn and adds the block name: [pkg, dirs…, stem, name].
    node.fqn.push(name.to_string());
    node.raw_code = code.to_string();
}

/// Applies `target_schema` / `target_database`, which bypass `generate_schema_name` as in dbt.
pub fn apply_target_location(node: &mut ManifestNode) {
    if let Some(schema) = node.config.get("target_schema").and_then(Json::as_str) {
        node.schema = schema.to_string();
    }
    if let Some(db) = node.config.get("target_database").and_then(Json::as_str) {
        node.database = Some(db.to_string());
    }
}
