//! Writing artifacts to disk: pretty-free JSON as dbt writes it, replaced atomically.

use std::path::{Path, PathBuf};

/// An artifact could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    /// Writing failed.
    #[error("could not write {path}: {source}")]
    Io {
        /// The artifact's path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Writes `value` as compact JSON to `path` through a temporary file, so readers never see half a file.
pub fn write_json_file(path: &Path, value: &serde_json::Value) -> Result<(), ArtifactError> {
    let io = |source| ArtifactError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let text = serde_json::to_string(value).expect("JSON values always serialize");
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Writes an artifact produced by `write` (which streams into the writer) to `path` through a
/// temporary file, as [`write_json_file`] does.
pub fn write_streamed(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), ArtifactError> {
    let io = |source| ArtifactError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("json.tmp");
    let file = std::fs::File::create(&tmp).map_err(io)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    write(&mut out).map_err(io)?;
    std::io::Write::flush(&mut out).map_err(io)?;
    drop(out);
    std::fs::rename(&tmp, path).map_err(io)
}
