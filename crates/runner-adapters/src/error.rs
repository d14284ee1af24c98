//! The adapter error type: every variant names where it happened (host, port, database, the SQL's
//! first line) and what the server said (message, SQLSTATE). Passwords are never part of an error.

/// Result alias for this crate.
pub type Result<T, E = AdapterError> = std::result::Result<T, E>;

/// Anything that can go wrong talking to a warehouse.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    /// The profile's fields do not make a valid target.
    #[error("invalid {adapter} profile: {message}")]
    Config {
        /// Adapter type from the profile.
        adapter: String,
        /// What is wrong.
        message: String,
    },
    /// The TCP connection (or DuckDB file) could not be opened.
    #[error("could not connect to {endpoint}: {message}")]
    Connect {
        /// `host:port/database as user`.
        endpoint: String,
        /// Why.
        message: String,
    },
    /// TLS could not be set up or the server's certificate was rejected.
    #[error("TLS with {endpoint} failed: {message}")]
    Tls {
        /// `host:port/database as user`.
        endpoint: String,
        /// Why.
        message: String,
    },
    /// The server rejected the login.
    #[error("login to {endpoint} failed{}: {message}", sqlstate_suffix(.sqlstate))]
    Auth {
        /// `host:port/database as user`.
        endpoint: String,
        /// SQLSTATE (28P01 wrong password, 28000 no pg_hba entry, …).
        sqlstate: Option<String>,
        /// Server or client message.
        message: String,
    },
    /// The server (or DuckDB) rejected a statement.
    #[error("database error on {endpoint}{}: {message}{}\n  in SQL: {sql}", sqlstate_suffix(.sqlstate), detail_suffix(.detail))]
    Database {
        /// `host:port/database as user`, or the DuckDB path.
        endpoint: String,
        /// SQLSTATE when the engine reports one (Postgres, Redshift).
        sqlstate: Option<String>,
        /// The engine's message.
        message: String,
        /// The server's DETAIL and HINT lines, if any.
        detail: Option<String>,
        /// The statement's first non-empty line.
        sql: String,
    },
    /// Reading from or writing to the server failed; the connection is unusable afterwards.
    #[error("connection to {endpoint} broke: {source}")]
    Io {
        /// `host:port/database as user`.
        endpoint: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The server sent something this client does not understand.
    #[error("protocol error from {endpoint}: {message}")]
    Protocol {
        /// `host:port/database as user`.
        endpoint: String,
        /// What was unexpected.
        message: String,
    },
    /// The DuckDB library could not be loaded when the first DuckDB target was opened (builds
    /// that load it at run time, the default; see `duck::library`).
    #[error(
        "DuckDB targets need libduckdb.so (DuckDB {expected}); tried {tried}: {reason}. \
         Fix: run scripts/setup-duckdb.sh (it puts the library into target/duckdb/, where a \
         runner built from this repository looks), or set RUNNER_DUCKDB_LIBRARY to the path of \
         a DuckDB {expected} libduckdb.so"
    )]
    DuckDbLibrary {
        /// The DuckDB version this build's bindings are for (`1.5.6`).
        expected: String,
        /// Where it was looked for: the `RUNNER_DUCKDB_LIBRARY` path, or the library search path.
        tried: String,
        /// dlerror()'s reason, or why the library that loaded is unusable (another version).
        reason: String,
    },
    /// The pool was closed (shutdown) while waiting for or asking for a connection.
    #[error("the connection pool is closed")]
    PoolClosed,
    /// A seed CSV could not be read the way dbt reads it.
    #[error("invalid seed CSV{}: {message}", location_suffix(.file, .line))]
    SeedCsv {
        /// The file, when it was read from disk.
        file: Option<String>,
        /// The 1-based line where the bad row (or field) starts.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// Rows could not be bulk-loaded into a table: the rows did not fit the column list, or the
    /// engine rejected a value (DuckDB; Postgres reports those as [`AdapterError::Database`]).
    #[error("loading rows into {relation} failed{}: {message}", row_suffix(.row))]
    Load {
        /// The table, as rendered SQL.
        relation: String,
        /// The 1-based index of the offending row among the rows given, when known.
        row: Option<usize>,
        /// What is wrong.
        message: String,
    },
}

impl AdapterError {
    /// True when the statement stopped because a [`crate::CancelHandle`] cancelled it.
    pub fn is_cancelled(&self) -> bool {
        match self {
            AdapterError::Database {
                sqlstate, message, ..
            } => sqlstate.as_deref() == Some("57014") || message.starts_with("INTERRUPT Error"),
            _ => false,
        }
    }

    /// The SQLSTATE the server reported, if any.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            AdapterError::Database { sqlstate, .. } | AdapterError::Auth { sqlstate, .. } => {
                sqlstate.as_deref()
            }
            _ => None,
        }
    }
}

fn sqlstate_suffix(sqlstate: &Option<String>) -> String {
    sqlstate
        .as_ref()
        .map(|s| format!(" [{s}]"))
        .unwrap_or_default()
}

fn location_suffix(file: &Option<String>, line: &Option<usize>) -> String {
    match (file, line) {
        (Some(file), Some(line)) => format!(" {file}, line {line}"),
        (Some(file), None) => format!(" {file}"),
        (None, Some(line)) => format!(" at line {line}"),
        (None, None) => String::new(),
    }
}

fn row_suffix(row: &Option<usize>) -> String {
    row.map(|r| format!(" at row {r}")).unwrap_or_default()
}

fn detail_suffix(detail: &Option<String>) -> String {
    detail
        .as_ref()
        .map(|d| format!("\n  {d}"))
        .unwrap_or_default()
}

/// The first non-empty line of a statement, trimmed and cut to 200 characters, for error context.
pub(crate) fn sql_first_line(sql: &str) -> String {
    let line = sql
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut out: String = line.chars().take(200).collect();
    if line.chars().count() > 200 || sql.trim().lines().nth(1).is_some() {
        out.push_str(" …");
    }
    out
}
