//! Every macro known to a run (project, packages, runner's built-in `dbt` set), with dbt's name resolution
//! and `adapter.dispatch` search order.

use std::sync::Arc;

use runner_jinja::{Template, Value};

/// Runner's built-in macros, written for runner, in the internal `dbt` package.
pub const BUILTIN_MACRO_FILES: &[(&str, &str)] = &[
    ("macros/naming.sql", include_str!("../macros/naming.sql")),
    ("macros/tests.sql", include_str!("../macros/tests.sql")),
    (
        "macros/adapters/relations.sql",
        include_str!("../macros/adapters/relations.sql"),
    ),
    (
        "macros/adapters/hooks_grants_docs.sql",
        include_str!("../macros/adapters/hooks_grants_docs.sql"),
    ),
    (
        "macros/adapters/freshness.sql",
        include_str!("../macros/adapters/freshness.sql"),
    ),
    (
        "macros/materializations/view_table.sql",
        include_str!("../macros/materializations/view_table.sql"),
    ),
    (
        "macros/materializations/incremental.sql",
        include_str!("../macros/materializations/incremental.sql"),
    ),
    (
        "macros/materializations/schema_changes.sql",
        include_str!("../macros/materializations/schema_changes.sql"),
    ),
    (
        "macros/materializations/seed_test.sql",
        include_str!("../macros/materializations/seed_test.sql"),
    ),
    (
        "macros/materializations/snapshot.sql",
        include_str!("../macros/materializations/snapshot.sql"),
    ),
    (
        "macros/incremental.sql",
        include_str!("../macros/incremental.sql"),
    ),
    (
        "macros/cross_db/types.sql",
        include_str!("../macros/cross_db/types.sql"),
    ),
    (
        "macros/cross_db/casts.sql",
        include_str!("../macros/cross_db/casts.sql"),
    ),
    (
        "macros/cross_db/timestamps.sql",
        include_str!("../macros/cross_db/timestamps.sql"),
    ),
    (
        "macros/cross_db/dates.sql",
        include_str!("../macros/cross_db/dates.sql"),
    ),
    (
        "macros/cross_db/strings.sql",
        include_str!("../macros/cross_db/strings.sql"),
    ),
    (
        "macros/cross_db/literals.sql",
        include_str!("../macros/cross_db/literals.sql"),
    ),
    (
        "macros/cross_db/equality.sql",
        include_str!("../macros/cross_db/equality.sql"),
    ),
    (
        "macros/cross_db/aggregates.sql",
        include_str!("../macros/cross_db/aggregates.sql"),
    ),
    (
        "macros/cross_db/sets.sql",
        include_str!("../macros/cross_db/sets.sql"),
    ),
    (
        "macros/cross_db/arrays.sql",
        include_str!("../macros/cross_db/arrays.sql"),
    ),
    (
        "macros/cross_db/series.sql",
        include_str!("../macros/cross_db/series.sql"),
    ),
];

/// The internal package holding built-in macros.
pub const INTERNAL_PACKAGE: &str = "dbt";

/// One macro definition.
#[derive(Debug, Clone)]
pub struct MacroEntry {
    /// `macro.pkg.name`.
    pub unique_id: String,
    /// Macro name (`test_unique`, `materialization_table_default`).
    pub name: String,
    /// Owning package.
    pub package: String,
    /// Defining file relative to the package root.
    pub file: String,
    /// The parsed file.
    pub template: Arc<Template>,
    /// Index into `template.macros()`.
    pub index: usize,
}

impl MacroEntry {
    /// The callable template value.
    pub fn value(&self) -> Value {
        Value::from_macro(self.template.clone(), self.index, &self.package)
    }
}

/// All macros by package and name, with the root project and the adapter's dispatch prefixes.
#[derive(Debug, Default)]
pub struct MacroRegistry {
    by_package: foldhash::HashMap<String, foldhash::HashMap<String, Arc<MacroEntry>>>,
    root: String,
    adapter_prefixes: Vec<String>,
    dispatch: foldhash::HashMap<String, Vec<String>>,
    package_names: Vec<String>,
}

impl MacroRegistry {
    /// An empty registry for a root project and adapter (`postgres`, `redshift`, `duckdb`).
    pub fn new(root: &str, adapter_type: &str) -> MacroRegistry {
        let adapter_prefixes = match adapter_type {
            "redshift" => vec!["redshift", "postgres", "default"],
            "default" => vec!["default"],
            other => vec![other, "default"],
        }
        .into_iter()
        .map(String::from)
        .collect();
        MacroRegistry {
            root: root.to_string(),
            adapter_prefixes,
            ..Default::default()
        }
    }

    /// Registers a package name (so `pkg.macro()` resolves even for packages without macros).
    pub fn add_package(&mut self, name: &str) {
        if !self.package_names.iter().any(|p| p == name) {
            self.package_names.push(name.to_string());
        }
    }

