//! `build` on projects holding symlinks and special files: links inside the project are stored as
//! what they point to; anything that would make the package depend on the build machine is refused.

use std::fs;

use runner_package::{Limits, PackageError, build, extract};

use crate::support;

#[cfg(unix)]
#[test]
fn symlinks_inside_the_project_are_stored_as_their_contents() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    support::project(&project);
    symlink("../macros/cents.sql", project.join("models/cents_link.sql")).unwrap();
    symlink(
        "../dbt_packages/dbt_utils/macros",
        project.join("macros/utils"),
    )
    .unwrap();
    let built = build(&project, None, &tmp.path().join("d")).unwrap();
    let dest = tmp.path().join("x");
    extract(&built.tarball, None, &dest, &Limits::default()).unwrap();
    let link = fs::symlink_metadata(dest.join("models/cents_link.sql")).unwrap();
    assert!(link.file_type().is_file());
    assert_eq!(
        fs::read(dest.join("models/cents_link.sql")).unwrap(),
        fs::read(project.join("macros/cents.sql")).unwrap()
    );
    assert!(
        fs::symlink_metadata(dest.join("macros/utils"))
            .unwrap()
            .is_dir()
    );
    assert!(dest.join("macros/utils/star.sql").is_file());
}

#[cfg(unix)]
#[test]
fn symlink_leaving_the_project_is_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("p");
    support::project(&project);
    support::write(tmp.path(), "shared/macros/m.sql", "x");
    std::os::unix::fs::symlink("../../shared", project.join("dbt_packages/shared")).unwrap();
    let e = build(&project, None, &tmp.path().join("d")).unwrap_err();
    match &e {
        PackageError::Link { link, .. } => assert!(link.ends_with("dbt_packages/shared"), "{e}"),
        other => panic!("expected Link, got {other}"),
    }
    assert!(e.to_string().contains("outside the project"), "{e}");
    assert!(!tmp.path().join("d/shop-1.2.0.tar.gz").exists());
    assert!(!tmp.path().join("d/.shop-1.2.0.tar.gz.partial").exists());
}

#[cfg(unix)]
#[test]
fn dangling_and_looping_symlinks_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    support::project(tmp.path());
    std::os::unix::fs::symlink("nowhere.sql", tmp.path().join("models/gone.sql")).unwrap();
    let e = build(tmp.path(), None, &tmp.path().join("d")).unwrap_err();
    assert!(matches!(e, PackageError::Link { .. }), "{e}");
    fs::remove_file(tmp.path().join("models/gone.sql")).unwrap();
    std::os::unix::fs::symlink("..", tmp.path().join("models/up")).unwrap();
    let e = build(tmp.path(), None, &tmp.path().join("d")).unwrap_err();
    assert!(e.to_string().contains("loop"), "{e}");
}

#[cfg(unix)]
#[test]
fn sockets_in_the_project_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    support::project(tmp.path());
    let _socket = std::os::unix::net::UnixListener::bind(tmp.path().join("models/s.sock")).unwrap();
    let e = build(tmp.path(), None, &tmp.path().join("d")).unwrap_err();
    assert!(matches!(e, PackageError::Unsupported { .. }), "{e}");
    assert!(e.to_string().contains("is a socket"), "{e}");
}
