//! `source freshness`'s console lines as dbt prints them: `1 of 3 START freshness of shop.orders
//! .... [RUN]`, the `PASS`/`WARN`/`ERROR STALE`/`ERROR` result lines, `Finished running 3 sources
//! in …`, the errors again at the end and `Done.`; with `--log-format json`, one event per line
//! under dbt's event names (`LogStartLine`, `LogFreshnessResult`, `FreshnessCheckComplete`, …).
//!
//! The run verbs' [`crate::Console`] names its events for nodes; freshness has events of its own,
//! so it has its own writer, with the same text shape and the same JSON events
//! ([`crate::console::json_event`]).

use std::io::Write;
use std::sync::Mutex;

use runner_artifacts::sources::{FreshnessStatus, SourceFreshnessResult};
use serde_json::{Value as Json, json};

/// dbt's line width before the status bracket.
const WIDTH: usize = 80;

/// What a line says about its source.
pub struct SourceLabel<'a> {
    /// `source.pkg.source_name.table`.
    pub unique_id: &'a str,
    /// The source's name.
    pub source_name: &'a str,
    /// The table's name.
    pub name: &'a str,
    /// The YAML file declaring it.
    pub path: &'a str,
}

/// Where freshness output goes.
pub struct FreshnessOutput {
    json: bool,
    quiet: bool,
    invocation_id: String,
    lock: Mutex<()>,
}

fn justify(prefix: &str, status: &str, time: Option<f64>) -> String {
    let mut line = format!("{prefix} ");
    while line.len() < WIDTH {
        line.push('.');
    }
    match time {
        Some(t) => format!("{line} [{status} in {t:.2}s]"),
        None => format!("{line} [{status}]"),
    }
}

impl FreshnessOutput {
    /// Text unless `json`; `quiet` keeps only error-level lines (failed sources and their details).
    pub fn new(json: bool, quiet: bool, invocation_id: &str) -> FreshnessOutput {
        FreshnessOutput {
            json,
            quiet,
            invocation_id: invocation_id.to_string(),
            lock: Mutex::new(()),
        }
    }

    fn emit(&self, level: &str, name: &str, msg: &str, data: Json) {
        // `--quiet` keeps errors only, as dbt's does.
        if self.quiet && level != "error" {
            return;
        }
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let now = chrono::Utc::now();
        let mut out = std::io::stdout().lock();
        if self.json {
            let line =
                crate::console::json_event(now, level, name, msg, data, Some(&self.invocation_id));
            let _ = writeln!(out, "{line}");
        } else {
            // Continuation lines of a message (a database error's detail) carry no time, as in dbt.
            let mut lines = msg.lines();
            let first = lines.next().unwrap_or("");
            let _ = writeln!(out, "{}  {first}", now.format("%H:%M:%S"));
            for l in lines {
                let _ = writeln!(out, "{l}");
            }
        }
        let _ = out.flush();
    }

    /// A plain line (`Concurrency: …`, a blank one).
    pub fn info(&self, name: &str, msg: &str) {
        self.emit("info", name, msg, json!({}));
    }

    /// A `[WARNING]: …` line.
    pub fn warning(&self, msg: &str) {
        self.emit("warn", "Note", &format!("[WARNING]: {msg}"), json!({}));
    }

    /// dbt's deprecation warning: `[WARNING][Name]: Deprecated functionality`, then the detail.
    pub fn deprecation(&self, name: &str, detail: &str) {
        self.emit(
            "warn",
            name,
            &format!("[WARNING][{name}]: Deprecated functionality\n{detail}"),
            json!({}),
        );
    }

    /// `i of n START freshness of source.table`.
    pub fn start(&self, index: usize, total: usize, source: &SourceLabel) {
        let description = format!("freshness of {}.{}", source.source_name, source.name);
        let line = justify(
            &format!("{index} of {total} START {description}"),
            "RUN",
            None,
        );
        self.emit(
            "info",
            "LogStartLine",
            &line,
            json!({"description": description, "index": index, "total": total,
                   "node_info": {"unique_id": source.unique_id, "node_status": "started"}}),
        );
    }

    /// The result line of one source.
    pub fn result(
        &self,
        index: usize,
        total: usize,
        source: &SourceLabel,
        status: FreshnessStatus,
        time: f64,
    ) {
        let (word, level) = match status {
            FreshnessStatus::Pass => ("PASS", "info"),
            FreshnessStatus::Warn => ("WARN", "warn"),
            FreshnessStatus::Error => ("ERROR STALE", "error"),
            FreshnessStatus::RuntimeError => ("ERROR", "error"),
        };
        let line = justify(
            &format!(
                "{index} of {total} {word} freshness of {}.{}",
                source.source_name, source.name
            ),
            word,
            Some(time),
        );
        self.emit(
            level,
            "LogFreshnessResult",
            &line,
            json!({"status": status.as_str(), "source_name": source.source_name,
                   "table_name": source.name, "index": index, "total": total,
                   "execution_time": time,
                   "node_info": {"unique_id": source.unique_id, "node_status": status.as_str()}}),
        );
    }

    /// The closing lines: the tally (after a blank line unless the hooks' lines just ended with
    /// one), each failed source again, `Done.`.
    pub fn summary(
        &self,
        results: &[(SourceFreshnessResult, SourceLabel)],
        hooks: usize,
        blank_first: bool,
        elapsed: f64,
    ) {
        let n = results.len();
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut ran = format!("{n} source{}", plural(n));
        if hooks > 0 {
            ran = format!("{hooks} project hook{}, {ran}", plural(hooks));
        }
        let hours = (elapsed / 3600.0).floor();
        let minutes = ((elapsed - hours * 3600.0) / 60.0).floor();
        let rest = elapsed - hours * 3600.0 - minutes * 60.0;
        if blank_first {
            self.info("Formatting", "");
        }
        self.emit(
            "info",
            "FinishedRunningStats",
            &format!(
                "Finished running {ran} in {hours} hours {minutes} minutes and {rest:.2} seconds ({elapsed:.2}s)."
            ),
            json!({"stat_line": ran, "execution_time": elapsed}),
        );
        for (r, source) in results {
            let node = json!({"unique_id": source.unique_id});
            match r.status {
                FreshnessStatus::RuntimeError => {
                    self.emit("error", "Formatting", "", json!({}));
                    let message = r.message.clone().unwrap_or_default();
                    self.emit(
                        "error",
                        "RunResultError",
                        &format!("  {message}"),
                        json!({"msg": message, "node_info": node}),
                    );
                }
                FreshnessStatus::Error => {
                    self.emit("error", "Formatting", "", json!({}));
                    self.emit(
                        "error",
                        "RunResultFailure",
                        &format!("[ERROR]: in source {} ({})", source.name, source.path),
                        json!({"node_name": source.name, "path": source.path, "resource_type": "source", "node_info": node}),
                    );
                    self.emit(
                        "error",
                        "RunResultErrorNoMessage",
                        "  Status: error",
                        json!({"status": "error", "node_info": node}),
                    );
                }
                _ => {}
            }
        }
        self.done();
    }

    /// dbt's last line of the command.
    pub fn done(&self) {
        self.emit("info", "FreshnessCheckComplete", "Done.", json!({}));
    }
}