    /// Sets the `dispatch:` search order for a namespace.
    pub fn set_dispatch(&mut self, namespace: &str, order: Vec<String>) {
        self.dispatch.insert(namespace.to_string(), order);
    }

    /// Adds every macro of a parsed file; a later definition of the same name in the same package wins.
    pub fn add_template(
        &mut self,
        package: &str,
        file: &str,
        template: Arc<Template>,
    ) -> Vec<Arc<MacroEntry>> {
        self.add_package(package);
        let mut added = Vec::new();
        for (index, def) in template.macros().iter().enumerate() {
            let entry = Arc::new(MacroEntry {
                unique_id: format!("macro.{package}.{}", def.name),
                name: def.name.clone(),
                package: package.to_string(),
                file: file.to_string(),
                template: template.clone(),
                index,
            });
            self.by_package
                .entry(package.to_string())
                .or_default()
                .insert(def.name.clone(), entry.clone());
            added.push(entry);
        }
        added
    }

    /// A macro of one package.
    pub fn get(&self, package: &str, name: &str) -> Option<&Arc<MacroEntry>> {
        self.by_package.get(package)?.get(name)
    }

    /// Resolves an unqualified macro name as seen from code in `package`: that package, then the root
    /// project, then the internal `dbt` package.
    pub fn resolve(&self, package: &str, name: &str) -> Option<&Arc<MacroEntry>> {
        self.get(package, name)
            .or_else(|| self.get(&self.root, name))
            .or_else(|| self.get(INTERNAL_PACKAGE, name))
    }

    /// The `{% materialization name, adapter %}` macro as dbt finds it: the adapter's own before
    /// `default` (Redshift falls back to Postgres's), the root project's before a package's (in
    /// load order) before runner's built-in `dbt` set.
    pub fn materialization(&self, name: &str) -> Option<&Arc<MacroEntry>> {
        for prefix in &self.adapter_prefixes {
            let macro_name = format!("materialization_{name}_{prefix}");
            let packages = std::iter::once(self.root.as_str())
                .chain(
                    self.package_names
                        .iter()
                        .map(String::as_str)
                        .filter(|p| *p != self.root && *p != INTERNAL_PACKAGE),
                )
                .chain(std::iter::once(INTERNAL_PACKAGE));
            for package in packages {
                if let Some(m) = self.get(package, &macro_name) {
                    return Some(m);
                }
            }
        }
        None
    }

    /// Whether `name` is a package namespace (`dbt`, `dbt_utils`, the root project).
    pub fn is_package(&self, name: &str) -> bool {
        name == INTERNAL_PACKAGE || self.package_names.iter().any(|p| p == name)
    }

    /// `adapter.dispatch(macro_name, macro_namespace)`: the first `<prefix>__<name>` found along the search
    /// order, prefixes in adapter order (`postgres`, then `default`).
    pub fn dispatch(
        &self,
        calling_package: &str,
        macro_name: &str,
        namespace: Option<&str>,
    ) -> Result<&Arc<MacroEntry>, String> {
        let search: Vec<Option<String>> = match namespace {
            None => vec![None],
            Some(ns) => match self.dispatch.get(ns) {
                Some(order) => order.iter().cloned().map(Some).collect(),
                None => vec![Some(self.root.clone()), Some(ns.to_string())],
            },
        };
        let mut tried = Vec::new();
        for package in &search {
            for prefix in &self.adapter_prefixes {
                let candidate = format!("{prefix}__{macro_name}");
                let found = match package {
                    None => self.resolve(calling_package, &candidate),
                    Some(p) => self.get(p, &candidate),
                };
                if let Some(m) = found {
                    return Ok(m);
                }
                tried.push(match package {
                    Some(p) => format!("{p}.{candidate}"),
                    None => candidate,
                });
            }
        }
        Err(format!(
            "In dispatch: No macro named '{macro_name}' found within namespace: '{}'\n    Searched for: '{}'",
            namespace.unwrap_or("None"),
            tried.join("', '")
        ))
    }

    /// Every macro, sorted by unique id.
    pub fn all(&self) -> Vec<&Arc<MacroEntry>> {
        let mut v: Vec<&Arc<MacroEntry>> =
            self.by_package.values().flat_map(|m| m.values()).collect();
        v.sort_by(|a, b| a.unique_id.cmp(&b.unique_id));
        v
    }

    /// Macros of one package, as `(name, value)` pairs, for a package namespace object.
    pub fn package_macros(
        &self,
        package: &str,
    ) -> Option<&foldhash::HashMap<String, Arc<MacroEntry>>> {
        self.by_package.get(package)
    }

    /// Package names in load order (the root project and `dbt` included).
    pub fn package_names(&self) -> impl Iterator<Item = &str> {
        self.package_names.iter().map(String::as_str)
    }

    /// The root project's name.
    pub fn root(&self) -> &str {
        &self.root
    }
}
