//! [`PgCluster`]: initdb + pg_ctl from PostgreSQL 15 in a temporary directory on a free port, with
//! TLS (a throwaway CA), roles for every password method, and cleanup on drop — or, for the shared
//! per-binary cluster that is never dropped, by a watchdog that outlives the test process.

use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::TestkitError;
use crate::certs;
use crate::command::{Runner, io};

/// Where PostgreSQL's server programs are (override with `RUNNER_PG_BIN`).
pub const DEFAULT_PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A login role that needs a password, and the pg_hba method that checks it.
#[derive(Debug, Clone, Copy)]
pub struct PgRole {
    /// Role name.
    pub name: &'static str,
    /// Its password.
    pub password: &'static str,
    /// pg_hba method: `scram-sha-256`, `md5` or `password` (cleartext).
    pub method: &'static str,
}

const ROLES: [PgRole; 3] = [
    PgRole {
        name: "runner_scram",
        password: "scram-Secret-41",
        method: "scram-sha-256",
    },
    PgRole {
        name: "runner_md5",
        password: "md5-Secret-42",
        method: "md5",
    },
    PgRole {
        name: "runner_plain",
        password: "plain-Secret-43",
        method: "password",
    },
];

/// A running throwaway cluster. The superuser `postgres` logs in without a password over TCP.
pub struct PgCluster {
    dir: tempfile::TempDir,
    port: u16,
    bin: PathBuf,
    runner: Runner,
}

impl PgCluster {
    /// One cluster per test binary, started on first use and stopped when the process exits.
    /// Panics when the cluster cannot start (the tests using it cannot run).
    pub fn shared() -> &'static PgCluster {
        static SHARED: OnceLock<PgCluster> = OnceLock::new();
        SHARED.get_or_init(|| {
            PgCluster::start().unwrap_or_else(|e| panic!("cannot start PostgreSQL: {e}"))
        })
    }

    /// Initializes and starts a new cluster.
    pub fn start() -> Result<PgCluster, TestkitError> {
        let bin = std::env::var_os("RUNNER_PG_BIN")
            .map_or_else(|| PathBuf::from(DEFAULT_PG_BIN), PathBuf::from);
        let dir = tempfile::Builder::new()
            .prefix("runner-pg-")
            .tempdir()
            .map_err(io("creating a temp dir"))?;
        let root = fs::metadata("/proc/self")
            .map(|m| m.uid() == 0)
            .unwrap_or(false);
        let run_as = root.then_some("postgres");
        if root {
            // initdb runs as `postgres`, which must be able to create the data directory here.
            fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777))
                .map_err(io("chmod temp dir"))?;
        }
        let port = free_port()?;
        let cluster = PgCluster {
            dir,
            port,
            bin,
            runner: Runner { run_as },
        };
        let stop = cluster.runner.command_line(
            &cluster.bin.join("pg_ctl"),
            &[
                "-D",
                path_str(&cluster.data_dir()),
                "stop",
                "-m",
                "immediate",
            ],
        );
        cluster
            .runner
            .spawn_watchdog(&stop, Some(cluster.dir.path()))?;
        cluster.init()?;
        Ok(cluster)
    }

    fn init(&self) -> Result<(), TestkitError> {
        let dir = self.dir.path();
        let data = self.data_dir();
        let initdb = self.bin.join("initdb");
        self.runner.run_in(
            dir,
            &initdb,
            &[
                "-D",
                path_str(&data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )?;
        certs::make(&self.runner, self.dir.path())?;
        let conf = format!(
            "\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{dir}'\n\
             ssl = on\nssl_cert_file = '{dir}/server.crt'\nssl_key_file = '{dir}/server.key'\n\
             fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 100\n",
            port = self.port,
            dir = dir.display()
        );
        append(&data.join("postgresql.conf"), &conf)?;
        let mut hba = String::from("local all all trust\n");
        for role in ROLES {
            hba.push_str(&format!(
                "host all {} 127.0.0.1/32 {}\n",
                role.name, role.method
            ));
        }
        hba.push_str("host all all 127.0.0.1/32 trust\n");
        fs::write(data.join("pg_hba.conf"), hba).map_err(io("writing pg_hba.conf"))?;
        let log = dir.join("server.log");
        let pg_ctl = self.bin.join("pg_ctl");
        if let Err(e) = self.runner.run_in(
            dir,
            &pg_ctl,
            &[
                "-D",
                path_str(&data),
                "-l",
                path_str(&log),
                "-w",
                "-t",
                "60",
                "start",
            ],
        ) {
            let tail = fs::read_to_string(&log).unwrap_or_default();
            return Err(TestkitError::Command {
                command: "pg_ctl start".into(),
                message: format!("{e}\nserver log:\n{tail}"),
            });
        }
        let mut setup = String::new();
        for role in ROLES {
            let encryption = if role.method == "md5" {
                "md5"
            } else {
                "scram-sha-256"
            };
            setup.push_str(&format!(
                "set password_encryption = '{encryption}'; create role {} login password '{}';\n",
                role.name, role.password
            ));
        }
        setup.push_str("create role runner_reader nologin; grant runner_reader to runner_scram;\n");
        self.psql("postgres", &setup)?;
        Ok(())
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs SQL as the superuser in `database` with psql; returns psql's unaligned output.
    pub fn psql(&self, database: &str, sql: &str) -> Result<String, TestkitError> {
        let port = self.port.to_string();
        let psql = self.bin.join("psql");
        self.runner.run_in(
            self.dir.path(),
            &psql,
            &[
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-d",
                database,
                "-c",
                sql,
            ],
        )
    }

    /// Creates an empty database (dropping an old one of that name first).
    pub fn create_database(&self, name: &str) -> Result<(), TestkitError> {
        self.psql(
            "postgres",
            &format!("drop database if exists \"{name}\" with (force)"),
        )?;
        self.psql("postgres", &format!("create database \"{name}\""))?;
        Ok(())
    }

    /// The host to connect to.
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// The TCP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The superuser, which logs in without a password.
    pub fn superuser(&self) -> &'static str {
        "postgres"
    }

    /// Roles that must log in with a password: one per method (scram-sha-256, md5, password).
    /// `runner_scram` is also a member of the `runner_reader` role.
    pub fn password_roles(&self) -> [PgRole; 3] {
        ROLES
    }

    /// The PEM file of the CA that signed the server certificate (valid for `localhost`).
    pub fn ca_cert(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    /// Stops the server now (drop does it too).
    pub fn stop(&self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let _ = self.runner.run_in(
            self.dir.path(),
            &pg_ctl,
            &["-D", path_str(&self.data_dir()), "stop", "-m", "immediate"],
        );
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        self.stop();
    }
}

pub(crate) fn free_port() -> Result<u16, TestkitError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(io("finding a free port"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(io("finding a free port"))
}

fn append(path: &Path, text: &str) -> Result<(), TestkitError> {
    use std::io::Write;
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(io(format!("opening {}", path.display())))?;
    file.write_all(text.as_bytes())
        .map_err(io(format!("writing {}", path.display())))
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}
