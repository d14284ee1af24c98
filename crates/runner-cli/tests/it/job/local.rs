//! The job without AWS: a local package on the embedded DuckDB, an ECS command override, and the
//! ECS run id, JSON logs and --timeout.

use std::process::Command;
use std::time::{Duration, Instant};

use runner_testkit::PgCluster;
use serde_json::Value as Json;

use super::{assert_success, text};
use crate::support::fixture_copy;

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
        crate::support::postgres_profile(pg, "shop", "job_timeout", "shop", 2),
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
