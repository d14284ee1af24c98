//! `dbt_project.yml`: the paths, vars, configuration trees, hooks and dispatch order of one project.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use serde_yaml::Value as Yaml;

use crate::error::{ProjectError, Result};
use crate::yaml::{self, StringRenderer, get, get_str, get_str_list, to_json};

/// One `dispatch:` entry: where `adapter.dispatch(macro_name, macro_namespace)` searches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchEntry {
    /// The namespace being dispatched (usually a package name such as `dbt_utils`).
    pub macro_namespace: String,
    /// Packages searched, in order.
    pub search_order: Vec<String>,
}

/// The parsed contents of one `dbt_project.yml` (the root project's or a package's).
#[derive(Debug, Clone)]
pub struct ProjectConfig {
    /// Directory holding dbt_project.yml.
    pub root: PathBuf,
    /// `name:`.
    pub name: String,
    /// `version:` as written (dbt allows numbers and strings).
    pub version: Option<String>,
    /// `profile:`.
    pub profile: Option<String>,
    /// `model-paths:` (default `models`).
    pub model_paths: Vec<String>,
    /// `seed-paths:` (default `seeds`).
    pub seed_paths: Vec<String>,
    /// `test-paths:` (default `tests`).
    pub test_paths: Vec<String>,
    /// `analysis-paths:` (default `analyses`).
    pub analysis_paths: Vec<String>,
    /// `macro-paths:` (default `macros`).
    pub macro_paths: Vec<String>,
    /// `snapshot-paths:` (default `snapshots`).
    pub snapshot_paths: Vec<String>,
    /// `docs-paths:` (default: every resource path above).
    pub docs_paths: Vec<String>,
    /// `asset-paths:`.
    pub asset_paths: Vec<String>,
    /// `target-path:` (default `target`).
    pub target_path: String,
    /// `packages-install-path:` (default `dbt_packages`).
    pub packages_install_path: String,
    /// `clean-targets:`.
    pub clean_targets: Vec<String>,
    /// `vars:` as written (global keys and per-package maps).
    pub vars: serde_json::Map<String, Json>,
    /// `quoting:`.
    pub quoting: serde_json::Map<String, Json>,
    /// `models:` configuration tree, unrendered hooks included.
    pub models: Json,
    /// `seeds:` tree.
    pub seeds: Json,
    /// `snapshots:` tree.
    pub snapshots: Json,
    /// `data_tests:` (or legacy `tests:`) tree.
    pub data_tests: Json,
    /// `sources:` tree.
    pub sources: Json,
    /// `unit_tests:` tree.
    pub unit_tests: Json,
    /// `exposures:` tree.
    pub exposures: Json,
    /// `analyses:` tree (dbt applies `models:` config to analyses too; kept for completeness).
    pub analyses: Json,
    /// `on-run-start:` hooks, unrendered.
    pub on_run_start: Vec<String>,
    /// `on-run-end:` hooks, unrendered.
    pub on_run_end: Vec<String>,
    /// `dispatch:`.
    pub dispatch: Vec<DispatchEntry>,
    /// `require-dbt-version:` constraints as written.
    pub require_dbt_version: Vec<String>,
    /// `query-comment:` as written.
    pub query_comment: Option<Json>,
    /// `flags:`.
    pub flags: serde_json::Map<String, Json>,
    /// The whole document as JSON, for keys not modelled above.
    pub raw: Json,
}

/// Keys whose values dbt renders only at execution time (hooks) or never at load time.
fn unrendered_key(path: &[String]) -> bool {
    let Some(first) = path.first() else {
        return false;
    };
    if matches!(first.as_str(), "on-run-start" | "on-run-end" | "vars") {
        return true;
    }
    if matches!(
        first.as_str(),
        "models" | "seeds" | "snapshots" | "data_tests" | "tests" | "sources" | "unit_tests"
    ) {
        return path.iter().any(|k| {
            let k = k.trim_start_matches('+');
            matches!(k, "pre-hook" | "post-hook" | "pre_hook" | "post_hook")
        });
    }
    false
}

impl ProjectConfig {
    /// Reads `dir/dbt_project.yml`, rendering `env_var()`/`var()` in its values with `render`.
    pub fn load(dir: &Path, render: &StringRenderer<'_>) -> Result<Self> {
        let path = dir.join("dbt_project.yml");
        if !path.is_file() {
            return Err(ProjectError::NoProject {
                dir: dir.to_path_buf(),
            });
        }
        let mut doc = yaml::read_yaml_file(&path)?;
        yaml::render_strings(&path, &mut doc, &mut Vec::new(), render, &unrendered_key)?;
        Self::from_yaml(dir, &path, &doc)
    }

