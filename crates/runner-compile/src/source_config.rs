//! A source table's configuration as dbt resolves it: the project's `sources:` tree, then the
//! source and the table, each of which may give `freshness`, `loaded_at_field`,
//! `loaded_at_query`, `meta` and `tags` at the top level (the older form) or under `config:`.
//!
//! The rules differ by key, and differ from models': freshness thresholds merge field by field
//! (a table's `error_after` keeps its source's `warn_after`), meta merges, tags are the sorted
//! union of the entry's own tags (the project's are dropped once the entry is parsed), and a
//! table that names its own `loaded_at_field` does not inherit its source's `loaded_at_query`.

use runner_artifacts::ResourceType;
use runner_artifacts::freshness::{Criteria, Threshold};
use runner_project::LoadedProject;
use serde_json::{Map, Value as Json, json};

use crate::config::merge_into;
use crate::error::{CompileError, Result};
use crate::nodes::{base_config, finish_config};

/// What a source table's manifest entry takes from its configuration.
pub(crate) struct SourceSettings {
    /// `config`, in dbt's key order (`SourceConfig`'s fields, then any others given).
    pub config: Map<String, Json>,
    /// `unrendered_config`: the project's levels, then what the entry itself set.
    pub unrendered: Map<String, Json>,
    /// `source_meta`: the source's own meta (top level, then `config:`).
    pub source_meta: Json,
}

impl SourceSettings {
    /// Whether the table takes part in the project (`enabled` from any level).
    pub fn enabled(&self) -> bool {
        self.config.get("enabled") != Some(&Json::Bool(false))
    }
}

/// Resolves the configuration of `table` of the source entry `src` (both as written in YAML).
pub(crate) fn resolve(
    loaded: &LoadedProject,
    package: &str,
    fqn: &[String],
    src: &Json,
    table: &Json,
    file: &str,
) -> Result<SourceSettings> {
    let (mut config, mut unrendered) = project_levels(loaded, package, fqn);
    for (key, value) in entry_settings(src, table, file)? {
        match key.as_str() {
            "meta" => merge_into(&mut config, &Map::from_iter([(key.clone(), value.clone())])),
            _ => {
                config.insert(key.clone(), value.clone());
            }
        }
        unrendered.insert(key, value);
    }
    // The project may give a partial block; the config holds it complete, as the entry's is.
    if let Some(f @ Json::Object(_)) = config.get_mut("freshness") {
        *f = written(Some(f)).unwrap_or_else(Criteria::empty).to_json();
    }
    let source_meta = Json::Object(merged_objects([
        src.get("meta"),
        config_of(src).get("meta"),
    ]));
    Ok(SourceSettings {
        config,
        unrendered,
        source_meta,
    })
}

/// The defaults and the project's `sources:` levels along `fqn` (a package's own tree, then the
/// root project's, which wins), as for every other node: (config, unrendered).
fn project_levels(
    loaded: &LoadedProject,
    package: &str,
    fqn: &[String],
) -> (Map<String, Json>, Map<String, Json>) {
    let rt = ResourceType::Source;
    let (mut config, mut unrendered) = base_config(loaded, rt, package, fqn, None);
    finish_config(loaded, rt, package, fqn, &mut config, &mut unrendered, &[]);
    (config, unrendered)
}

/// What the source and table entries set themselves, in dbt's order: their `config:` keys, then
/// the computed freshness, loaded_at_field and loaded_at_query, meta and tags.
fn entry_settings(src: &Json, table: &Json, file: &str) -> Result<Map<String, Json>> {
    let mut out = config_of(src).clone();
    for (k, v) in config_of(table) {
        out.insert(k.clone(), v.clone());
    }
    match merged_freshness(src, table) {
        Some(f) if sets_a_threshold(&f) => {
            out.insert("freshness".into(), f.to_json());
        }
        Some(_) => {
            out.shift_remove("freshness");
        }
        None => {
            out.insert("freshness".into(), Json::Null);
        }
    }
    let (field, query) = loaded_at(src, table, file)?;
    out.insert("loaded_at_field".into(), field);
    out.insert("loaded_at_query".into(), query);
    let meta = merged_objects([
        src.get("meta"),
        config_of(src).get("meta"),
        table.get("meta"),
        config_of(table).get("meta"),
    ]);
    out.insert("meta".into(), Json::Object(meta));
    let mut tags: Vec<String> = [
        src.get("tags"),
        config_of(src).get("tags"),
        table.get("tags"),
        config_of(table).get("tags"),
    ]
    .into_iter()
    .flatten()
    .flat_map(crate::config::listify)
    .filter_map(|t| t.as_str().map(String::from))
    .collect();
    tags.sort();
    tags.dedup();
    out.insert("tags".into(), json!(tags));
    Ok(out)
}

