//! Building a package: the project's files as a gzip-compressed tar whose bytes depend only on the
//! files' paths, contents and execute bits, so the same tree gives the same SHA-256 on any machine
//! (a deployment can then compare digests instead of re-uploading).
//!
//! Every member header is written by hand (GNU format, long names through GNU long-name entries)
//! rather than copied from the file system, which is what drops owners, times and umask.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read};
use std::path::Path;

use flate2::{Compression, GzBuilder};
use tar::{EntryType, Header};

use crate::walk::{self, Item, ItemKind};
use crate::{Built, PackageError, checksum, project};

/// The modification time of every member: 1980-01-01T00:00:00Z. Any constant makes builds
/// reproducible; this is the one reproducible Python wheels use (the start of DOS time), a date
/// no tool mistakes for a missing value the way some treat 0, and extraction ignores it anyway.
const MTIME: u64 = 315_532_800;

/// gzip's "unknown" operating system byte, so builds on Linux and macOS agree.
const GZIP_OS_UNKNOWN: u8 = 255;

/// The gzip level, fixed because the compressed bytes depend on it. Packages are built once and
/// downloaded on every run, so the smallest output is worth the extra CPU at build time.
const GZIP_LEVEL: u32 = 9;

/// Writes `<out_dir>/<name>-<version>.tar.gz` of the dbt project in `project_dir`, and its
/// `sha256sum`-style checksum file next to it.
///
/// `version` overrides dbt_project.yml's `version`; one of the two must be present. The tarball
/// is written under a temporary name and renamed, so a failed build never leaves a partial
/// archive under the final name.
pub fn build(
    project_dir: &Path,
    version: Option<&str>,
    out_dir: &Path,
) -> Result<Built, PackageError> {
    let meta = project::read(project_dir)?;
    let yml = project_dir.join("dbt_project.yml");
    let invalid = |problem: String| PackageError::Project {
        path: yml.clone(),
        problem,
    };
    let version = match version {
        Some(given) => {
            project::check_label("version", given)
                .map_err(|p| invalid(format!("the version given to the build: {p}")))?;
            given.to_string()
        }
        None => {
            let version = meta.version.ok_or_else(|| {
                invalid(
                    "no `version`: set one in dbt_project.yml or pass a version to the build"
                        .into(),
                )
            })?;
            project::check_label("version", &version).map_err(invalid)?;
            version
        }
    };
    fs::create_dir_all(out_dir).map_err(PackageError::io("could not create", out_dir))?;
    let tarball = project::tarball_path(out_dir, &meta.name, &version);
    let file_name = format!("{}-{version}.tar.gz", meta.name);
    let partial_name = format!(".{file_name}.partial");
    let sha_name = format!("{file_name}.sha256");
    let partial = out_dir.join(&partial_name);
    let sha_file = out_dir.join(&sha_name);

    let mut skip = meta.output_dirs;
    let own = [file_name.as_str(), &partial_name, &sha_name];
    skip.extend(output_inside_project(project_dir, out_dir, &own)?);
    let mut items = walk::collect(project_dir, &skip)?;
    // Byte order of the '/'-separated names: a parent directory sorts before its contents, and
    // the order does not depend on the file system's directory order.
    items.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));

    let (files, bytes) = match write_archive(&partial, &items) {
        Ok(counts) => counts,
        Err(e) => {
            let _ = fs::remove_file(&partial);
            return Err(e);
        }
    };
    fs::rename(&partial, &tarball)
        .map_err(PackageError::io("could not rename into place", &tarball))?;
    let sha256 = checksum::sha256_file(&tarball)?;
    fs::write(&sha_file, checksum::sha256sum_line(&sha256, &file_name))
        .map_err(PackageError::io("could not write", &sha_file))?;
    Ok(Built {
        name: meta.name,
        version,
        tarball,
        sha256,
        files,
        bytes,
    })
}

