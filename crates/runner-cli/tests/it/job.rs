//! The ECS entrypoint end to end (`runner package`, `runner run --package …`) against real local
//! services: s3s-fs for S3 (it checks SigV4 signatures and checksums), moto for Glue and Secrets
//! Manager, and a throwaway PostgreSQL. scripts/setup-aws-test-tools.sh installs the servers.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use runner_testkit::{MotoServer, PgCluster, PgRole, S3Server};
use serde_json::Value as Json;

use crate::support::fixture_copy;

/// The password every AWS-credential test uses: it must appear in no output and no artifact.
const ROLE: &str = "runner_scram";

struct World {
    s3: S3Server,
    moto: MotoServer,
    pg: &'static PgCluster,
}

fn world() -> World {
    let s3 = S3Server::start()
        .expect("s3s-fs failed to start")
        .expect("s3s-fs is not installed: run scripts/setup-aws-test-tools.sh");
    let moto = MotoServer::start()
        .expect("moto failed to start")
        .expect("moto_server is not installed: run scripts/setup-aws-test-tools.sh");
    for bucket in ["packages", "config", "artifacts"] {
        s3.create_bucket(bucket).unwrap();
    }
    World {
        s3,
        moto,
        pg: PgCluster::shared(),
    }
}

fn role(pg: &PgCluster) -> PgRole {
    pg.password_roles()
        .into_iter()
        .find(|r| r.name == ROLE)
        .unwrap()
}

impl World {
    /// `runner <args>` with this world's AWS endpoints and keys.
    fn runner(&self, cwd: &Path, args: &[&str]) -> Output {
        self.spawn(cwd, args).wait_with_output().unwrap()
    }

    fn spawn(&self, cwd: &Path, args: &[&str]) -> std::process::Child {
        let mut c = Command::new(env!("CARGO_BIN_EXE_runner"));
        c.args(args)
            .current_dir(cwd)
            .env("HOME", cwd)
            .env_remove("DBT_PROFILES_DIR")
            .env_remove("DBT_TARGET_PATH")
            .env_remove("RUNNER_PACKAGE")
            .env_remove("ECS_CONTAINER_METADATA_URI_V4")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in self.moto.env().into_iter().chain(self.s3.env()) {
            c.env(k, v);
        }
        c.spawn().unwrap()
    }

    /// A database owned by the password role, and a profiles.yml in S3 whose connection fields
    /// are placeholders: only the credentials from AWS can make it work.
    fn database(&self, name: &str) {
        self.pg.create_database(name).unwrap();
        self.pg
            .psql(
                "postgres",
                &format!("alter database \"{name}\" owner to {ROLE}"),
            )
            .unwrap();
    }

    fn put_profiles(&self, key: &str, database: &str) {
        let profiles = format!(
            "shop:\n  target: prod\n  outputs:\n    prod:\n      type: postgres\n      host: placeholder.invalid\n      port: 1\n      user: nobody\n      password: not-the-password\n      dbname: {database}\n      schema: shop\n      threads: 2\n      connect_timeout: 5\n"
        );
        self.s3
            .put_object("config", key, profiles.as_bytes())
            .unwrap();
    }

    fn glue_connection(&self, name: &str, properties: Json) {
        let body = serde_json::json!({"ConnectionInput": {"Name": name, "ConnectionType": "JDBC", "ConnectionProperties": properties}});
        self.moto
            .call("glue", "AWSGlue.CreateConnection", &body.to_string())
            .unwrap();
    }

    fn secret(&self, name: &str, value: Json) {
        let body = serde_json::json!({"Name": name, "SecretString": value.to_string()});
        self.moto
            .call(
                "secretsmanager",
                "secretsmanager.CreateSecret",
                &body.to_string(),
            )
            .unwrap();
    }

    fn jdbc(&self, database: &str) -> String {
        format!(
            "jdbc:postgresql://{}:{}/{database}",
            self.pg.host(),
            self.pg.port()
        )
    }

    /// Packages the store fixture to s3://packages/dbt (moving `latest`).
    fn publish_store(&self, version: &str) {
        let project = fixture_copy("store");
        let out = self.runner(
            project.path(),
            &[
                "package",
                "--output",
                "s3://packages/dbt",
                "--version",
                version,
            ],
        );
        assert_success(&out);
    }

