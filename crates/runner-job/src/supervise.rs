//! Running one dbt command in a child engine process (`runner dbt …`) and watching over it. The
//! child does the dbt work; this process stays small and alive, so whatever happens to the run (a
//! crash, a stop from ECS, the deadline) the artifacts are still published and the exit code is
//! still right.
//!
//! A stop (SIGTERM or SIGINT to the job, or `--timeout`) is forwarded to the child as one SIGTERM:
//! the engine cancels its queries, marks the running nodes and writes run_results.json. A child
//! that has not exited [`KILL_AFTER`] later is killed.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, kill_process};
use serde_json::{Map, Value as Json};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::JobError;
use crate::log::JobLog;

/// How long a stopped child may take to cancel and write its artifacts before it is killed; with
/// the uploads after it, the job ends well within the 25 s an ECS stop allows.
pub const KILL_AFTER: Duration = Duration::from_secs(18);

/// Why the job is stopping early, shared with the signal thread.
#[derive(Default)]
pub struct Stop {
    reason: Mutex<Option<String>>,
    child: AtomicI32,
}

impl Stop {
    /// Watches SIGTERM and SIGINT for the rest of the process.
    pub fn watch_signals(self: &Arc<Self>, log: Arc<JobLog>) -> Result<(), JobError> {
        let mut signals = Signals::new([SIGTERM, SIGINT])
            .map_err(crate::error::io("watching SIGTERM and SIGINT"))?;
        let stop = self.clone();
        std::thread::spawn(move || {
            for signal in signals.forever() {
                let name = if signal == SIGTERM {
                    "SIGTERM"
                } else {
                    "SIGINT"
                };
                log.warn(&format!("{name} received: stopping the run"));
                stop.trigger(&format!("runner received {name}"));
            }
        });
        Ok(())
    }

    /// Stops the run: the child gets one SIGTERM. Only the first reason counts.
    pub fn trigger(&self, reason: &str) {
        let first = {
            let mut r = self.reason.lock().unwrap_or_else(|e| e.into_inner());
            let first = r.is_none();
            r.get_or_insert_with(|| reason.to_string());
            first
        };
        if first {
            self.signal_child(Signal::TERM);
        }
    }

    /// Why the run stopped, if it did.
    pub fn reason(&self) -> Option<String> {
        self.reason
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn signal_child(&self, signal: Signal) {
        if let Some(pid) = Pid::from_raw(self.child.load(Ordering::SeqCst)) {
            let _ = kill_process(pid, signal);
        }
    }
}

/// How the engine is started for every command.
pub struct EngineCall<'a> {
    /// The project directory (the child's working directory).
    pub project_root: &'a Path,
    /// `--profiles-dir`, if any.
    pub profiles_dir: Option<&'a Path>,
    /// `--target`, if any.
    pub target: Option<&'a str>,
    /// JSON log lines.
    pub json_logs: bool,
    /// Target fields from AWS, sent over the child's stdin.
    pub overrides: Option<&'a Map<String, Json>>,
    /// Extra environment (DBT_JOB_ID, DBT_JOB_RUN_ID).
    pub env: Vec<(String, String)>,
}

