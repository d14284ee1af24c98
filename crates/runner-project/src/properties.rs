//! Property YAML (`schema.yml`-style files): splitting a document into typed entries the engine interprets.

use serde_json::Value as Json;

use crate::error::{ProjectError, Result};
use crate::files::ProjectFile;
use crate::yaml::{self, to_json};

/// The top-level sections of a property file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PropertyKind {
    /// `models:`.
    Models,
    /// `sources:`.
    Sources,
    /// `seeds:`.
    Seeds,
    /// `snapshots:`.
    Snapshots,
    /// `macros:`.
    Macros,
    /// `exposures:`.
    Exposures,
    /// `analyses:`.
    Analyses,
    /// `unit_tests:`.
    UnitTests,
    /// `semantic_models:`.
    SemanticModels,
    /// `metrics:`.
    Metrics,
    /// `saved_queries:`.
    SavedQueries,
    /// `groups:`.
    Groups,
}

impl PropertyKind {
    fn from_key(key: &str) -> Option<PropertyKind> {
        Some(match key {
            "models" => PropertyKind::Models,
            "sources" => PropertyKind::Sources,
            "seeds" => PropertyKind::Seeds,
            "snapshots" => PropertyKind::Snapshots,
            "macros" => PropertyKind::Macros,
            "exposures" => PropertyKind::Exposures,
            "analyses" => PropertyKind::Analyses,
            "unit_tests" => PropertyKind::UnitTests,
            "semantic_models" => PropertyKind::SemanticModels,
            "metrics" => PropertyKind::Metrics,
            "saved_queries" => PropertyKind::SavedQueries,
            "groups" => PropertyKind::Groups,
            _ => return None,
        })
    }
}

/// One entry of a property file (one model's properties, one source, …).
#[derive(Debug, Clone)]
pub struct PropertyEntry {
    /// The section it came from.
    pub kind: PropertyKind,
    /// `name:` of the entry.
    pub name: String,
    /// The whole entry.
    pub body: Json,
    /// Package owning the file.
    pub package: String,
    /// File path relative to the package root.
    pub file: String,
}

/// Reads a property file into its entries; unknown top-level keys are ignored as dbt does (with `version` allowed).
pub fn read_entries(file: &ProjectFile) -> Result<Vec<PropertyEntry>> {
    let doc = yaml::read_yaml_file(&file.abs_path)?;
    let Some(map) = doc.as_mapping() else {
        if doc.is_null() {
            return Ok(Vec::new());
        }
        return Err(ProjectError::Invalid {
            path: file.abs_path.clone(),
            message: "a property file must be a mapping of sections such as `models:`".into(),
        });
    };
    let mut out = Vec::new();
    for (key, value) in map {
        let key = yaml::yaml_key(key);
        let Some(kind) = PropertyKind::from_key(&key) else {
            continue;
        };
        let items = match value {
            serde_yaml::Value::Sequence(items) => items,
            serde_yaml::Value::Null => continue,
            _ => {
                return Err(ProjectError::Invalid {
                    path: file.abs_path.clone(),
                    message: format!("`{key}` must be a list of entries"),
                });
            }
        };
        for (i, item) in items.iter().enumerate() {
            let body = to_json(item);
            let name = match body.get("name") {
                Some(Json::String(s)) => s.clone(),
                Some(Json::Number(n)) => n.to_string(),
                _ => {
                    return Err(ProjectError::Invalid {
                        path: file.abs_path.clone(),
                        message: format!("entry {} of `{key}` has no `name`", i + 1),
                    });
                }
            };
            out.push(PropertyEntry {
                kind,
                name,
                body,
                package: file.package.clone(),
                file: file.rel_path.clone(),
            });
        }
    }
    Ok(out)
}
