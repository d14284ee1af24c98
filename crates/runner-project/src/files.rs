//! Finding a package's resource files: which paths hold models, seeds, tests, macros, docs and properties.

use std::path::{Path, PathBuf};

use crate::dbt_project::ProjectConfig;
use crate::error::{ProjectError, Result};

/// What dbt makes of a file, decided by the path it lives under and its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// A `.sql` model under a model path.
    Model,
    /// A `.csv` seed under a seed path.
    Seed,
    /// A `.sql` file with `{% snapshot %}` blocks under a snapshot path.
    Snapshot,
    /// A `.sql` singular data test under a test path.
    SingularTest,
    /// A `.sql` file of `{% test %}` / `{% macro %}` blocks under `<test path>/generic/`.
    GenericTest,
    /// A `.sql` analysis.
    Analysis,
    /// A `.sql` file of macros under a macro path.
    Macro,
    /// A `.yml` / `.yaml` property file.
    Properties,
    /// A `.md` file of `{% docs %}` blocks.
    Docs,
}

/// One resource file of one package.
#[derive(Debug, Clone)]
pub struct ProjectFile {
    /// Package that owns the file.
    pub package: String,
    /// What the file is.
    pub kind: FileKind,
    /// Path relative to the package root with forward slashes, as dbt's `original_file_path`.
    pub rel_path: String,
    /// Absolute path on disk.
    pub abs_path: PathBuf,
    /// The path below the resource directory it was found in (`staging/stg.sql` for `models/staging/stg.sql`).
    pub path_in_resource_dir: String,
}

impl ProjectFile {
    /// Reads the file as UTF-8.
    pub fn read(&self) -> Result<String> {
        std::fs::read_to_string(&self.abs_path).map_err(|source| ProjectError::Io {
            path: self.abs_path.clone(),
            source,
        })
    }

    /// The file name without its extension (the node name dbt derives).
    pub fn stem(&self) -> &str {
        let name = self.rel_path.rsplit('/').next().unwrap_or(&self.rel_path);
        name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name)
    }
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
}

