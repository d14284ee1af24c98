//! The `selectors` section of manifest.json: each selector of `selectors.yml` as written, keyed by
//! name, with its definition normalised the way dbt records it: CLI-style strings become
//! dictionaries (`"+tag:nightly"` gives `{"parents": true, "method": "tag", "value": "nightly"}`)
//! and `method: value` shorthand becomes `{"method": …, "value": …}`, inside `union` and
//! `intersection` lists too. Full dictionaries are kept as they are.

use serde_json::{Map, Value as Json};

use crate::error::GraphError;
use crate::selectors_yaml::Selectors;

/// The manifest's `selectors` map for the text of `selectors.yml`, after checking it as
/// [`Selectors::from_yaml`] does (so a file runner would refuse never reaches the manifest).
pub fn manifest_selectors(text: &str, file_name: &str) -> Result<Map<String, Json>, GraphError> {
    Selectors::from_yaml(text, file_name)?;
    let doc: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| invalid(file_name, e))?;
    let doc = serde_json::to_value(doc).map_err(|e| invalid(file_name, e))?;
    let mut out = Map::new();
    for entry in doc["selectors"].as_array().into_iter().flatten() {
        let (Some(name), Some(entry)) = (entry["name"].as_str(), entry.as_object()) else {
            continue;
        };
        let mut entry = entry.clone();
        if let Some(definition) = entry.get_mut("definition") {
            *definition = normalised(definition);
        }
        out.insert(name.to_owned(), Json::Object(entry));
    }
    Ok(out)
}

fn invalid(file: &str, e: impl std::fmt::Display) -> GraphError {
    GraphError::SelectorsFile {
        file: file.to_owned(),
        selector: None,
        message: format!("invalid YAML: {e}"),
    }
}

fn normalised(definition: &Json) -> Json {
    match definition {
        Json::String(spec) => Json::Object(spec_fields(spec)),
        Json::Object(map) => {
            for set in ["union", "intersection"] {
                if let Some(Json::Array(items)) = map.get(set) {
                    let items = items
                        .iter()
                        .map(|item| match item {
                            Json::Object(_) | Json::String(_) => normalised(item),
                            other => other.clone(),
                        })
                        .collect();
                    return Json::Object(Map::from_iter([(set.to_owned(), Json::Array(items))]));
                }
            }
            shorthand(map)
        }
        other => other.clone(),
    }
}

/// `{exclude: [...]}` with its items normalised, `{method: value}` spelled out; a dictionary of
/// several keys (the full form) stays as written.
fn shorthand(map: &Map<String, Json>) -> Json {
    let Some((key, value)) = map.iter().next() else {
        return Json::Object(map.clone());
    };
    let value = match value {
        Json::Array(items) => Json::Array(items.iter().map(normalised).collect()),
        other => other.clone(),
    };
    if key == "exclude" {
        Json::Object(Map::from_iter([(key.clone(), value)]))
    } else if map.len() == 1 {
        Json::Object(Map::from_iter([
            ("method".to_owned(), Json::String(key.clone())),
            ("value".to_owned(), value),
        ]))
    } else {
        Json::Object(map.clone())
    }
}

/// A CLI-style spec as dbt records it: `@`, `N+`, `method:` and `+N` become keys in that
/// order, empty parts are left out, depths stay strings.
fn spec_fields(raw: &str) -> Map<String, Json> {
    let mut rest = raw;
    let mut out = Map::new();
    if let Some(r) = rest.strip_prefix('@') {
        out.insert("childrens_parents".into(), Json::Bool(true));
        rest = r;
    }
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if rest[digits..].starts_with('+') {
        out.insert("parents".into(), Json::Bool(true));
        if digits > 0 {
            out.insert("parents_depth".into(), Json::String(rest[..digits].into()));
        }
        rest = &rest[digits + 1..];
    }
    let method = rest.find(':').and_then(|colon| {
        let name = &rest[..colon];
        let word = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
        word.then_some(colon)
    });
    let (method, value) = match method {
        Some(colon) => (rest[..colon].to_owned(), &rest[colon + 1..]),
        None => (default_method(rest).to_owned(), rest),
    };
    // `+N` at the very end is the children operator; only the last `+` can have digits alone after it.
    let (value, children) = match value.rfind('+') {
        Some(plus) if value[plus + 1..].chars().all(|c| c.is_ascii_digit()) => {
            (&value[..plus], Some(&value[plus + 1..]))
        }
        _ => (value, None),
    };
    out.insert("method".into(), Json::String(method));
    if !value.is_empty() {
        out.insert("value".into(), Json::String(value.into()));
    }
    if let Some(depth) = children {
        out.insert("children".into(), Json::Bool(true));
        if !depth.is_empty() {
            out.insert("children_depth".into(), Json::String(depth.into()));
        }
    }
    out
}

/// The method of a spec without one, as dbt guesses it.
fn default_method(value: &str) -> &'static str {
    let lower = value.to_lowercase();
    if value.contains('/') {
        "path"
    } else if [".sql", ".py", ".csv"].iter().any(|e| lower.ends_with(e)) {
        "file"
    } else {
        "fqn"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn specs_become_the_dictionaries_dbt_records() {
        let spec = |s: &str| Json::Object(spec_fields(s));
        assert_eq!(
            spec("+tag:nightly+"),
            json!({"parents": true, "method": "tag", "value": "nightly", "children": true})
        );
        assert_eq!(
            spec("@config.materialized:table"),
            json!({"childrens_parents": true, "method": "config.materialized", "value": "table"})
        );
        assert_eq!(
            spec("2+orders+1"),
            json!({"parents": true, "parents_depth": "2", "method": "fqn", "value": "orders",
                   "children": true, "children_depth": "1"})
        );
        assert_eq!(
            spec("models/marts"),
            json!({"method": "path", "value": "models/marts"})
        );
        assert_eq!(
            spec("orders.sql"),
            json!({"method": "file", "value": "orders.sql"})
        );
        assert_eq!(
            spec("a++"),
            json!({"method": "fqn", "value": "a+", "children": true})
        );
    }

    #[test]
    fn definitions_keep_full_dictionaries_and_spell_out_shorthand() {
        let text = r#"
selectors:
  - name: nightly
    description: Nightly models.
    definition:
      union:
        - "+tag:nightly"
        - {method: path, value: models/marts, children: true}
        - tag: daily
        - exclude: ["resource_type:test", {package: dbt_utils}]
  - name: one
    definition: "source:shop+"
    default: true
  - name: short
    definition: {selector: nightly}
"#;
        let got = manifest_selectors(text, "selectors.yml").unwrap();
        assert_eq!(
            Json::Object(got),
            json!({
                "nightly": {"name": "nightly", "description": "Nightly models.", "definition": {"union": [
                    {"parents": true, "method": "tag", "value": "nightly"},
                    {"method": "path", "value": "models/marts", "children": true},
                    {"method": "tag", "value": "daily"},
                    {"exclude": [{"method": "resource_type", "value": "test"},
                                 {"method": "package", "value": "dbt_utils"}]},
                ]}},
                "one": {"name": "one", "definition": {"method": "source", "value": "shop", "children": true},
                        "default": true},
                "short": {"name": "short", "definition": {"method": "selector", "value": "nightly"}},
            })
        );
    }
}
