//! Helpers: connection configs for the shared Postgres cluster and DuckDB, one database per test.

use runner_adapters::{Adapter, AdapterConfig, Connection, DuckDbConfig, PostgresConfig, SslMode};
use runner_testkit::PgCluster;

/// A superuser config for a fresh database named after the test (no TLS).
pub fn pg_config(database: &str) -> PostgresConfig {
    let cluster = PgCluster::shared();
    cluster
        .create_database(database)
        .expect("create test database");
    pg_config_existing(database)
}

/// A superuser config for an existing database (no TLS).
pub fn pg_config_existing(database: &str) -> PostgresConfig {
    let cluster = PgCluster::shared();
    let mut config = PostgresConfig::new(cluster.host(), cluster.superuser(), database);
    config.port = cluster.port();
    config.sslmode = SslMode::Disable;
    config
}

/// A Postgres connection to a fresh database named after the test.
pub fn pg(database: &str) -> Box<dyn Connection> {
    Adapter::open(AdapterConfig::Postgres(pg_config(database)))
        .and_then(|a| a.connect())
        .expect("connect to postgres")
}

/// A connection to a new in-memory DuckDB.
pub fn duck() -> Box<dyn Connection> {
    Adapter::open(AdapterConfig::DuckDb(DuckDbConfig::new(":memory:")))
        .and_then(|a| a.connect())
        .expect("open duckdb")
}

/// One connection per engine: Postgres (fresh database `name`) and in-memory DuckDB.
pub fn both(name: &str) -> Vec<Box<dyn Connection>> {
    vec![pg(name), duck()]
}
