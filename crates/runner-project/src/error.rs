//! The error type of project loading: every variant names the file it came from.

use std::path::{Path, PathBuf};

/// Something in the project on disk is missing or malformed.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// A file could not be read.
    #[error("could not read {}: {source}", shown(path))]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A YAML document did not parse.
    #[error("{}: invalid YAML: {message}", located(path, *line))]
    Yaml {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem (0 when unknown).
        line: usize,
        /// What the YAML parser said.
        message: String,
    },
    /// A file parsed, but its content is not what dbt accepts.
    #[error("{}: {message}", shown(path))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the key.
        message: String,
    },
    /// A Jinja expression inside a YAML value failed to render.
    #[error("{}: could not render `{key}`: {message}", located(path, *line))]
    Render {
        /// The file.
        path: PathBuf,
        /// 1-based line of the value (0 when unknown).
        line: usize,
        /// The dotted key whose value failed.
        key: String,
        /// The renderer's message.
        message: String,
    },
    /// No dbt_project.yml where one was expected.
    #[error("no dbt_project.yml found in {}", dir.display())]
    NoProject {
        /// The directory searched.
        dir: PathBuf,
    },
    /// The profile or target named does not exist.
    #[error("{}: {message}", shown(path))]
    Profile {
        /// The profiles.yml read.
        path: PathBuf,
        /// What was missing, naming the profile and target.
        message: String,
    },
    /// A Python model was found; runner runs SQL models only.
    #[error(
        "{}: Python models are not supported by runner; rewrite this model in SQL or run it with dbt-core",
        shown(path)
    )]
    PythonModel {
        /// The .py file.
        path: PathBuf,
    },
}

/// A path as the user wrote it: relative to the directory they ran in, without a leading `./`.
pub fn shown(path: &Path) -> std::path::Display<'_> {
    path.strip_prefix(".").unwrap_or(path).display()
}

/// `path:line`, or just `path` when the line is unknown (0).
fn located(path: &Path, line: usize) -> String {
    if line == 0 {
        shown(path).to_string()
    } else {
        format!("{}:{line}", shown(path))
    }
}

/// Shorthand used across the crate.
pub type Result<T, E = ProjectError> = std::result::Result<T, E>;
