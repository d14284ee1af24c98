//! Test support, used only as a dev-dependency: real services for integration tests, started in
//! temporary directories and torn down afterwards. Today that is [`PgCluster`], a throwaway
//! PostgreSQL 15 cluster with TLS and password-protected roles.

mod certs;
mod command;
mod postgres;

pub use postgres::{PgCluster, PgRole};

/// Why a test service could not be started or used.
#[derive(Debug, thiserror::Error)]
pub enum TestkitError {
    /// A command (initdb, pg_ctl, psql, openssl) could not be run or failed.
    #[error("`{command}` failed: {message}")]
    Command {
        /// The command line.
        command: String,
        /// Exit status and stderr, or the spawn error.
        message: String,
    },
    /// File-system setup failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}
