//! Finding a node's materialization macro as dbt does: the adapter's own before `default`
//! (Redshift falls back to Postgres's), the root project's before a package's before runner's
//! built-in `dbt` set.

use std::sync::Arc;

use runner_compile::registry::{INTERNAL_PACKAGE, MacroEntry, MacroRegistry};

/// Adapter types to search, most specific first.
fn adapter_chain(adapter_type: &str) -> Vec<&str> {
    match adapter_type {
        "redshift" => vec!["redshift", "postgres", "default"],
        "default" => vec!["default"],
        other => vec![other, "default"],
    }
}

/// The `{% materialization name, adapter %}` macro for `name`, or `None`.
pub fn find_materialization(
    registry: &MacroRegistry,
    root_package: &str,
    name: &str,
    adapter_type: &str,
) -> Option<Arc<MacroEntry>> {
    let all = registry.all();
    for adapter in adapter_chain(adapter_type) {
        let macro_name = format!("materialization_{name}_{adapter}");
        let candidates: Vec<&Arc<MacroEntry>> = all
            .iter()
            .copied()
            .filter(|m| m.name == macro_name)
            .collect();
        let pick = candidates
            .iter()
            .find(|m| m.package == root_package)
            .or_else(|| {
                candidates
                    .iter()
                    .find(|m| m.package != root_package && m.package != INTERNAL_PACKAGE)
            })
            .or_else(|| candidates.iter().find(|m| m.package == INTERNAL_PACKAGE));
        if let Some(m) = pick {
            return Some((*m).clone());
        }
    }
    None
}