    fn artifact(&self, key: &str) -> Option<Json> {
        self.s3
            .object("artifacts", key)
            .map(|b| serde_json::from_slice(&b).unwrap_or(Json::Null))
    }

    /// The run id a job printed in its summary line.
    fn run_id(out: &Output) -> String {
        let text = String::from_utf8_lossy(&out.stdout);
        let last = text.lines().last().unwrap_or("").to_string();
        let after = last
            .split(" run ")
            .nth(1)
            .unwrap_or_else(|| panic!("no summary line: {last}"));
        after.split_whitespace().next().unwrap().to_string()
    }

    /// No output and no object in any bucket contains the password.
    fn assert_no_secret(&self, outputs: &[&Output]) {
        let password = role(self.pg).password;
        for out in outputs {
            for stream in [&out.stdout, &out.stderr] {
                assert!(
                    !String::from_utf8_lossy(stream).contains(password),
                    "the password was printed"
                );
            }
        }
        for bucket in ["packages", "artifacts"] {
            for key in self.s3.keys(bucket) {
                let body = self.s3.object(bucket, &key).unwrap();
                assert!(
                    !String::from_utf8_lossy(&body).contains(password),
                    "the password is in s3://{bucket}/{key}"
                );
            }
        }
    }

    fn count(&self, database: &str, sql: &str) -> String {
        self.pg.psql(database, sql).unwrap().trim().to_string()
    }

    fn user_relations(&self, database: &str) -> String {
        self.count(
            database,
            "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')",
        )
    }
}

