//! `runner retry` on the retry fixture, on DuckDB and Postgres, against what dbt-core 1.12.6 did
//! for the same steps (`expected/retry-<engine>.json`, recorded by `scripts/record-retry.py`):
//! a failing `build` retried as it is, retried with `--vars` that fix part of it, retried with
//! nothing left to do; a `run --select … --full-refresh` and a `test` retried with their own
//! selection and flags. Compared per step: the exit code, "Nothing to do", and the results
//! run_results.json got (ids and statuses; the order nodes finish in is the scheduler's business)
//! with its `which`, `select` and `full_refresh`.

use std::path::Path;

use runner_testkit::PgCluster;
use serde_json::{Value as Json, json};

use crate::support::runner;

fn record_step(project: &Path, args: &[String]) -> Json {
    let run_results = project.join("target/run_results.json");
    let before = std::fs::read_to_string(&run_results).ok();
    let mut full: Vec<&str> = args.iter().map(String::as_str).collect();
    full.extend(["--profiles-dir", "."]);
    let out = runner(project, &full);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let after = std::fs::read_to_string(&run_results).ok();
    let results = after.filter(|a| Some(a) != before.as_ref()).map(|text| {
        let doc: Json = serde_json::from_str(&text).unwrap();
        json!({
            "results": doc["results"].as_array().unwrap().iter().map(|r| json!([r["unique_id"], r["status"]])).collect::<Vec<_>>(),
            "args": {
                "which": doc["args"]["which"],
                "select": doc["args"]["select"],
                "full_refresh": doc["args"]["full_refresh"],
            },
        })
    });
    json!({
        "args": args,
        "exit": out.status.code(),
        "nothing_to_do": stdout.contains("Nothing to do"),
        "run_results": results,
    })
}

/// `[[unique_id, status], …]`, sorted.
fn sorted_results(results: &Json) -> Vec<Json> {
    let mut pairs = results.as_array().unwrap().clone();
    pairs.sort_by_key(|p| p.to_string());
    pairs
}

fn check_against_dbt(engine: &str, profiles: &str) {
    // The order nodes finish in is the scheduler's business, not retry's.
    let sort_results = |step: &mut Json| {
        if !step["run_results"].is_null() {
            let sorted = sorted_results(&step["run_results"]["results"]);
            step["run_results"]["results"] = json!(sorted);
        }
    };
    crate::support::replay_recorded_steps("retry", engine, profiles, record_step, sort_results);
}

#[test]
fn retry_on_duckdb_matches_dbt() {
    let db = tempfile::tempdir().unwrap();
    let profiles = crate::support::duckdb_profile("retry", &db.path().join("retry.duckdb"));
    check_against_dbt("duckdb", &profiles);
}

#[test]
fn retry_on_postgres_matches_dbt() {
    let cluster = PgCluster::shared();
    cluster.create_database("retry_check").unwrap();
    let profiles = crate::support::postgres_profile(cluster, "retry", "retry_check", "retry", 1);
    check_against_dbt("postgres", &profiles);
}

/// dbt-core 1.12.6 on the same fixture: each `--select` criterion that matches no enabled node
/// gets its own warning, after `Found …`, also when others match; a criterion that matches only
/// nodes the verb does not run (a test, for `run`) gets none, only "Nothing to do".
#[test]
fn a_criterion_that_matches_nothing_is_named_as_dbt_names_it() {
    let project = crate::support::fixture_copy("retry");
    std::fs::write(
        project.path().join("profiles.yml"),
        crate::support::duckdb_profile("retry", Path::new("r.duckdb")),
    )
    .unwrap();
    let out = runner(
        project.path(),
        &["run", "-s", "a", "nonexistent", "--profiles-dir", "."],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let warnings: Vec<&str> = stdout.lines().filter(|l| l.contains("[WARNING]")).collect();
    assert_eq!(warnings.len(), 1, "{stdout}");
    assert!(
        warnings[0].ends_with(
            "[WARNING]: The selection criterion 'nonexistent' does not match any enabled nodes"
        ),
        "{stdout}"
    );
    assert!(stdout.contains(" ERROR=0 "), "{stdout}");
    // Between `Found …` and the blank line before `Concurrency:`, as dbt prints it.
    let lines: Vec<&str> = stdout.lines().map(|l| l.get(10..).unwrap_or("")).collect();
    let found = lines.iter().position(|l| l.starts_with("Found ")).unwrap();
    assert!(
        lines[found + 1].starts_with("[WARNING]: The selection criterion"),
        "{stdout}"
    );
    assert_eq!(lines[found + 2], "", "{stdout}");

    let out = runner(
        project.path(),
        &["run", "-s", "unique_a_id", "--profiles-dir", "."],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let warnings: Vec<&str> = stdout.lines().filter(|l| l.contains("[WARNING]")).collect();
    assert_eq!(warnings.len(), 1, "{stdout}");
    assert!(warnings[0].contains("Nothing to do."), "{stdout}");
}
