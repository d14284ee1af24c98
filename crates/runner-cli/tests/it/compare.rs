//! The differential runner `scripts/compare.py` (docs/compare.md): it runs a project with dbt-core and
//! with runner and must find them identical on the `store` fixture, and must be able to fail.
//! The tests need the dbt oracle venv (`scripts/install-oracle.sh`); without it they print
//! "skipped: oracle not installed" and pass, unless `RUNNER_REQUIRE_ORACLE` is set (as
//! `scripts/test.sh` does once it has installed the oracle), when they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{fixture_copy, repo_root};

/// The oracle venv, as `scripts/compare.py` finds it, if dbt is installed there.
fn oracle_venv() -> Option<PathBuf> {
    let venv = match std::env::var_os("RUNNER_ORACLE_VENV") {
        Some(v) => PathBuf::from(v),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".cache/runner/venv-dbt"),
    };
    if venv.join("bin/dbt").exists() {
        Some(venv)
    } else if std::env::var_os("RUNNER_REQUIRE_ORACLE").is_some() {
        panic!(
            "RUNNER_REQUIRE_ORACLE is set but {} is missing",
            venv.join("bin/dbt").display()
        );
    } else {
        eprintln!(
            "skipped: oracle not installed ({} missing; run scripts/install-oracle.sh)",
            venv.join("bin/dbt").display()
        );
        None
    }
}

fn compare(project: &Path, runner: &Path, extra: &[&str]) -> (Output, String) {
    let out = Command::new("python3")
        .arg(repo_root().join("scripts/compare.py"))
        .arg(project)
        .arg("--runner")
        .arg(runner)
        .args(extra)
        .current_dir(repo_root())
        .output()
        .expect("python3 runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out, text)
}

/// Runs compare.py on a fixture with the runner under test and expects `RESULT: <result>`.
fn assert_identical(fixture: &str, args: &[&str], result: &str) {
    if oracle_venv().is_none() {
        return;
    }
    let (out, text) = compare(
        &repo_root().join("tests/fixtures").join(fixture),
        Path::new(env!("CARGO_BIN_EXE_runner")),
        args,
    );
    assert_eq!(out.status.code(), Some(0), "compare.py report:\n{text}");
    assert!(text.contains(&format!("RESULT: {result}")), "{text}");
}

// Unit tests' compiled fixture SQL is ours, not dbt's text (docs/compare.md, known gaps); their
// outcomes are compared like every other node's.
const STORE_GAPS: [&str; 2] = ["--known-gap", "shop/models/unit_tests.yml/*"];

#[test]
fn compare_finds_runner_identical_to_dbt_on_store_duckdb() {
    let args = [&["--engine", "duckdb"][..], &STORE_GAPS].concat();
    assert_identical("store", &args, "identical (duckdb: identical");
}

#[test]
fn compare_finds_runner_identical_to_dbt_on_store_postgres() {
    let args = [&["--engine", "postgres"][..], &STORE_GAPS].concat();
    assert_identical("store", &args, "identical (postgres: identical");
}

/// The kitchen fixture (hooks, incremental strategies and `on_schema_change`, a custom
/// materialization, seeds, unit tests) on both engines.
#[test]
fn compare_finds_runner_identical_to_dbt_on_kitchen_both_engines() {
    let mut args = vec!["--engine", "both"];
    for gap in [
        "kitchen/models/schema.yml/models/*",
        "kitchen/models/schema.yml/appended.sql",
        "kitchen/models/schema.yml/events.sql",
        "kitchen/models/schema.yml/semicolons.sql",
    ] {
        args.extend(["--known-gap", gap]);
    }
    assert_identical(
        "kitchen",
        &args,
        "identical (duckdb: identical, postgres: identical",
    );
}

/// The features fixture's `build`: a failing model and what it skips (relationships-test edges),
/// an exposure, versions, a snapshot, an ephemeral model from a package whose only user is
/// skipped, and selectors.yml in the manifest. One thread: a model there reads a seed through a
/// source, an edge neither DAG has, so with more threads the outcome depends on timing.
#[test]
fn compare_finds_runner_identical_to_dbt_on_features_both_engines() {
    assert_identical(
        "features",
        &["--engine", "both", "--threads", "1"],
        "identical (duckdb: identical, postgres: identical",
    );
}

#[test]
fn compare_reports_a_runner_that_behaves_differently() {
    if oracle_venv().is_none() {
        return;
    }
    let project = fixture_copy("store");
    // A "runner" that breaks model `fragile` on every invocation (dbt builds it normally).
    let bin = tempfile::tempdir().unwrap();
    let wrapper = bin.path().join("broken-runner");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nexec '{}' \"$@\" --vars '{{break_fragile: true}}'\n",
            env!("CARGO_BIN_EXE_runner")
        ),
    )
    .unwrap();
    make_executable(&wrapper);
    let (out, text) = compare(project.path(), &wrapper, &["--engine", "duckdb"]);
    assert_ne!(out.status.code(), Some(0), "compare.py report:\n{text}");
    assert!(
        text.lines().any(|l| l.contains("model.shop.fragile")
            && l.contains("success")
            && l.contains("error")),
        "the status table should name model.shop.fragile (dbt success, runner error):\n{text}"
    );
    assert!(text.contains("RESULT: DIFFERENT"), "{text}");
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}
