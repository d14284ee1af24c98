//! `extract` on well-formed archives: project root detection, checksums, the destination rule.

use std::fs;
use std::path::Path;

use runner_package::{Limits, PackageError, build, extract};
use tar::EntryType;

use crate::support::{self, RawTar};

fn extract_default(tarball: &Path, dest: &Path) -> Result<runner_package::Extracted, PackageError> {
    extract(tarball, None, dest, &Limits::default())
}

#[test]
fn a_single_top_level_folder_is_the_root() {
    let tmp = tempfile::tempdir().unwrap();
    let tarball = tmp.path().join("p.tgz");
    let mut tar = RawTar::create(&tarball);
    tar.dir("myproject/")
        .file("myproject/dbt_project.yml", b"name: p\n")
        .file("myproject/models/a.sql", b"select 1\n");
    tar.finish();
    let dest = tmp.path().join("work");
    let out = extract_default(&tarball, &dest).unwrap();
    assert_eq!(out.root, dest.join("myproject"));
    assert_eq!(
        fs::read(out.root.join("models/a.sql")).unwrap(),
        b"select 1\n"
    );
    assert_eq!((out.files, out.bytes), (2, 17));
}

#[test]
fn dot_slash_names_and_a_pax_global_header_are_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let tarball = tmp.path().join("p.tgz");
    let mut tar = RawTar::create(&tarball);
    let comment = b"52 comment=0123456789012345678901234567890123456789\n";
    tar.member(
        b"pax_global_header",
        EntryType::XGlobalHeader,
        b"",
        0o666,
        comment.len() as u64,
        &comment[..],
    )
    .dir("./")
    .file("./dbt_project.yml", b"name: p\n")
    .file("./models//a.sql", b"select 1\n")
    .file("./old_style_dir/", b"");
    tar.finish();
    let dest = tmp.path().join("work");
    let out = extract_default(&tarball, &dest).unwrap();
    assert_eq!(out.root, dest);
    assert!(dest.join("models/a.sql").is_file());
    assert!(!dest.join("pax_global_header").exists());
    assert!(dest.join("old_style_dir").is_dir());
}

#[test]
fn two_top_level_folders_are_not_a_project() {
    let tmp = tempfile::tempdir().unwrap();
    let tarball = tmp.path().join("p.tgz");
    let mut tar = RawTar::create(&tarball);
    tar.file("one/dbt_project.yml", b"name: p\n")
        .file("two/x.sql", b"x");
    tar.finish();
    let dest = tmp.path().join("work");
    let e = extract_default(&tarball, &dest).unwrap_err();
    assert!(matches!(e, PackageError::NoProject { .. }), "{e}");
    assert!(e.to_string().contains("top level: one, two"), "{e}");
    assert!(!dest.exists());
}

#[test]
fn missing_dbt_project_yml_is_refused_and_nothing_is_left() {
    let tmp = tempfile::tempdir().unwrap();
    let tarball = tmp.path().join("p.tgz");
    let mut tar = RawTar::create(&tarball);
    tar.file("models/a.sql", b"select 1\n");
    tar.finish();
    let dest = tmp.path().join("work");
    fs::create_dir(&dest).unwrap();
    let e = extract_default(&tarball, &dest).unwrap_err();
    assert!(matches!(e, PackageError::NoProject { .. }), "{e}");
    assert!(e.to_string().contains("no dbt_project.yml"), "{e}");
    // An existing (empty) destination is kept, and emptied again.
    assert!(dest.is_dir());
    assert!(support::absent_or_empty(&dest));
}

#[test]
fn checksum_accepts_any_case_and_sha256_file_contents() {
    let tmp = tempfile::tempdir().unwrap();
    support::project(&tmp.path().join("p"));
    let built = build(&tmp.path().join("p"), None, &tmp.path().join("d")).unwrap();
    let upper = built.sha256.to_uppercase();
    extract(
        &built.tarball,
        Some(&upper),
        &tmp.path().join("x1"),
        &Limits::default(),
    )
    .unwrap();
    let sums = fs::read_to_string(tmp.path().join("d/shop-1.2.0.tar.gz.sha256")).unwrap();
    extract(
        &built.tarball,
        Some(&sums),
        &tmp.path().join("x2"),
        &Limits::default(),
    )
    .unwrap();
}

#[test]
fn wrong_checksum_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    support::project(&tmp.path().join("p"));
    let built = build(&tmp.path().join("p"), None, &tmp.path().join("d")).unwrap();
    let dest = tmp.path().join("work");
    let wrong = "0".repeat(64);
    let e = extract(&built.tarball, Some(&wrong), &dest, &Limits::default()).unwrap_err();
    match &e {
        PackageError::Checksum {
            archive,
            expected,
            actual,
        } => {
            assert_eq!(archive, &built.tarball);
            assert_eq!(expected, &wrong);
            assert_eq!(actual, &built.sha256);
        }
        other => panic!("expected Checksum, got {other}"),
    }
    assert!(e.to_string().contains("sha256 mismatch"), "{e}");
    assert!(
        !dest.exists(),
        "nothing may be created before the checksum passes"
    );
}

#[test]
fn non_empty_destination_is_refused_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    support::project(&tmp.path().join("p"));
    let built = build(&tmp.path().join("p"), None, &tmp.path().join("d")).unwrap();
    let dest = tmp.path().join("work");
    support::write(&dest, "mine.txt", "keep");
    let e = extract_default(&built.tarball, &dest).unwrap_err();
    assert!(matches!(e, PackageError::Destination { .. }), "{e}");
    assert!(e.to_string().contains("is not empty"), "{e}");
    assert_eq!(support::tree(&dest).len(), 1);
    assert_eq!(fs::read_to_string(dest.join("mine.txt")).unwrap(), "keep");
}

#[test]
fn destination_that_is_a_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    support::project(&tmp.path().join("p"));
    let built = build(&tmp.path().join("p"), None, &tmp.path().join("d")).unwrap();
    support::write(tmp.path(), "file", "x");
    let e = extract_default(&built.tarball, &tmp.path().join("file")).unwrap_err();
    assert!(e.to_string().contains("not a directory"), "{e}");
}

#[test]
fn not_a_gzip_file_is_corrupt() {
    let tmp = tempfile::tempdir().unwrap();
    support::write(tmp.path(), "p.tgz", "this is not gzip");
    let dest = tmp.path().join("work");
    let e = extract_default(&tmp.path().join("p.tgz"), &dest).unwrap_err();
    assert!(matches!(e, PackageError::Corrupt { .. }), "{e}");
    assert!(!dest.exists());
}

#[cfg(unix)]
#[test]
fn setuid_and_odd_modes_are_normalised() {
    let tmp = tempfile::tempdir().unwrap();
    let tarball = tmp.path().join("p.tgz");
    let mut tar = RawTar::create(&tarball);
    tar.file("dbt_project.yml", b"name: p\n")
        .member(b"run.sh", EntryType::Regular, b"", 0o6777, 2, &b"ok"[..])
        .member(b"data.csv", EntryType::Regular, b"", 0o1600, 2, &b"ok"[..]);
    tar.finish();
    let dest = tmp.path().join("work");
    extract_default(&tarball, &dest).unwrap();
    assert_eq!(support::mode(&dest.join("run.sh")), 0o755);
    assert_eq!(support::mode(&dest.join("data.csv")), 0o644);
}
