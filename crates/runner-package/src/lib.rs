//! Project packages: a dbt project directory as a byte-for-byte reproducible `.tar.gz` with its
//! SHA-256, and the extraction of such an archive into a fresh work directory, treating it as
//! hostile until proven otherwise.
//!
//! The ECS entrypoint downloads a tarball (from S3, in another crate) and calls [`extract`]; the
//! deployment pipeline calls [`build`]. This crate does no network I/O.
//!
//! ```no_run
//! use std::path::Path;
//! use runner_package::{Limits, build, extract};
//!
//! let built = build(Path::new("my_project"), None, Path::new("dist"))?;
//! let unpacked = extract(&built.tarball, Some(&built.sha256), Path::new("/tmp/work"), &Limits::default())?;
//! println!("dbt project at {}", unpacked.root.display());
//! # Ok::<(), runner_package::PackageError>(())
//! ```
#![deny(missing_docs)]

mod build;
mod checksum;
mod dest;
mod error;
mod extract;
mod limits;
mod member;
mod place;
mod project;
mod walk;

use std::path::PathBuf;

pub use build::build;
pub use checksum::sha256_file;
pub use error::PackageError;
pub use extract::extract;
pub use limits::Limits;

/// What [`build`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// The project's `name` from dbt_project.yml.
    pub name: String,
    /// The version in the file name: the `version` argument, else dbt_project.yml's `version`.
    pub version: String,
    /// `<out_dir>/<name>-<version>.tar.gz`; its checksum file is this path plus `.sha256`.
    pub tarball: PathBuf,
    /// SHA-256 of the tarball, lowercase hex.
    pub sha256: String,
    /// Regular files in the archive (directories not counted).
    pub files: usize,
    /// Sum of the sizes of those files, uncompressed.
    pub bytes: u64,
}

/// What [`extract`] unpacked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The directory holding dbt_project.yml: the destination itself, or its single top-level
    /// directory for archives made with `tar czf x.tgz myproject/`.
    pub root: PathBuf,
    /// SHA-256 of the tarball, lowercase hex (verified when an expected value was given).
    pub sha256: String,
    /// Regular files written.
    pub files: usize,
    /// Bytes written to those files.
    pub bytes: u64,
}