fn rel(root: &Path, path: &Path) -> String {
    let below = path.strip_prefix(root).unwrap_or(path);
    // The walk's paths are already clean: only a `.` or doubled separator (from a configured
    // path such as `./models`) needs the component-by-component rebuild.
    if let Some(s) = below.to_str()
        && !s.starts_with("./")
        && !s.contains("/./")
        && !s.contains("//")
        && !s.ends_with('/')
        && s != "."
    {
        return s.to_string();
    }
    below
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Walks `root/dir` and yields the files in sorted order, skipping hidden entries.
fn walk(root: &Path, dir: &str) -> Vec<PathBuf> {
    let base = root.join(dir);
    if !base.is_dir() {
        return Vec::new();
    }
    // A depth-first walk with each directory's entries sorted by name yields paths in `Path`'s
    // own (component-wise) order, so no sort afterwards: it compared 10,000 paths component by
    // component in a serial part of parsing.
    walkdir::WalkDir::new(&base)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

/// Lists every resource file of a package, in a deterministic order, rejecting Python models.
pub fn discover(project: &ProjectConfig) -> Result<Vec<ProjectFile>> {
    let root = &project.root;
    let mut files = Vec::new();
    // Only catches a directory listed twice (or nested in another listed one); order comes from
    // the walk, so a hash set does.
    let mut seen = std::collections::HashSet::new();
    let mut push = |kind: FileKind, dir: &str, path: PathBuf, files: &mut Vec<ProjectFile>| {
        if !seen.insert((kind, path.clone())) {
            return;
        }
        let rel_path = rel(root, &path);
        let path_in_resource_dir = rel(&root.join(dir), &path);
        files.push(ProjectFile {
            package: project.name.clone(),
            kind,
            rel_path,
            abs_path: path,
            path_in_resource_dir,
        });
    };
    let is_yaml = |e: &Option<String>| matches!(e.as_deref(), Some("yml") | Some("yaml"));
    for dir in &project.model_paths {
        for path in walk(root, dir) {
            let ext = extension(&path);
            match ext.as_deref() {
                Some("sql") => push(FileKind::Model, dir, path, &mut files),
                Some("py") => return Err(ProjectError::PythonModel { path }),
                _ if is_yaml(&ext) => push(FileKind::Properties, dir, path, &mut files),
                _ => {}
            }
        }
    }
    for dir in &project.seed_paths {
        for path in walk(root, dir) {
            let ext = extension(&path);
            match ext.as_deref() {
                Some("csv") => push(FileKind::Seed, dir, path, &mut files),
                _ if is_yaml(&ext) => push(FileKind::Properties, dir, path, &mut files),
                _ => {}
            }
        }
    }
    for dir in &project.snapshot_paths {
        for path in walk(root, dir) {
            let ext = extension(&path);
            match ext.as_deref() {
                Some("sql") => push(FileKind::Snapshot, dir, path, &mut files),
                _ if is_yaml(&ext) => push(FileKind::Properties, dir, path, &mut files),
                _ => {}
            }
        }
    }
    for dir in &project.test_paths {
        let generic_dir = format!("{}/generic/", dir.trim_end_matches('/'));
        for path in walk(root, dir) {
            let ext = extension(&path);
            let rel_path = rel(root, &path);
            match ext.as_deref() {
                Some("sql") if rel_path.starts_with(&generic_dir) => {
                    push(FileKind::GenericTest, dir, path, &mut files)
                }
                Some("sql") => push(FileKind::SingularTest, dir, path, &mut files),
                _ if is_yaml(&ext) => push(FileKind::Properties, dir, path, &mut files),
                _ => {}
            }
        }
    }
    for dir in &project.analysis_paths {
        for path in walk(root, dir) {
            let ext = extension(&path);
            match ext.as_deref() {
                Some("sql") => push(FileKind::Analysis, dir, path, &mut files),
                _ if is_yaml(&ext) => push(FileKind::Properties, dir, path, &mut files),
                _ => {}
            }
        }
    }
    for dir in &project.macro_paths {
        for path in walk(root, dir) {
            let ext = extension(&path);
            match ext.as_deref() {
                Some("sql") => push(FileKind::Macro, dir, path, &mut files),
                _ if is_yaml(&ext) => push(FileKind::Properties, dir, path, &mut files),
                _ => {}
            }
        }
    }
    for dir in &project.docs_paths {
        for path in walk(root, dir) {
            if extension(&path).as_deref() == Some("md") {
                push(FileKind::Docs, dir, path, &mut files);
            }
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::{rel, walk};
    use std::path::{Path, PathBuf};

    #[test]
    fn the_walk_comes_out_in_path_order_without_hidden_entries() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "models/a.sql",
            "models/a/b.sql",
            "models/a-b.sql",
            "models/a/c/d.sql",
            "models/a.b/e.sql",
            "models/B.sql",
            "models/_x.yml",
            "models/.hidden/x.sql",
            "models/.y.sql",
        ];
        for n in names {
            let p = dir.path().join(n);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "select 1").unwrap();
        }
        let walked = walk(dir.path(), "models");
        let mut expected: Vec<PathBuf> = names
            .iter()
            .filter(|n| !n.contains("/."))
            .map(|n| dir.path().join(n))
            .collect();
        expected.sort();
        assert_eq!(walked, expected);
    }

    #[test]
    fn relative_paths_are_clean_whatever_the_configured_spelling() {
        let root = Path::new("/p");
        assert_eq!(rel(root, Path::new("/p/models/a/b.sql")), "models/a/b.sql");
        assert_eq!(rel(root, Path::new("/p/./models/a.sql")), "models/a.sql");
        assert_eq!(rel(root, Path::new("/p/models//a.sql")), "models/a.sql");
        assert_eq!(rel(root, Path::new("/p/models/./a.sql")), "models/a.sql");
        assert_eq!(
            rel(&root.join("./models"), Path::new("/p/./models/x/a.sql")),
            "x/a.sql"
        );
    }
}
