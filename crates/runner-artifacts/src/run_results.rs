//! `run_results.json` (schema v6): one entry per executed node, in dbt-core 1.12's key order.

use serde_json::{Map, Value as Json, json};

/// The schema URL dbt writes in `metadata.dbt_schema_version`.
pub const RUN_RESULTS_SCHEMA: &str = "https://schemas.getdbt.com/dbt/run-results/v6.json";

/// A node's outcome, as dbt names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RunStatus {
    /// A model, seed, snapshot or hook ran.
    Success,
    /// It failed with an error (SQL, template, connection).
    Error,
    /// Not run because something upstream failed.
    Skipped,
    /// A test found nothing wrong.
    Pass,
    /// A test failed.
    Fail,
    /// A test crossed its warn threshold.
    Warn,
    /// Nothing to do (semantic models, saved queries in `build`).
    NoOp,
}

impl RunStatus {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Success => "success",
            RunStatus::Error => "error",
            RunStatus::Skipped => "skipped",
            RunStatus::Pass => "pass",
            RunStatus::Fail => "fail",
            RunStatus::Warn => "warn",
            RunStatus::NoOp => "no-op",
        }
    }

    /// True when the node counts against the exit code.
    pub fn is_failure(self) -> bool {
        matches!(self, RunStatus::Error | RunStatus::Fail)
    }
}

/// One phase of a node's run (`compile`, `execute`) with RFC 3339 UTC times.
#[derive(Debug, Clone)]
pub struct Timing {
    /// `compile` or `execute`.
    pub name: &'static str,
    /// Start.
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// End.
    pub completed_at: chrono::DateTime<chrono::Utc>,
}

/// dbt's `AdapterResponse` as stored in results: only the fields the adapter gave.
#[derive(Debug, Clone, Default)]
pub struct ResponseInfo {
    /// `_message`.
    pub message: Option<String>,
    /// `code`.
    pub code: Option<String>,
    /// `rows_affected`.
    pub rows_affected: Option<i64>,
}

impl ResponseInfo {
    fn to_json(&self) -> Json {
        let mut m = Map::new();
        if let Some(v) = &self.message {
            m.insert("_message".into(), json!(v));
        }
        if let Some(v) = &self.code {
            m.insert("code".into(), json!(v));
        }
        if let Some(v) = self.rows_affected {
            m.insert("rows_affected".into(), json!(v));
        }
        Json::Object(m)
    }
}

/// One entry of `results`.
#[derive(Debug, Clone)]
pub struct NodeRunResult {
    /// `model.pkg.name`, …
    pub unique_id: String,
    /// Outcome.
    pub status: RunStatus,
    /// Phases.
    pub timing: Vec<Timing>,
    /// `Thread-1 (worker)`.
    pub thread_id: String,
    /// Seconds spent.
    pub execution_time: f64,
    /// What the main statement returned.
    pub adapter_response: ResponseInfo,
    /// Status text or error message.
    pub message: Option<String>,
    /// Tests: failing rows.
    pub failures: Option<i64>,
    /// SQL as compiled, when the node was compiled.
    pub compiled_code: Option<String>,
    /// Relation name (models, seeds, snapshots).
    pub relation_name: Option<String>,
}

/// A UTC time as dbt writes it in artifacts: microseconds and a `Z`.
pub(crate) fn time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

impl NodeRunResult {
    /// The entry in dbt's key order.
    pub fn to_json(&self) -> Json {
        let timing: Vec<Json> = self
            .timing
            .iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "started_at": time(&t.started_at),
                    "completed_at": time(&t.completed_at),
                })
            })
            .collect();
        json!({
            "status": self.status.as_str(),
            "timing": timing,
            "thread_id": self.thread_id,
            "execution_time": self.execution_time,
            "adapter_response": self.adapter_response.to_json(),
            "message": self.message,
            "failures": self.failures,
            "unique_id": self.unique_id,
            // A macro (`run-operation`) is never compiled; dbt says so with false, not null.
            "compiled": if self.unique_id.starts_with("macro.") {
                Some(false)
            } else {
                self.compiled_code.as_ref().map(|_| true)
            },
            "compiled_code": self.compiled_code,
            "relation_name": self.relation_name,
            "batch_results": null,
            "overload_results": null,
        })
    }
}

/// The whole artifact.
#[derive(Debug, Clone)]
pub struct RunResults {
    /// dbt version runner reproduces.
    pub dbt_version: String,
    /// When the artifact was written.
    pub generated_at: chrono::DateTime<chrono::Utc>,
    /// The invocation id.
    pub invocation_id: String,
    /// When the invocation started.
    pub invocation_started_at: chrono::DateTime<chrono::Utc>,
    /// Node results in completion order.
    pub results: Vec<NodeRunResult>,
    /// Seconds for the whole run.
    pub elapsed_time: f64,
    /// The invocation's arguments (`which`, `select`, …).
    pub args: Map<String, Json>,
}

/// The `metadata` block of the per-invocation artifacts (run_results.json, sources.json).
pub(crate) fn invocation_metadata(
    schema: &str,
    dbt_version: &str,
    generated_at: &chrono::DateTime<chrono::Utc>,
    invocation_id: &str,
    started_at: &chrono::DateTime<chrono::Utc>,
) -> Json {
    json!({
        "dbt_schema_version": schema,
        "dbt_version": dbt_version,
        "generated_at": time(generated_at),
        "invocation_id": invocation_id,
        "invocation_started_at": time(started_at),
        "env": {},
    })
}

impl RunResults {
    /// The artifact in dbt's key order.
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).expect("run results serialize to JSON")
    }
}

/// Written one result at a time: with `compiled_code` in every result, building the whole
/// artifact as one value first was the peak of a large run's memory.
impl serde::Serialize for RunResults {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Results<'a>(&'a [NodeRunResult]);
        impl serde::Serialize for Results<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter().map(NodeRunResult::to_json))
            }
        }
        let metadata = invocation_metadata(
            RUN_RESULTS_SCHEMA,
            &self.dbt_version,
            &self.generated_at,
            &self.invocation_id,
            &self.invocation_started_at,
        );
        let mut m = serializer.serialize_map(Some(4))?;
        m.serialize_entry("metadata", &metadata)?;
        m.serialize_entry("results", &Results(&self.results))?;
        m.serialize_entry("elapsed_time", &self.elapsed_time)?;
        m.serialize_entry("args", &self.args)?;
        m.end()
    }
}
