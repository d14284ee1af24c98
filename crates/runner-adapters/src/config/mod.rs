//! Connection settings read from a profile target's fields (`profiles.yml` output), validated into
//! typed configs before any I/O. The `Debug` output never shows the password.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value as Json};

use crate::error::{AdapterError, Result};

/// Which warehouse a connection talks to; Redshift uses the Postgres wire protocol with its own dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdapterKind {
    /// PostgreSQL.
    Postgres,
    /// Amazon Redshift (Postgres wire protocol).
    Redshift,
    /// Embedded DuckDB.
    DuckDb,
}

impl AdapterKind {
    /// dbt's adapter type name: `postgres`, `redshift`, `duckdb`.
    pub fn name(self) -> &'static str {
        match self {
            AdapterKind::Postgres => "postgres",
            AdapterKind::Redshift => "redshift",
            AdapterKind::DuckDb => "duckdb",
        }
    }
}

/// libpq's `sslmode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Never TLS.
    Disable,
    /// Plain connection (libpq would try TLS second; we never need to).
    Allow,
    /// TLS without certificate checks when the server offers it, else plain.
    Prefer,
    /// TLS required, certificate not checked.
    Require,
    /// TLS required, certificate chain checked, host name not checked.
    VerifyCa,
    /// TLS required, certificate chain and host name checked.
    VerifyFull,
}

impl SslMode {
    /// Parses libpq's spelling (`verify-full`, also `verify_full`).
    pub fn parse(value: &str) -> Option<SslMode> {
        Some(
            match value.to_ascii_lowercase().replace('_', "-").as_str() {
                "disable" => SslMode::Disable,
                "allow" => SslMode::Allow,
                "prefer" => SslMode::Prefer,
                "require" => SslMode::Require,
                "verify-ca" => SslMode::VerifyCa,
                "verify-full" => SslMode::VerifyFull,
                _ => return None,
            },
        )
    }
}

/// A Postgres or Redshift target.
#[derive(Clone, PartialEq)]
pub struct PostgresConfig {
    /// `Postgres` or `Redshift`.
    pub kind: AdapterKind,
    /// Server host name or IP address.
    pub host: String,
    /// TCP port (5432 Postgres, 5439 Redshift by default).
    pub port: u16,
    /// Login role.
    pub user: String,
    /// Password, if the server asks for one. Never printed.
    pub password: Option<String>,
    /// Database (`dbname` or `database`).
    pub dbname: String,
    /// dbt's target schema.
    pub schema: String,
    /// Limit for TCP connect plus login.
    pub connect_timeout: Duration,
    /// TCP keepalive idle time; `None` keeps the system default (dbt's `keepalives_idle: 0`).
    pub keepalives_idle: Option<Duration>,
    /// Sent as `set search_path to …` after login.
    pub search_path: Option<String>,
    /// Sent as `set role …` after login.
    pub role: Option<String>,
    /// TLS mode.
    pub sslmode: SslMode,
    /// PEM file with the CA certificates to trust instead of the bundled web PKI roots.
    pub sslrootcert: Option<PathBuf>,
    /// Worker threads, which is also the pool size.
    pub threads: usize,
}

impl fmt::Debug for PostgresConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresConfig")
            .field("kind", &self.kind)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .field("dbname", &self.dbname)
            .field("schema", &self.schema)
            .field("connect_timeout", &self.connect_timeout)
            .field("keepalives_idle", &self.keepalives_idle)
            .field("search_path", &self.search_path)
            .field("role", &self.role)
            .field("sslmode", &self.sslmode)
            .field("sslrootcert", &self.sslrootcert)
            .field("threads", &self.threads)
            .finish()
    }
}

impl PostgresConfig {
    /// A config with libpq-like defaults (port 5432, `sslmode=prefer`, 10 s connect timeout, 1 thread).
    pub fn new(host: &str, user: &str, dbname: &str) -> PostgresConfig {
        PostgresConfig {
            kind: AdapterKind::Postgres,
            host: host.to_string(),
            port: 5432,
            user: user.to_string(),
            password: None,
            dbname: dbname.to_string(),
            schema: "public".into(),
            connect_timeout: Duration::from_secs(10),
            keepalives_idle: None,
            search_path: None,
            role: None,
            sslmode: SslMode::Prefer,
            sslrootcert: None,
            threads: 1,
        }
    }

    /// `host:port/dbname as user`, for error messages.
    pub fn endpoint(&self) -> String {
        format!(
            "{}:{}/{} as {}",
            self.host, self.port, self.dbname, self.user
        )
    }
}

/// An embedded DuckDB target.
#[derive(Debug, Clone, PartialEq)]
pub struct DuckDbConfig {
    /// A file path, `:memory:`, or an `md:` MotherDuck path (passed through to DuckDB).
    pub path: String,
    /// dbt's target schema (default `main`).
    pub schema: String,
    /// Extensions to `INSTALL` and `LOAD` when the database opens.
    pub extensions: Vec<DuckDbExtension>,
    /// Settings given to DuckDB when the database opens (`memory_limit`, `threads`, …).
    pub settings: Vec<(String, String)>,
    /// Worker threads, which is also the pool size.
    pub threads: usize,
}

/// One entry of a DuckDB profile's `extensions` list.
#[derive(Debug, Clone, PartialEq)]
pub struct DuckDbExtension {
    /// Extension name (`httpfs`, `json`, …).
    pub name: String,
    /// Repository to install from (`INSTALL name FROM repo`), if not DuckDB's default.
    pub repo: Option<String>,
}

impl DuckDbConfig {
    /// A config for `path` with no extensions or settings and one thread.
    pub fn new(path: &str) -> DuckDbConfig {
        DuckDbConfig {
            path: path.to_string(),
            schema: "main".into(),
            extensions: Vec::new(),
            settings: Vec::new(),
            threads: 1,
        }
    }
}

/// A validated target for any supported warehouse.
#[derive(Debug, Clone, PartialEq)]
pub enum AdapterConfig {
    /// Postgres or Redshift.
    Postgres(PostgresConfig),
    /// DuckDB.
    DuckDb(DuckDbConfig),
}

impl AdapterConfig {
    /// Which warehouse this config is for.
    pub fn kind(&self) -> AdapterKind {
        match self {
            AdapterConfig::Postgres(c) => c.kind,
            AdapterConfig::DuckDb(_) => AdapterKind::DuckDb,
        }
    }

    /// Worker threads (at least 1): the pool size.
    pub fn threads(&self) -> usize {
        match self {
            AdapterConfig::Postgres(c) => c.threads.max(1),
            AdapterConfig::DuckDb(c) => c.threads.max(1),
        }
    }

    /// Validates a profile target: its adapter `type`, `threads` and output fields.
    pub fn from_profile(
        adapter_type: &str,
        threads: u32,
        fields: &Map<String, Json>,
    ) -> Result<AdapterConfig> {
        let threads = usize::try_from(threads.max(1)).unwrap_or(1);
        match adapter_type {
            "postgres" => {
                postgres_from(AdapterKind::Postgres, threads, fields).map(AdapterConfig::Postgres)
            }
            "redshift" => {
                postgres_from(AdapterKind::Redshift, threads, fields).map(AdapterConfig::Postgres)
            }
            "duckdb" => duckdb_from(threads, fields).map(AdapterConfig::DuckDb),
            other => Err(AdapterError::Config {
                adapter: other.to_string(),
                message: "unsupported adapter type (supported: postgres, redshift, duckdb)".into(),
            }),
        }
    }
}

mod profile;
use profile::{duckdb_from, postgres_from};
