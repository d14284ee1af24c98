//! The engine's error type: each variant names the file (and line, when known) and the node involved.

/// A project could not be parsed or compiled.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// Reading the project from disk failed.
    #[error(transparent)]
    Project(#[from] runner_project::ProjectError),
    /// A template failed to parse or render; the message shows the template line.
    #[error("{}", jinja_message(file, message))]
    Jinja {
        /// File the template came from (relative to its package).
        file: String,
        /// The Jinja error, with line and source excerpt.
        message: String,
    },
    /// `ref()` to a node that does not exist or is disabled.
    #[error("{file}: {node} depends on a node named '{name}' which {}", why(*disabled))]
    UnknownRef {
        /// The referring node's unique id.
        node: String,
        /// Its file.
        file: String,
        /// The name referenced (with package or version when given).
        name: String,
        /// The node exists but is disabled.
        disabled: bool,
    },
    /// `source()` to a source that does not exist or is disabled.
    #[error("{file}: {node} depends on a source named '{source_name}.{table}' which {}", why(*disabled))]
    UnknownSource {
        /// The referring node.
        node: String,
        /// Its file.
        file: String,
        /// Source name.
        source_name: String,
        /// Table name.
        table: String,
        /// The source table exists but is disabled.
        disabled: bool,
    },
    /// Two resources claim the same unique id.
    #[error("dbt found two resources with the name \"{name}\": {first} and {second}")]
    Duplicate {
        /// The clashing name.
        name: String,
        /// First file.
        first: String,
        /// Second file.
        second: String,
    },
    /// A property file entry is malformed.
    #[error("{file}: {message}")]
    Properties {
        /// The property file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The DAG is invalid (a cycle, naming it) or a selector is wrong.
    #[error(transparent)]
    Graph(#[from] runner_graph::GraphError),
    /// A generic test names a test macro that does not exist.
    #[error("{file}: generic test '{test}' is not defined (no macro named test_{test})")]
    UnknownTest {
        /// Property file.
        file: String,
        /// The test name as written.
        test: String,
    },
    /// Writing compiled output failed.
    #[error("could not write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl CompileError {
    /// Wraps a Jinja error raised while handling `file`.
    pub fn jinja(file: &str, err: &runner_jinja::Error) -> CompileError {
        CompileError::Jinja {
            file: file.to_string(),
            message: err.to_string(),
        }
    }
}

/// `file: message`, naming the file once when the template error already starts with it (`file:line:`).
fn jinja_message(file: &str, message: &str) -> String {
    match message.strip_prefix(file) {
        Some(rest) if rest.starts_with(':') => message.to_string(),
        _ => format!("{file}: {message}"),
    }
}

/// Shorthand.
pub type Result<T, E = CompileError> = std::result::Result<T, E>;

/// dbt's ending of an unresolved `ref()`/`source()` message.
fn why(disabled: bool) -> &'static str {
    if disabled {
        "is disabled"
    } else {
        "was not found"
    }
}
