//! Names and unique ids of generic tests, synthesised from the test, its target and its arguments exactly
//! as dbt-core does (so `test.pkg.unique_orders_id.<hash>` ids match dbt's).

use runner_jinja::Value;
use serde_json::{Map, Value as Json};

/// What a generic test is attached to, for naming.
pub enum TestTarget<'a> {
    /// A model, seed or snapshot, by name.
    Node(&'a str),
    /// A source table.
    Source {
        /// Source name.
        source: &'a str,
        /// Table name.
        table: &'a str,
    },
}

/// Names of a generic test: `name` is the full synthesised name; `alias` is what dbt uses for files and
/// relations, shortened with an md5 when the full name is 64 characters or more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestNames {
    /// Full name (the node name and fqn leaf).
    pub name: String,
    /// Short name (alias and compiled file name).
    pub alias: String,
}

/// Python's `str()` of a JSON value, as dbt sees YAML values.
pub fn python_str(v: &Json) -> String {
    Value::from_json(v).to_python_str()
}

/// Python's `repr()` of a JSON value.
pub fn python_repr(v: &Json) -> String {
    Value::from_json(v).repr()
}

/// Stringifies every scalar and sorts every mapping, as dbt does before hashing test metadata.
fn hashable(v: &Json) -> Json {
    match v {
        Json::String(s) => Json::String(s.clone()),
        Json::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Json::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), hashable(&m[k])))
                    .collect(),
            )
        }
        Json::Array(a) => Json::Array(a.iter().map(hashable).collect()),
        scalar => Json::String(python_str(scalar)),
    }
}

/// The 10-character suffix of a generic test's unique id.
pub fn test_hash(
    name: &str,
    test_name: &str,
    kwargs: &Map<String, Json>,
    namespace: Option<&str>,
) -> String {
    let mut metadata = Map::new();
    metadata.insert("name".into(), Json::String(test_name.into()));
    metadata.insert("kwargs".into(), Json::Object(kwargs.clone()));
    metadata.insert(
        "namespace".into(),
        namespace
            .map(|n| Json::String(n.into()))
            .unwrap_or(Json::Null),
    );
    let mut text = name.to_string();
    write_repr(&hashable(&Json::Object(metadata)), &mut text);
    let hex = crate::digest::md5_hex(text.as_bytes());
    hex[hex.len() - 10..].to_string()
}

/// Python's `repr()` of what [`hashable`] returns (mappings, lists and strings only), written
/// directly: converting to template values first was most of naming a test.
fn write_repr(v: &Json, out: &mut String) {
    match v {
        Json::Object(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&runner_jinja::python_str_repr(k));
                out.push_str(": ");
                write_repr(v, out);
            }
            out.push('}');
        }
        Json::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(v, out);
            }
            out.push(']');
        }
        Json::String(s) => out.push_str(&runner_jinja::python_str_repr(s)),
        other => out.push_str(&python_repr(other)),
    }
}

/// Synthesises the names of a generic test from its arguments (every kwarg except `model`, sorted by name).
pub fn synthesize(
    test_name: &str,
    namespace: Option<&str>,
    target: &TestTarget<'_>,
    args: &Map<String, Json>,
) -> TestNames {
    let mut keys: Vec<&String> = args.keys().filter(|k| k.as_str() != "model").collect();
    keys.sort();
    let mut flat = Vec::new();
    for k in keys {
        match &args[k] {
            Json::Object(m) => flat.extend(m.values().map(python_str)),
            Json::Array(a) => flat.extend(a.iter().map(python_str)),
            other => flat.push(python_str(other)),
        }
    }
    let clean = regex_clean(&flat);
    let unique = clean.join("__");
    let prefix = match namespace {
        Some(ns) => format!("{ns}_{test_name}"),
        None => test_name.to_string(),
    };
    let identifier = match target {
        TestTarget::Node(name) => format!("{prefix}_{name}"),
        TestTarget::Source { source, table } => format!("source_{prefix}_{source}_{table}"),
    };
    // dbt joins even an empty argument list, so a test without arguments ends in `_`.
    let name = format!("{identifier}_{unique}");
    let alias = if name.len() >= 64 {
        let truncated: String = identifier.chars().take(30).collect();
        format!("{truncated}_{}", crate::digest::md5_hex(name.as_bytes()))
    } else {
        name.clone()
    };
    TestNames { name, alias }
}

