//! Where things live on S3 (and in a local artifacts directory): one layout shared by
//! `runner package`, which writes packages, and `runner run`, which reads them and writes runs.
//!
//! ```text
//! <packages>/<project>/<version>/<project>-<version>.tar.gz   (+ .sha256)
//! <packages>/<project>/latest.json                            {"project", "version", "key", "sha256"}
//! <artifacts>/<project>/<target>/runs/<run-id>/<file>
//! <artifacts>/<project>/<target>/latest/<file>
//! <history>/runs/dt=YYYY-MM-DD/<run-id>.json                   one JSON line per run
//! <history>/node_results/dt=YYYY-MM-DD/<run-id>.json           one JSON line per node result
//!                                            (<history> defaults to <artifacts>/history)
//! ```

/// The tarball's file name.
pub fn tarball_name(project: &str, version: &str) -> String {
    format!("{project}-{version}.tar.gz")
}

/// Path of a package below the packages prefix.
pub fn package_path(project: &str, version: &str) -> [String; 3] {
    [
        project.to_string(),
        version.to_string(),
        tarball_name(project, version),
    ]
}

/// Path of the `latest` pointer below the packages prefix.
pub fn latest_pointer_path(project: &str) -> [String; 2] {
    [project.to_string(), "latest.json".to_string()]
}

/// Path of a run's artifacts below the artifacts prefix.
pub fn run_path(project: &str, target: &str, run_id: &str) -> [String; 4] {
    [
        project.to_string(),
        target.to_string(),
        "runs".to_string(),
        run_id.to_string(),
    ]
}

/// Path of the latest run's artifacts below the artifacts prefix.
pub fn latest_run_path(project: &str, target: &str) -> [String; 3] {
    [
        project.to_string(),
        target.to_string(),
        "latest".to_string(),
    ]
}

/// Path of a history record (`runs` or `node_results`) below the history prefix.
pub fn history_path(table: &str, date: &str, run_id: &str) -> [String; 3] {
    [
        table.to_string(),
        format!("dt={date}"),
        format!("{run_id}.json"),
    ]
}

/// A path segment must not be empty or climb out of its prefix.
pub fn is_safe_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && !segment.contains('/')
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}
