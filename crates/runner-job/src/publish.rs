//! Publishing a run: its artifacts to `runs/<run-id>/` and `latest/`, and its history records
//! (one JSON line per run, one per node result) under date partitions that Athena reads through the
//! Glue tables Terraform declares (partition projection: no crawler, no Glue writes at run time).

use std::path::{Path, PathBuf};

use runner_aws::{Aws, S3Location};
use serde_json::{Value as Json, json};

use crate::JobError;
use crate::error::io;
use crate::layout;

/// Where artifacts go.
#[derive(Debug, Clone)]
pub enum Destination {
    /// An S3 prefix.
    S3(S3Location),
    /// A local directory.
    Local(PathBuf),
}

impl Destination {
    /// `s3://bucket/prefix` or a directory.
    pub fn parse(text: &str) -> Result<Destination, JobError> {
        if S3Location::is_s3(text) {
            Ok(Destination::S3(S3Location::parse(text)?))
        } else if text.trim().is_empty() {
            Err(JobError::Option {
                option: "--artifacts / RUNNER_ARTIFACTS",
                message: "empty".into(),
            })
        } else {
            Ok(Destination::Local(PathBuf::from(text)))
        }
    }

    /// A sub-folder of this destination.
    pub fn below(&self, folder: &str) -> Destination {
        match self {
            Destination::S3(s3) => Destination::S3(s3.join(&[folder])),
            Destination::Local(dir) => Destination::Local(dir.join(folder)),
        }
    }

    /// The address of `parts` below this destination, for messages.
    pub fn describe(&self, parts: &[&str]) -> String {
        match self {
            Destination::S3(s3) => s3.join(parts).to_string(),
            Destination::Local(dir) => parts
                .iter()
                .fold(dir.clone(), |p, part| p.join(part))
                .display()
                .to_string(),
        }
    }

    /// Copies a local file to `parts` below this destination.
    pub fn put_file(&self, aws: &Aws, parts: &[&str], from: &Path) -> Result<(), JobError> {
        match self {
            Destination::S3(s3) => Ok(aws.s3_upload(from, &s3.join(parts), content_type(from))?),
            Destination::Local(dir) => {
                let to = parts.iter().fold(dir.clone(), |p, part| p.join(part));
                if let Some(parent) = to.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(io(format!("creating {}", parent.display())))?;
                }
                std::fs::copy(from, &to).map_err(io(format!(
                    "copying {} to {}",
                    from.display(),
                    to.display()
                )))?;
                Ok(())
            }
        }
    }

    /// Writes bytes to `parts` below this destination.
    pub fn put_bytes(
        &self,
        aws: &Aws,
        parts: &[&str],
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), JobError> {
        match self {
            Destination::S3(s3) => Ok(aws.s3_put(&s3.join(parts), body, content_type)?),
            Destination::Local(dir) => {
                let to = parts.iter().fold(dir.clone(), |p, part| p.join(part));
                if let Some(parent) = to.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(io(format!("creating {}", parent.display())))?;
                }
                std::fs::write(&to, body).map_err(io(format!("writing {}", to.display())))
            }
        }
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => "application/json",
        Some("html") => "text/html; charset=utf-8",
        Some("gz") => "application/gzip",
        _ => "text/plain; charset=utf-8",
    }
}

/// The files of a run, by their name in the published folder.
pub fn run_files(
    target_dir: &Path,
    log: &Path,
    steps: &[(String, PathBuf)],
) -> Vec<(String, PathBuf)> {
    let mut files: Vec<(String, PathBuf)> = [
        "manifest.json",
        "run_results.json",
        "sources.json",
        "catalog.json",
        "index.html",
    ]
    .iter()
    .map(|name| (name.to_string(), target_dir.join(name)))
    .filter(|(_, p)| p.is_file())
    .collect();
    files.extend(steps.iter().filter(|(_, p)| p.is_file()).cloned());
    files.push(("run.log".into(), log.to_path_buf()));
    files
}

