//! The selector methods: given one atom's method and value, which nodes match, before graph
//! operators and indirect selection. Each method looks only at the node kinds dbt-core's
//! corresponding method looks at (e.g. `fqn:` never matches sources, `config.` only manifest
//! nodes and sources).

use serde_json::Value;

use crate::error::GraphError;
use crate::graph::Graph;
use crate::node::{GraphNode, ResourceType, TestType};
use crate::nodeset::NodeSet;
use crate::pattern::{fnmatch, glob_match, has_wildcard, segments};
use crate::spec::{Method, SelectionAtom};

/// Node types dbt accepts in `resource_type:` that this graph never holds.
const FOREIGN_RESOURCE_TYPES: [&str; 7] = [
    "rpc",
    "sql_operation",
    "doc",
    "macro",
    "group",
    "fixture",
    "function",
];

type Matcher<'a> = Box<dyn Fn(&GraphNode) -> bool + 'a>;

/// Nodes matching `atom`'s method and value. `selector:` is resolved by the caller.
pub(crate) fn search(graph: &Graph, atom: &SelectionAtom) -> Result<NodeSet, GraphError> {
    let matcher = matcher(graph, atom)?;
    let mut out = graph.empty_set();
    for i in 0..graph.len() {
        if matcher(graph.node_at(i)) {
            out.insert(i);
        }
    }
    Ok(out)
}

fn matcher<'a>(graph: &'a Graph, atom: &'a SelectionAtom) -> Result<Matcher<'a>, GraphError> {
    let value = atom.value.as_str();
    let raw = atom.raw.as_str();
    Ok(match atom.method {
        Method::Fqn => {
            Box::new(move |n| n.resource_type != ResourceType::Source && fqn_match(n, value))
        }
        Method::Tag => Box::new(move |n| n.tags.iter().any(|t| fnmatch(t, value))),
        Method::Path => path_matcher(value),
        Method::File => Box::new(move |n| {
            let name = n.original_file_path.rsplit('/').next().unwrap_or_default();
            let stem = match name.rfind('.') {
                Some(dot) if dot > 0 => &name[..dot],
                _ => name,
            };
            fnmatch(name, value) || fnmatch(stem, value)
        }),
        Method::Package => {
            let target = match (value, graph.root_project()) {
                ("this", Some(root)) => root,
                _ => value,
            };
            Box::new(move |n| fnmatch(&n.package_name, target))
        }
        Method::Config => {
            let keys = &atom.method_args;
            let case_insensitive = keys.len() == 1 && keys[0] == "severity";
            Box::new(move |n| {
                (n.resource_type.is_manifest_node() || n.resource_type == ResourceType::Source)
                    && descend(&n.config, keys)
                        .is_some_and(|v| config_match(v, value, case_insensitive))
            })
        }
        Method::ResourceType => match ResourceType::parse(value) {
            Some(rt) => Box::new(move |n| n.resource_type == rt),
            None if FOREIGN_RESOURCE_TYPES.contains(&value) => Box::new(|_| false),
            None => {
                return Err(GraphError::bad_value(
                    raw,
                    format!("invalid resource_type selector \"{value}\""),
                ));
            }
        },
        Method::Source => {
            let parts: Vec<&str> = value.split('.').collect();
            let (pkg, src, table) = match parts.as_slice() {
                [s] => ("*", *s, "*"),
                [s, t] => ("*", *s, *t),
                [p, s, t] => (*p, *s, *t),
                _ => {
                    return Err(GraphError::bad_value(
                        raw,
                        "sources must be selected as `source_name`, `source_name.table_name` or `package.source_name.table_name`",
                    ));
                }
            };
            Box::new(move |n| {
                n.resource_type == ResourceType::Source
                    && fnmatch(&n.package_name, pkg)
                    && fnmatch(n.source_name.as_deref().unwrap_or_default(), src)
                    && fnmatch(&n.name, table)
            })
        }
        Method::Exposure => named(raw, value, ResourceType::Exposure)?,
        Method::Metric => named(raw, value, ResourceType::Metric)?,
        Method::SemanticModel => named(raw, value, ResourceType::SemanticModel)?,
        Method::SavedQuery => named(raw, value, ResourceType::SavedQuery)?,
        Method::UnitTest => named(raw, value, ResourceType::UnitTest)?,
        Method::TestName => Box::new(move |n| {
            n.resource_type == ResourceType::Test
                && n.test_name.as_deref().is_some_and(|full| {
                    let bare = full.rsplit('.').next().unwrap_or(full);
                    fnmatch(bare, value) || fnmatch(full, value)
                })
        }),
        Method::TestType => {
            let wanted: &'static [TestType] = match value {
                "generic" | "schema" => &[TestType::Generic],
                "singular" => &[TestType::Singular],
                "data" => &[TestType::Generic, TestType::Singular],
                "unit" => &[TestType::Unit],
                _ => {
                    return Err(GraphError::bad_value(
                        raw,
                        format!(
                            "invalid test type selector {value}: expected \"generic\", \"singular\", \"unit\", or \"data\""
                        ),
                    ));
                }
            };
            Box::new(move |n| n.effective_test_type().is_some_and(|t| wanted.contains(&t)))
        }
        Method::Group => Box::new(move |n| {
            (n.resource_type.is_manifest_node() || n.resource_type == ResourceType::Metric)
                && n.effective_group().is_some_and(|g| fnmatch(g, value))
        }),
        Method::Access => Box::new(move |n| {
            n.resource_type == ResourceType::Model && n.access.as_deref() == Some(value)
        }),
        Method::Version => version_matcher(raw, value)?,
        Method::Selector => {
            return Err(GraphError::bad_value(
                raw,
                "selector references are resolved by the caller",
            ));
        }
        Method::State | Method::Result | Method::SourceStatus => {
            return Err(GraphError::UnsupportedMethod {
                method: atom.method.as_str().to_owned(),
                selector: raw.to_owned(),
            });
        }
    })
}

