//! dbt's `graph` context variable (the manifest's "flat graph"): one dict per manifest section
//! (`nodes`, `sources`, `exposures`, `metrics`, `groups`, `semantic_models`, `saved_queries`,
//! `unit_tests`, `functions`), each keyed by unique id with the resource's manifest JSON. Packages
//! walk it (`graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')`).
//!
//! As in dbt, it is empty while the project is being parsed and complete afterwards. Building it
//! costs about as much memory as the manifest itself, so it is built on first use, from a copy of
//! the manifest's sections that is kept only when some template mentions `graph` at all.

use std::sync::{Mutex, OnceLock};

use indexmap::IndexMap;
use runner_artifacts::Manifest;
use runner_jinja::Value;
use serde_json::Value as Json;

/// The sections of `graph`, in dbt's order.
const SECTIONS: &[&str] = &[
    "exposures",
    "functions",
    "groups",
    "metrics",
    "nodes",
    "sources",
    "semantic_models",
    "saved_queries",
    "unit_tests",
];

/// `graph` for one run: empty until [`FlatGraph::install`] runs at the end of parsing.
#[derive(Default)]
pub struct FlatGraph {
    /// The manifest's sections, kept from the end of parsing until `graph` is first read.
    pending: Mutex<Option<Box<Manifest>>>,
    /// Whether parsing is over (before that, `graph` is `{}`).
    installed: OnceLock<()>,
    /// The built value.
    value: OnceLock<Value>,
}

impl FlatGraph {
    /// Called once parsing is done. `used` says whether any template mentions `graph`; when none
    /// does, nothing is kept and `graph` stays the empty sections.
    pub fn install(&self, manifest: &Manifest, used: bool) {
        if used {
            let mut copy = manifest.clone();
            // Macros and docs are no part of the flat graph.
            copy.macros.clear();
            copy.docs.clear();
            copy.disabled.clear();
            *self.pending.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(copy));
        }
        let _ = self.installed.set(());
    }

    /// The value of `graph`.
    pub fn value(&self) -> Value {
        if self.installed.get().is_none() {
            return Value::dict(IndexMap::new());
        }
        self.value
            .get_or_init(|| {
                let manifest = self
                    .pending
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take();
                build(manifest.as_deref())
            })
            .clone()
    }
}

/// The flat graph of `manifest` (every section empty without one).
fn build(manifest: Option<&Manifest>) -> Value {
    let mut sections: IndexMap<&str, IndexMap<Value, Value>> =
        SECTIONS.iter().map(|s| (*s, IndexMap::new())).collect();
    if let Some(m) = manifest {
        let mut add = |section: &str, id: &str, body: &Json| {
            if let Some(entries) = sections.get_mut(section) {
                entries.insert(Value::from(id), Value::from_json(body));
            }
        };
        for (id, node) in &m.nodes {
            add("nodes", id, &node.to_json());
        }
        for (id, source) in &m.sources {
            add("sources", id, &Json::Object(source.body.clone()));
        }
        for (id, exposure) in &m.exposures {
            add("exposures", id, &Json::Object(exposure.body.clone()));
        }
        for (id, body) in &m.yaml_resources {
            add(runner_artifacts::yaml_resource_section(id), id, body);
        }
    }
    Value::dict(
        sections
            .into_iter()
            .map(|(k, v)| (Value::from(k), Value::dict(v)))
            .collect(),
    )
}

/// Whether a template's source could read `graph` (a whole-word mention outside nothing else:
/// a false positive only costs the copy of the manifest).
pub fn mentions_graph(source: &str) -> bool {
    source.match_indices("graph").any(|(i, _)| {
        let before = source[..i].chars().next_back();
        let after = source[i + 5..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !word(before) && !word(after)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_graph_only_as_a_word() {
        assert!(mentions_graph("{% for n in graph.nodes.values() %}"));
        assert!(mentions_graph("{{ graph['sources'] }}"));
        assert!(!mentions_graph("a paragraph; graphql; my_graph"));
    }

    #[test]
    fn empty_during_parsing_and_sections_after() {
        let g = FlatGraph::default();
        assert_eq!(g.value().len(), Some(0));
        let _ = g.installed.set(());
        let v = g.value();
        assert_eq!(v.len(), Some(SECTIONS.len()));
        assert_eq!(v.get_item(&Value::from("nodes")).len(), Some(0));
    }
}
