//! Node configuration: dbt's defaults per resource type, the `dbt_project.yml` tree search by fqn, and the
//! merge rules (append tags and hooks, update dicts, clobber the rest).

use serde_json::{Map, Value as Json, json};

use runner_artifacts::ResourceType;

/// dbt's resolved config for a resource type before any user value, keys in dbt-core 1.12's order.
pub fn default_config(rt: ResourceType) -> Map<String, Json> {
    // Built once per kind and cloned: every node starts from one, and a clone is one exact-size
    // allocation where building it key by key grew the map (and hashed every key) each time.
    static DEFAULTS: std::sync::LazyLock<[Map<String, Json>; 6]> = std::sync::LazyLock::new(|| {
        [
            ResourceType::Test,
            ResourceType::Seed,
            ResourceType::Snapshot,
            ResourceType::Model,
            ResourceType::Analysis,
            ResourceType::Source,
        ]
        .map(build_default_config)
    });
    let kind = match rt {
        ResourceType::Test => 0,
        ResourceType::Seed => 1,
        ResourceType::Snapshot => 2,
        ResourceType::Model => 3,
        ResourceType::Source => 5,
        _ => 4,
    };
    DEFAULTS[kind].clone()
}

fn build_default_config(rt: ResourceType) -> Map<String, Json> {
    if rt == ResourceType::Source {
        // dbt's SourceConfig: freshness is an empty block until a threshold is set.
        let empty = json!({"count": null, "period": null});
        return match json!({
            "enabled": true, "event_time": null,
            "freshness": {"warn_after": empty, "error_after": empty, "filter": null},
            "loaded_at_field": null, "loaded_at_query": null, "meta": {}, "tags": [],
            "static_analysis": null,
        }) {
            Json::Object(m) => m,
            _ => unreachable!("a JSON object literal"),
        };
    }
    let mut m = Map::new();
    let mut put = |k: &str, v: Json| {
        m.insert(k.to_string(), v);
    };
    put("enabled", json!(true));
    put("alias", Json::Null);
    put(
        "schema",
        if rt == ResourceType::Test {
            json!("dbt_test__audit")
        } else {
            Json::Null
        },
    );
    put("database", Json::Null);
    put("tags", json!([]));
    put("meta", json!({}));
    put("group", Json::Null);
    put("static_analysis", Json::Null);
    if rt == ResourceType::Test {
        put("materialized", json!("test"));
        put("severity", json!("ERROR"));
        put("store_failures", Json::Null);
        put("store_failures_as", Json::Null);
        put("sql_header", Json::Null);
        put("where", Json::Null);
        put("limit", Json::Null);
        put("fail_calc", json!("count(*)"));
        put("warn_if", json!("!= 0"));
        put("error_if", json!("!= 0"));
        return m;
    }
    let materialized = match rt {
        ResourceType::Seed => "seed",
        ResourceType::Snapshot => "snapshot",
        _ => "view",
    };
    put("materialized", json!(materialized));
    put("incremental_strategy", Json::Null);
    put("batch_size", Json::Null);
    put("lookback", json!(1));
    put("begin", Json::Null);
    put("persist_docs", json!({}));
    put("post-hook", json!([]));
    put("pre-hook", json!([]));
    put("quoting", json!({}));
    put("column_types", json!({}));
    put("full_refresh", Json::Null);
    put("unique_key", Json::Null);
    put("on_schema_change", json!("ignore"));
    put("on_configuration_change", json!("apply"));
    put("grants", json!({}));
    put("packages", json!([]));
    put("docs", json!({"show": true, "node_color": null}));
    put("contract", json!({"enforced": false, "alias_types": true}));
    put("event_time", Json::Null);
    put("concurrent_batches", Json::Null);
    match rt {
        ResourceType::Snapshot => {
            put("strategy", Json::Null);
            put("target_schema", Json::Null);
            put("target_database", Json::Null);
            put("updated_at", Json::Null);
            put("check_cols", Json::Null);
            put(
                "snapshot_meta_column_names",
                json!({"dbt_valid_to": null, "dbt_valid_from": null, "dbt_scd_id": null, "dbt_updated_at": null, "dbt_is_deleted": null}),
            );
            put("dbt_valid_to_current", Json::Null);
        }
        ResourceType::Seed => {
            put("delimiter", json!(","));
            put("quote_columns", Json::Null);
        }
        ResourceType::Model => {
            put("access", json!("protected"));
            put("freshness", Json::Null);
            put("on_error", Json::Null);
            put(
                "latest_version_pointer",
                json!({"enabled": null, "alias": null}),
            );
        }
        _ => {}
    }
    m
}

/// The canonical spelling of a config key (`pre_hook` and `+pre-hook` are `pre-hook`).
pub fn normalize_key(key: &str) -> String {
    let key = key.trim_start_matches('+').trim();
    match key {
        "pre_hook" => "pre-hook".into(),
        "post_hook" => "post-hook".into(),
        "data_tests" => "tests".into(),
        other => other.to_string(),
    }
}

pub(crate) fn listify(v: &Json) -> Vec<Json> {
    match v {
        Json::Null => Vec::new(),
        Json::Array(a) => a.clone(),
        other => vec![other.clone()],
    }
}

/// The `tags` of a resolved config as strings, in config order.
pub fn config_tags(config: &Map<String, Json>) -> Vec<String> {
    config
        .get("tags")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(String::from))
        .collect()
}

/// Rendered configs hold hooks as `{"sql", "transaction", "index"}` objects, as dbt's manifest does;
/// unrendered configs keep them as written. Returns whether any hook was rewritten.
pub fn hooks_as_objects(config: &mut Map<String, Json>) -> bool {
    let mut rewritten = false;
    for key in ["pre-hook", "post-hook"] {
        if let Some(Json::Array(hooks)) = config.get_mut(key) {
            for hook in hooks.iter_mut() {
                if let Json::String(sql) = hook {
                    *hook = json!({"sql": sql, "transaction": true, "index": null});
                    rewritten = true;
                }
            }
        }
    }
    rewritten
}