/// Uploads `files` to the run's folder and to `latest/`, file by file. Nothing is deleted (the task
/// role has no s3:DeleteObject): a file an older run produced and this one did not (catalog.json
/// after a run without `docs generate`) stays in `latest/`; `run.json` there lists this run's files.
pub fn publish_run(
    aws: &Aws,
    dest: &Destination,
    project: &str,
    target: &str,
    run_id: &str,
    files: &[(String, PathBuf)],
) -> Result<String, JobError> {
    let run = layout::run_path(project, target, run_id);
    let latest = layout::latest_run_path(project, target);
    for prefix in [&run[..], &latest[..]] {
        for (name, path) in files {
            let mut parts: Vec<&str> = prefix.iter().map(String::as_str).collect();
            parts.extend(name.split('/'));
            dest.put_file(aws, &parts, path)?;
        }
    }
    Ok(dest.describe(&run.each_ref().map(String::as_str)))
}

/// Status counts as dbt prints them in its `Done.` line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// success and pass.
    pub pass: usize,
    /// warn.
    pub warn: usize,
    /// error and fail.
    pub error: usize,
    /// skipped.
    pub skip: usize,
    /// Every result.
    pub total: usize,
}

impl Counts {
    /// Adds the results of a run_results.json.
    pub fn add(&mut self, results: &[Json]) {
        for r in results {
            match r["status"].as_str().unwrap_or("") {
                "success" | "pass" => self.pass += 1,
                "warn" => self.warn += 1,
                "error" | "fail" | "runtime error" => self.error += 1,
                "skipped" => self.skip += 1,
                _ => {}
            }
            self.total += 1;
        }
    }
}

/// The history lines of a run: one for the run, one per node result of each step.
pub fn history_lines(run: &Json, steps: &[(String, Json)]) -> (Vec<u8>, Vec<u8>) {
    let mut run_line = run.to_string().into_bytes();
    run_line.push(b'\n');
    let mut nodes = Vec::new();
    for (command, results) in steps {
        for r in results["results"].as_array().into_iter().flatten() {
            let timing = r["timing"].as_array();
            let at = |name: &str, key: &str| {
                timing
                    .and_then(|t| t.iter().find(|x| x["name"] == name))
                    .map_or(Json::Null, |x| x[key].clone())
            };
            let message = r["message"]
                .as_str()
                .map(|m| m.chars().take(2000).collect::<String>());
            let line = json!({
                "run_id": run["run_id"],
                "project": run["project"],
                "target": run["target"],
                "command": command,
                "unique_id": r["unique_id"],
                "status": r["status"],
                "execution_time": r["execution_time"],
                "started_at": at("execute", "started_at"),
                "completed_at": at("execute", "completed_at"),
                "rows_affected": r["adapter_response"]["rows_affected"],
                "failures": r["failures"],
                "message": message,
            });
            nodes.extend(line.to_string().into_bytes());
            nodes.push(b'\n');
        }
    }
    (run_line, nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_like_dbt() {
        let mut c = Counts::default();
        c.add(&[
            json!({"status": "success"}),
            json!({"status": "fail"}),
            json!({"status": "skipped"}),
            json!({"status": "warn"}),
            json!({"status": "pass"}),
        ]);
        assert_eq!(
            c,
            Counts {
                pass: 2,
                warn: 1,
                error: 1,
                skip: 1,
                total: 5
            }
        );
    }

    #[test]
    fn one_history_line_per_node() {
        let run = json!({"run_id": "r1", "project": "p", "target": "t"});
        let results = json!({"results": [
            {"unique_id": "model.p.a", "status": "success", "execution_time": 1.5, "timing": [{"name": "execute", "started_at": "s", "completed_at": "c"}], "adapter_response": {"rows_affected": 3}, "failures": null, "message": "OK"},
            {"unique_id": "test.p.b", "status": "fail", "execution_time": 0.1, "timing": [], "adapter_response": {}, "failures": 2, "message": null}
        ]});
        let (r, n) = history_lines(&run, &[("build".into(), results)]);
        assert_eq!(String::from_utf8(r).unwrap().lines().count(), 1);
        let lines: Vec<Json> = String::from_utf8(n)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["started_at"], "s");
        assert_eq!(lines[1]["failures"], 2);
        assert_eq!(lines[1]["command"], "build");
    }
}