    fn from_yaml(dir: &Path, path: &Path, doc: &Yaml) -> Result<Self> {
        let invalid = |message: String| ProjectError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        if !doc.is_mapping() {
            return Err(invalid("dbt_project.yml must be a mapping".into()));
        }
        let name = get_str(doc, "name")
            .ok_or_else(|| invalid("the required key `name` is missing".into()))?;
        let paths = |key: &str, default: &str| {
            get_str_list(doc, key).unwrap_or_else(|| vec![default.to_string()])
        };
        let model_paths = get_str_list(doc, "model-paths")
            .or_else(|| get_str_list(doc, "source-paths"))
            .unwrap_or_else(|| vec!["models".into()]);
        let seed_paths = get_str_list(doc, "seed-paths")
            .or_else(|| get_str_list(doc, "data-paths"))
            .unwrap_or_else(|| vec!["seeds".into()]);
        let test_paths = paths("test-paths", "tests");
        let analysis_paths = paths("analysis-paths", "analyses");
        let macro_paths = paths("macro-paths", "macros");
        let snapshot_paths = paths("snapshot-paths", "snapshots");
        let docs_paths = get_str_list(doc, "docs-paths").unwrap_or_else(|| {
            [
                &model_paths,
                &seed_paths,
                &test_paths,
                &analysis_paths,
                &macro_paths,
                &snapshot_paths,
            ]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
        });
        let object = |key: &str| match get(doc, key).map(to_json) {
            Some(Json::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        let tree = |key: &str| get(doc, key).map(to_json).unwrap_or(Json::Null);
        let hooks = |key: &str| get_str_list(doc, key).unwrap_or_default();
        let dispatch = match get(doc, "dispatch") {
            Some(Yaml::Sequence(items)) => items
                .iter()
                .map(|item| {
                    let ns = get_str(item, "macro_namespace").ok_or_else(|| {
                        invalid("each `dispatch` entry needs `macro_namespace`".into())
                    })?;
                    let order = get_str_list(item, "search_order").ok_or_else(|| {
                        invalid(format!("dispatch entry `{ns}` needs `search_order`"))
                    })?;
                    Ok(DispatchEntry {
                        macro_namespace: ns,
                        search_order: order,
                    })
                })
                .collect::<Result<Vec<_>>>()?,
            None | Some(Yaml::Null) => Vec::new(),
            Some(_) => return Err(invalid("`dispatch` must be a list".into())),
        };
        let data_tests = match get(doc, "data_tests") {
            Some(v) => to_json(v),
            None => tree("tests"),
        };
        Ok(ProjectConfig {
            root: dir.to_path_buf(),
            version: get_str(doc, "version"),
            profile: get_str(doc, "profile"),
            model_paths,
            seed_paths,
            test_paths,
            analysis_paths,
            macro_paths,
            snapshot_paths,
            docs_paths,
            asset_paths: get_str_list(doc, "asset-paths").unwrap_or_default(),
            target_path: get_str(doc, "target-path").unwrap_or_else(|| "target".into()),
            packages_install_path: get_str(doc, "packages-install-path")
                .unwrap_or_else(|| "dbt_packages".into()),
            clean_targets: get_str_list(doc, "clean-targets").unwrap_or_default(),
            vars: object("vars"),
            quoting: object("quoting"),
            models: tree("models"),
            seeds: tree("seeds"),
            snapshots: tree("snapshots"),
            data_tests,
            sources: tree("sources"),
            unit_tests: tree("unit_tests"),
            exposures: tree("exposures"),
            analyses: tree("analyses"),
            on_run_start: hooks("on-run-start"),
            on_run_end: hooks("on-run-end"),
            dispatch,
            require_dbt_version: get_str_list(doc, "require-dbt-version").unwrap_or_default(),
            query_comment: get(doc, "query-comment").map(to_json),
            flags: object("flags"),
            raw: to_json(doc),
            name,
        })
    }

    /// Every directory holding resources, relative to the project root (for `path:` selection and docs).
    pub fn all_resource_paths(&self) -> impl Iterator<Item = &String> {
        self.model_paths
            .iter()
            .chain(&self.seed_paths)
            .chain(&self.test_paths)
            .chain(&self.analysis_paths)
            .chain(&self.macro_paths)
            .chain(&self.snapshot_paths)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<ProjectConfig> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("dbt_project.yml"), text).unwrap();
        let render = |s: &str| -> std::result::Result<String, String> {
            Ok(s.replace("{{ env_var('NAME') }}", "from_env"))
        };
        ProjectConfig::load(dir.path(), &render)
    }

    #[test]
    fn defaults_and_rendering() {
        let p = load(
            "name: \"{{ env_var('NAME') }}\"\nversion: 1.0\nprofile: p\nmodels:\n  +post-hook: \"{{ env_var('NAME') }}\"\n",
        )
        .unwrap();
        assert_eq!(p.name, "from_env");
        assert_eq!(p.version.as_deref(), Some("1.0"));
        assert_eq!(p.model_paths, vec!["models"]);
        assert_eq!(p.packages_install_path, "dbt_packages");
        assert_eq!(p.models["+post-hook"], "{{ env_var('NAME') }}");
        assert!(p.docs_paths.contains(&"macros".to_string()));
    }

    #[test]
    fn dispatch_and_hooks() {
        let p = load(
            "name: x\non-run-start: \"select 1\"\non-run-end: [a, b]\ndispatch:\n  - macro_namespace: dbt_utils\n    search_order: [x, dbt_utils]\n",
        )
        .unwrap();
        assert_eq!(p.on_run_start, vec!["select 1"]);
        assert_eq!(p.on_run_end, vec!["a", "b"]);
        assert_eq!(p.dispatch[0].search_order, vec!["x", "dbt_utils"]);
    }

    #[test]
    fn missing_name_is_an_error_naming_the_file() {
        let err = load("version: 1\n").unwrap_err().to_string();
        assert!(
            err.contains("dbt_project.yml") && err.contains("name"),
            "{err}"
        );
    }
}