/// Merges `incoming` into `target` with dbt's per-key behaviour.
pub fn merge_into(target: &mut Map<String, Json>, incoming: &Map<String, Json>) {
    for (raw_key, value) in incoming {
        let key = normalize_key(raw_key);
        match key.as_str() {
            "tags" => {
                let mut list = listify(target.get("tags").unwrap_or(&Json::Null));
                for t in listify(value) {
                    if !list.contains(&t) {
                        list.push(t);
                    }
                }
                target.insert(key, Json::Array(list));
            }
            "pre-hook" | "post-hook" => {
                let mut list = listify(target.get(&key).unwrap_or(&Json::Null));
                list.extend(listify(value));
                target.insert(key, Json::Array(list));
            }
            "meta" | "quoting" | "column_types" | "persist_docs" | "docs" | "contract" => {
                match (target.get_mut(&key), value) {
                    (Some(Json::Object(existing)), Json::Object(new)) => {
                        for (k, v) in new {
                            existing.insert(k.clone(), v.clone());
                        }
                    }
                    _ => {
                        target.insert(key, value.clone());
                    }
                }
            }
            "grants" => merge_grants(target, value),
            _ => {
                target.insert(key, value.clone());
            }
        }
    }
}

/// Grants replace per privilege, unless the privilege is written `+select`, which extends the grantee list.
fn merge_grants(target: &mut Map<String, Json>, value: &Json) {
    let Json::Object(new) = value else {
        target.insert("grants".into(), value.clone());
        return;
    };
    let entry = target
        .entry("grants".to_string())
        .or_insert_with(|| json!({}));
    if !entry.is_object() {
        *entry = json!({});
    }
    let existing = entry.as_object_mut().expect("grants is an object");
    for (privilege, grantees) in new {
        if let Some(p) = privilege.strip_prefix('+') {
            let mut list = listify(existing.get(p).unwrap_or(&Json::Null));
            list.extend(listify(grantees));
            existing.insert(p.to_string(), Json::Array(list));
        } else {
            existing.insert(privilege.clone(), Json::Array(listify(grantees)));
        }
    }
}

/// The config dictionaries that a `dbt_project.yml` tree (`models:`, `seeds:` …) applies to a node with `fqn`,
/// outermost first. Keys with `+` are configs at any level; plain keys are configs unless their value is a
/// mapping, in which case they name a sub-directory (dbt's rule).
pub fn project_tree_configs(tree: &Json, fqn: &[String]) -> Vec<Map<String, Json>> {
    let mut out = Vec::new();
    let Json::Object(top) = tree else {
        return out;
    };
    let mut level: &Map<String, Json> = top;
    let mut depth = 0;
    loop {
        let mut configs = Map::new();
        for (k, v) in level {
            if k.starts_with('+') || !v.is_object() {
                configs.insert(k.trim_start_matches('+').trim().to_string(), v.clone());
            }
        }
        out.push(configs);
        let Some(part) = fqn.get(depth) else {
            break;
        };
        match level.get(part) {
            Some(Json::Object(next)) => level = next,
            _ => break,
        }
        depth += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Json) -> Map<String, Json> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn tree_search_follows_fqn() {
        let tree = json!({
            "+materialized": "view",
            "jaffle": {"staging": {"+materialized": "table", "tags": ["s"], "+meta": {"a": 1}}, "enabled": true}
        });
        let fqn: Vec<String> = ["jaffle", "staging", "stg_x"].map(String::from).to_vec();
        let levels = project_tree_configs(&tree, &fqn);
        assert_eq!(levels.len(), 3);
        assert_eq!(levels[0], obj(json!({"materialized": "view"})));
        assert_eq!(levels[1], obj(json!({"enabled": true})));
        assert_eq!(
            levels[2],
            obj(json!({"materialized": "table", "tags": ["s"], "meta": {"a": 1}}))
        );
    }

    #[test]
    fn merge_appends_tags_and_hooks_updates_dicts_clobbers_rest() {
        let mut c = default_config(ResourceType::Model);
        merge_into(
            &mut c,
            &obj(
                json!({"tags": "a", "post_hook": "h1", "meta": {"x": 1}, "materialized": "table"}),
            ),
        );
        merge_into(
            &mut c,
            &obj(json!({"tags": ["b", "a"], "+post-hook": ["h2"], "meta": {"y": 2}})),
        );
        assert_eq!(c["tags"], json!(["a", "b"]));
        assert_eq!(c["post-hook"], json!(["h1", "h2"]));
        assert_eq!(c["meta"], json!({"x": 1, "y": 2}));
        assert_eq!(c["materialized"], json!("table"));
    }

    #[test]
    fn grants_extend_with_plus() {
        let mut c = default_config(ResourceType::Model);
        merge_into(&mut c, &obj(json!({"grants": {"select": ["a"]}})));
        merge_into(&mut c, &obj(json!({"grants": {"+select": "b"}})));
        assert_eq!(c["grants"], json!({"select": ["a", "b"]}));
        merge_into(&mut c, &obj(json!({"grants": {"select": ["c"]}})));
        assert_eq!(c["grants"], json!({"select": ["c"]}));
    }

    #[test]
    fn test_defaults_match_dbt() {
        let c = default_config(ResourceType::Test);
        assert_eq!(c["schema"], json!("dbt_test__audit"));
        assert_eq!(c["severity"], json!("ERROR"));
        assert_eq!(c.keys().next_back().unwrap(), "error_if");
    }
}