/// Splits a command line the way a shell would for plain words and quotes.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some(q) if q == c => break,
                        Some('\\') if c == '"' => word.extend(chars.next()),
                        Some(other) => word.push(other),
                        None => return Err(format!("unclosed {c} in '{line}'")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Joins words into a command line that [`split_words`] splits back into the same words.
pub fn join_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.:/,=+@%".contains(c))
            {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', "'\"'\"'"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn has_flag(words: &[String], long: &str, short: Option<&str>) -> bool {
    words
        .iter()
        .any(|w| w == long || w.starts_with(&format!("{long}=")) || short.is_some_and(|s| w == s))
}

/// Runs one dbt command to its end; returns the child's exit code (2 when it died from a signal).
pub fn run_command(
    words: &[String],
    call: &EngineCall,
    stop: &Stop,
    deadline: Option<Instant>,
    log: &Arc<JobLog>,
) -> Result<i32, JobError> {
    let exe = std::env::current_exe().map_err(crate::error::io("finding the runner executable"))?;
    let mut command = Command::new(exe);
    command.arg("dbt").args(words);
    if !has_flag(words, "--project-dir", None) {
        command.arg("--project-dir").arg(call.project_root);
    }
    if let Some(dir) = call
        .profiles_dir
        .filter(|_| !has_flag(words, "--profiles-dir", None))
    {
        command.arg("--profiles-dir").arg(dir);
    }
    if let Some(t) = call
        .target
        .filter(|_| !has_flag(words, "--target", Some("-t")))
    {
        command.arg("--target").arg(t);
    }
    if call.json_logs && !has_flag(words, "--log-format", None) {
        command.args(["--log-format", "json"]);
    }
    if call.overrides.is_some() {
        command.arg("--target-overrides-stdin");
    }
    command
        // The engine process runs dbt's verb itself, never the job again.
        .env_remove("RUNNER_PACKAGE")
        .current_dir(call.project_root)
        .envs(call.env.iter().map(|(k, v)| (k, v)))
        .stdin(if call.overrides.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own process group: a terminal's Ctrl-C reaches only this process, which forwards one
    // SIGTERM (two signals would make the engine exit before writing its artifacts).
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .spawn()
        .map_err(crate::error::io("starting the engine process"))?;
    stop.child
        .store(i32::try_from(child.id()).unwrap_or(0), Ordering::SeqCst);
    if let (Some(fields), Some(mut stdin)) = (call.overrides, child.stdin.take()) {
        // The pipe is the only way the credentials travel: no file, no environment variable.
        let _ = stdin.write_all(Json::Object(fields.clone()).to_string().as_bytes());
    }
    let relays = [
        child
            .stdout
            .take()
            .map(|s| relay(Box::new(s), false, log.clone())),
        child
            .stderr
            .take()
            .map(|s| relay(Box::new(s), true, log.clone())),
    ];
    if stop.reason().is_some() {
        stop.signal_child(Signal::TERM);
    }
    let mut stopped_at: Option<Instant> = None;
    let status = loop {
        if let Some(status) = child
            .try_wait()
            .map_err(crate::error::io("waiting for the engine"))?
        {
            break status;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            stop.trigger("the run reached its --timeout");
        }
        if stop.reason().is_some() {
            let since = *stopped_at.get_or_insert_with(Instant::now);
            if since.elapsed() > KILL_AFTER {
                log.error(&format!(
                    "the engine did not stop within {} s: killing it",
                    KILL_AFTER.as_secs()
                ));
                let _ = child.kill();
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    stop.child.store(0, Ordering::SeqCst);
    for handle in relays.into_iter().flatten() {
        let _ = handle.join();
    }
    Ok(status.code().unwrap_or(2))
}

fn relay(
    stream: Box<dyn Read + Send>,
    stderr: bool,
    log: Arc<JobLog>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut buf = Vec::new();
        while reader.read_until(b'\n', &mut buf).is_ok_and(|n| n > 0) {
            let line = String::from_utf8_lossy(&buf);
            log.relay(line.trim_end_matches(['\n', '\r']), stderr);
            buf.clear();
        }
    })
}

#[cfg(test)]
mod tests {
    use super::split_words;

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            split_words(r#"build --select "tag:daily tag:hourly" --vars '{a: 1}'"#).unwrap(),
            [
                "build",
                "--select",
                "tag:daily tag:hourly",
                "--vars",
                "{a: 1}"
            ]
        );
        assert_eq!(
            split_words("  source   freshness ").unwrap(),
            ["source", "freshness"]
        );
        assert!(split_words("build 'oops").is_err());
        let words: Vec<String> = ["build", "--vars", "{a: 'x'}", "", "tag:daily"]
            .map(String::from)
            .to_vec();
        assert_eq!(split_words(&super::join_words(&words)).unwrap(), words);
    }
}
