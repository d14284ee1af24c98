//! Which files of a project go into its package: everything under the project directory except
//! [`EXCLUDED`] and the build's own output, with symlinks replaced by what they point to when that
//! is inside the project.

use std::fs;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::PackageError;

/// Where an [`EXCLUDED`] name is left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Only directly under the project directory: `models/logs/` is a legitimate model folder.
    Root,
    /// At any depth, including inside `dbt_packages/`.
    Anywhere,
}

/// Names a package never holds. Everything else is kept, notably `dbt_packages/` (the vendored
/// packages are the point of a package: the ECS task has no network to run `dbt deps`) and
/// `profiles.yml` when the project has one (it is the user's file; credentials come from
/// `env_var()` in it, not from the file itself).
///
/// Besides these, a build leaves out the project's configured `target-path` and `log-path` (when
/// they are plain relative paths) and its own output directory when that is inside the project.
pub(crate) const EXCLUDED: &[(&str, Scope)] = &[
    // dbt's default build output and logs: regenerated on every run, often large.
    ("target", Scope::Root),
    ("logs", Scope::Root),
    // Version control, Python environments and caches: never part of a dbt project.
    (".git", Scope::Anywhere),
    (".venv", Scope::Anywhere),
    ("venv", Scope::Anywhere),
    ("__pycache__", Scope::Anywhere),
    // Desktop litter and dbt's anonymous-usage id, which is per machine.
    (".DS_Store", Scope::Anywhere),
    (".user.yml", Scope::Anywhere),
];

/// One archive member to be: its path in the archive and where its content comes from.
#[derive(Debug)]
pub(crate) struct Item {
    /// '/'-separated path relative to the project, no trailing slash.
    pub name: String,
    /// What to store.
    pub kind: ItemKind,
}

/// The content of an [`Item`].
#[derive(Debug)]
pub(crate) enum ItemKind {
    /// A directory (stored with mode 0755).
    Dir,
    /// A regular file, read from `source` (the symlink's target when the project path is a link).
    File {
        /// The file to read.
        source: PathBuf,
        /// Whether any execute bit is set (stored as 0755, else 0644).
        executable: bool,
    },
}

/// Every item of the project at `project_dir`, in walk order (the caller sorts). `skip` holds
/// '/'-separated project-relative paths left out with everything under them.
pub(crate) fn collect(project_dir: &Path, skip: &[String]) -> Result<Vec<Item>, PackageError> {
    let real_root = fs::canonicalize(project_dir)
        .map_err(PackageError::io("could not resolve", project_dir))?;
    let walker = WalkDir::new(project_dir)
        .follow_links(true)
        .min_depth(1)
        .into_iter()
        .filter_entry(|entry| {
            let name = relative_name(project_dir, entry.path());
            !is_excluded(entry.depth(), &name, skip)
        });
    let mut items = Vec::new();
    for entry in walker {
        let entry = entry.map_err(|e| walk_error(project_dir, e))?;
        let path = entry.path();
        if entry.path_is_symlink() {
            check_link(&real_root, path)?;
        }
        let file_type = entry.file_type();
        let kind = if file_type.is_dir() {
            ItemKind::Dir
        } else if file_type.is_file() {
            let meta = entry.metadata().map_err(|e| walk_error(project_dir, e))?;
            ItemKind::File {
                source: path.to_path_buf(),
                executable: is_executable(&meta),
            }
        } else {
            return Err(PackageError::Unsupported {
                path: path.to_path_buf(),
                problem: format!(
                    "is a {}; a package holds only files and directories",
                    special_kind(&file_type)
                ),
            });
        };
        let name = relative_name(project_dir, path);
        if path
            .strip_prefix(project_dir)
            .map_or(true, |rel| rel.to_str().is_none())
        {
            // The archive stores UTF-8 names (dbt projects are text); anything else would not
            // come back out as it went in.
            return Err(PackageError::Unsupported {
                path: path.to_path_buf(),
                problem: "the name is not valid UTF-8".into(),
            });
        }
        items.push(Item { name, kind });
    }
    Ok(items)
}

/// Whether the walk leaves out the entry at `depth` whose project-relative path is `name`.
fn is_excluded(depth: usize, name: &str, skip: &[String]) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    let listed = EXCLUDED
        .iter()
        .any(|(excluded, scope)| *excluded == base && (*scope == Scope::Anywhere || depth == 1));
    listed || skip.iter().any(|s| s == name)
}

/// A symlink is stored as what it points to, so it must point inside the project: anything else
/// would make the package depend on the machine that built it (or leak that machine's files).
fn check_link(real_root: &Path, link: &Path) -> Result<(), PackageError> {
    let problem = |problem: String| PackageError::Link {
        link: link.to_path_buf(),
        problem,
    };
    let target = fs::read_link(link).map_err(PackageError::io("could not read symlink", link))?;
    let resolved = fs::canonicalize(link).map_err(|e| {
        problem(format!(
            "points to {} which cannot be resolved: {e}",
            target.display()
        ))
    })?;
    if !resolved.starts_with(real_root) {
        return Err(problem(format!(
            "points to {} ({}), outside the project; copy what it points to into the project \
             (a `local:` package installed by `dbt deps` is such a link)",
            target.display(),
            resolved.display()
        )));
    }
    Ok(())
}

/// Turns a walk error into ours: symlink loops and broken links name the link.
fn walk_error(project_dir: &Path, e: walkdir::Error) -> PackageError {
    let path = e.path().unwrap_or(project_dir).to_path_buf();
    if let Some(ancestor) = e.loop_ancestor() {
        return PackageError::Link {
            problem: format!("points back to its ancestor {}, a loop", ancestor.display()),
            link: path,
        };
    }
    let is_link = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
    let source = e
        .into_io_error()
        .unwrap_or_else(|| std::io::Error::other("directory walk failed"));
    if is_link {
        let target = fs::read_link(&path).unwrap_or_default();
        return PackageError::Link {
            problem: format!(
                "points to {} which cannot be resolved: {source}",
                target.display()
            ),
            link: path,
        };
    }
    PackageError::Io {
        action: "could not read",
        path,
        source,
    }
}

/// `path` relative to `project_dir`, '/'-separated (lossy: non-UTF-8 names are refused later).
fn relative_name(project_dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(project_dir).unwrap_or(path);
    let parts: Vec<_> = rel.iter().map(|p| p.to_string_lossy()).collect();
    parts.join("/")
}

#[cfg(unix)]
fn is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &fs::Metadata) -> bool {
    false
}

#[cfg(unix)]
fn special_kind(file_type: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_char_device() {
        "character device"
    } else if file_type.is_block_device() {
        "block device"
    } else if file_type.is_fifo() {
        "FIFO"
    } else if file_type.is_socket() {
        "socket"
    } else {
        "special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_file_type: &fs::FileType) -> &'static str {
    "special file"
}
