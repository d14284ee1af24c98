//! Vendored packages: the projects installed under `dbt_packages/`, checked against `packages.yml`.

use std::path::Path;

use crate::dbt_project::ProjectConfig;
use crate::error::{ProjectError, Result};
use crate::yaml::{self, StringRenderer, get, get_str};

/// Loads every package installed under the root project's `packages-install-path`, sorted by name.
///
/// Packages are expected to be vendored (runner never downloads); a package declared in
/// `packages.yml` or `dependencies.yml` but not installed is an error naming it.
pub fn load_installed(
    root: &ProjectConfig,
    render: &StringRenderer<'_>,
) -> Result<Vec<ProjectConfig>> {
    let dir = root.root.join(&root.packages_install_path);
    let mut packages = Vec::new();
    if dir.is_dir() {
        let entries = std::fs::read_dir(&dir).map_err(|source| ProjectError::Io {
            path: dir.clone(),
            source,
        })?;
        let mut dirs: Vec<_> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.join("dbt_project.yml").is_file())
            .collect();
        dirs.sort();
        for d in dirs {
            packages.push(ProjectConfig::load(&d, render)?);
        }
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    let declared = declared_count(&root.root)?;
    if let Some((file, count)) = declared
        && count > packages.len()
    {
        return Err(ProjectError::Invalid {
            path: root.root.join(file),
            message: format!(
                "{count} package(s) are declared but only {} are installed in `{}`; vendor them into the project package (runner does not download packages)",
                packages.len(),
                root.packages_install_path
            ),
        });
    }
    Ok(packages)
}

/// How many packages `packages.yml` (or `dependencies.yml`) declares, and which file said so.
fn declared_count(root: &Path) -> Result<Option<(&'static str, usize)>> {
    for file in ["packages.yml", "dependencies.yml"] {
        let path = root.join(file);
        if !path.is_file() {
            continue;
        }
        let doc = yaml::read_yaml_file(&path)?;
        let count = match get(&doc, "packages") {
            Some(serde_yaml::Value::Sequence(items)) => items
                .iter()
                // A `project:` entry in dependencies.yml is a cross-project reference, not a package.
                .filter(|i| get_str(i, "project").is_none())
                .count(),
            _ => 0,
        };
        return Ok(Some((file, count)));
    }
    Ok(None)
}
