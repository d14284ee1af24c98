//! dbt's console lines: `1 of 28 START sql table model main.customers .... [RUN]`, the result line
//! of each node, and the closing summary (`Done. PASS=… WARN=… ERROR=… SKIP=… TOTAL=…`), as text or
//! as one JSON object per line.

use std::io::Write;
use std::sync::Mutex;

use runner_artifacts::{ManifestNode, NodeRunResult, ResourceType, RunStatus};
use serde_json::{Value as Json, json};

/// dbt's line width before the status bracket.
const WIDTH: usize = 80;

/// Where run output goes.
pub struct Console {
    json: bool,
    quiet: bool,
    invocation_id: Option<String>,
    lock: Mutex<()>,
}

/// One dbt-shaped JSON log event (`{"info": {name, level, msg, ts, invocation_id}, "data": …}`),
/// shared by every writer of JSON lines in the engine.
pub fn json_event(
    at: chrono::DateTime<chrono::Utc>,
    level: &str,
    name: &str,
    msg: &str,
    data: Json,
    invocation_id: Option<&str>,
) -> Json {
    json!({
        "info": {
            "name": name,
            "level": level,
            "msg": msg,
            "ts": at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            "invocation_id": invocation_id,
        },
        "data": data,
    })
}

/// How a node is named in its START and result lines.
pub fn describe(node: &ManifestNode) -> String {
    let relation = format!("{}.{}", node.schema, node.alias);
    match node.resource_type {
        ResourceType::Model => format!(
            "sql {} model {relation}",
            node.config
                .get("materialized")
                .and_then(Json::as_str)
                .unwrap_or("view")
        ),
        ResourceType::Seed => format!("seed file {relation}"),
        ResourceType::Snapshot => format!("snapshot {relation}"),
        ResourceType::Test => format!("test {}", node.name),
        ResourceType::Operation => format!("hook: {}", node.name),
        ResourceType::UnitTest => format!("unit_test {}", node.alias),
        ResourceType::SavedQuery => format!("saved query {}", node.name),
        ResourceType::Exposure => format!("exposure {}", node.name),
        _ => node.name.clone(),
    }
}

impl Console {
    /// Text unless `json`; `quiet` keeps only errors and the summary.
    pub fn new(json: bool, quiet: bool) -> Console {
        Console {
            json,
            quiet,
            invocation_id: None,
            lock: Mutex::new(()),
        }
    }

    /// Stamps JSON events with the run's invocation id, as dbt's are.
    pub fn with_invocation(mut self, invocation_id: &str) -> Console {
        self.invocation_id = Some(invocation_id.to_string());
        self
    }

    fn emit(&self, level: &str, name: &str, msg: &str, data: Json) {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let now = chrono::Utc::now();
        let mut out = std::io::stdout().lock();
        if self.json {
            let line = json_event(now, level, name, msg, data, self.invocation_id.as_deref());
            let _ = writeln!(out, "{line}");
        } else {
            for l in msg.lines() {
                let _ = writeln!(out, "{}  {l}", now.format("%H:%M:%S"));
            }
            if msg.is_empty() {
                let _ = writeln!(out, "{}  ", now.format("%H:%M:%S"));
            }
        }
        let _ = out.flush();
    }

    /// A plain informational line.
    pub fn info(&self, msg: &str) {
        if !self.quiet {
            self.emit("info", "Note", msg, json!({}));
        }
    }

    /// The first line of every run: runner's version and the dbt version it reproduces.
    pub fn running(&self) {
        self.info(&format!(
            "Running with runner {} (dbt {} compatible)",
            env!("CARGO_PKG_VERSION"),
            runner_compile::DBT_VERSION
        ));
    }

    /// dbt's `Found 5 models, 3 seeds, …` line, then a blank one.
    pub fn found(&self, manifest: &runner_artifacts::Manifest) {
        self.found_line(manifest);
        self.info("");
    }

    /// The `Found …` line alone (dbt puts selection warnings between it and the blank line).
    pub fn found_line(&self, manifest: &runner_artifacts::Manifest) {
        let count = |t: ResourceType| {
            manifest
                .nodes
                .values()
                .filter(|n| n.resource_type == t && runner_compile::is_enabled(n))
                .count()
        };
        self.info(&format!(
            "Found {} models, {} seeds, {} data tests, {} sources, {} macros",
            count(ResourceType::Model),
            count(ResourceType::Seed),
            count(ResourceType::Test),
            manifest.sources.len(),
            manifest.macros.len()
        ));
    }

