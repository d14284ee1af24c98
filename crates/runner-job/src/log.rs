//! [`JobLog`]: the job's output. Every line goes to the terminal (or CloudWatch) and to `run.log`,
//! which is published with the artifacts. The engine's lines pass through unchanged; the job's own
//! lines are `runner: …` in text mode and dbt-event shaped JSON objects in JSON mode.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Value as Json, json};

/// Output of the job, shared by the threads that relay the engine's stdout and stderr.
pub struct JobLog {
    json: bool,
    run_id: String,
    file: Mutex<Option<File>>,
    path: PathBuf,
    secrets: Mutex<Vec<String>>,
}

impl JobLog {
    /// Logs to the terminal and to `path`.
    pub fn new(json: bool, run_id: &str, path: &Path) -> JobLog {
        let file = File::create(path).ok();
        JobLog {
            json,
            run_id: run_id.to_string(),
            file: Mutex::new(file),
            path: path.to_path_buf(),
            secrets: Mutex::new(Vec::new()),
        }
    }

    /// Never prints `secret`: every line is scrubbed of it (defence in depth; the engine already
    /// keeps credentials out of its output).
    pub fn redact(&self, secret: &str) {
        if secret.len() >= 3 {
            let mut s = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
            s.push(secret.to_string());
            s.sort_by_key(|v| std::cmp::Reverse(v.len()));
        }
    }

    /// The run log file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True for JSON lines.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// One of the job's own messages.
    pub fn info(&self, msg: &str) {
        self.event("info", "RunnerJob", msg, json!({}));
    }

    /// A warning.
    pub fn warn(&self, msg: &str) {
        self.event("warn", "RunnerJobWarning", msg, json!({}));
    }

    /// An error.
    pub fn error(&self, msg: &str) {
        self.event("error", "RunnerJobError", msg, json!({}));
    }

    /// The last line: the outcome in one line, with machine-readable data in JSON mode.
    pub fn summary(&self, msg: &str, data: Json) {
        self.event("info", "RunnerJobSummary", msg, data);
    }

    fn event(&self, level: &str, name: &str, msg: &str, data: Json) {
        if self.json {
            let line = json!({
                "info": {
                    "name": name,
                    "level": level,
                    "msg": msg,
                    "ts": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
                    "invocation_id": self.run_id,
                },
                "data": data,
            });
            self.line(&line.to_string(), false);
        } else {
            for l in msg.lines() {
                self.line(&format!("runner: {l}"), level == "error");
            }
        }
    }

    /// Relays a line of the engine's output. In JSON mode a line that is not already a JSON event
    /// (a message the engine printed to stderr) is wrapped into one, so every line parses.
    pub fn relay(&self, line: &str, stderr: bool) {
        if self.json && !line.trim_start().starts_with('{') {
            if !line.trim().is_empty() {
                let level = if stderr { "warn" } else { "info" };
                self.event(
                    level,
                    "EngineOutput",
                    line,
                    json!({"stream": if stderr { "stderr" } else { "stdout" }}),
                );
            }
            return;
        }
        self.line(line, stderr);
    }

    fn line(&self, text: &str, stderr: bool) {
        let secrets = self
            .secrets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let scrubbed;
        let text = if secrets.iter().any(|s| text.contains(s.as_str())) {
            scrubbed = secrets
                .iter()
                .fold(text.to_string(), |t, s| t.replace(s.as_str(), "*****"));
            scrubbed.as_str()
        } else {
            text
        };
        // One lock for terminal and file keeps lines whole and in the same order in both.
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if stderr {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{text}");
            let _ = err.flush();
        } else {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{text}");
            let _ = out.flush();
        }
        if let Some(f) = file.as_mut() {
            let _ = writeln!(f, "{text}");
        }
    }

    /// Flushes the log file (before it is uploaded, and before exit).
    pub fn flush(&self) {
        if let Some(f) = self.file.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            let _ = f.flush();
            let _ = f.sync_all();
        }
    }
}