fn assert_success(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

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

#[test]
fn local_package_embedded_duckdb_and_local_artifacts() {
    // The README's main-job command: no AWS, the embedded DuckDB default, artifacts in a folder.
    let project = fixture_copy("store");
    let cwd = tempfile::tempdir().unwrap();
    let out = crate::support::runner(
        cwd.path(),
        &[
            "package",
            "--project-dir",
            project.path().to_str().unwrap(),
            "--output",
            "dist",
        ],
    );
    assert_success(&out);
    let tarball = cwd.path().join("dist/shop-1.0.0.tar.gz");
    assert!(tarball.is_file() && cwd.path().join("dist/shop-1.0.0.tar.gz.sha256").is_file());
    // Relative paths, as a user types them: the engine runs elsewhere, so they must be resolved.
    let out = crate::support::runner(
        cwd.path(),
        &[
            "run",
            "--package",
            "dist/shop-1.0.0.tar.gz",
            "--artifacts",
            "out",
            "--work-dir",
            "work",
            "--run-id",
            "local-1",
        ],
    );
    assert_success(&out);
    for file in ["manifest.json", "run_results.json", "run.log", "run.json"] {
        assert!(
            cwd.path()
                .join("out/shop/dev/runs/local-1")
                .join(file)
                .is_file(),
            "{file}"
        );
        assert!(
            cwd.path().join("out/shop/dev/latest").join(file).is_file(),
            "{file}"
        );
    }
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap()
            .contains("succeeded")
    );
    // DBT_JOB_ID and DBT_JOB_RUN_ID reach env_var(), for packages that record runs; the package
    // is a project directory given relative to the working directory.
    let copied = Command::new("cp")
        .arg("-r")
        .arg(project.path())
        .arg(cwd.path().join("proj"))
        .status()
        .unwrap();
    assert!(copied.success());
    let out = crate::support::runner(
        cwd.path(),
        &[
            "run",
            "--package",
            "proj",
            "--artifacts",
            "out",
            "--run-id",
            "local-2",
            "--job-id",
            "nightly",
            "--command",
            "show --inline \"select '{{ env_var('DBT_JOB_ID') }}/{{ env_var('DBT_JOB_RUN_ID') }}' as job\"",
        ],
    );
    assert_success(&out);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("nightly/local-2"),
        "{}",
        text(&out)
    );
    // A tampered local tarball is refused before anything runs.
    std::fs::write(
        cwd.path().join("dist/shop-1.0.0.tar.gz.sha256"),
        format!("{}  x\n", "1".repeat(64)),
    )
    .unwrap();
    let out = crate::support::runner(
        cwd.path(),
        &[
            "run",
            "--package",
            tarball.to_str().unwrap(),
            "--artifacts",
            "out",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn an_ecs_command_override_runs_through_the_job() {
    // ECS and schedules override the container command with `["dbt", "seed", …]` while the task
    // definition sets RUNNER_PACKAGE: the job still fetches, runs that one command and publishes.
    let project = fixture_copy("store");
    let cwd = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_runner"))
        .args(["dbt", "seed", "--select", "raw_customers"])
        .current_dir(cwd.path())
        .env("HOME", cwd.path())
        .env("RUNNER_PACKAGE", project.path())
        .env("RUNNER_ARTIFACTS", cwd.path().join("out"))
        .env("RUNNER_RUN_ID", "override-1")
        .env_remove("DBT_PROFILES_DIR")
        .output()
        .unwrap();
    assert_success(&out);
    let results: Json = serde_json::from_slice(
        &std::fs::read(
            cwd.path()
                .join("out/shop/dev/runs/override-1/run_results.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let ids: Vec<&str> = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["unique_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"seed.shop.raw_customers"), "{ids:?}");
    assert!(!ids.iter().any(|id| id.starts_with("model.")), "{ids:?}");
    let record: Json = serde_json::from_slice(
        &std::fs::read(cwd.path().join("out/shop/dev/runs/override-1/run.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        record["commands"],
        serde_json::json!(["seed --select raw_customers"])
    );
}

/// Serves the ECS task metadata endpoint (`GET /v4/x/task`) once per connection, on a free port.
fn fake_task_metadata(task_id: &'static str) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut request = Vec::new();
            let mut buf = [0u8; 512];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let body = format!(
                r#"{{"Cluster":"runner","TaskARN":"arn:aws:ecs:eu-west-1:123456789012:task/runner/{task_id}"}}"#
            );
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://127.0.0.1:{port}/v4/x")
}

#[test]
fn on_ecs_the_run_id_is_the_task_id_logs_are_json_and_timeout_stops_the_run() {
    let pg = PgCluster::shared();
    pg.create_database("job_timeout").unwrap();
    let project = fixture_copy("store");
    std::fs::write(
        project.path().join("profiles.yml"),
        format!(
            "shop:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: {}\n      port: {}\n      user: postgres\n      password: unused\n      dbname: job_timeout\n      schema: shop\n      threads: 2\n",
            pg.host(),
            pg.port()
        ),
    )
    .unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_runner"))
        .args([
            "run",
            "--package",
            project.path().to_str().unwrap(),
            "--artifacts",
            "out",
            "--timeout",
            "4s",
            "--command",
            "build --vars '{slow_customers: true}'",
        ])
        .current_dir(cwd.path())
        .env("HOME", cwd.path())
        .env(
            "ECS_CONTAINER_METADATA_URI_V4",
            fake_task_metadata("0f1e2d3c4b5a"),
        )
        .env_remove("DBT_PROFILES_DIR")
        .env_remove("RUNNER_PACKAGE")
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let events: Vec<Json> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not a JSON line: {l}")))
        .collect();
    let last = events
        .last()
        .unwrap_or_else(|| panic!("no output: {}", text(&out)));
    assert_eq!(last["info"]["name"], "RunnerJobSummary");
    assert_eq!(last["data"]["run_id"], "0f1e2d3c4b5a");
    assert!(
        last["info"]["msg"].as_str().unwrap().contains("--timeout"),
        "{last}"
    );
    let results: Json = serde_json::from_slice(
        &std::fs::read(
            cwd.path()
                .join("out/shop/dev/runs/0f1e2d3c4b5a/run_results.json"),
        )
        .unwrap(),
    )
    .unwrap();
    // The deadline may fall while the slow model runs (it is then cancelled and recorded) or
    // before it starts (it never runs): either way it does not succeed.
    let customers = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unique_id"] == "model.shop.customers");
    if let Some(c) = customers {
        assert_eq!(c["status"], "error");
        assert!(c["message"].as_str().unwrap().contains("--timeout"), "{c}");
    }
    let log =
        std::fs::read_to_string(cwd.path().join("out/shop/dev/runs/0f1e2d3c4b5a/run.log")).unwrap();
    assert!(log.lines().all(|l| serde_json::from_str::<Json>(l).is_ok()));
    let sleeping = "select count(*) from pg_stat_activity where state = 'active' and query like '%pg_sleep(8)%' and pid <> pg_backend_pid()";
    // Gone at once, or after the backend notices the closed connection: within the 25 s promised.
    while pg.psql("job_timeout", sleeping).unwrap().trim() != "0" {
        assert!(
            started.elapsed() < Duration::from_secs(35),
            "the query still runs"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
