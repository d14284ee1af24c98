//! The job against s3s-fs, moto and Postgres: packages, credentials from Glue and Secrets Manager,
//! failures that must exit 1 or 2, and SIGTERM.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use super::{ROLE, World, assert_success, role, text, world};
use crate::support::fixture_copy;

#[test]
fn package_upload_and_run_with_glue_password_credentials() {
    let w = world();
    w.publish_store("1.0.0");
    let keys = w.s3.keys("packages");
    assert_eq!(
        keys,
        [
            "dbt/shop/1.0.0/shop-1.0.0.tar.gz",
            "dbt/shop/1.0.0/shop-1.0.0.tar.gz.sha256",
            "dbt/shop/latest.json"
        ]
    );
    w.database("job_glue");
    w.put_profiles("dbt/profiles.yml", "job_glue");
    let r = role(w.pg);
    w.glue_connection(
        "warehouse",
        serde_json::json!({"JDBC_CONNECTION_URL": w.jdbc("job_glue"), "USERNAME": r.name, "PASSWORD": r.password}),
    );
    let cwd = tempfile::tempdir().unwrap();
    let out = w.runner(
        cwd.path(),
        &[
            "run",
            "--package",
            "s3://packages/dbt/shop/latest",
            "--profiles",
            "s3://config/dbt/",
            "--credentials",
            "glue:warehouse",
            "--artifacts",
            "s3://artifacts/dbt",
            "--command",
            "build",
        ],
    );
    assert_success(&out);
    assert_eq!(
        w.count("job_glue", "select count(*) from shop.customers"),
        "40"
    );
    let run_id = World::run_id(&out);
    for prefix in [
        format!("dbt/shop/prod/runs/{run_id}"),
        "dbt/shop/prod/latest".into(),
    ] {
        for file in ["manifest.json", "run_results.json", "run.json"] {
            assert!(
                w.artifact(&format!("{prefix}/{file}")).is_some(),
                "{prefix}/{file} missing"
            );
        }
        let log =
            w.s3.object("artifacts", &format!("{prefix}/run.log"))
                .unwrap();
        assert!(String::from_utf8_lossy(&log).contains("Done. PASS="));
    }
    let results = w
        .artifact(&format!("dbt/shop/prod/runs/{run_id}/run_results.json"))
        .unwrap();
    assert!(results["results"].as_array().unwrap().len() > 10);
    let record = w
        .artifact(&format!("dbt/shop/prod/runs/{run_id}/run.json"))
        .unwrap();
    assert_eq!(record["status"], "success");
    assert_eq!(record["package_version"], "1.0.0");
    let history =
        w.s3.keys("artifacts")
            .into_iter()
            .filter(|k| k.contains("history/"))
            .collect::<Vec<_>>();
    assert_eq!(history.len(), 2, "{history:?}");
    let nodes =
        w.s3.object(
            "artifacts",
            history.iter().find(|k| k.contains("node_results")).unwrap(),
        )
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&nodes).lines().count(),
        results["results"].as_array().unwrap().len()
    );
    let summary = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap()
        .to_string();
    assert!(
        summary.contains("succeeded") && summary.contains("exit 0"),
        "{summary}"
    );
    w.assert_no_secret(&[&out]);
}

#[test]
fn glue_secret_id_and_secrets_manager_credentials() {
    let w = world();
    w.publish_store("2.0.0");
    let r = role(w.pg);
    w.database("job_secret_glue");
    w.database("job_secret_sm");
    w.put_profiles("a/profiles.yml", "job_secret_glue");
    // The Secrets Manager profile names a database that does not exist: the secret's dbname wins.
    w.put_profiles("b/profiles.yml", "not_this_database");
    w.secret(
        "warehouse-login",
        serde_json::json!({"username": r.name, "password": r.password}),
    );
    w.glue_connection(
        "warehouse-by-secret",
        serde_json::json!({"JDBC_CONNECTION_URL": w.jdbc("job_secret_glue"), "SECRET_ID": "warehouse-login"}),
    );
    w.secret(
        "rds-secret",
        serde_json::json!({"username": r.name, "password": r.password, "engine": "postgres", "host": w.pg.host(), "port": w.pg.port().to_string(), "dbname": "job_secret_sm"}),
    );
    let cwd = tempfile::tempdir().unwrap();
    let glue = w.runner(
        cwd.path(),
        &[
            "run",
            "--package",
            "s3://packages/dbt/shop/2.0.0",
            "--profiles",
            "s3://config/a/profiles.yml",
            "--credentials",
            "glue:warehouse-by-secret",
            "--artifacts",
            "s3://artifacts/a",
            "--command",
            "seed",
        ],
    );
    assert_success(&glue);
    assert_eq!(
        w.count("job_secret_glue", "select count(*) from shop.raw_customers"),
        "40"
    );
    let sm = w.runner(
        cwd.path(),
        &[
            "run",
            "--package",
            "s3://packages/dbt/shop/2.0.0",
            "--profiles",
            "s3://config/b/profiles.yml",
            "--credentials",
            "secretsmanager:rds-secret",
            "--artifacts",
            "s3://artifacts/b",
            "--command",
            "seed",
        ],
    );
    assert_success(&sm);
    assert_eq!(
        w.count("job_secret_sm", "select count(*) from shop.raw_customers"),
        "40"
    );
    w.assert_no_secret(&[&glue, &sm]);
}