/// The project-relative paths a build must not pack because it writes them itself: the whole
/// output directory when it is inside the project, or just the files named in `own` when the
/// output directory is the project directory (a second build would otherwise pack the first).
fn output_inside_project(
    project_dir: &Path,
    out_dir: &Path,
    own: &[&str],
) -> Result<Vec<String>, PackageError> {
    let project = fs::canonicalize(project_dir)
        .map_err(PackageError::io("could not resolve", project_dir))?;
    let out = fs::canonicalize(out_dir).map_err(PackageError::io("could not resolve", out_dir))?;
    let Ok(rel) = out.strip_prefix(&project) else {
        return Ok(Vec::new());
    };
    if rel.as_os_str().is_empty() {
        return Ok(own.iter().map(|name| name.to_string()).collect());
    }
    let parts: Vec<_> = rel.iter().map(|p| p.to_string_lossy()).collect();
    Ok(vec![parts.join("/")])
}

/// Writes the archive of `items` (already sorted) to `path`; returns the number of regular files
/// and their total size.
fn write_archive(path: &Path, items: &[Item]) -> Result<(usize, u64), PackageError> {
    let file = File::create(path).map_err(PackageError::io("could not create", path))?;
    let gz = GzBuilder::new()
        .mtime(0)
        .operating_system(GZIP_OS_UNKNOWN)
        .write(BufWriter::new(file), Compression::new(GZIP_LEVEL));
    let mut tar = tar::Builder::new(gz);
    let (mut files, mut bytes) = (0usize, 0u64);
    for item in items {
        match &item.kind {
            ItemKind::Dir => {
                let mut header = header(EntryType::Directory, 0o755, 0);
                tar.append_data(&mut header, format!("{}/", item.name), io::empty())
                    .map_err(PackageError::io("could not write", path))?;
            }
            ItemKind::File { source, executable } => {
                let file =
                    File::open(source).map_err(PackageError::io("could not open", source))?;
                let len = file
                    .metadata()
                    .map_err(PackageError::io("could not read", source))?
                    .len();
                let mode = if *executable { 0o755 } else { 0o644 };
                let mut header = header(EntryType::Regular, mode, len);
                let mut reader = Counted {
                    inner: file.take(len),
                    read: 0,
                    failed: false,
                };
                if let Err(e) = tar.append_data(&mut header, &item.name, &mut reader) {
                    let (action, blamed) = match reader.failed {
                        true => ("could not read", source.as_path()),
                        false => ("could not write", path),
                    };
                    return Err(PackageError::io(action, blamed)(e));
                }
                if reader.read != len {
                    // The header already promised `len` bytes: the archive would be corrupt.
                    return Err(PackageError::Io {
                        action: "could not read",
                        path: source.clone(),
                        source: io::Error::other(
                            "the file changed size while it was being packaged",
                        ),
                    });
                }
                files += 1;
                bytes += len;
            }
        }
    }
    let gz = tar
        .into_inner()
        .map_err(PackageError::io("could not write", path))?;
    let buffered = gz
        .finish()
        .map_err(PackageError::io("could not write", path))?;
    let file = buffered
        .into_inner()
        .map_err(|e| PackageError::io("could not write", path)(e.into_error()))?;
    file.sync_all()
        .map_err(PackageError::io("could not write", path))?;
    Ok((files, bytes))
}

/// A member header with everything that varies between machines fixed: owner 0:0 with empty
/// names (the `Header::new_gnu` default), [`MTIME`], and the given mode.
fn header(entry_type: EntryType, mode: u32, size: u64) -> Header {
    let mut header = Header::new_gnu();
    header.set_entry_type(entry_type);
    header.set_mode(mode);
    header.set_size(size);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(MTIME);
    header
}

/// A reader that counts what it yields and remembers whether a read failed, so a failure can be
/// blamed on the source file rather than on the archive being written.
struct Counted<R> {
    inner: R,
    read: u64,
    failed: bool,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.read += n as u64;
                Ok(n)
            }
            Err(e) => {
                self.failed = true;
                Err(e)
            }
        }
    }
}
