//! `runner build` (and run/seed/test) on the in-repo fixtures `tests/fixtures/{store,kitchen,empty}`, on embedded DuckDB and on a real
//! PostgreSQL 15, against what dbt-core 1.12 did on the same steps (recorded by
//! `scripts/record-run.py` into `expected/run-<engine>.json`): the exit code, every node's status,
//! and the rows of every relation in the target schema after each step.

use std::collections::BTreeMap;
use std::path::Path;

use runner_adapters::{Adapter, AdapterConfig, Cell, Connection};
use runner_testkit::PgCluster;
use serde_json::Value as Json;

use crate::support::{fixture_copy, repo_root, runner};

/// A value as text, as `scripts/record-run.py` prints dbt's rows.
fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Null => "NULL".into(),
        Cell::Bool(b) => b.to_string(),
        Cell::Integer(i) => i.to_string(),
        // Python's drivers hand back Decimal for numerics, which the recorder prints as floats.
        Cell::Decimal(text) => format!("{:.6}", text.parse::<f64>().unwrap_or(f64::NAN)),
        Cell::Float(f) => format!("{f:.6}"),
        Cell::Date(d) => d.to_string(),
        Cell::Timestamp(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        Cell::TimestampTz(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        Cell::Text(s) | Cell::Json(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

fn relations(conn: &mut dyn Connection, schema: &str) -> BTreeMap<String, Vec<String>> {
    let names = conn
        .query(&format!(
            "select table_name from information_schema.tables where table_schema = '{schema}' order by 1"
        ))
        .unwrap();
    let mut out = BTreeMap::new();
    for row in &names.rows {
        let name = row[0].as_str().unwrap().to_string();
        let table = conn
            .query(&format!("select * from \"{schema}\".\"{name}\""))
            .unwrap();
        let mut rows: Vec<String> = table
            .rows
            .iter()
            .map(|r| r.iter().map(cell_text).collect::<Vec<_>>().join("|"))
            .collect();
        rows.sort();
        out.insert(name, rows);
    }
    out
}

fn statuses(project: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(project.join("target/run_results.json")).unwrap();
    let json: Json = serde_json::from_str(&text).unwrap();
    json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["unique_id"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Runs the recorded steps with runner and compares each with dbt's record.
fn check_against_dbt(
    fixture: &str,
    engine: &str,
    profiles: &str,
    schema: &str,
    open: &dyn Fn() -> Box<dyn Connection>,
) {
    let project = fixture_copy(fixture);
    std::fs::write(project.path().join("profiles.yml"), profiles).unwrap();
    let expected_path = repo_root().join(format!(
        "tests/fixtures/{fixture}/expected/run-{engine}.json"
    ));
    let expected: Vec<Json> =
        serde_json::from_str(&std::fs::read_to_string(expected_path).unwrap()).unwrap();
    for (i, step) in expected.iter().enumerate() {
        let args: Vec<&str> = step["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let mut full = args.clone();
        full.extend(["--profiles-dir", "."]);
        let out = runner(project.path(), &full);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            step["exit"].as_i64().map(|c| c as i32),
            "{engine} step {i} {args:?}: exit code\n{stdout}\n{stderr}"
        );
        let want: BTreeMap<String, String> = step["statuses"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        assert_eq!(
            statuses(project.path()),
            want,
            "{engine} step {i} {args:?}: statuses\n{stdout}"
        );
        let want_rows: BTreeMap<String, Vec<String>> = step["relations"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r.as_str().unwrap().to_string())
                        .collect(),
                )
            })
            .collect();
        let mut conn = open();
        let got = relations(&mut *conn, schema);
        for (name, rows) in &want_rows {
            assert_eq!(
                got.get(name),
                Some(rows),
                "{engine} step {i}: rows of {name}"
            );
        }
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want_rows.keys().collect::<Vec<_>>(),
            "{engine} step {i}: relations in schema {schema}"
        );
    }
}

/// Runs `fixture`'s recorded steps on a fresh DuckDB file (profile name = the fixture's profile).
fn on_duckdb(fixture: &str, profile: &str) {
    let db_dir = tempfile::tempdir().unwrap();
    let db = db_dir.path().join("fixture.duckdb");
    let profiles = format!(
        "{profile}:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {}\n      threads: 4\n",
        db.display()
    );
    let db_path = db.display().to_string();
    check_against_dbt(fixture, "duckdb", &profiles, "main", &|| {
        let mut fields = serde_json::Map::new();
        fields.insert("path".into(), Json::String(db_path.clone()));
        let config = AdapterConfig::from_profile("duckdb", 1, &fields).unwrap();
        Adapter::open(config).unwrap().connect().unwrap()
    });
}

/// Runs `fixture`'s recorded steps in a fresh database of the shared cluster, in schema `profile`.
fn on_postgres(fixture: &str, profile: &str) {
    let cluster = PgCluster::shared();
    let dbname = format!("{fixture}_build");
    cluster.create_database(&dbname).unwrap();
    let profiles = crate::support::postgres_profile(cluster, profile, &dbname, profile, 4);
    let (host, port) = (cluster.host(), cluster.port());
    check_against_dbt(fixture, "postgres", &profiles, profile, &|| {
        let fields: serde_json::Map<String, Json> = serde_json::from_value(serde_json::json!({
            "host": host, "port": port, "user": "postgres", "password": "unused",
            "dbname": dbname, "schema": profile
        }))
        .unwrap();
        let config = AdapterConfig::from_profile("postgres", 1, &fields).unwrap();
        Adapter::open(config).unwrap().connect().unwrap()
    });
}

#[test]
fn store_builds_on_duckdb_as_dbt_does() {
    on_duckdb("store", "shop");
}

#[test]
fn store_builds_on_postgres_as_dbt_does() {
    on_postgres("store", "shop");
}

/// Incremental strategies and schema changes, seed options, test configs (warn_if, error_if,
/// limit, fail_calc, store_failures), a custom generic test, hooks, a project materialization,
/// and a unit test overriding `is_incremental` with a `this` fixture.
#[test]
fn kitchen_builds_on_duckdb_as_dbt_does() {
    on_duckdb("kitchen", "kitchen");
}

#[test]
fn kitchen_builds_on_postgres_as_dbt_does() {
    on_postgres("kitchen", "kitchen");
}

/// `--empty`: a build that reads no rows, a full one, then an empty one again (the incremental
/// model keeps its rows, the others are rebuilt empty).
#[test]
fn empty_builds_on_duckdb_as_dbt_does() {
    on_duckdb("empty", "empty");
}

#[test]
fn empty_builds_on_postgres_as_dbt_does() {
    on_postgres("empty", "empty");
}

#[test]
fn compile_empty_prints_refs_and_sources_as_zero_row_subqueries_as_dbt_does() {
    let project = fixture_copy("empty");
    std::fs::write(
        project.path().join("profiles.yml"),
        crate::support::duckdb_profile("empty", Path::new("x.duckdb")),
    )
    .unwrap();
    let out = runner(
        project.path(),
        &["compile", "--empty", "-s", "totals", "--profiles-dir", "."],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let compiled = std::fs::read_to_string(
        project
            .path()
            .join("target/compiled/empty/models/totals.sql"),
    )
    .unwrap();
    // dbt-core 1.12.6 with dbt-duckdb 1.11.1 (`dbt compile --empty -s totals`), which adds no
    // alias to the subqueries (dbt-postgres does: ` _dbt_limit_subq_<table>`).
    let dbt = r#"
with __dbt__cte__people_eph as (

select id, name as person from (select * from "x"."main"."people" where false limit 0)
) -- No alias after ref() or source(): under --empty on Postgres they print as an aliased subquery.
select id, person, amount
from (select * from __dbt__cte__people_eph where false limit 0)
join (select * from "x"."main"."people" where false limit 0) using (id)"#;
    assert_eq!(compiled.trim(), dbt.trim());
}

#[test]
fn killing_runner_mid_table_build_leaves_the_previous_table_and_a_rerun_succeeds() {
    let cluster = PgCluster::shared();
    let project = crate::support::fixture_on_postgres("store", "shop", "store_kill", "shop", 2);
    let out = runner(project.path(), &["build", "--profiles-dir", "."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let count = || {
        cluster
            .psql("store_kill", "select count(*) from shop.customers")
            .unwrap()
            .trim()
            .to_string()
    };
    assert_eq!(count(), "40");

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_runner"))
        .args([
            "run",
            "-s",
            "customers",
            "--profiles-dir",
            ".",
            "--vars",
            "{slow_customers: true}",
        ])
        .current_dir(project.path())
        .env("HOME", project.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the new table is being built, then kill runner without warning.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let active = cluster
            .psql(
                "store_kill",
                "select count(*) from pg_stat_activity where query like '%pg_sleep(8)%' and pid <> pg_backend_pid()",
            )
            .unwrap();
        if active.trim() != "0" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the slow build never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        count(),
        "40",
        "the previous table must stay intact and readable"
    );

    let out = runner(
        project.path(),
        &["run", "-s", "customers", "--profiles-dir", "."],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(count(), "40");
}

#[test]
fn an_unreachable_warehouse_exits_2_before_any_sql_naming_the_host_but_not_the_password() {
    let project = fixture_copy("store");
    // A port nothing listens on: bind one, then free it.
    let port = crate::support::unused_port();
    let secret = "Sup3r-Secret-pw";
    std::fs::write(
        project.path().join("profiles.yml"),
        format!(
            "shop:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: 127.0.0.1\n      port: {port}\n      user: loader\n      password: {secret}\n      dbname: warehouse\n      schema: shop\n      threads: 2\n"
        ),
    )
    .unwrap();
    let out = runner(project.path(), &["build", "--profiles-dir", "."]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(!text.contains(secret), "the password leaked: {text}");
    assert!(!text.contains("START"), "no node may start: {text}");
    assert!(!project.path().join("target/run_results.json").exists());
}

#[test]
fn json_log_format_prints_one_event_per_line_with_the_invocation_id() {
    let project = fixture_copy("store");
    let out = runner(project.path(), &["seed", "--log-format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let results: Json = serde_json::from_str(
        &std::fs::read_to_string(project.path().join("target/run_results.json")).unwrap(),
    )
    .unwrap();
    let invocation = results["metadata"]["invocation_id"].as_str().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let events: Vec<Json> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        events
            .iter()
            .all(|e| e["info"]["invocation_id"] == invocation)
    );
    let finished: Vec<&Json> = events
        .iter()
        .filter(|e| e["info"]["name"] == "NodeFinished")
        .filter(|e| {
            e["data"]["node_info"]["unique_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("seed."))
        })
        .collect();
    assert_eq!(finished.len(), 3, "{stdout}");
    // The two project hooks count in the tally, as in dbt.
    assert!(
        finished
            .iter()
            .all(|e| e["data"]["node_info"]["node_status"] == "success")
    );
    assert!(
        events.last().unwrap()["info"]["msg"]
            .as_str()
            .unwrap()
            .starts_with("Done. PASS=5 WARN=0 ERROR=0 SKIP=0")
    );
}

/// persist_docs and indexes leave what they should in Postgres's catalog (dbt-core's statuses for
/// the same builds are checked by `kitchen_builds_on_postgres_as_dbt_does`).
#[test]
fn persisted_docs_and_indexes_are_in_the_postgres_catalog() {
    let cluster = PgCluster::shared();
    let project =
        crate::support::fixture_on_postgres("kitchen", "kitchen", "kitchen_docs", "kitchen", 2);
    for _ in 0..2 {
        // Twice: the rebuild swaps the table and must carry docs and index over.
        let out = runner(
            project.path(),
            &["run", "--select", "+documented", "--profiles-dir", "."],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let q = |sql: &str| {
        cluster
            .psql("kitchen_docs", sql)
            .unwrap()
            .trim()
            .to_string()
    };
    assert_eq!(
        q("select obj_description('kitchen.documented'::regclass, 'pg_class')"),
        "One row per event id; it's documented in the warehouse too."
    );
    assert_eq!(
        q("select col_description('kitchen.documented'::regclass, 2)"),
        "What kind of event."
    );
    assert_eq!(
        q(
            "select count(*) from pg_indexes where schemaname = 'kitchen' and tablename = 'documented' and indexdef like 'CREATE UNIQUE INDEX%(id)'"
        ),
        "1"
    );
}

/// `grants` give the configured privileges on the built relation, also after it is rebuilt (the
/// swapped-in table starts with none).
#[test]
fn grants_are_applied_to_built_relations_on_postgres() {
    let cluster = PgCluster::shared();
    let project =
        crate::support::fixture_on_postgres("kitchen", "kitchen", "kitchen_grants", "kitchen", 1);
    std::fs::write(
        project.path().join("models/granted.sql"),
        "{{ config(materialized='table', grants={'select': ['runner_reader']}) }}\nselect 1 as id\n",
    )
    .unwrap();
    let can_read = || {
        cluster
            .psql(
                "kitchen_grants",
                "select has_table_privilege('runner_reader', 'kitchen.granted', 'select')",
            )
            .unwrap()
            .trim()
            .to_string()
    };
    for _ in 0..2 {
        let out = runner(
            project.path(),
            &["run", "--select", "granted", "--profiles-dir", "."],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert_eq!(can_read(), "t");
    }
}
