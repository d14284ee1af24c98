//! One handcrafted archive per hostile case. Each starts as a valid project (so the hostile member
//! is the only possible reason for the refusal), and each checks that nothing was left in the
//! destination and nothing was written outside it.

use std::io;
use std::path::{Path, PathBuf};

use runner_package::{Limits, PackageError, extract};
use tar::EntryType;

use crate::support::{self, RawTar, valid_start};

/// A temporary directory with `archive.tgz` written by `fill` after the valid start.
fn archive(fill: impl FnOnce(&mut RawTar)) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let tarball = tmp.path().join("archive.tgz");
    let mut tar = RawTar::create(&tarball);
    valid_start(&mut tar);
    fill(&mut tar);
    tar.finish();
    (tmp, tarball)
}

/// Extracts into `<tmp>/work` (fresh) and returns the error; checks the work dir is gone.
fn refused(tmp: &Path, tarball: &Path, limits: &Limits) -> PackageError {
    let dest = tmp.join("work");
    let e = match extract(tarball, None, &dest, limits) {
        Ok(out) => panic!("accepted: {out:?}"),
        Err(e) => e,
    };
    assert!(
        !dest.exists(),
        "extraction left {} behind after: {e}",
        dest.display()
    );
    e
}

/// Asserts `e` refuses the member `entry` with a message containing `needle`.
fn assert_entry(e: &PackageError, entry: &str, needle: &str) {
    match e {
        PackageError::Entry {
            entry: got,
            problem,
            ..
        } => {
            assert_eq!(got, entry, "{e}");
            assert!(problem.contains(needle), "{e}");
        }
        other => panic!("expected an Entry refusal of '{entry}', got: {other}"),
    }
}

#[test]
fn absolute_path() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("abs.txt");
    let name = target.to_str().unwrap().to_string();
    let (tmp, tarball) = archive(|t| {
        t.file(&name, b"pwned");
    });
    let e = refused(tmp.path(), &tarball, &Limits::default());
    assert_entry(&e, &name, "absolute path");
    assert!(!target.exists());
    assert!(e.to_string().starts_with(&format!(
        "package tarball {}: entry '{name}'",
        tarball.display()
    )));
}

#[test]
fn parent_dir_components() {
    for name in [
        "../escaped.txt",
        "models/../../escaped.txt",
        "models/../a2.sql",
    ] {
        let (tmp, tarball) = archive(|t| {
            t.file(name, b"pwned");
        });
        let e = refused(tmp.path(), &tarball, &Limits::default());
        assert_entry(&e, name, "escapes the package root");
        assert!(!tmp.path().join("escaped.txt").exists());
    }
}

#[test]
fn symlink_to_an_absolute_path() {
    let (tmp, tarball) = archive(|t| {
        t.link(EntryType::Symlink, "etc", "/etc");
    });
    let e = refused(tmp.path(), &tarball, &Limits::default());
    assert_entry(&e, "etc", "absolute path '/etc'");
}

#[test]
fn symlink_climbing_out_with_dot_dot() {
    let (tmp, tarball) = archive(|t| {
        t.link(EntryType::Symlink, "models/up", "../../..");
    });
    let e = refused(tmp.path(), &tarball, &Limits::default());
    assert_entry(&e, "models/up", "leaves the package root");
}

#[test]
fn symlink_climbing_out_through_another_symlink() {
    // Each target stays inside when read as text; together they resolve above the root.
    let (tmp, tarball) = archive(|t| {
        t.link(EntryType::Symlink, "models/up", "..").link(
            EntryType::Symlink,
            "esc",
            "models/up/..",
        );
    });
    let e = refused(tmp.path(), &tarball, &Limits::default());
    assert_entry(&e, "esc", "outside the package root");
}

#[test]
fn write_through_an_earlier_symlink() {
    // `a -> .` is harmless by itself; `a/a/evil.sql` would be written through it.
    let (tmp, tarball) = archive(|t| {
        t.link(EntryType::Symlink, "a", ".")
            .file("a/a/evil.sql", b"x");
    });
    let e = refused(tmp.path(), &tarball, &Limits::default());
    assert_entry(&e, "a/a/evil.sql", "through 'a', a symlink");
}

#[test]
fn file_replacing_an_earlier_symlink() {
    let (tmp, tarball) = archive(|t| {
        t.link(EntryType::Symlink, "l", "models/a.sql")
            .file("l", b"overwrite");
    });
    let e = refused(tmp.path(), &tarball, &Limits::default());
    assert_entry(&e, "l", "would replace 'l', a symlink");
}

