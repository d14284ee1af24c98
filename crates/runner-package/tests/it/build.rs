//! `build`: contents, exclusions, archive layout, naming and reproducibility.

use std::fs::{self, File};
use std::io::Read;
use std::path::Path;
use std::time::{Duration, SystemTime};

use flate2::read::GzDecoder;
use runner_package::{Limits, PackageError, build, extract, sha256_file};

use crate::support::{self, EXCLUDED, LONG_PATH};

#[test]
fn round_trip_gives_the_same_files_without_the_excluded_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("shop");
    support::project(&project);
    let built = build(&project, None, &tmp.path().join("dist")).unwrap();
    assert_eq!(
        (built.name.as_str(), built.version.as_str()),
        ("shop", "1.2.0")
    );
    assert_eq!(built.tarball, tmp.path().join("dist/shop-1.2.0.tar.gz"));

    let dest = tmp.path().join("work");
    let out = extract(
        &built.tarball,
        Some(&built.sha256),
        &dest,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(out.root, dest);
    assert_eq!(out.sha256, built.sha256);
    assert_eq!((out.files, out.bytes), (built.files, built.bytes));

    let mut expected = support::tree(&project);
    let left_out = |name: &str| {
        let first = name.split('/').next().unwrap();
        let top = [
            "target",
            "logs",
            ".git",
            ".venv",
            "venv",
            "build_output",
            ".DS_Store",
            ".user.yml",
        ];
        top.contains(&first) || name.starts_with("models/__pycache__") || name == "models/.DS_Store"
    };
    expected.retain(|name, _| !left_out(name));
    let got = support::tree(&dest);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    assert_eq!(got, expected);
    for excluded in EXCLUDED {
        assert!(!got.contains_key(*excluded), "{excluded} packed");
    }
    for kept in [
        "dbt_packages/dbt_utils/macros/star.sql",
        "profiles.yml",
        "models/staging/logs/stg_logs.sql",
        LONG_PATH,
    ] {
        assert!(got.contains_key(kept), "{kept} missing");
    }
    assert_eq!(got.get("analyses"), Some(&None), "empty directory kept");
    assert_eq!(built.files, got.values().filter(|v| v.is_some()).count());
    if cfg!(unix) {
        assert_eq!(support::mode(&dest.join("scripts/run.sh")), 0o755);
        assert_eq!(support::mode(&dest.join("models/orders.sql")), 0o644);
        assert_eq!(support::mode(&dest.join("models")), 0o755);
    }
}

#[test]
fn archive_layout_is_sorted_owned_by_root_and_timeless() {
    let tmp = tempfile::tempdir().unwrap();
    support::project(tmp.path().join("p").as_path());
    let built = build(&tmp.path().join("p"), None, &tmp.path().join("dist")).unwrap();

    let raw = fs::read(&built.tarball).unwrap();
    // gzip header: no FNAME or other flags, mtime 0, OS "unknown".
    assert_eq!(&raw[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
    let sums = fs::read_to_string(tmp.path().join("dist/shop-1.2.0.tar.gz.sha256")).unwrap();
    assert_eq!(sums, format!("{}  shop-1.2.0.tar.gz\n", built.sha256));
    assert_eq!(sha256_file(&built.tarball).unwrap(), built.sha256);

    let mut archive = tar::Archive::new(GzDecoder::new(File::open(&built.tarball).unwrap()));
    let mut names = Vec::new();
    for entry in archive.entries().unwrap() {
        let entry = entry.unwrap();
        let header = entry.header();
        assert_eq!((header.uid().unwrap(), header.gid().unwrap()), (0, 0));
        assert_eq!(header.mtime().unwrap(), 315_532_800);
        assert_eq!(header.username().unwrap(), Some(""));
        let name = String::from_utf8(entry.path_bytes().into_owned()).unwrap();
        let mode = header.mode().unwrap();
        if header.entry_type().is_dir() {
            assert!(name.ends_with('/'), "{name}");
            assert_eq!(mode, 0o755);
        } else {
            assert_eq!(
                mode,
                if name == "scripts/run.sh" {
                    0o755
                } else {
                    0o644
                },
                "{name}"
            );
        }
        names.push(name.trim_end_matches('/').to_string());
    }
    assert_eq!(names.first().map(String::as_str), Some("analyses"));
    assert!(
        names.contains(&"dbt_project.yml".to_string()),
        "no top-level folder"
    );
    assert!(names.contains(&LONG_PATH.to_string()));
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn two_builds_of_the_same_tree_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    support::project(&first);
    let a = build(&first, None, &tmp.path().join("a")).unwrap();

    // Same tree again: new mtimes on every file, and a second copy created in another order.
    let later = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    for entry in walkdir::WalkDir::new(&first) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            File::options()
                .append(true)
                .open(entry.path())
                .unwrap()
                .set_modified(later)
                .unwrap();
        }
    }
    let b = build(&first, None, &tmp.path().join("b")).unwrap();
    let second = tmp.path().join("second");
    let mut files: Vec<_> = support::tree(&first).into_iter().collect();
    files.reverse();
    for (name, content) in files {
        match content {
            Some(bytes) => support::write(&second, &name, std::str::from_utf8(&bytes).unwrap()),
            None => fs::create_dir_all(second.join(&name)).unwrap(),
        }
    }
    support::set_executable(&second.join("scripts/run.sh"));
    let c = build(&second, None, &tmp.path().join("c")).unwrap();

    let bytes = |p: &Path| fs::read(p).unwrap();
    assert_eq!(a.sha256, b.sha256);
    assert_eq!(bytes(&a.tarball), bytes(&b.tarball));
    assert_eq!(a.sha256, c.sha256);
    assert_eq!(bytes(&a.tarball), bytes(&c.tarball));

    // And a content change does change it.
    support::write(&second, "models/orders.sql", "select 2 as id\n");
    let d = build(&second, None, &tmp.path().join("d")).unwrap();
    assert_ne!(a.sha256, d.sha256);
}