    /// A template's `log(msg, info=True)` (hidden when quiet) or `print(msg)` line (always shown;
    /// as text it has no timestamp), as dbt's JinjaLogInfo and PrintEvent.
    pub fn template_line(&self, kind: runner_compile::context::output::TemplateLine, msg: &str) {
        use runner_compile::context::output::TemplateLine;
        match kind {
            TemplateLine::Log if self.quiet => {}
            TemplateLine::Log => self.emit("info", "JinjaLogInfo", msg, json!({ "msg": msg })),
            TemplateLine::Print if self.json => {
                self.emit("info", "PrintEvent", msg, json!({ "msg": msg }))
            }
            TemplateLine::Print => {
                let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{msg}");
                let _ = out.flush();
            }
        }
    }

    /// A warning line (dbt's `[WARNING]: …`), hidden when quiet.
    pub fn warn(&self, msg: &str) {
        if !self.quiet {
            let text = if self.json {
                msg.to_string()
            } else {
                format!("[WARNING]: {msg}")
            };
            self.emit("warn", "Note", &text, json!({}));
        }
    }

    /// An error line (printed even when quiet).
    pub fn error(&self, msg: &str) {
        self.emit("error", "RunnerError", msg, json!({}));
    }

    fn fancy(prefix: &str, status: &str, time: Option<f64>, truncate: bool) -> String {
        let mut justified = format!("{prefix} ");
        while justified.len() < WIDTH {
            justified.push('.');
        }
        if truncate && justified.len() > WIDTH - 3 {
            let mut cut = WIDTH - 3;
            while !justified.is_char_boundary(cut) {
                cut -= 1;
            }
            justified.truncate(cut);
            justified.push_str("...");
        }
        match time {
            Some(t) => format!("{justified} [{status} in {t:.2}s]"),
            None => format!("{justified} [{status}]"),
        }
    }

    /// `i of n START …`.
    pub fn start(&self, index: usize, total: usize, node: &ManifestNode) {
        if self.quiet {
            return;
        }
        let line = Self::fancy(
            &format!("{index} of {total} START {}", describe(node)),
            "RUN",
            None,
            false,
        );
        self.emit(
            "info",
            "NodeStart",
            &line,
            json!({"node_info": {"unique_id": node.unique_id}}),
        );
    }

    /// The result line of a node.
    pub fn result(&self, index: usize, total: usize, node: &ManifestNode, r: &NodeRunResult) {
        let desc = describe(node);
        // Unit tests are named `model::test` in result lines.
        let name = if node.resource_type == ResourceType::UnitTest {
            node.alias.as_str()
        } else {
            node.name.as_str()
        };
        let message = r.message.clone().unwrap_or_default();
        let (verb, status) = match (node.resource_type, r.status) {
            (_, RunStatus::Skipped) => (
                match node.resource_type {
                    ResourceType::Test => format!("SKIP test {name}"),
                    ResourceType::UnitTest => format!("SKIP unit_test {name}"),
                    _ => format!("SKIP relation {}.{}", node.schema, node.alias),
                },
                "SKIP".to_string(),
            ),
            (_, RunStatus::Error) => (
                match node.resource_type {
                    ResourceType::Test | ResourceType::UnitTest => format!("ERROR {name}"),
                    ResourceType::Seed => format!("ERROR loading {desc}"),
                    _ => format!("ERROR creating {desc}"),
                },
                "ERROR".to_string(),
            ),
            (_, RunStatus::Pass) => (format!("PASS {name}"), "PASS".to_string()),
            (_, RunStatus::NoOp) => (format!("NO-OP {desc}"), "NO-OP".to_string()),
            (_, RunStatus::Fail) => (
                format!("FAIL {} {name}", r.failures.unwrap_or(0)),
                format!("FAIL {}", r.failures.unwrap_or(0)),
            ),
            (_, RunStatus::Warn) => (
                format!("WARN {} {name}", r.failures.unwrap_or(0)),
                format!("WARN {}", r.failures.unwrap_or(0)),
            ),
            (ResourceType::Seed, _) => (format!("OK loaded {desc}"), message),
            (ResourceType::Operation, _) => (format!("OK {desc}"), "OK".to_string()),
            (_, _) => (format!("OK created {desc}"), message),
        };
        if self.quiet && !r.status.is_failure() {
            return;
        }
        let time = (r.status != RunStatus::Skipped).then_some(r.execution_time);
        let line = Self::fancy(&format!("{index} of {total} {verb}"), &status, time, false);
        let level = if r.status.is_failure() {
            "error"
        } else {
            "info"
        };
        self.emit(
            level,
            "NodeFinished",
            &line,
            json!({"node_info": {"unique_id": node.unique_id, "node_status": r.status.as_str()}, "execution_time": r.execution_time}),
        );
    }

