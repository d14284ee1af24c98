//! DuckDB's library is loaded only when a DuckDB target is opened (runner-adapters'
//! `runtime-duckdb` feature, docs/adr/0001): `RUNNER_DUCKDB_LIBRARY` points at a file that does not
//! exist, so any attempt to load it fails. A Postgres build must not notice; a DuckDB build must
//! stop with exit code 2 and say what was tried and how to fix it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use runner_testkit::PgCluster;

use crate::support::{fixture_copy, repo_root};

const MISSING: &str = "/nonexistent/libduckdb.so";

/// Runs `runner <args>` in `project` with `RUNNER_DUCKDB_LIBRARY=library`.
fn runner_loading(project: &Path, library: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_runner"))
        .args(args)
        .current_dir(project)
        .env("HOME", project)
        .env("RUNNER_DUCKDB_LIBRARY", library)
        .env_remove("DBT_PROFILES_DIR")
        .env_remove("DBT_PROJECT_DIR")
        .env_remove("DBT_TARGET_PATH")
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_postgres_build_never_loads_duckdb() {
    let cluster = PgCluster::shared();
    let project =
        crate::support::fixture_on_postgres("shop", "shop", "duckdb_library_pg", "shop", 2);
    let out = runner_loading(project.path(), MISSING, &["build", "--profiles-dir", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let rows = cluster
        .psql("duckdb_library_pg", "select count(*) from shop.people")
        .unwrap();
    assert_eq!(rows.trim(), "2");
}

/// Only builds that load DuckDB at run time read `RUNNER_DUCKDB_LIBRARY`; with DuckDB compiled
/// in (`bundled`) this build would succeed.
#[cfg(feature = "runtime-duckdb")]
#[test]
fn a_duckdb_build_without_the_library_exits_2_and_says_how_to_fix_it() {
    let project = fixture_copy("shop");
    // No profiles.yml: the embedded DuckDB default target.
    let out = runner_loading(project.path(), MISSING, &["build"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    for part in [
        "libduckdb.so (DuckDB 1.5.6)",
        "RUNNER_DUCKDB_LIBRARY=/nonexistent/libduckdb.so",
        "No such file or directory",
        "scripts/setup-duckdb.sh",
    ] {
        assert!(err.contains(part), "expected `{part}` in stderr:\n{err}");
    }
    for noise in ["panicked", "stack backtrace", "not initialized"] {
        assert!(!err.contains(noise), "stderr contains `{noise}`:\n{err}");
    }
}

/// A `RUNNER_DUCKDB_LIBRARY` that names the real library works (the test above shows the
/// variable is what gets loaded).
#[cfg(feature = "runtime-duckdb")]
#[test]
fn runner_duckdb_library_names_the_library_to_load() {
    let dir = option_env!("DUCKDB_LIB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/duckdb"));
    let library = dir.join("libduckdb.so");
    assert!(library.exists(), "{} is missing", library.display());
    let project = fixture_copy("shop");
    let out = runner_loading(project.path(), library.to_str().unwrap(), &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}
