//! Reading the fields of a `profiles.yml` target into [`PostgresConfig`] / [`DuckDbConfig`]:
//! field aliases (`dbname`/`database`, `pass`/`password`), numbers given as strings (env_var()),
//! defaults as dbt's adapters have them.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value as Json};

use super::{AdapterKind, DuckDbConfig, DuckDbExtension, PostgresConfig, SslMode};
use crate::error::{AdapterError, Result};

fn config_error(kind: AdapterKind, message: impl Into<String>) -> AdapterError {
    AdapterError::Config {
        adapter: kind.name().to_string(),
        message: message.into(),
    }
}

/// A scalar field as a string (numbers and booleans rendered); `None` when absent or null.
fn string_field(fields: &Map<String, Json>, key: &str) -> Option<String> {
    match fields.get(key)? {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn number_field(kind: AdapterKind, fields: &Map<String, Json>, key: &str) -> Result<Option<u64>> {
    let Some(raw) = string_field(fields, key) else {
        return Ok(None);
    };
    raw.trim().parse::<u64>().map(Some).map_err(|_| {
        config_error(
            kind,
            format!("`{key}` must be a non-negative integer, got `{raw}`"),
        )
    })
}

fn required(kind: AdapterKind, fields: &Map<String, Json>, keys: &[&str]) -> Result<String> {
    keys.iter()
        .find_map(|k| string_field(fields, k))
        .ok_or_else(|| config_error(kind, format!("missing required field `{}`", keys[0])))
}

pub(super) fn postgres_from(
    kind: AdapterKind,
    threads: usize,
    fields: &Map<String, Json>,
) -> Result<PostgresConfig> {
    if let Some(method) = string_field(fields, "method")
        && method != "database"
    {
        return Err(config_error(
            kind,
            format!("authentication method `{method}` is not supported (only `database`)"),
        ));
    }
    let host = required(kind, fields, &["host"])?;
    let user = required(kind, fields, &["user", "username"])?;
    let dbname = required(kind, fields, &["dbname", "database"])?;
    let mut config = PostgresConfig::new(&host, &user, &dbname);
    config.kind = kind;
    config.threads = threads;
    let default_port = if kind == AdapterKind::Redshift {
        5439
    } else {
        5432
    };
    let port = number_field(kind, fields, "port")?.unwrap_or(default_port);
    config.port = u16::try_from(port)
        .map_err(|_| config_error(kind, format!("`port` {port} is out of range")))?;
    config.password = string_field(fields, "password").or_else(|| string_field(fields, "pass"));
    if let Some(schema) = string_field(fields, "schema") {
        config.schema = schema;
    }
    if let Some(secs) = number_field(kind, fields, "connect_timeout")? {
        // libpq treats 0 as "wait forever"; a day is long enough.
        config.connect_timeout = Duration::from_secs(if secs == 0 { 86_400 } else { secs });
    }
    config.keepalives_idle = number_field(kind, fields, "keepalives_idle")?
        .filter(|s| *s > 0)
        .map(Duration::from_secs);
    config.search_path = string_field(fields, "search_path").filter(|s| !s.trim().is_empty());
    config.role = string_field(fields, "role").filter(|s| !s.trim().is_empty());
    if let Some(mode) = string_field(fields, "sslmode") {
        config.sslmode = SslMode::parse(&mode).ok_or_else(|| {
            config_error(
                kind,
                format!("unknown `sslmode` `{mode}` (disable, allow, prefer, require, verify-ca, verify-full)"),
            )
        })?;
    }
    config.sslrootcert = string_field(fields, "sslrootcert").map(PathBuf::from);
    Ok(config)
}

pub(super) fn duckdb_from(threads: usize, fields: &Map<String, Json>) -> Result<DuckDbConfig> {
    let kind = AdapterKind::DuckDb;
    let path = string_field(fields, "path").unwrap_or_else(|| ":memory:".into());
    let mut config = DuckDbConfig::new(&path);
    config.threads = threads;
    if let Some(schema) = string_field(fields, "schema") {
        config.schema = schema;
    }
    match fields.get("extensions") {
        None | Some(Json::Null) => {}
        Some(Json::Array(items)) => {
            for item in items {
                config.extensions.push(extension_from(item).ok_or_else(|| {
                    config_error(
                        kind,
                        format!(
                            "`extensions` entries are names or {{name, repo}} mappings, got {item}"
                        ),
                    )
                })?);
            }
        }
        Some(other) => {
            return Err(config_error(
                kind,
                format!("`extensions` must be a list, got {other}"),
            ));
        }
    }
    match fields.get("settings") {
        None | Some(Json::Null) => {}
        Some(Json::Object(map)) => {
            for (key, value) in map {
                let value = match value {
                    Json::String(s) => s.clone(),
                    Json::Number(_) | Json::Bool(_) => value.to_string(),
                    other => {
                        return Err(config_error(
                            kind,
                            format!("setting `{key}` must be a scalar, got {other}"),
                        ));
                    }
                };
                config.settings.push((key.clone(), value));
            }
        }
        Some(other) => {
            return Err(config_error(
                kind,
                format!("`settings` must be a mapping, got {other}"),
            ));
        }
    }
    Ok(config)
}

fn extension_from(item: &Json) -> Option<DuckDbExtension> {
    match item {
        Json::String(name) => Some(DuckDbExtension {
            name: name.clone(),
            repo: None,
        }),
        Json::Object(map) => Some(DuckDbExtension {
            name: map.get("name")?.as_str()?.to_string(),
            repo: map.get("repo").and_then(Json::as_str).map(str::to_string),
        }),
        _ => None,
    }
}
