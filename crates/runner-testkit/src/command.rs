//! Running the cluster's programs: as the `postgres` user when the tests run as root (PostgreSQL
//! refuses to run as root), and a watchdog shell that cleans up once the test process is gone.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::TestkitError;

pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> TestkitError {
    let context = context.into();
    move |source| TestkitError::Io { context, source }
}

/// Runs programs as `run_as` (through `runuser`) or as the current user.
pub(crate) struct Runner {
    pub(crate) run_as: Option<&'static str>,
}

impl Runner {
    pub(crate) fn command_line(&self, program: &Path, args: &[&str]) -> String {
        let mut words: Vec<String> = Vec::new();
        if let Some(user) = self.run_as {
            words.extend(["runuser".into(), "-u".into(), user.into(), "--".into()]);
        }
        words.push(format!("'{}'", program.display()));
        words.extend(args.iter().map(|a| format!("'{a}'")));
        words.join(" ")
    }

    /// Runs a program as the server's user in `cwd`; fails with its stderr.
    pub(crate) fn run_in(
        &self,
        cwd: &Path,
        program: &Path,
        args: &[&str],
    ) -> Result<String, TestkitError> {
        let mut command = match self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(program);
                c
            }
            None => Command::new(program),
        };
        command.args(args).current_dir(cwd).stdin(Stdio::null());
        let line = self.command_line(program, args);
        let output = command.output().map_err(|e| TestkitError::Command {
            command: line.clone(),
            message: e.to_string(),
        })?;
        if !output.status.success() {
            return Err(TestkitError::Command {
                command: line,
                message: format!(
                    "{}: {}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr)
                ),
            });
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Runs `stop` and removes `dir` once this process has exited, even if it never drops the
    /// cluster (a shared cluster lives in a static) or dies from a panic or signal.
    pub(crate) fn spawn_watchdog(
        &self,
        stop: &str,
        dir: Option<&Path>,
    ) -> Result<(), TestkitError> {
        let remove = dir.map_or(String::new(), |d| format!("; rm -rf '{}'", d.display()));
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1{remove}",
            pid = std::process::id(),
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map(drop)
            .map_err(io("spawning a watchdog"))
    }
}
