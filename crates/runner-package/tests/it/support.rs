//! Test support: a small dbt project on disk, a listing of a directory tree, and a writer of
//! handcrafted tar members for the hostile cases the tar crate's safe API refuses to produce.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use tar::{EntryType, Header};

/// A path longer than a tar header's 100-byte name field.
pub const LONG_PATH: &str = "models/a_rather_long_directory_name_for_marts/another_long_directory_name_for_finance/stg_finance_transactions_by_day.sql";

/// Files a package must leave out, created by [`project`].
pub const EXCLUDED: &[&str] = &[
    "target/manifest.json",
    "logs/dbt.log",
    ".git/HEAD",
    ".venv/bin/python",
    "venv/lib/site.py",
    "models/__pycache__/x.pyc",
    ".DS_Store",
    "models/.DS_Store",
    ".user.yml",
    "build_output/run_results.json",
];

/// Writes a small dbt project under `dir`: models (one under a `logs/` folder, which is kept
/// below the root), a vendored package, an executable script, an empty directory, a long path,
/// `profiles.yml`, and every kind of file that [`EXCLUDED`] lists.
pub fn project(dir: &Path) {
    write(
        dir,
        "dbt_project.yml",
        "name: shop\nversion: '1.2.0'\nprofile: shop\ntarget-path: build_output\n",
    );
    write(dir, "profiles.yml", "shop:\n  target: dev\n");
    write(dir, "models/orders.sql", "select 1 as id\n");
    write(dir, "models/staging/logs/stg_logs.sql", "select 2 as id\n");
    write(dir, "models/schema.yml", "version: 2\n");
    write(dir, "seeds/customers.csv", "id,name\n1,ada\n");
    write(
        dir,
        "macros/cents.sql",
        "{% macro cents(x) %}{{ x }} / 100{% endmacro %}\n",
    );
    write(
        dir,
        "dbt_packages/dbt_utils/dbt_project.yml",
        "name: dbt_utils\nversion: '1.0'\n",
    );
    write(
        dir,
        "dbt_packages/dbt_utils/macros/star.sql",
        "{% macro star() %}*{% endmacro %}\n",
    );
    write(dir, "scripts/run.sh", "#!/bin/sh\nexec runner build\n");
    set_executable(&dir.join("scripts/run.sh"));
    write(dir, LONG_PATH, "select 3 as id\n");
    fs::create_dir_all(dir.join("analyses")).unwrap();
    for excluded in EXCLUDED {
        write(dir, excluded, "leave me out\n");
    }
}

/// Writes `content` to `dir/rel`, creating parent directories.
pub fn write(dir: &Path, rel: &str, content: &str) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

#[cfg(unix)]
pub fn set_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(not(unix))]
pub fn set_executable(_path: &Path) {}

/// Mode bits of `path` (0 off Unix).
pub fn mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0
    }
}

/// Every entry under `dir` by '/'-separated relative path: `Some(content)` for files, `None` for
/// directories. Symlinks are listed as files with the content `-> target`.
pub fn tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(dir).unwrap();
        let name = rel
            .iter()
            .map(|p| p.to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let content = if entry.path_is_symlink() {
            Some(format!("-> {}", fs::read_link(entry.path()).unwrap().display()).into_bytes())
        } else if entry.file_type().is_dir() {
            None
        } else {
            Some(fs::read(entry.path()).unwrap())
        };
        out.insert(name, content);
    }
    out
}

/// Whether `dir` is absent or empty.
pub fn absent_or_empty(dir: &Path) -> bool {
    !dir.exists() || fs::read_dir(dir).unwrap().next().is_none()
}

/// A gzip'd tar written member by member with raw headers: names and link names are copied
/// byte for byte, so absolute paths, `..` and device entries can be produced.
pub struct RawTar {
    builder: tar::Builder<GzEncoder<File>>,
}

impl RawTar {
    pub fn create(path: &Path) -> Self {
        let file = File::create(path).unwrap();
        RawTar {
            builder: tar::Builder::new(GzEncoder::new(file, Compression::fast())),
        }
    }

    /// A regular file.
    pub fn file(&mut self, name: &str, content: &[u8]) -> &mut Self {
        self.member(
            name.as_bytes(),
            EntryType::Regular,
            b"",
            0o644,
            content.len() as u64,
            content,
        )
    }

    /// A directory.
    pub fn dir(&mut self, name: &str) -> &mut Self {
        self.member(
            name.as_bytes(),
            EntryType::Directory,
            b"",
            0o755,
            0,
            io::empty(),
        )
    }

    /// A symlink (`kind` Symlink) or hard link (`kind` Link) to `target`.
    pub fn link(&mut self, kind: EntryType, name: &str, target: &str) -> &mut Self {
        self.member(
            name.as_bytes(),
            kind,
            target.as_bytes(),
            0o777,
            0,
            io::empty(),
        )
    }

    /// Any member, header fields set by hand (name and link name at most 100 bytes).
    pub fn member(
        &mut self,
        name: &[u8],
        kind: EntryType,
        link: &[u8],
        mode: u32,
        size: u64,
        data: impl Read,
    ) -> &mut Self {
        let mut header = Header::new_gnu();
        header.as_old_mut().name[..name.len()].copy_from_slice(name);
        header.as_old_mut().linkname[..link.len()].copy_from_slice(link);
        header.set_entry_type(kind);
        header.set_mode(mode);
        header.set_size(size);
        header.set_mtime(0);
        header.set_cksum();
        self.builder.append(&header, data).unwrap();
        self
    }

    /// Ends the archive and flushes the gzip stream.
    pub fn finish(self) {
        self.builder.into_inner().unwrap().finish().unwrap();
    }
}

/// The archive most hostile tests start from: a valid little project, so that only the hostile
/// member can be the reason for a refusal.
pub fn valid_start(tar: &mut RawTar) -> &mut RawTar {
    tar.file("dbt_project.yml", b"name: evil\nversion: '1'\n")
        .dir("models/")
        .file("models/a.sql", b"select 1\n")
}
