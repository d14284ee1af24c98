//! `profiles.yml`: choosing the profile and target, rendering `env_var()`, and keeping secrets out of output.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::error::{ProjectError, Result};
use crate::yaml::{self, StringRenderer, get, to_json};

/// Field names whose values are secrets: never printed, logged or written to artifacts.
pub const SECRET_FIELDS: &[&str] = &[
    "password",
    "pass",
    "token",
    "private_key",
    "private_key_passphrase",
    "secret",
    "client_secret",
    "motherduck_token",
];

/// One resolved target: the connection settings a warehouse adapter needs.
#[derive(Clone)]
pub struct Target {
    /// The profile's name.
    pub profile_name: String,
    /// The target's name (`dev`, `prod`, …).
    pub target_name: String,
    /// Adapter type: `postgres`, `redshift`, `duckdb`.
    pub adapter_type: String,
    /// Threads from the target (default 1).
    pub threads: u32,
    /// Every field of the output, rendered; includes secrets, so never print this map directly.
    pub fields: serde_json::Map<String, Json>,
    /// The profiles.yml this came from, or `None` for the embedded default.
    pub source: Option<PathBuf>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("profile_name", &self.profile_name)
            .field("target_name", &self.target_name)
            .field("adapter_type", &self.adapter_type)
            .field("threads", &self.threads)
            .field("fields", &self.redacted_fields())
            .finish()
    }
}

