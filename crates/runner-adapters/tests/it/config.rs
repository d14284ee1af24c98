//! Profile fields → configs: aliases, defaults, validation, and no password in Debug output.

use runner_adapters::{AdapterConfig, AdapterError, AdapterKind, SslMode};
use serde_json::{Map, Value, json};

fn fields(value: Value) -> Map<String, Value> {
    value.as_object().cloned().expect("object")
}

#[test]
fn postgres_profile_fields_are_read_with_aliases_and_string_numbers() {
    let config = AdapterConfig::from_profile(
        "postgres",
        4,
        &fields(json!({
            "host": "db.internal", "port": "6543", "user": "dbt", "pass": "hunter2-secret",
            "database": "analytics", "schema": "dbt_prod", "connect_timeout": 3, "keepalives_idle": 30,
            "search_path": "dbt_prod, public", "role": "transformer", "sslmode": "verify-full"
        })),
    )
    .expect("valid profile");
    let AdapterConfig::Postgres(pg) = &config else {
        panic!("postgres config")
    };
    assert_eq!(pg.port, 6543);
    assert_eq!(pg.dbname, "analytics");
    assert_eq!(pg.password.as_deref(), Some("hunter2-secret"));
    assert_eq!(pg.sslmode, SslMode::VerifyFull);
    assert_eq!(pg.connect_timeout.as_secs(), 3);
    assert_eq!(pg.keepalives_idle.map(|d| d.as_secs()), Some(30));
    assert_eq!(pg.role.as_deref(), Some("transformer"));
    assert_eq!(config.threads(), 4);
    assert_eq!(config.kind(), AdapterKind::Postgres);
}

#[test]
fn redshift_defaults_to_port_5439_and_keeps_its_kind() {
    let config = AdapterConfig::from_profile(
        "redshift",
        1,
        &fields(json!({"host": "x.redshift.amazonaws.com", "user": "u", "dbname": "dev", "schema": "s"})),
    )
    .expect("valid profile");
    let AdapterConfig::Postgres(rs) = config else {
        panic!("postgres config")
    };
    assert_eq!(rs.kind, AdapterKind::Redshift);
    assert_eq!(rs.port, 5439);
    assert_eq!(rs.sslmode, SslMode::Prefer);
}

#[test]
fn invalid_profiles_are_refused_before_any_io() {
    let bad_mode = AdapterConfig::from_profile(
        "postgres",
        1,
        &fields(json!({"host": "h", "user": "u", "dbname": "d", "sslmode": "sometimes"})),
    );
    assert!(
        matches!(bad_mode, Err(AdapterError::Config { .. })),
        "{bad_mode:?}"
    );
    let missing_host =
        AdapterConfig::from_profile("postgres", 1, &fields(json!({"user": "u", "dbname": "d"})));
    assert!(missing_host.unwrap_err().to_string().contains("`host`"));
    let bad_port = AdapterConfig::from_profile(
        "postgres",
        1,
        &fields(json!({"host": "h", "user": "u", "dbname": "d", "port": "abc"})),
    );
    assert!(bad_port.is_err());
    let iam = AdapterConfig::from_profile(
        "redshift",
        1,
        &fields(json!({"host": "h", "user": "u", "dbname": "d", "method": "iam"})),
    );
    assert!(iam.unwrap_err().to_string().contains("iam"));
    assert!(AdapterConfig::from_profile("snowflake", 1, &Map::new()).is_err());
}

#[test]
fn duckdb_profile_reads_path_extensions_and_settings() {
    let config = AdapterConfig::from_profile(
        "duckdb",
        2,
        &fields(json!({
            "path": "target/dev.duckdb",
            "extensions": ["json", {"name": "spatial", "repo": "core_nightly"}],
            "settings": {"memory_limit": "1GB", "threads": 2, "preserve_insertion_order": false}
        })),
    )
    .expect("valid profile");
    let AdapterConfig::DuckDb(duck) = config else {
        panic!("duckdb config")
    };
    assert_eq!(duck.path, "target/dev.duckdb");
    assert_eq!(duck.schema, "main");
    assert_eq!(duck.extensions.len(), 2);
    assert_eq!(duck.extensions[1].repo.as_deref(), Some("core_nightly"));
    assert_eq!(
        duck.settings,
        vec![
            ("memory_limit".to_string(), "1GB".to_string()),
            ("threads".to_string(), "2".to_string()),
            ("preserve_insertion_order".to_string(), "false".to_string()),
        ]
    );
    let default_path = AdapterConfig::from_profile("duckdb", 1, &Map::new()).expect("defaults");
    let AdapterConfig::DuckDb(duck) = default_path else {
        panic!("duckdb config")
    };
    assert_eq!(duck.path, ":memory:");
}

#[test]
fn debug_of_a_config_does_not_contain_the_password() {
    let config = AdapterConfig::from_profile(
        "postgres",
        1,
        &fields(json!({"host": "h", "user": "u", "dbname": "d", "password": "Sup3r-Secret-Pw"})),
    )
    .expect("valid profile");
    let debug = format!("{config:?}");
    assert!(!debug.contains("Sup3r-Secret-Pw"), "{debug}");
    assert!(debug.contains("****"), "{debug}");
}
