//! The ECS entrypoint end to end (`runner package`, `runner run --package …`) against real local
//! services: s3s-fs for S3 (it checks SigV4 signatures and checksums), moto for Glue and Secrets
//! Manager, and a throwaway PostgreSQL. scripts/setup-aws-test-tools.sh installs the servers.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use runner_testkit::{MotoServer, PgCluster, PgRole, S3Server};
use serde_json::Value as Json;

use crate::support::fixture_copy;

mod aws;
mod local;

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
