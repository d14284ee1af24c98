//! The extraction directory: it must be fresh before, is emptied again after a refusal, and
//! holds the project either at its top or inside its single top-level directory.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::PackageError;

/// The directory holding dbt_project.yml, relative to the extraction root: the root itself, or
/// its only entry when that is a directory (archives made with `tar czf x.tgz myproject/`).
pub(crate) fn project_root(root: &Path) -> Result<PathBuf, String> {
    if root.join("dbt_project.yml").is_file() {
        return Ok(PathBuf::new());
    }
    let read = |e: io::Error| format!("could not list what was extracted: {e}");
    let mut top = Vec::new();
    for entry in fs::read_dir(root).map_err(read)? {
        top.push(entry.map_err(read)?);
    }
    if let [only] = top.as_slice()
        && only.file_type().is_ok_and(|t| t.is_dir())
        && only.path().join("dbt_project.yml").is_file()
    {
        return Ok(PathBuf::from(only.file_name()));
    }
    let mut names: Vec<_> = top
        .iter()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Err(format!(
        "no dbt_project.yml at the archive root or inside a single top-level directory (top level: {})",
        if names.is_empty() {
            "empty".into()
        } else {
            names.join(", ")
        }
    ))
}

/// Checks that `dest` is a fresh work directory and creates it; returns whether it was created.
pub(crate) fn prepare_dest(dest: &Path) -> Result<bool, PackageError> {
    let problem = |problem: &str| PackageError::Destination {
        dest: dest.to_path_buf(),
        problem: problem.into(),
    };
    match fs::metadata(dest) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(dest).map_err(PackageError::io("could not create", dest))?;
            Ok(true)
        }
        Err(e) => Err(PackageError::io("could not inspect", dest)(e)),
        Ok(meta) if !meta.is_dir() => Err(problem("exists and is not a directory")),
        Ok(_) => {
            let mut listing =
                fs::read_dir(dest).map_err(PackageError::io("could not list", dest))?;
            match listing.next() {
                None => Ok(false),
                Some(_) => Err(problem(
                    "is not empty; packages are extracted only into a fresh directory",
                )),
            }
        }
    }
}

/// Removes what an extraction wrote: `dest` itself when this call created it, else its contents.
/// Best effort: the error being returned is the one the operator needs, and a caller must not use
/// `dest` after an error anyway. `remove_dir_all` does not follow symlinks.
pub(crate) fn discard(dest: &Path, created: bool) {
    if created {
        let _ = fs::remove_dir_all(dest);
        return;
    }
    let Ok(listing) = fs::read_dir(dest) else {
        return;
    };
    for entry in listing.flatten() {
        let path = entry.path();
        let _ = match entry.file_type() {
            Ok(t) if t.is_dir() => fs::remove_dir_all(&path),
            _ => fs::remove_file(&path),
        };
    }
}
