//! The error type of project loading: every variant names the file it came from.

use std::path::PathBuf;

/// Something in the project on disk is missing or malformed.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// A file could not be read.
    #[error("could not read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A YAML document did not parse.
    #[error("{path}:{line}: invalid YAML: {message}")]
    Yaml {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem (0 when unknown).
        line: usize,
        /// What the YAML parser said.
        message: String,
    },
    /// A file parsed, but its content is not what dbt accepts.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the key.
        message: String,
    },
    /// A Jinja expression inside a YAML value failed to render.
    #[error("{path}: could not render `{key}`: {message}")]
    Render {
        /// The file.
        path: PathBuf,
        /// The dotted key whose value failed.
        key: String,
        /// The renderer's message.
        message: String,
    },
    /// No dbt_project.yml where one was expected.
    #[error("no dbt_project.yml found in {dir}")]
    NoProject {
        /// The directory searched.
        dir: PathBuf,
    },
    /// The profile or target named does not exist.
    #[error("{path}: {message}")]
    Profile {
        /// The profiles.yml read.
        path: PathBuf,
        /// What was missing, naming the profile and target.
        message: String,
    },
    /// A Python model was found; runner runs SQL models only.
    #[error(
        "{path}: Python models are not supported by runner; rewrite this model in SQL or run it with dbt-core"
    )]
    PythonModel {
        /// The .py file.
        path: PathBuf,
    },
}

/// Shorthand used across the crate.
pub type Result<T, E = ProjectError> = std::result::Result<T, E>;
