//! Extracting a package into a fresh work directory, treating the archive as hostile until every
//! member has been checked: checksum before anything is written, names checked as text
//! ([`member`](crate::member)), files placed without following symlinks
//! ([`place`](crate::place)), sizes counted while streaming ([`Limits`]). Any refusal removes
//! everything extracted so far, so a caller never runs half of an archive.

use std::cell::Cell;
use std::fs::{self, File};
use std::io::{self, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use flate2::read::GzDecoder;
use tar::EntryType;

use crate::dest::{discard, prepare_dest, project_root};
use crate::limits::Capped;
use crate::place::{self, Fault};
use crate::{Extracted, Limits, PackageError, checksum, member};

/// Extracts the `.tar.gz` at `tarball` into `dest`, which must not exist or be an empty
/// directory, and returns where its dbt_project.yml is.
///
/// `expected_sha256` is a hex digest (any case) or the contents of a `.sha256` file; on a
/// mismatch nothing is written. Accepted members are regular files, directories and symlinks
/// that resolve inside `dest`; hard links, devices and FIFOs are refused, as is any member that
/// would land outside `dest` or be written through a symlink. On any error, what was extracted
/// is removed (and `dest` too when this call created it).
pub fn extract(
    tarball: &Path,
    expected_sha256: Option<&str>,
    dest: &Path,
    limits: &Limits,
) -> Result<Extracted, PackageError> {
    let mut file = File::open(tarball).map_err(PackageError::io("could not open", tarball))?;
    let sha256 =
        checksum::sha256_reader(&mut file).map_err(PackageError::io("could not read", tarball))?;
    if let Some(expected) = expected_sha256.map(checksum::expected_digest)
        && expected != sha256
    {
        return Err(PackageError::Checksum {
            archive: tarball.to_path_buf(),
            expected,
            actual: sha256,
        });
    }
    // Extract from the very handle that was hashed: reopening by path would let the file be
    // swapped between the check and the use.
    file.seek(SeekFrom::Start(0))
        .map_err(PackageError::io("could not read", tarball))?;
    let created = prepare_dest(dest)?;
    let outcome = unpack_checked(file, tarball, dest, limits);
    match outcome {
        Ok((root, unpacked)) => Ok(Extracted {
            root,
            sha256,
            files: unpacked.files,
            bytes: unpacked.bytes,
        }),
        Err(e) => {
            discard(dest, created);
            Err(e)
        }
    }
}

/// What [`unpack`] put on disk.
#[derive(Default)]
struct Unpacked {
    files: usize,
    bytes: u64,
    /// Every symlink: entry name, member path, target text.
    links: Vec<(String, PathBuf, String)>,
}

/// Unpacks, checks where the symlinks really lead, and finds the project root.
fn unpack_checked(
    file: File,
    tarball: &Path,
    dest: &Path,
    limits: &Limits,
) -> Result<(PathBuf, Unpacked), PackageError> {
    let root = fs::canonicalize(dest).map_err(PackageError::io("could not resolve", dest))?;
    let (stream, tripped) =
        Capped::new(GzDecoder::new(BufReader::new(file)), limits.max_total_bytes);
    let ctx = Ctx {
        archive: tarball,
        limits,
        tripped,
    };
    let unpacked = unpack(stream, &root, &ctx)?;
    for (entry, rel, target) in &unpacked.links {
        // The text check resolved `..` as if no component were a symlink; now that every member
        // is on disk, the OS resolves it for real (`a/up -> ..` then `b -> a/up/..` escapes).
        match fs::canonicalize(root.join(rel)) {
            Ok(real) if real.starts_with(&root) => {}
            Ok(real) => {
                let problem = format!(
                    "is a symlink to '{target}', which resolves to {} outside the package root",
                    real.display()
                );
                return Err(ctx.refused(entry, problem));
            }
            Err(_) => {
                let problem =
                    format!("is a symlink to '{target}', which resolves to nothing in the package");
                return Err(ctx.refused(entry, problem));
            }
        }
    }
    let top = project_root(&root).map_err(|problem| PackageError::NoProject {
        archive: tarball.to_path_buf(),
        problem,
    })?;
    // `join("")` would add a trailing slash to every path the caller builds from `root`.
    let root = if top.as_os_str().is_empty() {
        dest.to_path_buf()
    } else {
        dest.join(top)
    };
    Ok((root, unpacked))
}

/// Streams the members of `stream` onto disk under `root`.
fn unpack(stream: impl io::Read, root: &Path, ctx: &Ctx<'_>) -> Result<Unpacked, PackageError> {
    let mut archive = tar::Archive::new(stream);
    let mut out = Unpacked::default();
    let mut seen = 0u64;
    for entry in archive.entries().map_err(|e| ctx.stream(None, e))? {
        let mut entry = entry.map_err(|e| ctx.stream(None, e))?;
        seen += 1;
        if seen > ctx.limits.max_entries {
            return Err(ctx.limit(None, "max_entries", ctx.limits.max_entries));
        }
        let raw = entry.path_bytes().into_owned();
        let entry_type = match entry.header().entry_type() {
            // Old (v7) archives mark directories only by the trailing slash, as GNU tar reads them.
            EntryType::Regular if raw.ends_with(b"/") => EntryType::Directory,
            other => other,
        };
        if entry_type == EntryType::XGlobalHeader {
            // pax global metadata (`git archive` puts the commit id there): not a file.
            continue;
        }
        let name = String::from_utf8_lossy(&raw).into_owned();
        let rel = member::normalize(&raw).map_err(|p| ctx.refused(&name, p))?;
        if rel.as_os_str().is_empty() && entry_type != EntryType::Directory {
            return Err(ctx.refused(&name, "names the package root itself".into()));
        }
        let placed = match entry_type {
            EntryType::Directory => place::dirs(root, &rel),
            EntryType::Regular => {
                let max = ctx.limits.max_file_bytes;
                if entry.size() > max {
                    // Refuse on the header's word early; `place::file` counts real bytes too.
                    return Err(ctx.limit(Some(&name), "max_file_bytes", max));
                }
                let executable = entry.header().mode().is_ok_and(|mode| mode & 0o111 != 0);
                place::file(root, &rel, executable, &mut entry, max).map(|written| {
                    out.files += 1;
                    out.bytes += written;
                })
            }
            EntryType::Symlink => {
                let target = entry
                    .link_name_bytes()
                    .map(|t| t.into_owned())
                    .unwrap_or_default();
                member::check_link_target(&rel, &target).map_err(|p| ctx.refused(&name, p))?;
                let target = String::from_utf8_lossy(&target).into_owned();
                let placed = place::symlink(root, &rel, &target);
                out.links.push((name.clone(), rel, target));
                placed
            }
            other => Err(Fault::Refused(unsupported(other, &entry))),
        };
        placed.map_err(|fault| ctx.fault(&name, fault))?;
    }
    Ok(out)
}

/// Why a member of type `kind` is refused.
fn unsupported<R: io::Read>(kind: EntryType, entry: &tar::Entry<'_, R>) -> String {
    match kind {
        // Hard links are refused outright rather than allowed to earlier members: a package
        // never needs one (`build` stores contents), and each link is another path to reason
        // about (a link to a symlink, to a member later refused, …).
        EntryType::Link => {
            let target = entry.link_name_bytes().unwrap_or_default();
            format!(
                "is a hard link to '{}'; packages cannot contain hard links (GNU tar: --hard-dereference)",
                String::from_utf8_lossy(&target)
            )
        }
        EntryType::Char => {
            "is a character device; packages hold only files, directories and symlinks".into()
        }
        EntryType::Block => {
            "is a block device; packages hold only files, directories and symlinks".into()
        }
        EntryType::Fifo => "is a FIFO; packages hold only files, directories and symlinks".into(),
        other => format!("has the unsupported member type {other:?}"),
    }
}

/// What errors need to name: the archive, the limits, and whether the stream cap was hit.
struct Ctx<'a> {
    archive: &'a Path,
    limits: &'a Limits,
    tripped: Rc<Cell<bool>>,
}

