//! Getting the project: a package from S3 (a version, `latest`, or a tarball's key) or a local
//! tarball, verified against its SHA-256 and unpacked into the fresh work dir; or a local project
//! directory, used in place.

use std::path::{Path, PathBuf};

use runner_aws::{Aws, S3Location};
use runner_package::Limits;
use serde_json::Value as Json;

use crate::error::io;
use crate::layout;
use crate::{JobArgs, JobError};

/// The project, ready to run.
#[derive(Debug)]
pub struct Project {
    /// The directory holding dbt_project.yml.
    pub root: PathBuf,
    /// The package's version, when it came from a package.
    pub version: Option<String>,
    /// The verified SHA-256 of the tarball.
    pub sha256: Option<String>,
}

/// The first line's first word of a `.sha256` file (`<hex>  <name>`).
fn checksum_in(text: &str) -> Option<String> {
    text.split_whitespace()
        .next()
        .filter(|h| h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
}

/// Fetches and unpacks `args.package` below `work`.
pub fn fetch(args: &JobArgs, aws: &Aws, work: &Path) -> Result<Project, JobError> {
    let limits = Limits {
        max_total_bytes: args.max_package_mib.saturating_mul(1024 * 1024),
        ..Limits::default()
    };
    let package = args.package.trim();
    if S3Location::is_s3(package) {
        let (tarball, version, expected) = download(aws, &S3Location::parse(package)?, work)?;
        return unpack(&tarball, Some(&expected), version, work, &limits);
    }
    let path = PathBuf::from(package);
    if path.is_dir() {
        if !path.join("dbt_project.yml").is_file() {
            return Err(JobError::BadPackage {
                location: package.into(),
                message: "the directory has no dbt_project.yml".into(),
            });
        }
        // Absolute: the engine runs with the project as its working directory.
        let root = std::fs::canonicalize(&path).map_err(io(format!("resolving {package}")))?;
        return Ok(Project {
            root,
            version: None,
            sha256: None,
        });
    }
    if !path.is_file() {
        return Err(JobError::BadPackage {
            location: package.into(),
            message: "no such file or directory".into(),
        });
    }
    let beside = PathBuf::from(format!("{package}.sha256"));
    let expected = match (&args.package_sha256, beside.is_file()) {
        (Some(sha), _) => Some(sha.trim().to_ascii_lowercase()),
        (None, true) => {
            let text = std::fs::read_to_string(&beside)
                .map_err(io(format!("reading {}", beside.display())))?;
            Some(checksum_in(&text).ok_or_else(|| JobError::BadPackage {
                location: beside.display().to_string(),
                message: "is not a sha256sum line".into(),
            })?)
        }
        (None, false) => None,
    };
    unpack(&path, expected.as_deref(), None, work, &limits)
}

fn unpack(
    tarball: &Path,
    expected: Option<&str>,
    version: Option<String>,
    work: &Path,
    limits: &Limits,
) -> Result<Project, JobError> {
    let extracted = runner_package::extract(tarball, expected, &work.join("project"), limits)?;
    Ok(Project {
        root: extracted.root,
        version,
        sha256: expected.map(|_| extracted.sha256),
    })
}

/// Downloads the tarball named by `location` and its checksum; a package without a checksum is
/// refused (an S3 package is only trusted when verified).
fn download(
    aws: &Aws,
    location: &S3Location,
    work: &Path,
) -> Result<(PathBuf, Option<String>, String), JobError> {
    let bad = |message: String| JobError::BadPackage {
        location: location.to_string(),
        message,
    };
    let key = location.key.trim_end_matches('/');
    let (tarball_key, version, pointed_sha) = if key.ends_with(".tar.gz") || key.ends_with(".tgz") {
        (location.clone(), None, None)
    } else {
        // <prefix>/<project>/<version or latest>
        let (parent, last) = key.rsplit_once('/').ok_or_else(|| {
            bad("expected s3://bucket/prefix/<project>/<version or latest>".into())
        })?;
        let project = parent.rsplit('/').next().unwrap_or(parent);
        let prefix = S3Location {
            bucket: location.bucket.clone(),
            key: parent
                .strip_suffix(project)
                .unwrap_or("")
                .trim_end_matches('/')
                .to_string(),
        };
        if last == "latest" {
            let pointer_at = prefix.join(
                &layout::latest_pointer_path(project)
                    .each_ref()
                    .map(String::as_str),
            );
            let body = aws.s3_get(&pointer_at)?.ok_or_else(|| {
                bad(format!(
                    "no latest pointer at {pointer_at}: publish one with `runner package`"
                ))
            })?;
            let pointer: Json = serde_json::from_slice(&body)
                .map_err(|_| bad(format!("{pointer_at} is not JSON")))?;
            let version = pointer["version"]
                .as_str()
                .ok_or_else(|| bad(format!("{pointer_at} has no version")))?;
            if !layout::is_safe_segment(version) {
                return Err(bad(format!(
                    "{pointer_at} names an unsafe version '{version}'"
                )));
            }
            let path = layout::package_path(project, version);
            (
                prefix.join(&path.each_ref().map(String::as_str)),
                Some(version.to_string()),
                pointer["sha256"].as_str().map(str::to_ascii_lowercase),
            )
        } else {
            let path = layout::package_path(project, last);
            (
                prefix.join(&path.each_ref().map(String::as_str)),
                Some(last.to_string()),
                None,
            )
        }
    };
    let sha_key = S3Location {
        bucket: tarball_key.bucket.clone(),
        key: format!("{}.sha256", tarball_key.key),
    };
    let sha_text = aws.s3_get(&sha_key)?.ok_or_else(|| {
        bad(format!(
            "{sha_key} is missing: runner only runs verified packages"
        ))
    })?;
    let expected = checksum_in(&String::from_utf8_lossy(&sha_text))
        .ok_or_else(|| bad(format!("{sha_key} is not a sha256sum line")))?;
    if let Some(pointed) = pointed_sha.filter(|p| *p != expected) {
        return Err(bad(format!(
            "the latest pointer says sha256 {pointed} but {sha_key} says {expected}"
        )));
    }
    let dest = work.join(tarball_key.file_name());
    aws.s3_download(&tarball_key, &dest).map_err(|e| match e {
        runner_aws::AwsError::NoSuchKey { .. } => bad(format!("{tarball_key} does not exist")),
        other => other.into(),
    })?;
    Ok((dest, version, expected))
}

#[cfg(test)]
mod tests {
    use super::checksum_in;

    #[test]
    fn reads_sha256sum_lines() {
        let h = "A".repeat(64);
        assert_eq!(
            checksum_in(&format!("{h}  x.tar.gz\n")),
            Some("a".repeat(64))
        );
        assert_eq!(checksum_in("nope"), None);
    }
}
