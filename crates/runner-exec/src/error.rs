//! Errors that stop a run as a whole (node failures are results, not errors).

use thiserror::Error;

/// Why a run could not proceed.
#[derive(Debug, Error)]
pub enum ExecError {
    /// The warehouse could not be reached with the target's settings.
    #[error("could not connect to target '{target}': {source}")]
    Connect {
        /// Target name.
        target: String,
        /// The adapter's error (host and reason, never the password).
        source: runner_adapters::AdapterError,
    },
    /// An `on-run-start` hook failed, so no node ran.
    #[error("on-run-start hook {hook} failed: {message}")]
    Hook {
        /// `pkg.on-run-start.0`.
        hook: String,
        /// What went wrong.
        message: String,
    },
    /// A schema the run builds into could not be created.
    #[error("could not create schema '{schema}': {source}")]
    Schema {
        /// Schema name.
        schema: String,
        /// The warehouse's error.
        source: runner_adapters::AdapterError,
    },
    /// Writing compiled or run SQL failed.
    #[error(transparent)]
    Compile(#[from] runner_compile::CompileError),
    /// `run-operation` named a macro that no package defines.
    #[error(
        "dbt could not find a macro with the name '{0}' in any package. This can happen when calling a macro that does not exist. Check for typos and/or install package dependencies with \"dbt deps\"."
    )]
    UnknownMacro(String),
    /// A broken invariant.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result alias.
pub type Result<T> = std::result::Result<T, ExecError>;