#[test]
fn a_failing_model_still_publishes_and_exits_1() {
    let w = world();
    w.publish_store("3.0.0");
    w.database("job_fail");
    w.put_profiles("fail/profiles.yml", "job_fail");
    w.secret(
        "fail-secret",
        serde_json::json!({"username": ROLE, "password": role(w.pg).password, "host": w.pg.host(), "port": w.pg.port(), "dbname": "job_fail"}),
    );
    let cwd = tempfile::tempdir().unwrap();
    let out = w.runner(
        cwd.path(),
        &[
            "run",
            "--package",
            "s3://packages/dbt/shop/3.0.0",
            "--profiles",
            "s3://config/fail/profiles.yml",
            "--credentials",
            "secretsmanager:fail-secret",
            "--artifacts",
            "s3://artifacts/fail",
            "--command",
            "seed",
            "--command",
            "build --vars '{break_fragile: true}'",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let run_id = World::run_id(&out);
    let results = w
        .artifact(&format!("fail/shop/prod/runs/{run_id}/run_results.json"))
        .unwrap();
    let fragile = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unique_id"] == "model.shop.fragile")
        .unwrap();
    assert_eq!(fragile["status"], "error");
    for step in ["1-seed", "2-build"] {
        assert!(
            w.artifact(&format!(
                "fail/shop/prod/runs/{run_id}/steps/{step}/run_results.json"
            ))
            .is_some()
        );
    }
    assert_eq!(
        w.artifact("fail/shop/prod/latest/run.json").unwrap()["status"],
        "failed"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap()
            .contains("exit 1")
    );
    w.assert_no_secret(&[&out]);
}

#[test]
fn bad_checksum_missing_package_and_bad_credentials_exit_2_and_write_nothing() {
    let w = world();
    w.publish_store("4.0.0");
    w.database("job_bad");
    w.put_profiles("bad/profiles.yml", "job_bad");
    let r = role(w.pg);
    w.glue_connection("good", serde_json::json!({"JDBC_CONNECTION_URL": w.jdbc("job_bad"), "USERNAME": r.name, "PASSWORD": r.password}));
    w.glue_connection("wrong-password", serde_json::json!({"JDBC_CONNECTION_URL": w.jdbc("job_bad"), "USERNAME": r.name, "PASSWORD": "definitely-wrong-pw"}));
    let cwd = tempfile::tempdir().unwrap();
    let run = |package: &str, credentials: &str| {
        w.runner(
            cwd.path(),
            &[
                "run",
                "--package",
                package,
                "--profiles",
                "s3://config/bad/profiles.yml",
                "--credentials",
                credentials,
                "--artifacts",
                "s3://artifacts/bad",
            ],
        )
    };
    // The tarball replaced behind its checksum (here by another build of the project).
    let other = fixture_copy("store");
    std::fs::write(other.path().join("models/extra.sql"), "select 1 as x").unwrap();
    let dist = tempfile::tempdir().unwrap();
    let built = crate::support::runner(
        other.path(),
        &[
            "package",
            "--output",
            dist.path().to_str().unwrap(),
            "--version",
            "4.0.0",
        ],
    );
    assert_success(&built);
    let evil = std::fs::read(dist.path().join("shop-4.0.0.tar.gz")).unwrap();
    w.s3.put_object("packages", "dbt/shop/4.0.0/shop-4.0.0.tar.gz", &evil)
        .unwrap();
    let tampered = run("s3://packages/dbt/shop/4.0.0", "glue:good");
    assert_eq!(tampered.status.code(), Some(2), "{}", text(&tampered));
    assert!(
        text(&tampered).contains("checksum") || text(&tampered).contains("sha256"),
        "{}",
        text(&tampered)
    );
    let missing = run("s3://packages/dbt/shop/9.9.9", "glue:good");
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
    assert!(
        text(&missing).contains("shop-9.9.9.tar.gz"),
        "{}",
        text(&missing)
    );
    // A clean package for the credential failures.
    w.publish_store("4.0.1");
    let bad_login = run("s3://packages/dbt/shop/latest", "glue:wrong-password");
    assert_eq!(bad_login.status.code(), Some(2), "{}", text(&bad_login));
    assert!(
        text(&bad_login).contains("password authentication failed"),
        "{}",
        text(&bad_login)
    );
    assert!(!text(&bad_login).contains("definitely-wrong-pw"));
    let no_connection = run("s3://packages/dbt/shop/latest", "glue:no-such-connection");
    assert_eq!(
        no_connection.status.code(),
        Some(2),
        "{}",
        text(&no_connection)
    );
    assert!(text(&no_connection).contains("no-such-connection"));
    // Nothing reached the warehouse, and every failure still left its log.
    assert_eq!(w.user_relations("job_bad"), "0");
    let logs =
        w.s3.keys("artifacts")
            .into_iter()
            .filter(|k| k.ends_with("/run.log") && k.contains("/runs/"))
            .count();
    assert_eq!(logs, 4);
    w.assert_no_secret(&[&tampered, &missing, &bad_login, &no_connection]);
}

#[test]
fn sigterm_cancels_the_query_and_publishes_partial_results() {
    let w = world();
    w.publish_store("5.0.0");
    w.database("job_term");
    w.put_profiles("term/profiles.yml", "job_term");
    let r = role(w.pg);
    w.glue_connection("term", serde_json::json!({"JDBC_CONNECTION_URL": w.jdbc("job_term"), "USERNAME": r.name, "PASSWORD": r.password}));
    let cwd = tempfile::tempdir().unwrap();
    let child = w.spawn(
        cwd.path(),
        &[
            "run",
            "--package",
            "s3://packages/dbt/shop/5.0.0",
            "--profiles",
            "s3://config/term/profiles.yml",
            "--credentials",
            "glue:term",
            "--artifacts",
            "s3://artifacts/term",
            "--command",
            "build --vars '{slow_customers: true}'",
        ],
    );
    let sleeping = "select count(*) from pg_stat_activity where state = 'active' and query like '%pg_sleep(8)%' and pid <> pg_backend_pid()";
    let deadline = Instant::now() + Duration::from_secs(60);
    while w.count("job_term", sleeping) == "0" {
        assert!(Instant::now() < deadline, "the slow model never started");
        std::thread::sleep(Duration::from_millis(100));
    }
    let stopped = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    let took = stopped.elapsed();
    assert!(took < Duration::from_secs(25), "took {took:?}");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // The backend may take a moment to notice the closed connection; the promise is 25 s.
    while w.count("job_term", sleeping) != "0" {
        assert!(
            stopped.elapsed() < Duration::from_secs(25),
            "the query still runs"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let run_id = World::run_id(&out);
    let results = w
        .artifact(&format!("term/shop/prod/runs/{run_id}/run_results.json"))
        .expect("partial run_results published");
    // The slow SQL runs in the customers model and in its unit test (which runs first): whichever
    // was running is recorded as cancelled, and the model did not complete.
    let results = results["results"].as_array().unwrap();
    let cancelled: Vec<&Json> = results
        .iter()
        .filter(|r| r["message"].as_str().is_some_and(|m| m.contains("SIGTERM")))
        .collect();
    assert!(
        !cancelled.is_empty(),
        "no node recorded as cancelled: {results:?}"
    );
    for r in &cancelled {
        assert_eq!(r["status"], "error", "{r}");
        assert!(
            r["unique_id"].as_str().unwrap().contains("customers"),
            "{r}"
        );
    }
    assert!(
        !results
            .iter()
            .any(|r| r["unique_id"] == "model.shop.customers" && r["status"] == "success"),
        "the slow model completed"
    );
    w.assert_no_secret(&[&out]);
}