/// `loaded_at_field` and `loaded_at_query`, table over source; both at one level is an error.
fn loaded_at(src: &Json, table: &Json, file: &str) -> Result<(Json, Json)> {
    let (src_config, table_config) = (config_of(src), config_of(table));
    // A table "has" a field when it writes the key at its top level (even null, to fall back to
    // metadata freshness) or a non-empty one under `config:`.
    let table_has_field = table.get("loaded_at_field").is_some()
        || table_config.get("loaded_at_field").is_some_and(truthy);
    let either = |a: Option<&Json>, b: Option<&Json>| -> Json {
        a.filter(|v| truthy(v)).or(b).cloned().unwrap_or(Json::Null)
    };
    let table_query = either(
        table.get("loaded_at_query"),
        table_config.get("loaded_at_query"),
    );
    let src_field = either(
        src.get("loaded_at_field"),
        src_config.get("loaded_at_field"),
    );
    let src_query = either(
        src.get("loaded_at_query"),
        src_config.get("loaded_at_query"),
    );
    let both = |level: &str| CompileError::Properties {
        file: file.to_string(),
        message: format!(
            "Cannot specify both loaded_at_field and loaded_at_query at {level} level."
        ),
    };
    if table_has_field && truthy(&table_query) {
        return Err(both("table"));
    }
    if truthy(&src_field) && truthy(&src_query) {
        return Err(both("source"));
    }
    let set = |v: Option<&Json>| v.is_some_and(|v| !v.is_null());
    let field = if table_has_field
        || set(table.get("loaded_at_field"))
        || set(table_config.get("loaded_at_field"))
    {
        either(
            table.get("loaded_at_field"),
            table_config.get("loaded_at_field"),
        )
    } else {
        src_field
    };
    let query = if set(table.get("loaded_at_query")) || set(table_config.get("loaded_at_query")) {
        table_query
    } else if table_has_field {
        Json::Null
    } else {
        src_query
    };
    Ok((field, query))
}

/// The entry's `config:` mapping (empty when absent or not a mapping).
fn config_of(entry: &Json) -> &Map<String, Json> {
    static EMPTY: std::sync::LazyLock<Map<String, Json>> = std::sync::LazyLock::new(Map::new);
    entry
        .get("config")
        .and_then(Json::as_object)
        .unwrap_or(&EMPTY)
}

/// Python truthiness of a YAML value, as dbt's `a or b` fallbacks test it.
fn truthy(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::String(s) => !s.is_empty(),
        Json::Array(a) => !a.is_empty(),
        Json::Object(o) => !o.is_empty(),
        Json::Number(n) => n.as_f64() != Some(0.0),
    }
}

