//! Test support, used only as a dev-dependency: real services for integration tests, started in
//! temporary directories and torn down afterwards: [`PgCluster`], a throwaway PostgreSQL 15 cluster
//! with TLS and password-protected roles; [`S3Server`] (s3s-fs) and [`MotoServer`] for AWS.

mod aws;
mod certs;
mod command;
mod postgres;

pub use aws::{MotoServer, S3Server};
pub use postgres::{PgCluster, PgRole};

/// Keys and region the local AWS servers accept.
pub mod aws_keys {
    pub use crate::aws::{ACCESS_KEY, REGION, SECRET_KEY, tool};
}

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
