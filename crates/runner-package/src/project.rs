//! The few facts a package needs from dbt_project.yml: the name and version that make up the file
//! name, and where the project writes its build output and logs (which a package leaves out).
//!
//! The rest of the file belongs to `runner-project`; this crate reads it only to name the archive.

use std::fs;
use std::path::{Path, PathBuf};

use serde_yaml::Value;

use crate::PackageError;

/// What a build reads from dbt_project.yml.
#[derive(Debug)]
pub(crate) struct ProjectMeta {
    /// `name`, checked against [`check_label`].
    pub name: String,
    /// `version` as text (YAML `1.0` gives "1.0"), unchecked: the caller's override may replace it.
    pub version: Option<String>,
    /// `target-path` and `log-path` when they are plain relative paths, '/'-separated, without
    /// `./` or a trailing slash: directories of dbt's own output that a package leaves out.
    pub output_dirs: Vec<String>,
}

/// Reads `<project_dir>/dbt_project.yml`.
pub(crate) fn read(project_dir: &Path) -> Result<ProjectMeta, PackageError> {
    let path = project_dir.join("dbt_project.yml");
    let text = fs::read_to_string(&path).map_err(PackageError::io("could not read", &path))?;
    let problem = |problem: String| PackageError::Project {
        path: path.clone(),
        problem,
    };
    let doc: Value =
        serde_yaml::from_str(&text).map_err(|e| problem(format!("invalid YAML: {e}")))?;
    if !doc.is_mapping() {
        return Err(problem("expected a mapping at the top level".into()));
    }
    let name = match scalar_text(&doc["name"]) {
        Some(name) => name,
        None => return Err(problem("`name` is missing or not a string".into())),
    };
    check_label("name", &name).map_err(problem)?;
    let version = match &doc["version"] {
        Value::Null => None,
        value => Some(scalar_text(value).ok_or_else(|| {
            problem("`version` must be a string or a number, e.g. version: \"1.0.0\"".into())
        })?),
    };
    let output_dirs = ["target-path", "log-path"]
        .iter()
        .filter_map(|key| doc[*key].as_str())
        .filter_map(plain_relative)
        .collect();
    Ok(ProjectMeta {
        name,
        version,
        output_dirs,
    })
}

/// Checks a name or version that becomes part of the tarball's file name: non-empty and only
/// `[A-Za-z0-9._-]`, so it can never add a directory or a shell metacharacter to the path.
pub(crate) fn check_label(what: &str, value: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if value.is_empty() {
        return Err(format!("`{what}` is empty"));
    }
    if let Some(bad) = value.chars().find(|c| !allowed(*c)) {
        return Err(format!(
            "`{what}` '{value}' contains {bad:?}; only letters, digits, '.', '_' and '-' may appear in a package file name"
        ));
    }
    if value == "." || value == ".." {
        return Err(format!("`{what}` '{value}' is not a usable file name part"));
    }
    Ok(())
}

/// The text of a YAML string or number. Numbers keep YAML's reading: `1.0` is "1.0", but `1.10`
/// is the float 1.1 and so "1.1" (as dbt itself reads it); quote versions to keep them verbatim.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `path` as '/'-separated components relative to the project, when it is a plain relative path
/// inside it (no Jinja, no `..`, not absolute); anything else cannot be inside the archive anyway
/// or cannot be known without rendering, so it is not excluded.
fn plain_relative(path: &str) -> Option<String> {
    if path.contains('{') || Path::new(path).is_absolute() {
        return None;
    }
    let mut parts = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return None,
            part => parts.push(part),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// `<out_dir>/<name>-<version>.tar.gz`.
pub(crate) fn tarball_path(out_dir: &Path, name: &str, version: &str) -> PathBuf {
    out_dir.join(format!("{name}-{version}.tar.gz"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_relative_normalises_and_refuses_what_cannot_be_inside() {
        assert_eq!(plain_relative("./build/out/").as_deref(), Some("build/out"));
        assert_eq!(plain_relative("/abs/target"), None);
        assert_eq!(plain_relative("../elsewhere"), None);
        assert_eq!(plain_relative("{{ env_var('T') }}"), None);
        assert_eq!(plain_relative("."), None);
    }

    #[test]
    fn labels_allow_only_file_name_safe_characters() {
        assert!(check_label("name", "jaffle_shop-1.0").is_ok());
        assert!(check_label("name", "a/b").is_err());
        assert!(check_label("name", "a b").is_err());
        assert!(check_label("version", "").is_err());
        assert!(check_label("version", "..").is_err());
    }
}
