//! The error type of building and extracting packages. Every variant names the project file or
//! the archive and, for archive members, the entry, so that one line in an ECS log is enough to
//! know what was refused and why.

use std::io;
use std::path::PathBuf;

/// Why a package could not be built or extracted.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// A file or directory outside the archive could not be read or written.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done, e.g. "could not read".
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// dbt_project.yml is missing or malformed, or gives no usable name or version.
    #[error("package build: {}: {problem}", path.display())]
    Project {
        /// The dbt_project.yml read.
        path: PathBuf,
        /// What is wrong, naming the key.
        problem: String,
    },
    /// A symlink in the project points outside it, nowhere, or back at its own ancestor.
    #[error("package build: symlink {}: {problem}", link.display())]
    Link {
        /// The symlink, as found under the project directory.
        link: PathBuf,
        /// What is wrong with its target.
        problem: String,
    },
    /// A project file cannot be stored: a device, FIFO or socket, or a name that is not UTF-8.
    #[error("package build: {}: {problem}", path.display())]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What it is, and why that cannot go into a package.
        problem: String,
    },
    /// The tarball's SHA-256 is not the expected one; nothing was extracted.
    #[error(
        "package tarball {}: sha256 mismatch: expected {expected}, got {actual}; nothing was extracted",
        archive.display()
    )]
    Checksum {
        /// The tarball.
        archive: PathBuf,
        /// The expected digest, as normalised (first token, lowercase).
        expected: String,
        /// The digest of the file.
        actual: String,
    },
    /// The extraction directory is not a fresh one.
    #[error("package extraction directory {}: {problem}", dest.display())]
    Destination {
        /// The directory given to extract into.
        dest: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// A member of the archive was refused; everything extracted so far has been removed.
    #[error("package tarball {}: entry '{entry}' {problem}", archive.display())]
    Entry {
        /// The tarball.
        archive: PathBuf,
        /// The member's path as stored in the archive (lossily decoded for display).
        entry: String,
        /// Why it was refused.
        problem: String,
    },
    /// The archive exceeds one of the [`Limits`](crate::Limits); extraction stopped there and
    /// everything extracted so far has been removed.
    #[error("package tarball {}: {}", archive.display(), limit_message(entry.as_deref(), limit, *max))]
    Limit {
        /// The tarball.
        archive: PathBuf,
        /// The member being read when the limit was hit, if any.
        entry: Option<String>,
        /// The name of the field of `Limits` that was exceeded.
        limit: &'static str,
        /// Its value.
        max: u64,
    },
    /// A member could not be written to disk (disk full, permissions, name too long).
    #[error("package tarball {}: entry '{entry}': could not write {}: {source}", archive.display(), path.display())]
    Unpack {
        /// The tarball.
        archive: PathBuf,
        /// The member's path as stored in the archive.
        entry: String,
        /// The file or directory being written.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The file is not a readable gzip-compressed tar archive.
    #[error("package tarball {}: not a valid .tar.gz: {source}", archive.display())]
    Corrupt {
        /// The tarball.
        archive: PathBuf,
        /// What the gzip or tar reader said.
        source: io::Error,
    },
    /// The archive holds no dbt_project.yml where a dbt project should have one.
    #[error("package tarball {}: {problem}", archive.display())]
    NoProject {
        /// The tarball.
        archive: PathBuf,
        /// What was found instead.
        problem: String,
    },
}

/// The part of a [`PackageError::Limit`] message after the archive, e.g.
/// "entry 'seeds/big.csv' is larger than max_file_bytes (268435456 bytes)".
fn limit_message(entry: Option<&str>, limit: &str, max: u64) -> String {
    let what = match limit {
        "max_entries" => format!("holds more than max_entries ({max}) entries"),
        "max_file_bytes" => format!("is larger than max_file_bytes ({max} bytes)"),
        _ => format!("uncompressed size exceeds {limit} ({max} bytes); stopped"),
    };
    match entry {
        Some(entry) if limit == "max_file_bytes" => format!("entry '{entry}' {what}"),
        Some(entry) => format!("{what} at entry '{entry}'"),
        None => what,
    }
}

impl PackageError {
    /// An [`Io`](PackageError::Io) error for `path`, for use with `map_err`.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| PackageError::Io {
            action,
            path,
            source,
        }
    }
}
