//! `sources.json` (schema v3): the outcome of `source freshness`, in dbt-core 1.12's key order.
//!
//! dbt keeps a source whose check failed (`runtime error`) out of the file: only sources whose
//! freshness was measured are written, so [`SourcesArtifact::to_json`] skips the others too.

use serde_json::{Map, Value as Json, json};

use crate::run_results::{ResponseInfo, Timing};

/// The schema URL dbt writes in `metadata.dbt_schema_version`.
pub const SOURCES_SCHEMA: &str = "https://schemas.getdbt.com/dbt/sources/v3.json";

/// A source's freshness status, as dbt spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FreshnessStatus {
    /// Younger than every threshold.
    Pass,
    /// Older than `warn_after`.
    Warn,
    /// Older than `error_after`.
    Error,
    /// The check itself failed (query, macro, missing `loaded_at_field`).
    RuntimeError,
}

impl FreshnessStatus {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FreshnessStatus::Pass => "pass",
            FreshnessStatus::Warn => "warn",
            FreshnessStatus::Error => "error",
            FreshnessStatus::RuntimeError => "runtime error",
        }
    }

    /// True when the status makes `source freshness` exit 1.
    pub fn is_failure(self) -> bool {
        matches!(self, FreshnessStatus::Error | FreshnessStatus::RuntimeError)
    }
}

/// What a check measured.
#[derive(Debug, Clone)]
pub struct Measured {
    /// The newest load time, in UTC.
    pub max_loaded_at: chrono::DateTime<chrono::Utc>,
    /// The warehouse's clock when it answered, in UTC.
    pub snapshotted_at: chrono::DateTime<chrono::Utc>,
    /// `snapshotted_at - max_loaded_at`, in seconds.
    pub age: f64,
}

/// One source's outcome.
#[derive(Debug, Clone)]
pub struct SourceFreshnessResult {
    /// `source.pkg.source_name.table`.
    pub unique_id: String,
    /// Outcome.
    pub status: FreshnessStatus,
    /// What was measured (`None` for a runtime error).
    pub measured: Option<Measured>,
    /// The thresholds as dbt writes them: `{warn_after, error_after, filter}`.
    pub criteria: Json,
    /// What the freshness query returned.
    pub adapter_response: ResponseInfo,
    /// `compile` and `execute`.
    pub timing: Vec<Timing>,
    /// `Thread-1 (worker)`.
    pub thread_id: String,
    /// Seconds spent.
    pub execution_time: f64,
    /// The error of a runtime error.
    pub message: Option<String>,
}

/// The whole artifact.
#[derive(Debug, Clone)]
pub struct SourcesArtifact {
    /// dbt version runner reproduces.
    pub dbt_version: String,
    /// When the artifact was written.
    pub generated_at: chrono::DateTime<chrono::Utc>,
    /// The invocation id.
    pub invocation_id: String,
    /// When the invocation started.
    pub invocation_started_at: chrono::DateTime<chrono::Utc>,
    /// Results in completion order.
    pub results: Vec<SourceFreshnessResult>,
    /// Seconds for the whole check.
    pub elapsed_time: f64,
}

/// An aware UTC datetime as Python's `isoformat()` writes it: microseconds only when there are some.
pub fn python_isoformat(t: &chrono::DateTime<chrono::Utc>) -> String {
    if t.timestamp_subsec_micros() == 0 {
        t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
    }
}

/// An adapter response with only the fields the adapter gave, as in run_results.json.
fn response_json(r: &ResponseInfo) -> Json {
    let mut m = Map::new();
    if let Some(v) = &r.message {
        m.insert("_message".into(), json!(v));
    }
    if let Some(v) = &r.code {
        m.insert("code".into(), json!(v));
    }
    if let Some(v) = r.rows_affected {
        m.insert("rows_affected".into(), json!(v));
    }
    Json::Object(m)
}

impl SourceFreshnessResult {
    /// The entry in dbt's key order, or `None` for a runtime error (dbt leaves those out).
    pub fn to_json(&self) -> Option<Json> {
        let measured = self.measured.as_ref()?;
        if self.status == FreshnessStatus::RuntimeError {
            return None;
        }
        let timing: Vec<Json> = self
            .timing
            .iter()
            .map(|t| {
                json!({
                    "name": t.name,
                    "started_at": crate::run_results::time(&t.started_at),
                    "completed_at": crate::run_results::time(&t.completed_at),
                })
            })
            .collect();
        let mut m = Map::new();
        m.insert("unique_id".into(), json!(self.unique_id));
        m.insert(
            "max_loaded_at".into(),
            json!(python_isoformat(&measured.max_loaded_at)),
        );
        m.insert(
            "snapshotted_at".into(),
            json!(python_isoformat(&measured.snapshotted_at)),
        );
        m.insert("max_loaded_at_time_ago_in_s".into(), json!(measured.age));
        m.insert("status".into(), json!(self.status.as_str()));
        m.insert("criteria".into(), self.criteria.clone());
        m.insert(
            "adapter_response".into(),
            response_json(&self.adapter_response),
        );
        m.insert("timing".into(), Json::Array(timing));
        m.insert("thread_id".into(), json!(self.thread_id));
        m.insert("execution_time".into(), json!(self.execution_time));
        Some(Json::Object(m))
    }
}

impl SourcesArtifact {
    /// The artifact in dbt's key order.
    pub fn to_json(&self) -> Json {
        json!({
            "metadata": crate::run_results::invocation_metadata(
                SOURCES_SCHEMA,
                &self.dbt_version,
                &self.generated_at,
                &self.invocation_id,
                &self.invocation_started_at,
            ),
            "results": self.results.iter().filter_map(SourceFreshnessResult::to_json).collect::<Vec<_>>(),
            "elapsed_time": self.elapsed_time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn isoformat_drops_zero_microseconds_as_python_does() {
        let t = chrono::Utc.with_ymd_and_hms(2020, 1, 3, 10, 45, 0).unwrap();
        assert_eq!(python_isoformat(&t), "2020-01-03T10:45:00+00:00");
        let t = t + chrono::Duration::microseconds(602_913);
        assert_eq!(python_isoformat(&t), "2020-01-03T10:45:00.602913+00:00");
    }

    #[test]
    fn runtime_errors_are_left_out_of_the_file() {
        let at = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let result = |id: &str, status, measured| SourceFreshnessResult {
            unique_id: id.into(),
            status,
            measured,
            criteria: json!({"warn_after": null, "error_after": null, "filter": null}),
            adapter_response: ResponseInfo::default(),
            timing: Vec::new(),
            thread_id: "Thread-1 (worker)".into(),
            execution_time: 0.5,
            message: None,
        };
        let artifact = SourcesArtifact {
            dbt_version: "1.12.6".into(),
            generated_at: at,
            invocation_id: "id".into(),
            invocation_started_at: at,
            results: vec![
                result("source.p.s.broken", FreshnessStatus::RuntimeError, None),
                result(
                    "source.p.s.ok",
                    FreshnessStatus::Pass,
                    Some(Measured {
                        max_loaded_at: at,
                        snapshotted_at: at,
                        age: 0.0,
                    }),
                ),
            ],
            elapsed_time: 1.0,
        };
        let json = artifact.to_json();
        let results = json["results"].as_array().unwrap();
        assert_eq!(results.len(), 1);
        assert_eq!(results[0]["unique_id"], "source.p.s.ok");
        assert_eq!(results[0]["max_loaded_at_time_ago_in_s"], json!(0.0));
    }
}
