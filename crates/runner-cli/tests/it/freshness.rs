//! `runner source freshness` on the fixture `freshness` (sources that pass, warn, are stale past
//! `error_after`, have no rows under their filter, point at a missing table or lack a
//! `loaded_at_field`, and a project override of `collect_freshness`), on embedded DuckDB and on a
//! real PostgreSQL, against what dbt-core 1.12 did on the same steps (recorded by
//! `scripts/record-freshness.py` into `expected/freshness-<engine>.json`): exit codes, statuses,
//! console lines, and sources.json (validated against dbt's v3 schema).

use std::collections::BTreeMap;
use std::path::Path;

use runner_testkit::PgCluster;
use serde_json::Value as Json;

use crate::support::{fixture_copy, repo_root, runner};

/// The console's own lines (those with a time), times taken out, from `Concurrency:` (or the
/// nothing-to-do warnings) on; as the recorder normalises dbt's.
fn console_lines(stdout: &str, threads: usize) -> Vec<String> {
    let lines: Vec<String> = stdout
        .lines()
        .filter(|l| l.len() >= 10 && l.as_bytes()[2] == b':' && &l[8..10] == "  ")
        .map(|l| normalise(&l[10..], threads))
        // runner's hooks announce themselves (`Running 1 on-run-start hook`, crate runner-exec's
        // hooks.rs, shared with `run`); dbt 1.12 does not. A known difference, not freshness's.
        .filter(|l| !(l.starts_with("Running ") && l.contains(" on-run-") && l.contains(" hook")))
        .collect();
    tail(lines)
}

fn normalise(line: &str, threads: usize) -> String {
    let mut line = line.replace(
        &format!("Concurrency: {threads} threads"),
        "Concurrency: 1 threads",
    );
    if let Some(at) = line.rfind(" in ")
        && line.ends_with("s]")
    {
        line = format!("{} in Xs]", &line[..at]);
    }
    if line.starts_with("Finished running")
        && let Some(at) = line.find(" in ")
    {
        line = format!("{} in X.", &line[..at]);
    }
    line
}

fn tail(lines: Vec<String>) -> Vec<String> {
    let start = lines
        .iter()
        .position(|l| {
            l.starts_with("Concurrency:") || l.starts_with("[WARNING]: The selection criterion")
        })
        .unwrap_or(0);
    lines[start..].to_vec()
}

/// Microseconds since 0001-01-01 of `YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00`.
fn micros(iso: &str) -> i128 {
    let n = |r: std::ops::Range<usize>| iso[r].parse::<i128>().unwrap();
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let secs = n(11..13) * 3600 + n(14..16) * 60 + n(17..19);
    let frac = if &iso[19..20] == "." { n(20..26) } else { 0 };
    assert!(iso.ends_with("+00:00"), "{iso}");
    // Days from civil (proleptic Gregorian), shifted so March starts the year.
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let days = 365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + d - 1;
    (days * 86400 + secs) * 1_000_000 + frac
}

