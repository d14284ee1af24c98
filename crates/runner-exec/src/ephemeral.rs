//! Which selected ephemeral models a run compiles on their own. dbt queues selected ephemeral
//! models like other nodes and compiles each when the queue reaches it (no result line, no
//! run_results entry), unless something upstream failed or was skipped; so `run --select
//! some_ephemeral`, or an ephemeral model whose users were all skipped, still gets its compiled
//! SQL. runner compiles ephemeral models offline after the run, so it needs only the rule.

use std::collections::{HashMap, HashSet};

use runner_artifacts::{Manifest, ResourceType, RunStatus};

/// The selected ephemeral models whose upstream ran clean: no node above them failed or was
/// skipped and, in `build`, no test on nodes that are all above them (the tests dbt's build graph
/// puts before them) failed.
pub fn compiled_on_their_own(
    manifest: &Manifest,
    selected: &[String],
    statuses: &HashMap<&str, RunStatus>,
    build: bool,
) -> Vec<String> {
    // Nodes that stop what is downstream; usually none, and then no upstream walk is needed.
    let stoppers: Vec<&str> = statuses
        .iter()
        .filter(|(_, s)| s.is_failure() || **s == RunStatus::Skipped)
        .map(|(id, _)| *id)
        .collect();
    let mut out = Vec::new();
    for id in selected {
        let Some(node) = manifest.nodes.get(id) else {
            continue;
        };
        let ephemeral = node.resource_type == ResourceType::Model
            && node.config.get("materialized").and_then(|m| m.as_str()) == Some("ephemeral");
        if !ephemeral {
            continue;
        }
        if stoppers.is_empty() {
            out.push(id.clone());
            continue;
        }
        let upstream = upstream_of(manifest, id);
        let stopped = stoppers.iter().any(|ran| {
            upstream.contains(ran)
                || (build
                    && manifest.nodes.get(*ran).is_some_and(|t| {
                        t.resource_type == ResourceType::Test
                            && t.depends_on
                                .nodes
                                .iter()
                                .all(|d| upstream.contains(d.as_str()))
                    }))
        });
        if !stopped {
            out.push(id.clone());
        }
    }
    out
}

/// Every node `id` depends on, directly or not.
fn upstream_of<'m>(manifest: &'m Manifest, id: &str) -> HashSet<&'m str> {
    let mut seen = HashSet::new();
    let mut stack: Vec<&str> = manifest.nodes[id]
        .depends_on
        .nodes
        .iter()
        .map(String::as_str)
        .collect();
    while let Some(n) = stack.pop() {
        if seen.insert(n)
            && let Some(node) = manifest.nodes.get(n)
        {
            stack.extend(node.depends_on.nodes.iter().map(String::as_str));
        }
    }
    seen
}