/// The keys of each mapping in turn, later ones winning (non-mappings are skipped).
fn merged_objects<'a>(parts: impl IntoIterator<Item = Option<&'a Json>>) -> Map<String, Json> {
    let mut out = Map::new();
    for part in parts.into_iter().flatten().filter_map(Json::as_object) {
        for (k, v) in part {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// A `freshness:` value as written: absent is an empty block, null is `None`.
fn written(v: Option<&Json>) -> Option<Criteria> {
    match v {
        None => Some(Criteria::empty()),
        Some(v) => Criteria::from_json(v),
    }
}

/// Whether a block sets any threshold (one that sets none does not override the project's).
fn sets_a_threshold(c: &Criteria) -> bool {
    [&c.warn_after, &c.error_after]
        .into_iter()
        .flatten()
        .any(Threshold::is_given)
}

/// Source, source `config:`, table, table `config:`, merged pairwise: an explicit null clears
/// what came before, and a set block updates the earlier one threshold by threshold.
fn merged_freshness(src: &Json, table: &Json) -> Option<Criteria> {
    let mut levels = [
        written(src.get("freshness")),
        written(config_of(src).get("freshness")),
        written(table.get("freshness")),
        written(config_of(table).get("freshness")),
    ]
    .into_iter();
    let mut merged = levels.next().flatten();
    for update in levels {
        merged = match (merged, update) {
            (Some(base), Some(update)) => Some(Criteria {
                warn_after: merged_threshold(base.warn_after, update.warn_after),
                error_after: merged_threshold(base.error_after, update.error_after),
                filter: update.filter.or(base.filter),
            }),
            (None, Some(update)) if sets_a_threshold(&update) => Some(update),
            _ => None,
        };
    }
    merged
}

fn merged_threshold(base: Option<Threshold>, update: Option<Threshold>) -> Option<Threshold> {
    match (base, update) {
        (_, None) => None,
        (Some(base), Some(update)) if !update.is_given() => Some(base),
        (_, update) => update,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh(v: Json) -> Option<Json> {
        merged_freshness(&v["source"], &v["table"]).map(|f| f.to_json())
    }

    #[test]
    fn a_table_threshold_keeps_the_source_other_threshold() {
        let got = fresh(json!({
            "source": {"freshness": {"warn_after": {"count": 12, "period": "hour"}, "filter": "x"}},
            "table": {"freshness": {"error_after": {"count": 2, "period": "day"}}},
        }));
        assert_eq!(
            got,
            Some(json!({"warn_after": {"count": 12, "period": "hour"},
                        "error_after": {"count": 2, "period": "day"}, "filter": "x"}))
        );
    }

    #[test]
    fn null_clears_and_an_unset_block_does_not_revive() {
        let cleared = json!({"source": {"freshness": {"warn_after": {"count": 1, "period": "day"}}},
                             "table": {"config": {"freshness": null}}});
        assert_eq!(fresh(cleared), None);
        let revived = json!({"source": {"freshness": null},
                             "table": {"freshness": {"warn_after": {"count": 1, "period": "day"}}}});
        assert!(fresh(revived).is_some());
        let nothing = json!({"source": {}, "table": {}});
        let unset = merged_freshness(&nothing["source"], &nothing["table"]).unwrap();
        assert!(!sets_a_threshold(&unset));
    }

    #[test]
    fn loaded_at_follows_dbt_precedence() {
        let src = json!({"config": {"loaded_at_query": "select 1"}});
        let own_field = json!({"config": {"loaded_at_field": "ts"}});
        assert_eq!(
            loaded_at(&src, &own_field, "f.yml").unwrap(),
            (json!("ts"), Json::Null)
        );
        let inherits = json!({"name": "t"});
        assert_eq!(
            loaded_at(&src, &inherits, "f.yml").unwrap(),
            (Json::Null, json!("select 1"))
        );
        let both = json!({"loaded_at_field": "a", "loaded_at_query": "select 2"});
        let err = loaded_at(&json!({}), &both, "f.yml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("f.yml") && err.contains("at table level"),
            "{err}"
        );
        let both_src = json!({"loaded_at_field": "a", "config": {"loaded_at_query": "q"}});
        let err = loaded_at(&both_src, &json!({}), "f.yml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("at source level"), "{err}");
    }

    #[test]
    fn tags_are_the_sorted_union_and_meta_merges_in_order() {
        let src = json!({"tags": ["b", "a"], "meta": {"k": 1, "s": true}, "config": {"tags": "z"}});
        let table = json!({"tags": ["a", "c"], "config": {"meta": {"k": 2}}});
        let got = entry_settings(&src, &table, "f.yml").unwrap();
        assert_eq!(got["tags"], json!(["a", "b", "c", "z"]));
        assert_eq!(got["meta"], json!({"k": 2, "s": true}));
    }
}
