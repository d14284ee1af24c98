//! A data test's verdict from its `main` row (`failures`, `should_warn`, `should_error`) and its
//! `severity`, `warn_if` and `error_if` config, worded as dbt words it.

use runner_artifacts::{ManifestNode, NodeRunResult, RunStatus};
use runner_jinja::Value;
use serde_json::Value as Json;

fn truthy(v: &Value) -> bool {
    match v {
        Value::Str(s) => matches!(s.to_ascii_lowercase().as_str(), "true" | "t" | "1"),
        other => other.is_true(),
    }
}

/// Sets status, message and failures on a test's result from the query's first row.
pub fn apply(result: &mut NodeRunResult, node: &ManifestNode, table: Option<&Value>) {
    let row = table
        .and_then(|t| t.get_attr("rows").try_iter().ok())
        .and_then(|rows| rows.into_iter().next());
    let Some(row) = row else {
        result.status = RunStatus::Error;
        result.message = Some(format!(
            "Runtime Error in test {} ({})\n  The test query returned no rows",
            node.name, node.original_file_path
        ));
        return;
    };
    let cell = |i: i64| row.get_item(&Value::Int(i));
    let failures = match cell(0) {
        Value::Int(n) => n,
        Value::Float(f) => f as i64,
        Value::None => 0,
        other => other.to_python_str().parse().unwrap_or(0),
    };
    let should_warn = truthy(&cell(1));
    let should_error = truthy(&cell(2));
    let config = |k: &str, default: &str| {
        node.config
            .get(k)
            .and_then(Json::as_str)
            .unwrap_or(default)
            .to_string()
    };
    let severity = config("severity", "ERROR").to_ascii_uppercase();
    result.failures = Some(failures);
    let plural = if failures == 1 { "" } else { "s" };
    if severity == "ERROR" && should_error {
        result.status = RunStatus::Fail;
        result.message = Some(format!(
            "Got {failures} result{plural}, configured to fail if {}",
            config("error_if", "!= 0")
        ));
    } else if should_warn {
        result.status = RunStatus::Warn;
        result.message = Some(format!(
            "Got {failures} result{plural}, configured to warn if {}",
            config("warn_if", "!= 0")
        ));
    } else {
        // dbt reports a passing test's failures as 0, even when the query counted some that
        // its thresholds (`error_if: ">10"`) let through.
        result.status = RunStatus::Pass;
        result.message = None;
        result.failures = Some(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runner_artifacts::{ResourceType, ResponseInfo};

    fn verdict(row: Vec<Value>, config: serde_json::Value) -> NodeRunResult {
        let mut node = ManifestNode::new(ResourceType::Test, "p", "t");
        if let Json::Object(c) = config {
            node.config = c.into();
        }
        let mut result = NodeRunResult {
            unique_id: "test.p.t".into(),
            status: RunStatus::Success,
            timing: Vec::new(),
            thread_id: "Thread-1".into(),
            execution_time: 0.0,
            adapter_response: ResponseInfo::default(),
            message: None,
            failures: None,
            compiled_code: None,
            relation_name: None,
        };
        let mut table = indexmap::IndexMap::new();
        table.insert(Value::from("rows"), Value::list(vec![Value::list(row)]));
        apply(&mut result, &node, Some(&Value::dict(table)));
        result
    }

    #[test]
    fn a_test_its_thresholds_let_pass_reports_no_failures() {
        let r = verdict(
            vec![Value::Int(6), Value::Bool(false), Value::Bool(false)],
            serde_json::json!({"error_if": "<1", "warn_if": "<0"}),
        );
        assert_eq!((r.status, r.failures), (RunStatus::Pass, Some(0)));
        let r = verdict(
            vec![Value::Int(6), Value::Bool(true), Value::Bool(false)],
            serde_json::json!({}),
        );
        assert_eq!((r.status, r.failures), (RunStatus::Warn, Some(6)));
    }
}