impl Ctx<'_> {
    fn refused(&self, entry: &str, problem: String) -> PackageError {
        PackageError::Entry {
            archive: self.archive.to_path_buf(),
            entry: entry.to_string(),
            problem,
        }
    }

    fn limit(&self, entry: Option<&str>, limit: &'static str, max: u64) -> PackageError {
        PackageError::Limit {
            archive: self.archive.to_path_buf(),
            entry: entry.map(str::to_string),
            limit,
            max,
        }
    }

    /// A read error from the gzip/tar stream: the size cap when it tripped, else corruption.
    fn stream(&self, entry: Option<&str>, source: io::Error) -> PackageError {
        if self.tripped.get() {
            return self.limit(entry, "max_total_bytes", self.limits.max_total_bytes);
        }
        PackageError::Corrupt {
            archive: self.archive.to_path_buf(),
            source,
        }
    }

    fn fault(&self, entry: &str, fault: Fault) -> PackageError {
        match fault {
            Fault::Refused(problem) => self.refused(entry, problem),
            Fault::Read(source) => self.stream(Some(entry), source),
            Fault::FileTooBig => {
                self.limit(Some(entry), "max_file_bytes", self.limits.max_file_bytes)
            }
            Fault::Write(path, source) => PackageError::Unpack {
                archive: self.archive.to_path_buf(),
                entry: entry.to_string(),
                path,
                source,
            },
        }
    }
}
