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

use crate::support::{fixture_copy, runner};

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
            "results": sorted_results(&doc["results"]),
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

/// `[[unique_id, status], …]` from either run_results.json or a recorded step, sorted.
fn sorted_results(results: &Json) -> Vec<Json> {
    let mut pairs: Vec<Json> = results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| match r {
            Json::Array(pair) => json!(pair),
            r => json!([r["unique_id"], r["status"]]),
        })
        .collect();
    pairs.sort_by_key(|p| p.to_string());
    pairs
}

fn check_against_dbt(engine: &str, profiles: &str) {
    let fixture = crate::support::repo_root().join("crates/runner-cli/tests/fixtures/retry");
    let expected: Vec<Json> = serde_json::from_str(
        &std::fs::read_to_string(fixture.join(format!("expected/retry-{engine}.json"))).unwrap(),
    )
    .unwrap();
    let project = fixture_copy("retry");
    std::fs::write(project.path().join("profiles.yml"), profiles).unwrap();
    for mut want in expected {
        if !want["run_results"].is_null() {
            let sorted = sorted_results(&want["run_results"]["results"]);
            want["run_results"]["results"] = json!(sorted);
        }
        let args: Vec<String> = serde_json::from_value(want["args"].clone()).unwrap();
        let got = record_step(project.path(), &args);
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

#[test]
fn retry_on_duckdb_matches_dbt() {
    let db = tempfile::tempdir().unwrap();
    let profiles = format!(
        "retry:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {}\n      schema: main\n      threads: 1\n",
        db.path().join("retry.duckdb").display()
    );
    check_against_dbt("duckdb", &profiles);
}

#[test]
fn retry_on_postgres_matches_dbt() {
    let cluster = PgCluster::shared();
    cluster.create_database("retry_check").unwrap();
    let profiles = crate::support::postgres_profile(cluster, "retry", "retry_check", "retry", 1);
    check_against_dbt("postgres", &profiles);
}
