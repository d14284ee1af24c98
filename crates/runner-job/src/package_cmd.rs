//! `runner package`: builds a project's reproducible tarball and publishes it to S3 (moving the
//! `latest` pointer) or writes it to a local directory.

use std::path::PathBuf;

use runner_aws::{Aws, S3Location};
use serde_json::json;

use crate::{JobError, PackageArgs, exit, layout};

/// Runs `runner package`; returns the exit code (0, or 2 with the error printed).
pub fn build_package(args: &PackageArgs) -> i32 {
    match build_and_publish(args) {
        Ok(lines) => {
            for l in lines {
                println!("{l}");
            }
            exit::SUCCESS
        }
        Err(e) => {
            eprintln!("runner package: {e}");
            exit::ERROR
        }
    }
}

fn build_and_publish(args: &PackageArgs) -> Result<Vec<String>, JobError> {
    let to_s3 = S3Location::is_s3(&args.output);
    let staging = if to_s3 {
        let dir =
            std::env::temp_dir().join(format!("runner-package-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir)
            .map_err(crate::error::io(format!("creating {}", dir.display())))?;
        dir
    } else {
        PathBuf::from(&args.output)
    };
    std::fs::create_dir_all(&staging)
        .map_err(crate::error::io(format!("creating {}", staging.display())))?;
    let built =
        runner_package::build(&args.project_dir, args.package_version.as_deref(), &staging)?;
    let mut lines = vec![format!(
        "built {} ({} files, {} bytes) sha256 {}",
        built.tarball.display(),
        built.files,
        built.bytes,
        built.sha256
    )];
    if !to_s3 {
        return Ok(lines);
    }
    let result = (|| {
        let aws = Aws::new()?;
        let prefix = S3Location::parse(&args.output)?;
        let path = layout::package_path(&built.name, &built.version);
        let at = prefix.join(&path.each_ref().map(String::as_str));
        aws.s3_upload(&built.tarball, &at, "application/gzip")?;
        let sha_at = S3Location {
            bucket: at.bucket.clone(),
            key: format!("{}.sha256", at.key),
        };
        let sha_line = format!(
            "{}  {}\n",
            built.sha256,
            layout::tarball_name(&built.name, &built.version)
        );
        aws.s3_put(&sha_at, sha_line.into_bytes(), "text/plain")?;
        lines.push(format!("uploaded {at} and {sha_at}"));
        if !args.no_latest {
            let pointer_at = prefix.join(
                &layout::latest_pointer_path(&built.name)
                    .each_ref()
                    .map(String::as_str),
            );
            let pointer = json!({"project": built.name, "version": built.version, "key": at.key, "sha256": built.sha256});
            // Written last: a reader following `latest` only ever finds a complete package.
            aws.s3_put(
                &pointer_at,
                format!("{pointer:#}\n").into_bytes(),
                "application/json",
            )?;
            lines.push(format!("moved {pointer_at} to {}", built.version));
        }
        Ok::<_, JobError>(())
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result.map(|()| lines)
}