/// Replaces every run of characters outside `[0-9a-zA-Z_]` with one underscore.
fn regex_clean(parts: &[String]) -> Vec<String> {
    parts
        .iter()
        .map(|p| {
            let mut out = String::with_capacity(p.len());
            let mut in_run = false;
            for c in p.chars() {
                if c.is_ascii_alphanumeric() || c == '_' {
                    out.push(c);
                    in_run = false;
                } else if !in_run {
                    out.push('_');
                    in_run = true;
                }
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kwargs(v: Json) -> Map<String, Json> {
        v.as_object().unwrap().clone()
    }

    // Expected ids below are dbt-core 1.12's, read from its manifest of jaffle-shop-classic.
    #[test]
    fn unique_test_id_matches_dbt() {
        let k = kwargs(
            json!({"column_name": "customer_id", "model": "{{ get_where_subquery(ref('customers')) }}"}),
        );
        let names = synthesize("unique", None, &TestTarget::Node("customers"), &k);
        assert_eq!(names.name, "unique_customers_customer_id");
        assert_eq!(test_hash(&names.name, "unique", &k, None), "c5af1ff4b1");
    }

    #[test]
    fn relationships_name_and_hash_match_dbt() {
        let k = kwargs(
            json!({"to": "ref('customers')", "field": "customer_id", "column_name": "customer_id", "model": "{{ get_where_subquery(ref('orders')) }}"}),
        );
        let names = synthesize("relationships", None, &TestTarget::Node("orders"), &k);
        assert_eq!(
            names.name,
            "relationships_orders_customer_id__customer_id__ref_customers_"
        );
        assert_eq!(names.alias, names.name);
        assert_eq!(
            test_hash(&names.name, "relationships", &k, None),
            "c6ec7f58f2"
        );
    }

    #[test]
    fn long_names_get_an_md5_alias() {
        let k = kwargs(
            json!({"values": ["placed", "shipped", "completed", "return_pending", "returned"], "column_name": "status", "model": "{{ get_where_subquery(ref('orders')) }}"}),
        );
        let names = synthesize("accepted_values", None, &TestTarget::Node("orders"), &k);
        assert_eq!(
            names.name,
            "accepted_values_orders_status__placed__shipped__completed__return_pending__returned"
        );
        assert_eq!(
            names.alias,
            "accepted_values_orders_1ce6ab157c285f7cd2ac656013faf758"
        );
        assert_eq!(
            test_hash(&names.name, "accepted_values", &k, None),
            "be6b5b5ec3"
        );
    }

    #[test]
    fn python_repr_picks_quotes_like_python() {
        assert_eq!(python_repr(&json!("a'b")), "\"a'b\"");
        assert_eq!(python_repr(&json!("a'b\"c")), "'a\\'b\"c'");
        assert_eq!(python_str(&json!(1.0)), "1.0");
        assert_eq!(python_str(&json!(true)), "True");
    }

    #[test]
    fn direct_repr_matches_the_template_value_repr() {
        let v = json!({
            "name": "accepted_values",
            "kwargs": {"values": ["it's", "say \"hi\"", 1, 2.5, true, null, ["a\\b"]],
                       "column_name": "status", "model": "{{ get_where_subquery(ref('o')) }}"},
            "namespace": null,
        });
        let h = hashable(&v);
        let mut direct = String::new();
        write_repr(&h, &mut direct);
        assert_eq!(direct, python_repr(&h));
    }
}