#[test]
fn duplicate_file() {
    let (tmp, tarball) = archive(|t| {
        t.file("models/a.sql", b"second");
    });
    let e = refused(tmp.path(), &tarball, &Limits::default());
    assert_entry(&e, "models/a.sql", "appears twice");
}

#[test]
fn hard_link() {
    let (tmp, tarball) = archive(|t| {
        t.link(EntryType::Link, "h", "dbt_project.yml");
    });
    let e = refused(tmp.path(), &tarball, &Limits::default());
    assert_entry(&e, "h", "hard link to 'dbt_project.yml'");
}

#[test]
fn character_device() {
    let (tmp, tarball) = archive(|t| {
        t.member(b"null", EntryType::Char, b"", 0o666, 0, io::empty());
    });
    let e = refused(tmp.path(), &tarball, &Limits::default());
    assert_entry(&e, "null", "character device");
}

#[test]
fn block_device() {
    let (tmp, tarball) = archive(|t| {
        t.member(b"sda", EntryType::Block, b"", 0o660, 0, io::empty());
    });
    let e = refused(tmp.path(), &tarball, &Limits::default());
    assert_entry(&e, "sda", "block device");
}

#[test]
fn fifo() {
    let (tmp, tarball) = archive(|t| {
        t.member(b"pipe", EntryType::Fifo, b"", 0o644, 0, io::empty());
    });
    let e = refused(tmp.path(), &tarball, &Limits::default());
    assert_entry(&e, "pipe", "FIFO");
}

#[test]
fn oversize_single_file() {
    let limits = Limits {
        max_file_bytes: 1000,
        ..Limits::default()
    };
    let (tmp, tarball) = archive(|t| {
        t.file("seeds/big.csv", &[b'x'; 1001]);
    });
    let e = refused(tmp.path(), &tarball, &limits);
    match &e {
        PackageError::Limit {
            entry, limit, max, ..
        } => {
            assert_eq!(
                (entry.as_deref(), *limit, *max),
                (Some("seeds/big.csv"), "max_file_bytes", 1000)
            );
        }
        other => panic!("expected Limit, got {other}"),
    }
    assert!(
        e.to_string()
            .contains("entry 'seeds/big.csv' is larger than max_file_bytes (1000 bytes)"),
        "{e}"
    );
}

#[test]
fn gzip_bomb_is_stopped_by_the_total_size() {
    let limits = Limits {
        max_total_bytes: 1 << 20,
        max_file_bytes: 1 << 30,
        max_entries: 100,
    };
    let size = 16u64 << 20;
    let (tmp, tarball) = archive(|t| {
        t.member(
            b"bomb.bin",
            EntryType::Regular,
            b"",
            0o644,
            size,
            io::Read::take(io::repeat(0), size),
        );
    });
    assert!(
        std::fs::metadata(&tarball).unwrap().len() < size / 100,
        "the bomb compresses well"
    );
    let e = refused(tmp.path(), &tarball, &limits);
    match &e {
        PackageError::Limit { entry, limit, .. } => {
            assert_eq!(
                (entry.as_deref(), *limit),
                (Some("bomb.bin"), "max_total_bytes")
            );
        }
        other => panic!("expected Limit, got {other}"),
    }
}

#[test]
fn too_many_entries() {
    let limits = Limits {
        max_entries: 5,
        ..Limits::default()
    };
    let (tmp, tarball) = archive(|t| {
        for i in 0..10 {
            t.file(&format!("models/m{i}.sql"), b"select 1\n");
        }
    });
    let e = refused(tmp.path(), &tarball, &limits);
    assert!(
        matches!(
            e,
            PackageError::Limit {
                limit: "max_entries",
                max: 5,
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string().contains("more than max_entries (5) entries"),
        "{e}"
    );
}

#[test]
fn refusal_empties_an_existing_destination() {
    let (tmp, tarball) = archive(|t| {
        t.file("../escaped.txt", b"pwned");
    });
    let dest = tmp.path().join("work");
    std::fs::create_dir(&dest).unwrap();
    let e = extract(&tarball, None, &dest, &Limits::default()).unwrap_err();
    assert_entry(&e, "../escaped.txt", "escapes");
    assert!(dest.is_dir());
    assert!(
        support::absent_or_empty(&dest),
        "left: {:?}",
        support::tree(&dest).keys()
    );
}