fn statuses_from_json_log(stdout: &str) -> BTreeMap<String, String> {
    stdout
        .lines()
        .map(|l| serde_json::from_str::<Json>(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .filter(|e| e["info"]["name"] == "LogFreshnessResult")
        .map(|e| {
            (
                e["data"]["node_info"]["unique_id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                e["data"]["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn check_sources_json(path: &Path, want: &Json, threads: usize, what: &str) {
    let got: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let schema: Json = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("tests/schemas/sources-v3.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&got).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{what}: sources.json vs v3 schema: {errors:?}"
    );
    let keys = |v: &Json| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(Json::from(keys(&got)), want["top_keys"], "{what}");
    assert_eq!(
        Json::from(keys(&got["metadata"])),
        want["metadata_keys"],
        "{what}"
    );
    assert_eq!(
        got["metadata"]["dbt_schema_version"], want["schema"],
        "{what}"
    );
    let mut results: Vec<&Json> = got["results"].as_array().unwrap().iter().collect();
    if threads > 1 {
        // Completion order differs between runs with several workers.
        results.sort_by_key(|r| r["unique_id"].as_str().unwrap().to_string());
    }
    let wanted = want["results"].as_array().unwrap();
    let ids = |rs: Vec<&Json>| {
        rs.iter()
            .map(|r| r["unique_id"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(results.clone()),
        ids(wanted.iter().collect()),
        "{what}: results"
    );
    for (r, w) in results.iter().zip(wanted) {
        let id = &w["unique_id"];
        assert_eq!(Json::from(keys(r)), w["keys"], "{what} {id}: keys");
        for key in ["status", "criteria", "adapter_response"] {
            assert_eq!(r[key], w[key], "{what} {id}: {key}");
        }
        let timing: Vec<&Json> = r["timing"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| &t["name"])
            .collect();
        assert_eq!(
            Json::from(timing.into_iter().cloned().collect::<Vec<_>>()),
            w["timing"]
        );
        let thread = r["thread_id"].as_str().unwrap();
        if threads == 1 {
            assert_eq!(r["thread_id"], w["thread_id"], "{what} {id}");
        } else {
            assert!(
                (1..=threads).any(|t| thread == format!("Thread-{t} (worker)")),
                "{thread}"
            );
        }
        if !w["max_loaded_at"].is_null() {
            assert_eq!(r["max_loaded_at"], w["max_loaded_at"], "{what} {id}");
        }
        if !w["age"].is_null() {
            assert_eq!(
                r["max_loaded_at_time_ago_in_s"], w["age"],
                "{what} {id}: age"
            );
        }
        // The age is exactly snapshotted_at - max_loaded_at, as Python's total_seconds() gives it.
        let span = micros(r["snapshotted_at"].as_str().unwrap())
            - micros(r["max_loaded_at"].as_str().unwrap());
        let exact: f64 = format!("{}.{:06}", span / 1_000_000, span % 1_000_000)
            .parse()
            .unwrap();
        assert_eq!(
            r["max_loaded_at_time_ago_in_s"].as_f64(),
            Some(exact),
            "{what} {id}"
        );
    }
}

/// Runs the recorded steps with runner and compares each with dbt's record.
fn check_against_dbt(engine: &str, profiles: &str, threads: usize) {
    let project = fixture_copy("freshness");
    std::fs::write(project.path().join("profiles.yml"), profiles).unwrap();
    let expected: Vec<Json> = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
            "tests/fixtures/freshness/expected/freshness-{engine}.json"
        )))
        .unwrap(),
    )
    .unwrap();
    let run_results = project.path().join("target/run_results.json");
    for (i, step) in expected.iter().enumerate() {
        let args: Vec<&str> = step["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let what = format!("{engine} step {i} {args:?}");
        let mut full = args.clone();
        full.extend(["--profiles-dir", "."]);
        let sources = project.path().join("target/sources.json");
        let _ = std::fs::remove_file(&sources);
        let before = std::fs::read(&run_results).ok();
        let out = runner(project.path(), &full);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            step["exit"].as_i64().map(|c| c as i32),
            "{what}: exit code\n{stdout}\n{stderr}"
        );
        if args[0] != "source" {
            continue;
        }
        let want_console: Vec<String> = step["console"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect();
        let mut want_console = tail(want_console);
        let mut got_console = console_lines(&stdout, threads);
        if threads > 1 {
            want_console.sort();
            got_console.sort();
        }
        assert_eq!(got_console, want_console, "{what}: console\n{stdout}");
        assert_eq!(
            std::fs::read(&run_results).ok() != before,
            step["run_results_written"].as_bool().unwrap(),
            "{what}: run_results.json"
        );
        let output = project.path().join(step["output"].as_str().unwrap());
        check_sources_json(&output, &step["sources"], threads, &what);
        if step["output"] != "target/sources.json" {
            assert!(
                !sources.exists(),
                "{what}: --output must replace target/sources.json"
            );
        }

        let mut json_args = full.clone();
        json_args.extend(["--log-format", "json"]);
        let out = runner(project.path(), &json_args);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let want: BTreeMap<String, String> =
            serde_json::from_value(step["statuses"].clone()).unwrap();
        assert_eq!(
            statuses_from_json_log(&stdout),
            want,
            "{what}: statuses\n{stdout}"
        );
        assert_eq!(
            out.status.code(),
            step["exit"].as_i64().map(|c| c as i32),
            "{what}: json exit"
        );
    }
}

#[test]
fn source_freshness_on_duckdb_matches_dbt() {
    let db_dir = tempfile::tempdir().unwrap();
    let profiles = format!(
        "freshness:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {}\n      threads: 1\n",
        db_dir.path().join("fixture.duckdb").display()
    );
    check_against_dbt("duckdb", &profiles, 1);
}

#[test]
fn source_freshness_on_postgres_with_four_threads_matches_dbt() {
    let cluster = PgCluster::shared();
    cluster.create_database("freshness_check").unwrap();
    let profiles =
        crate::support::postgres_profile(cluster, "freshness", "freshness_check", "freshness", 4);
    check_against_dbt("postgres", &profiles, 4);
}

#[test]
fn an_unreachable_warehouse_exits_2_before_any_source_starts() {
    let project = fixture_copy("freshness");
    let port = crate::support::unused_port();
    std::fs::write(
        project.path().join("profiles.yml"),
        format!(
            "freshness:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: 127.0.0.1\n      port: {port}\n      user: u\n      password: p\n      dbname: d\n      schema: s\n      threads: 1\n"
        ),
    )
    .unwrap();
    let out = runner(
        project.path(),
        &["source", "freshness", "--profiles-dir", "."],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(!stdout.contains("START"), "{stdout}");
    assert!(!project.path().join("target/sources.json").exists());
}

#[test]
fn only_the_freshness_sub_command_exists() {
    let project = fixture_copy("freshness");
    let out = runner(project.path(), &["source", "snapshot-freshness"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("source freshness"));
}

#[test]
fn sigterm_cancels_a_running_freshness_query_and_exits_2_with_sources_json() {
    let cluster = PgCluster::shared();
    cluster.create_database("freshness_sigterm").unwrap();
    let project = fixture_copy("freshness");
    std::fs::write(
        project.path().join("profiles.yml"),
        crate::support::postgres_profile(cluster, "freshness", "freshness_sigterm", "public", 1),
    )
    .unwrap();
    // A source whose check takes a minute unless it is cancelled.
    std::fs::write(
        project.path().join("models/slow.yml"),
        "sources:\n  - name: slow\n    schema: public\n    tables:\n      - name: loads\n        config:\n          loaded_at_query: \"select now() from pg_sleep(60)\"\n          freshness: {warn_after: {count: 1, period: hour}}\n",
    )
    .unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_runner"))
        .args([
            "source",
            "freshness",
            "--select",
            "source:slow",
            "--profiles-dir",
            ".",
        ])
        .current_dir(project.path())
        .env("HOME", project.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let sleeping = || {
        cluster
            .psql(
                "freshness_sigterm",
                "select count(*) from pg_stat_activity where query like '%pg_sleep(60)%' and pid <> pg_backend_pid()",
            )
            .unwrap()
            .trim()
            .to_string()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while sleeping() == "0" {
        assert!(
            std::time::Instant::now() < deadline,
            "the slow check never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let sent = std::time::Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Without the cancel the query would run for a minute and the grace period end it at 20 s.
    assert!(
        sent.elapsed() < std::time::Duration::from_secs(10),
        "took {:?} to stop\n{stdout}",
        sent.elapsed()
    );
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert_eq!(sleeping(), "0", "the query still runs on the warehouse");
    assert!(
        stdout.contains("ERROR"),
        "the cancelled check is reported\n{stdout}"
    );
    assert!(stdout.contains("canceling statement"), "{stdout}");
    // A check that failed is a runtime error, which dbt leaves out of sources.json.
    let sources: Json = serde_json::from_str(
        &std::fs::read_to_string(project.path().join("target/sources.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(sources["results"], serde_json::json!([]), "{sources}");
}