impl Target {
    /// The embedded DuckDB default used when a project has no profiles.yml: a file under `target/`.
    pub fn embedded_duckdb(profile_name: &str, db_path: &Path) -> Target {
        let mut fields = serde_json::Map::new();
        fields.insert("type".into(), "duckdb".into());
        fields.insert("path".into(), db_path.display().to_string().into());
        fields.insert("schema".into(), "main".into());
        fields.insert(
            "database".into(),
            db_path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "memory".into())
                .into(),
        );
        fields.insert("threads".into(), 1.into());
        Target {
            profile_name: profile_name.to_string(),
            target_name: "dev".into(),
            adapter_type: "duckdb".into(),
            threads: 1,
            fields,
            source: None,
        }
    }

    /// A string field.
    pub fn field_str(&self, key: &str) -> Option<String> {
        match self.fields.get(key)? {
            Json::String(s) => Some(s.clone()),
            Json::Number(n) => Some(n.to_string()),
            Json::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The database (`dbname` for Postgres/Redshift, `database`, or the DuckDB file's stem).
    pub fn database(&self) -> String {
        if let Some(db) = self
            .field_str("database")
            .or_else(|| self.field_str("dbname"))
        {
            return db;
        }
        if self.adapter_type == "duckdb" {
            let path = self.field_str("path").unwrap_or_else(|| ":memory:".into());
            if path == ":memory:" {
                return "memory".into();
            }
            return Path::new(&path)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "memory".into());
        }
        String::new()
    }

    /// The default schema (`schema`, or `main` for DuckDB).
    pub fn schema(&self) -> String {
        self.field_str("schema").unwrap_or_else(|| {
            if self.adapter_type == "duckdb" {
                "main".into()
            } else {
                "public".into()
            }
        })
    }

    /// The fields with every secret replaced by `****`: safe for logs, errors and artifacts.
    pub fn redacted_fields(&self) -> serde_json::Map<String, Json> {
        self.fields
            .iter()
            .map(|(k, v)| {
                if is_secret_field(k) {
                    (k.clone(), Json::String("****".into()))
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect()
    }
}

/// True for field names that hold secrets.
pub fn is_secret_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_FIELDS.contains(&lower.as_str())
}

/// Reads `profiles_dir/profiles.yml` and resolves `profile` / `target` (the target defaults to the profile's `target:`).
pub fn load_target(
    profiles_dir: &Path,
    profile: &str,
    target: Option<&str>,
    render: &StringRenderer<'_>,
) -> Result<Target> {
    let path = profiles_dir.join("profiles.yml");
    let doc = yaml::read_yaml_file(&path)?;
    let err = |message: String| ProjectError::Profile {
        path: path.clone(),
        message,
    };
    let profile_doc = get(&doc, profile).ok_or_else(|| {
        let known: Vec<String> = doc
            .as_mapping()
            .map(|m| {
                m.keys()
                    .map(yaml::yaml_key)
                    .filter(|k| k != "config")
                    .collect()
            })
            .unwrap_or_default();
        err(format!(
            "profile `{profile}` not found (profiles in this file: {})",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ))
    })?;
    // As dbt does, only the target name and then the chosen output are rendered: an env var that
    // another profile or another target of this profile needs must not fail this run.
    let target_name = match target {
        Some(t) => t.to_string(),
        None => match get(profile_doc, "target") {
            Some(raw) => {
                let mut name = raw.clone();
                let mut keys = vec![profile.to_string(), "target".to_string()];
                yaml::render_strings(&path, &mut name, &mut keys, render, &|_| false)?;
                yaml::yaml_key(&name)
            }
            None => "default".into(),
        },
    };
    let outputs = get(profile_doc, "outputs")
        .ok_or_else(|| err(format!("profile `{profile}` has no `outputs`")))?;
    let mut output = get(outputs, &target_name)
        .ok_or_else(|| {
            let known: Vec<String> = outputs
                .as_mapping()
                .map(|m| m.keys().map(yaml::yaml_key).collect())
                .unwrap_or_default();
            err(format!(
                "target `{target_name}` not found in profile `{profile}` (targets: {})",
                known.join(", ")
            ))
        })?
        .clone();
    yaml::render_strings(
        &path,
        &mut output,
        &mut vec![profile.to_string(), "outputs".into(), target_name.clone()],
        render,
        &|_| false,
    )?;
    let Json::Object(fields) = to_json(&output) else {
        return Err(err(format!(
            "target `{target_name}` of profile `{profile}` must be a mapping"
        )));
    };
    let adapter_type = fields
        .get("type")
        .and_then(Json::as_str)
        .ok_or_else(|| {
            err(format!(
                "target `{target_name}` of profile `{profile}` has no `type`"
            ))
        })?
        .to_string();
    let threads = fields
        .get("threads")
        .and_then(|t| t.as_u64().or_else(|| t.as_str()?.parse().ok()))
        .unwrap_or(1) as u32;
    Ok(Target {
        profile_name: profile.to_string(),
        target_name,
        adapter_type,
        threads,
        fields,
        source: Some(path),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFILES: &str = "p:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: localhost\n      port: \"{{ env_var('PORT') }}\"\n      password: \"{{ env_var('PW') }}\"\n      threads: 4\n    prod:\n      type: postgres\n      host: \"{{ env_var('PROD_HOST') }}\"\nother:\n  outputs:\n    x:\n      type: duckdb\n      password: \"{{ env_var('MISSING') }}\"\n";

    fn render(s: &str) -> std::result::Result<String, String> {
        match s {
            "{{ env_var('PORT') }}" => Ok("5433".into()),
            "{{ env_var('PW') }}" => Ok("hunter2".into()),
            _ => Err(format!("Env var required but not provided: {s}")),
        }
    }

    fn dir() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("profiles.yml"), PROFILES).unwrap();
        d
    }

    #[test]
    fn resolves_default_target_and_renders_only_that_profile() {
        let d = dir();
        let t = load_target(d.path(), "p", None, &render).unwrap();
        assert_eq!(t.target_name, "dev");
        assert_eq!(t.threads, 4);
        assert_eq!(t.fields["port"], 5433);
        assert_eq!(t.field_str("password").as_deref(), Some("hunter2"));
        let shown = format!("{t:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("****"));
    }

    #[test]
    fn another_target_of_the_profile_is_not_rendered() {
        let d = dir();
        let t = load_target(d.path(), "p", Some("dev"), &render).unwrap();
        assert_eq!(t.fields["host"], "localhost");
        let e = load_target(d.path(), "p", Some("prod"), &render)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("p.outputs.prod.host") && e.contains("PROD_HOST"),
            "{e}"
        );
    }

    #[test]
    fn missing_target_names_known_targets() {
        let d = dir();
        let e = load_target(d.path(), "p", Some("qa"), &render)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`qa`") && e.contains("dev, prod"), "{e}");
        let e = load_target(d.path(), "nope", None, &render)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`nope`") && e.contains("p, other"), "{e}");
    }

    #[test]
    fn embedded_default_is_duckdb_under_target() {
        let t = Target::embedded_duckdb("x", Path::new("/p/target/runner.duckdb"));
        assert_eq!(t.adapter_type, "duckdb");
        assert_eq!(t.database(), "runner");
        assert_eq!(t.schema(), "main");
    }
}
