//! `runner ls`: prints the selected resources the way `dbt ls` does (selector, name, path or JSON).

use serde_json::{Map, Value as Json};

/// Keys `dbt ls --output json` prints when `--output-keys` is not given.
const DEFAULT_JSON_KEYS: [&str; 10] = [
    "alias",
    "name",
    "package_name",
    "depends_on",
    "tags",
    "config",
    "resource_type",
    "source_name",
    "original_file_path",
    "unique_id",
];

/// Manifest sections that hold selectable resources, with the prefix `ls` puts before their fqn.
const SECTIONS: [(&str, &str); 7] = [
    ("nodes", ""),
    ("sources", "source:"),
    ("exposures", "exposure:"),
    ("metrics", "metric:"),
    ("semantic_models", "semantic_model:"),
    ("saved_queries", "saved_query:"),
    ("unit_tests", "unit_test:"),
];

/// The lines `dbt ls` prints for `ids` (any order), in dbt's order: sorted by unique id.
pub fn lines(manifest: &Json, ids: &[String], output: &str, output_keys: &[String]) -> Vec<String> {
    let mut ids: Vec<&String> = ids.iter().collect();
    ids.sort();
    ids.into_iter()
        .filter_map(|id| {
            let (prefix, resource) = SECTIONS.iter().find_map(|(section, prefix)| {
                Some((*prefix, manifest[section].get(id.as_str())?))
            })?;
            Some(match output {
                "name" => str_field(resource, "name"),
                "path" => str_field(resource, "original_file_path"),
                // A value built from JSON always serializes back.
                "json" => runner_jinja::Value::from_json(&json_line(resource, output_keys))
                    .to_python_json(false)
                    .unwrap_or_default(),
                // Nodes print their fqn; other resources their search name (package[.source].name).
                _ if prefix.is_empty() => fqn(resource),
                _ => format!("{prefix}{}", search_name(resource)),
            })
        })
        .collect()
}

fn str_field(resource: &Json, key: &str) -> String {
    resource[key].as_str().unwrap_or_default().to_string()
}

fn search_name(resource: &Json) -> String {
    [
        resource["package_name"].as_str(),
        resource["source_name"].as_str(),
        resource["name"].as_str(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(".")
}

fn fqn(resource: &Json) -> String {
    let parts: Vec<&str> = resource["fqn"]
        .as_array()
        .map(|a| a.iter().filter_map(Json::as_str).collect())
        .unwrap_or_default();
    parts.join(".")
}

/// One resource as `ls --output json` prints it: the allowed keys in the resource's own key order, and
/// for models the direct parents dbt 1.12 adds.
fn json_line(resource: &Json, output_keys: &[String]) -> Json {
    let wanted = |k: &str| {
        if output_keys.is_empty() {
            DEFAULT_JSON_KEYS.contains(&k)
        } else {
            output_keys.iter().any(|o| o == k)
        }
    };
    let mut line = Map::new();
    if let Some(fields) = resource.as_object() {
        if output_keys.is_empty() {
            for (k, v) in fields.iter().filter(|(k, _)| wanted(k)) {
                line.insert(k.clone(), v.clone());
            }
        } else {
            // Requested keys print in the order asked for.
            for k in output_keys {
                if let Some(v) = fields.get(k) {
                    line.insert(k.clone(), v.clone());
                }
            }
        }
    }
    let is_model = resource["resource_type"] == "model";
    if is_model && (output_keys.is_empty() || wanted("direct_parents")) {
        line.insert(
            "direct_parents".into(),
            resource["depends_on"]["nodes"].clone(),
        );
    }
    Json::Object(line)
}
