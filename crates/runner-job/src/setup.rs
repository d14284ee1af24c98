//! What the engine needs besides the project: the profiles directory, the warehouse credentials
//! (handed to the engine through a pipe, never a file or the environment), and the names that
//! place the run's artifacts (project, target).

use std::path::{Path, PathBuf};

use runner_aws::{Aws, S3Location};
use serde_json::{Map, Value as Json};

use crate::error::io;
use crate::{JobArgs, JobError};

/// Where profiles.yml is for the engine (`--profiles-dir`), or `None` for dbt's own search.
pub fn profiles_dir(
    args: &JobArgs,
    aws: &Aws,
    project_root: &Path,
    work: &Path,
) -> Result<Option<PathBuf>, JobError> {
    // Absolute: the engine runs with the project as its working directory.
    match find_profiles_dir(args, aws, project_root, work)? {
        Some(dir) => std::fs::canonicalize(&dir)
            .map(Some)
            .map_err(io(format!("resolving {}", dir.display()))),
        None => Ok(None),
    }
}

fn find_profiles_dir(
    args: &JobArgs,
    aws: &Aws,
    project_root: &Path,
    work: &Path,
) -> Result<Option<PathBuf>, JobError> {
    let Some(given) = args
        .profiles
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    else {
        return Ok(project_root
            .join("profiles.yml")
            .is_file()
            .then(|| project_root.to_path_buf()));
    };
    let dir = work.join("profiles");
    if S3Location::is_s3(given) {
        let mut at = S3Location::parse(given)?;
        if !(at.key.ends_with(".yml") || at.key.ends_with(".yaml")) {
            at = at.join(&["profiles.yml"]);
        }
        std::fs::create_dir_all(&dir).map_err(io(format!("creating {}", dir.display())))?;
        aws.s3_download(&at, &dir.join("profiles.yml"))?;
        return Ok(Some(dir));
    }
    let path = PathBuf::from(given);
    if path.is_dir() {
        if !path.join("profiles.yml").is_file() {
            return Err(JobError::Option {
                option: "--profiles / RUNNER_PROFILES",
                message: format!("{} has no profiles.yml", path.display()),
            });
        }
        return Ok(Some(path));
    }
    if path.is_file() {
        if path.file_name().is_some_and(|n| n == "profiles.yml") {
            return Ok(path.parent().map(Path::to_path_buf));
        }
        std::fs::create_dir_all(&dir).map_err(io(format!("creating {}", dir.display())))?;
        std::fs::copy(&path, dir.join("profiles.yml"))
            .map_err(io(format!("copying {}", path.display())))?;
        return Ok(Some(dir));
    }
    Err(JobError::Option {
        option: "--profiles / RUNNER_PROFILES",
        message: format!("{given}: no such file or directory"),
    })
}

/// Target fields to override from AWS (`glue:` / `secretsmanager:`), or `None` for `env`. The map
/// carries `_engine` so the engine can refuse credentials for another adapter type.
pub fn credentials(args: &JobArgs, aws: &Aws) -> Result<Option<Map<String, Json>>, JobError> {
    let spec = args.credentials.trim();
    let creds = if let Some(name) = spec.strip_prefix("glue:") {
        aws.glue_credentials(name)?
    } else if let Some(id) = spec.strip_prefix("secretsmanager:") {
        aws.secret_credentials(id)?
    } else if spec == "env" || spec.is_empty() {
        return Ok(None);
    } else {
        return Err(JobError::Option {
            option: "--credentials / RUNNER_CREDENTIALS",
            message: format!("'{spec}' is not glue:<connection>, secretsmanager:<secret> or env"),
        });
    };
    let mut fields = creds.to_target_fields();
    if let Some(engine) = creds.engine {
        fields.insert("_engine".into(), Json::String(engine));
    }
    Ok(Some(fields))
}

/// The project's name and profile name, read from dbt_project.yml as written.
pub fn project_names(root: &Path) -> Result<(String, String), JobError> {
    let file = root.join("dbt_project.yml");
    let text = std::fs::read_to_string(&file).map_err(io(format!("reading {}", file.display())))?;
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| JobError::BadPackage {
        location: file.display().to_string(),
        message: format!("not YAML: {e}"),
    })?;
    let name = doc["name"].as_str().unwrap_or("project").to_string();
    let profile = doc["profile"]
        .as_str()
        .map_or_else(|| name.clone(), str::to_string);
    Ok((name, profile))
}

/// The target the engine will use, for naming the artifact prefix: `--target`, DBT_TARGET, or the
/// profile's `target:` (an `env_var('X', 'default')` there is resolved the way dbt would).
pub fn target_name(args: &JobArgs, profiles: Option<&Path>, profile: &str) -> String {
    if let Some(t) = args
        .target
        .clone()
        .or_else(|| std::env::var("DBT_TARGET").ok())
        .filter(|t| !t.is_empty())
    {
        return t;
    }
    let Some(dir) = profiles else {
        // The embedded DuckDB default's target.
        return "dev".into();
    };
    let doc: Option<serde_yaml::Value> = std::fs::read_to_string(dir.join("profiles.yml"))
        .ok()
        .and_then(|t| serde_yaml::from_str(&t).ok());
    let raw = doc
        .as_ref()
        .and_then(|d| d[profile]["target"].as_str())
        .unwrap_or("default");
    resolve_env_var_call(raw).unwrap_or_else(|| raw.to_string())
}

/// `{{ env_var('NAME') }}` or `{{ env_var('NAME', 'default') }}` to its value.
fn resolve_env_var_call(raw: &str) -> Option<String> {
    let inner = raw.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let args = inner.strip_prefix("env_var(")?.strip_suffix(')')?;
    let mut parts = args.split(',').map(|p| p.trim().trim_matches(['\'', '"']));
    let name = parts.next()?;
    let default = parts.next();
    std::env::var(name)
        .ok()
        .or_else(|| default.map(str::to_string))
}

/// The engine's target directory relative to the project: DBT_TARGET_PATH, the project's
/// `target-path`, or `target`.
pub fn target_path(root: &Path) -> PathBuf {
    if let Some(p) = std::env::var_os("DBT_TARGET_PATH").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let doc: Option<serde_yaml::Value> = std::fs::read_to_string(root.join("dbt_project.yml"))
        .ok()
        .and_then(|t| serde_yaml::from_str(&t).ok());
    let configured = doc
        .as_ref()
        .and_then(|d| d["target-path"].as_str())
        .map(str::to_string);
    PathBuf::from(configured.unwrap_or_else(|| "target".into()))
}

#[cfg(test)]
mod tests {
    use super::resolve_env_var_call;

    #[test]
    fn env_var_targets() {
        assert_eq!(
            resolve_env_var_call("{{ env_var('RUNNER_TEST_UNSET_TARGET', 'prod') }}").as_deref(),
            Some("prod")
        );
        assert_eq!(resolve_env_var_call("dev"), None);
    }
}