/// `exposure:`, `metric:`, …: `name` or `package.name`, both with wildcards.
fn named<'a>(raw: &str, value: &'a str, rt: ResourceType) -> Result<Matcher<'a>, GraphError> {
    let (pkg, name) = match value.split('.').collect::<Vec<_>>().as_slice() {
        [n] => ("*", *n),
        [p, n] => (*p, *n),
        _ => {
            return Err(GraphError::bad_value(
                raw,
                format!("{rt} selectors must be of the form `name` or `package.name`"),
            ));
        }
    };
    Ok(Box::new(move |n| {
        n.resource_type == rt && fnmatch(&n.package_name, pkg) && fnmatch(&n.name, name)
    }))
}

/// dbt's fqn rule: try the full fqn, then the fqn without its package.
fn fqn_match(node: &GraphNode, selector: &str) -> bool {
    let fqn: Vec<&str> = node.fqn.iter().map(String::as_str).collect();
    let versioned = node.is_versioned();
    is_selected(&fqn, selector, versioned)
        || (fqn.len() > 1 && is_selected(&fqn[1..], selector, versioned))
}

fn is_selected(fqn: &[&str], selector: &str, versioned: bool) -> bool {
    let Some(&leaf) = fqn.last() else {
        return false;
    };
    if versioned && fqn.len() >= 2 {
        let model = fqn[fqn.len() - 2];
        let sel_parts: Vec<&str> = selector.split('.').collect();
        let sel_tail = sel_parts[sel_parts.len().saturating_sub(2)..].join("_");
        if model == selector || format!("{model}_{leaf}") == sel_tail {
            return true;
        }
    } else if !versioned && leaf == selector {
        return true;
    }
    let flat: Vec<&str> = fqn.iter().flat_map(|s| s.split('.')).collect();
    let sel: Vec<&str> = selector.split('.').collect();
    if flat.len() < sel.len() {
        return false;
    }
    for (i, part) in sel.iter().enumerate() {
        if has_wildcard(part) {
            // From the first wildcard on, the rest of the selector must match the rest of the fqn;
            // since dbt 1.12 a bare pattern (no dot) may instead match the leaf alone.
            if fnmatch(&flat[i..].join("."), &sel[i..].join(".")) {
                return true;
            }
            let name = if versioned && fqn.len() >= 2 {
                fqn[fqn.len() - 2]
            } else {
                leaf
            };
            return !selector.contains('.') && fnmatch(name, selector);
        }
        if flat[i] != *part {
            return false;
        }
    }
    true
}

/// `path:` matches a node whose file, or one of whose directories, the glob matches.
fn path_matcher(value: &str) -> Matcher<'_> {
    let dirs_only = value.ends_with('/');
    let pattern = segments(value);
    Box::new(move |n| {
        let path = segments(&n.original_file_path);
        if pattern.is_empty() {
            return true;
        }
        (!dirs_only && glob_match(&pattern, &path))
            || (1..path.len()).any(|len| glob_match(&pattern, &path[..len]))
    })
}

