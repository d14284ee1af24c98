//! `runner run-operation` on the operations fixture, on DuckDB and Postgres, against what dbt-core
//! 1.12.6 did for the same steps (`expected/operations-<engine>.json`, recorded by
//! `scripts/record-operations.py`): exit codes, the lines templates logged and printed, and the
//! run_results.json each step wrote.

use std::path::Path;

use runner_testkit::PgCluster;
use serde_json::{Value as Json, json};

use crate::support::{fixture_copy, runner};

/// The step's record in the recorder's layout.
fn record_step(project: &Path, args: &[String]) -> Json {
    let run_results = project.join("target/run_results.json");
    let _ = std::fs::remove_file(&run_results);
    let mut full: Vec<&str> = args.iter().map(String::as_str).collect();
    full.extend(["--log-format", "json", "--profiles-dir", "."]);
    let out = runner(project, &full);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let template_lines: Vec<Json> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Json>(l).ok())
        .filter_map(|e| {
            let kind = match e["info"]["name"].as_str()? {
                "JinjaLogInfo" => "log",
                "PrintEvent" => "print",
                _ => return None,
            };
            Some(json!([kind, e["data"]["msg"]]))
        })
        .collect();
    let results = std::fs::read_to_string(&run_results).ok().map(|text| {
        let doc: Json = serde_json::from_str(&text).unwrap();
        let results: Vec<Json> = doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                json!({
                    "status": r["status"],
                    "unique_id": r["unique_id"],
                    "failures": r["failures"],
                    "compiled": r["compiled"],
                    "compiled_code": r["compiled_code"],
                    "adapter_response": r["adapter_response"],
                    "has_message": !r["message"].is_null(),
                    "thread_id": r["thread_id"],
                    "timing": r["timing"].as_array().unwrap().iter().map(|t| t["name"].clone()).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "results": results,
            "args": {"which": doc["args"]["which"], "macro": doc["args"]["macro"], "args": doc["args"]["args"]},
        })
    });
    json!({
        "args": args,
        "exit": out.status.code(),
        "template_lines": template_lines,
        "run_results": results,
    })
}

fn check_against_dbt(engine: &str, profiles: &str) {
    crate::support::replay_recorded_steps("operations", engine, profiles, record_step, |_| {});
}

#[test]
fn run_operation_on_duckdb_matches_dbt() {
    let db = tempfile::tempdir().unwrap();
    let profiles =
        crate::support::duckdb_profile("operations", &db.path().join("operations.duckdb"));
    check_against_dbt("duckdb", &profiles);
}

#[test]
fn run_operation_on_postgres_matches_dbt() {
    let cluster = PgCluster::shared();
    cluster.create_database("operations_check").unwrap();
    let profiles =
        crate::support::postgres_profile(cluster, "operations", "operations_check", "public", 1);
    check_against_dbt("postgres", &profiles);
}

#[test]
fn printed_lines_have_no_timestamp_and_quiet_keeps_only_them() {
    let project = fixture_copy("operations");
    std::fs::write(
        project.path().join("profiles.yml"),
        crate::support::duckdb_profile("operations", Path::new("ops.duckdb")),
    )
    .unwrap();
    let out = runner(
        project.path(),
        &["run-operation", "talk", "--profiles-dir", "."],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&"printed even with --quiet"), "{stdout}");
    let logged = lines
        .iter()
        .find(|l| l.ends_with("  logged at info"))
        .unwrap_or_else(|| panic!("no log line in\n{stdout}"));
    // `HH:MM:SS  logged at info`, as dbt's text log.
    assert_eq!(logged.len(), "HH:MM:SS  logged at info".len(), "{logged}");
    assert!(!stdout.contains("logged at debug only"), "{stdout}");

    let quiet = runner(
        project.path(),
        &["run-operation", "talk", "--quiet", "--profiles-dir", "."],
    );
    let stdout = String::from_utf8_lossy(&quiet.stdout).into_owned();
    assert_eq!(stdout, "printed even with --quiet\n");
}