#[test]
fn output_directory_inside_the_project_is_not_packed() {
    let tmp = tempfile::tempdir().unwrap();
    support::project(tmp.path());
    let first = build(tmp.path(), None, &tmp.path().join("dist")).unwrap();
    let second = build(tmp.path(), None, &tmp.path().join("dist")).unwrap();
    assert_eq!(first.sha256, second.sha256);
    // Into the project directory itself: only the build's own files are left out.
    let other = tempfile::tempdir().unwrap();
    support::project(other.path());
    let in_root = build(other.path(), None, other.path()).unwrap();
    let again = build(other.path(), None, other.path()).unwrap();
    assert_eq!(in_root.sha256, again.sha256);
    assert_eq!(in_root.files, first.files);
    assert!(other.path().join("shop-1.2.0.tar.gz.sha256").is_file());
}

#[test]
fn version_argument_overrides_dbt_project_yml() {
    let tmp = tempfile::tempdir().unwrap();
    support::project(&tmp.path().join("p"));
    let built = build(
        &tmp.path().join("p"),
        Some("2024.06.01-rc_1"),
        &tmp.path().join("d"),
    )
    .unwrap();
    assert_eq!(built.version, "2024.06.01-rc_1");
    assert!(tmp.path().join("d/shop-2024.06.01-rc_1.tar.gz").is_file());
    assert!(
        tmp.path()
            .join("d/shop-2024.06.01-rc_1.tar.gz.sha256")
            .is_file()
    );
}

#[test]
fn version_from_a_yaml_number_keeps_its_text() {
    let tmp = tempfile::tempdir().unwrap();
    support::write(tmp.path(), "dbt_project.yml", "name: shop\nversion: 1.0\n");
    let built = build(tmp.path(), None, &tmp.path().join("d")).unwrap();
    assert_eq!(built.version, "1.0");
    assert_eq!(built.tarball.file_name().unwrap(), "shop-1.0.tar.gz");
}

#[test]
fn missing_or_unsafe_names_and_versions_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let case = |yml: &str, version: Option<&str>| {
        support::write(tmp.path(), "dbt_project.yml", yml);
        build(tmp.path(), version, &out).unwrap_err()
    };
    let e = case("name: 'my shop'\nversion: '1'\n", None);
    assert!(matches!(e, PackageError::Project { .. }), "{e}");
    assert!(
        e.to_string().contains("`name` 'my shop' contains ' '"),
        "{e}"
    );
    let e = case("name: shop\n", None);
    assert!(e.to_string().contains("no `version`"), "{e}");
    let e = case("name: shop\nversion: '1'\n", Some("1/../../x"));
    assert!(e.to_string().contains("version given to the build"), "{e}");
    let e = case("version: '1'\n", None);
    assert!(e.to_string().contains("`name` is missing"), "{e}");
    assert!(!out.join("shop-1.tar.gz").exists());
}

#[test]
fn built_file_reads_back_with_a_plain_gzip_reader() {
    let tmp = tempfile::tempdir().unwrap();
    support::project(tmp.path().join("p").as_path());
    let built = build(&tmp.path().join("p"), None, &tmp.path().join("d")).unwrap();
    let mut raw = Vec::new();
    GzDecoder::new(File::open(&built.tarball).unwrap())
        .read_to_end(&mut raw)
        .unwrap();
    assert_eq!(raw.len() % 512, 0);
    assert!(raw.len() as u64 > built.bytes);
}