fn version_matcher<'a>(raw: &str, value: &'a str) -> Result<Matcher<'a>, GraphError> {
    let cmp = |n: &GraphNode| match (&n.version, &n.latest_version) {
        (Some(v), Some(l)) => Some(compare_versions(v, l)),
        _ => None,
    };
    Ok(match value {
        "latest" => Box::new(move |n| {
            n.resource_type == ResourceType::Model
                && n.version.is_some()
                && n.version == n.latest_version
        }),
        "prerelease" => Box::new(move |n| {
            n.resource_type == ResourceType::Model && cmp(n) == Some(std::cmp::Ordering::Greater)
        }),
        "old" => Box::new(move |n| {
            n.resource_type == ResourceType::Model && cmp(n) == Some(std::cmp::Ordering::Less)
        }),
        "none" => Box::new(|n| n.resource_type == ResourceType::Model && n.version.is_none()),
        _ => {
            return Err(GraphError::bad_value(
                raw,
                format!(
                    "invalid version type selector {value}: expected one of: \"latest\", \"prerelease\", \"old\", or \"none\""
                ),
            ));
        }
    })
}

/// Numeric comparison when both parse as numbers, string comparison otherwise.
fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
        _ => a.cmp(b),
    }
}

fn descend<'v>(config: &'v Value, keys: &[String]) -> Option<&'v Value> {
    keys.iter().try_fold(config, |v, k| v.as_object()?.get(k))
}

/// A config value matches a string equal to it, `true`/`false` (any case) for booleans, and any
/// element of a list. Numbers and null never match, as in dbt.
fn config_match(v: &Value, selector: &str, case_insensitive: bool) -> bool {
    let scalar = |v: &Value| match v {
        Value::String(s) if case_insensitive => s.eq_ignore_ascii_case(selector),
        Value::String(s) => s == selector,
        Value::Bool(b) => selector.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        _ => false,
    };
    match v {
        Value::Array(items) => items.iter().any(scalar),
        other => scalar(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fq(fqn: &[&str], sel: &str, versioned: bool) -> bool {
        let node = GraphNode {
            fqn: fqn.iter().map(|s| s.to_string()).collect(),
            version: versioned.then(|| "2".to_string()),
            ..GraphNode::default()
        };
        fqn_match(&node, sel)
    }

    #[test]
    fn fqn_rules() {
        let f = ["shop", "staging", "stg_orders"];
        assert!(fq(&f, "stg_orders", false));
        assert!(fq(&f, "shop", false));
        assert!(fq(&f, "staging", false));
        assert!(fq(&f, "shop.staging", false));
        assert!(fq(&f, "shop.staging.stg_orders", false));
        assert!(fq(&f, "staging.stg_orders", false));
        assert!(fq(&f, "shop.*", false));
        assert!(fq(&f, "*", false));
        assert!(fq(&f, "shop.staging.stg_*", false));
        assert!(fq(&f, "*orders", false));
        assert!(fq(&f, "stg_*", false));
        assert!(fq(&f, "stg_ord?rs", false));
        assert!(!fq(&f, "staging.ord*", false));
        assert!(!fq(&f, "stg_x*", false));
        assert!(!fq(&f, "stg", false));
        assert!(!fq(&f, "marts", false));
        assert!(!fq(&f, "shop.staging.stg_orders.extra", false));
        let v = ["shop", "marts", "dim", "v2"];
        assert!(fq(&v, "dim", true));
        assert!(fq(&v, "dim_v2", true));
        assert!(fq(&v, "dim.v2", true));
        assert!(fq(&v, "marts.dim.v2", true));
        assert!(!fq(&v, "dim_v1", true));
        assert!(!fq(&v, "v2", true));
        assert!(fq(&v, "di*", true));
        assert!(!fq(&[], "*", false));
    }

    #[test]
    fn config_values() {
        let c = json!({"materialized": "table", "enabled": true, "tags": ["a", "b"], "meta": {"owner": "x", "n": 1}, "severity": "ERROR"});
        let m = |keys: &[&str], sel: &str| {
            let keys: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
            let ci = keys == ["severity"];
            descend(&c, &keys).is_some_and(|v| config_match(v, sel, ci))
        };
        assert!(m(&["materialized"], "table"));
        assert!(!m(&["materialized"], "Table"));
        assert!(m(&["enabled"], "True"));
        assert!(!m(&["enabled"], "false"));
        assert!(m(&["tags"], "b"));
        assert!(m(&["meta", "owner"], "x"));
        assert!(!m(&["meta", "n"], "1"));
        assert!(!m(&["meta", "missing"], "x"));
        assert!(!m(&["materialized", "deeper"], "x"));
        assert!(m(&["severity"], "error"));
    }

    #[test]
    fn version_ordering() {
        use std::cmp::Ordering::*;
        assert_eq!(compare_versions("2", "10"), Less);
        assert_eq!(compare_versions("1.5", "1.5"), Equal);
        assert_eq!(compare_versions("b", "a"), Greater);
    }
}