    /// The closing lines: what ran, errors in detail, and the `Done.` tally.
    pub fn summary(&self, results: &[(NodeRunResult, &ManifestNode)], elapsed: f64) {
        let mut kinds: Vec<(String, usize)> = Vec::new();
        for (_, node) in results {
            let kind = match node.resource_type {
                ResourceType::Model => format!(
                    "{} model",
                    node.config
                        .get("materialized")
                        .and_then(Json::as_str)
                        .unwrap_or("view")
                ),
                ResourceType::Test => "data test".to_string(),
                ResourceType::UnitTest => "unit test".to_string(),
                ResourceType::SavedQuery => "saved query".to_string(),
                ResourceType::Operation => "hook".to_string(),
                other => other.as_str().to_string(),
            };
            match kinds.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => kinds.push((kind, 1)),
            }
        }
        let ran = kinds
            .iter()
            .map(|(k, n)| format!("{n} {k}{}", if *n == 1 { "" } else { "s" }))
            .collect::<Vec<_>>()
            .join(", ");
        let secs = elapsed;
        let hours = (secs / 3600.0).floor();
        let minutes = ((secs - hours * 3600.0) / 60.0).floor();
        let rest = secs - hours * 3600.0 - minutes * 60.0;
        self.info("");
        self.info(&format!(
            "Finished running {ran} in {hours} hours {minutes} minutes and {rest:.2} seconds ({secs:.2}s)."
        ));
        let count = |s: RunStatus| results.iter().filter(|(r, _)| r.status == s).count();
        let errors = count(RunStatus::Error) + count(RunStatus::Fail);
        let warns = count(RunStatus::Warn);
        self.info("");
        if errors == 0 && warns == 0 {
            self.info("Completed successfully");
        } else {
            let word = "Completed with";
            self.emit(
                if errors > 0 { "error" } else { "warn" },
                "EndOfRunSummary",
                &format!(
                    "{word} {errors} error{}, 0 partial successes, and {warns} warning{}:",
                    if errors == 1 { "" } else { "s" },
                    if warns == 1 { "" } else { "s" }
                ),
                json!({}),
            );
            for (r, node) in results {
                let detail = match r.status {
                    RunStatus::Fail => format!(
                        "Failure in {} {} ({})\n  {}",
                        if node.resource_type == ResourceType::UnitTest {
                            "unit_test"
                        } else {
                            "test"
                        },
                        node.name,
                        node.original_file_path,
                        r.message.clone().unwrap_or_default()
                    ),
                    RunStatus::Warn => format!(
                        "Warning in test {} ({})\n  {}",
                        node.name,
                        node.original_file_path,
                        r.message.clone().unwrap_or_default()
                    ),
                    RunStatus::Error => r.message.clone().unwrap_or_default(),
                    _ => continue,
                };
                self.emit("error", "RunResultError", "", json!({}));
                self.emit(
                    "error",
                    "RunResultError",
                    &detail,
                    json!({"unique_id": node.unique_id}),
                );
            }
        }
        self.emit("info", "StatsLine", "", json!({}));
        let line = format!(
            "Done. PASS={} WARN={warns} ERROR={errors} SKIP={} NO-OP={} REUSED=0 TOTAL={}",
            count(RunStatus::Success) + count(RunStatus::Pass),
            count(RunStatus::Skipped),
            count(RunStatus::NoOp),
            results.len()
        );
        self.emit("info", "StatsLine", &line, json!({}));
    }
}
