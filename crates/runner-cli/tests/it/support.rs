//! Shared helpers: copying fixture projects to a temp dir and running the built `runner` binary there.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh copy of the fixture project `name` (under this crate's `tests/fixtures/` or the repository's
/// `tests/fixtures/`), so runs never write into the source tree.
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let local = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let src = if local.is_dir() {
        local
    } else {
        repo_root().join("tests/fixtures").join(name)
    };
    let dir = tempfile::tempdir().unwrap();
    for entry in walk(&src) {
        let rel = entry.strip_prefix(&src).unwrap();
        // Recorded expectations and anything a local run left behind stay out of the copy.
        if rel.starts_with("expected") || rel.starts_with("target") || rel.starts_with("logs") {
            continue;
        }
        let dest = dir.path().join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &dest).unwrap();
    }
    dir
}

/// Every file under `dir`, sorted.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Runs `runner <args>` in `project` with a clean environment for dbt's variables.
pub fn runner(project: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_runner"))
        .args(args)
        .current_dir(project)
        .env("HOME", project)
        .env_remove("DBT_PROFILES_DIR")
        .env_remove("DBT_PROJECT_DIR")
        .env_remove("DBT_TARGET_PATH")
        .output()
        .unwrap()
}

/// Panics with stderr unless the run succeeded; returns stdout.
pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A loopback port nothing listens on (bound, then freed), for "unreachable warehouse" tests.
pub fn unused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A copy of `fixture` whose profiles.yml points at a new database `dbname` on the shared test
/// cluster (profile `profile`, target schema `schema`).
pub fn fixture_on_postgres(
    fixture: &str,
    profile: &str,
    dbname: &str,
    schema: &str,
    threads: u32,
) -> tempfile::TempDir {
    let cluster = runner_testkit::PgCluster::shared();
    cluster.create_database(dbname).unwrap();
    let project = fixture_copy(fixture);
    std::fs::write(
        project.path().join("profiles.yml"),
        postgres_profile(cluster, profile, dbname, schema, threads),
    )
    .unwrap();
    project
}

/// A profiles.yml with one `dev` target: DuckDB at `path` (schema `main`), one thread.
pub fn duckdb_profile(profile: &str, path: &Path) -> String {
    format!(
        "{profile}:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {}\n      threads: 1\n",
        path.display()
    )
}

/// A profiles.yml with one `dev` target on the test cluster (user `postgres`, trust auth).
pub fn postgres_profile(
    cluster: &runner_testkit::PgCluster,
    profile: &str,
    dbname: &str,
    schema: &str,
    threads: u32,
) -> String {
    format!(
        "{profile}:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: {}\n      port: {}\n      user: postgres\n      password: unused\n      dbname: {dbname}\n      schema: \"{schema}\"\n      threads: {threads}\n",
        cluster.host(),
        cluster.port()
    )
}

/// Replays the steps dbt-core was recorded doing on a fixture (`expected/<fixture>-<engine>.json`,
/// written by `scripts/record-<fixture>.py`) on a fresh copy with `profiles`, in order, and
/// asserts each step's record from `record_step(project, args)` equals dbt's after `normalise`
/// (applied to both sides).
pub fn replay_recorded_steps(
    fixture: &str,
    engine: &str,
    profiles: &str,
    record_step: impl Fn(&Path, &[String]) -> serde_json::Value,
    normalise: impl Fn(&mut serde_json::Value),
) {
    let expected_file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(fixture)
        .join(format!("expected/{fixture}-{engine}.json"));
    let expected: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&expected_file).unwrap()).unwrap();
    let project = fixture_copy(fixture);
    std::fs::write(project.path().join("profiles.yml"), profiles).unwrap();
    for mut want in expected {
        normalise(&mut want);
        let args: Vec<String> = serde_json::from_value(want["args"].clone()).unwrap();
        let mut got = record_step(project.path(), &args);
        normalise(&mut got);
        assert_eq!(
            got,
            want,
            "{engine}: `runner {}` differs from dbt-core\n--- runner\n{}\n--- dbt\n{}",
            args.join(" "),
            serde_json::to_string_pretty(&got).unwrap(),
            serde_json::to_string_pretty(&want).unwrap()
        );
    }
}
