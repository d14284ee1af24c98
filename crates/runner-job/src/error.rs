//! [`JobError`]: why the entrypoint could not run or publish. Each one ends the job with exit code 2
//! (configuration or infrastructure), never 1, which is kept for failing nodes.

/// A failure of the job around the dbt commands.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// An option is missing or malformed.
    #[error("{option}: {message}")]
    Option {
        /// The option, as `--flag / RUNNER_VAR`.
        option: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The package could not be verified or unpacked.
    #[error(transparent)]
    Package(#[from] runner_package::PackageError),
    /// An AWS call failed.
    #[error(transparent)]
    Aws(#[from] runner_aws::AwsError),
    /// The package was fetched but is not what it says it is.
    #[error("package {location}: {message}")]
    BadPackage {
        /// Where it came from.
        location: String,
        /// What is wrong.
        message: String,
    },
    /// Local file I/O.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

/// Shorthand for an I/O error with context.
pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> JobError {
    let context = context.into();
    move |source| JobError::Io { context, source }
}
