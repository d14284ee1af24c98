//! S3 objects: `s3://bucket/key` addresses and the transfers the entrypoint makes (a package and
//! profiles down, artifacts up).

use std::path::Path;

use aws_sdk_s3::primitives::ByteStream;
use tokio::io::AsyncWriteExt;

use crate::error::describe;
use crate::{Aws, AwsError};

/// An `s3://bucket/key` address. A key ending in `/` is a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    /// Bucket name.
    pub bucket: String,
    /// Key or prefix, without a leading `/` (may be empty: the bucket's root).
    pub key: String,
}

impl S3Location {
    /// Parses `s3://bucket/key`.
    pub fn parse(url: &str) -> Result<S3Location, AwsError> {
        let bad = |reason| AwsError::BadUrl {
            url: url.to_string(),
            reason,
        };
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| bad("no s3:// scheme"))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(bad("no bucket"));
        }
        if key.split('/').any(|part| part == "..") {
            return Err(bad("'..' in the key"));
        }
        Ok(S3Location {
            bucket: bucket.to_string(),
            key: key.to_string(),
        })
    }

    /// True for an `s3://` address.
    pub fn is_s3(text: &str) -> bool {
        text.starts_with("s3://")
    }

    /// This location as a prefix (`…/`) joined with relative `parts`, skipping empty ones.
    pub fn join(&self, parts: &[&str]) -> S3Location {
        let mut key = self.key.trim_end_matches('/').to_string();
        for part in parts
            .iter()
            .map(|p| p.trim_matches('/'))
            .filter(|p| !p.is_empty())
        {
            if !key.is_empty() {
                key.push('/');
            }
            key.push_str(part);
        }
        S3Location {
            bucket: self.bucket.clone(),
            key,
        }
    }

    /// The key's last path segment.
    pub fn file_name(&self) -> &str {
        self.key
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("")
    }

    fn error(&self, operation: &'static str, message: String) -> AwsError {
        AwsError::S3 {
            operation,
            bucket: self.bucket.clone(),
            key: self.key.clone(),
            message,
        }
    }
}

impl std::fmt::Display for S3Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

impl Aws {
    /// Downloads an object into `dest`, streaming; returns the bytes written.
    pub fn s3_download(&self, from: &S3Location, dest: &Path) -> Result<u64, AwsError> {
        let client = self.s3();
        self.block_on(async {
            let object = client
                .get_object()
                .bucket(&from.bucket)
                .key(&from.key)
                .send()
                .await
                .map_err(|e| match e.as_service_error() {
                    Some(s) if s.is_no_such_key() => AwsError::NoSuchKey {
                        bucket: from.bucket.clone(),
                        key: from.key.clone(),
                    },
                    _ => from.error("GetObject", describe(&e)),
                })?;
            let io = |context: &str| {
                let context = format!("{context} {}", dest.display());
                move |source| AwsError::Io { context, source }
            };
            let mut file = tokio::fs::File::create(dest)
                .await
                .map_err(io("creating"))?;
            let mut body = object.body;
            let mut written = 0u64;
            while let Some(chunk) = body
                .try_next()
                .await
                .map_err(|e| from.error("GetObject", describe(&e)))?
            {
                file.write_all(&chunk).await.map_err(io("writing"))?;
                written += chunk.len() as u64;
            }
            file.flush().await.map_err(io("writing"))?;
            Ok(written)
        })
    }

    /// An object's content, or `None` when it does not exist.
    pub fn s3_get(&self, from: &S3Location) -> Result<Option<Vec<u8>>, AwsError> {
        let client = self.s3();
        self.block_on(async {
            let object = match client
                .get_object()
                .bucket(&from.bucket)
                .key(&from.key)
                .send()
                .await
            {
                Ok(object) => object,
                Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => {
                    return Ok(None);
                }
                Err(e) => return Err(from.error("GetObject", describe(&e))),
            };
            let bytes = object
                .body
                .collect()
                .await
                .map_err(|e| from.error("GetObject", describe(&e)))?;
            Ok(Some(bytes.into_bytes().to_vec()))
        })
    }

    /// Uploads bytes with a content type.
    pub fn s3_put(
        &self,
        to: &S3Location,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), AwsError> {
        let client = self.s3();
        self.block_on(async {
            client
                .put_object()
                .bucket(&to.bucket)
                .key(&to.key)
                .content_type(content_type)
                .body(ByteStream::from(body))
                .send()
                .await
                .map_err(|e| to.error("PutObject", describe(&e)))?;
            Ok(())
        })
    }

    /// Uploads a file, streaming it from disk.
    pub fn s3_upload(
        &self,
        from: &Path,
        to: &S3Location,
        content_type: &str,
    ) -> Result<(), AwsError> {
        let client = self.s3();
        self.block_on(async {
            let body = ByteStream::from_path(from)
                .await
                .map_err(|e| to.error("PutObject", format!("reading {}: {e}", from.display())))?;
            client
                .put_object()
                .bucket(&to.bucket)
                .key(&to.key)
                .content_type(content_type)
                .body(body)
                .send()
                .await
                .map_err(|e| to.error("PutObject", describe(&e)))?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_joins_addresses() {
        let l = S3Location::parse("s3://bucket/a/b/").unwrap();
        assert_eq!((l.bucket.as_str(), l.key.as_str()), ("bucket", "a/b/"));
        assert_eq!(
            l.join(&["c", "", "d.json"]).to_string(),
            "s3://bucket/a/b/c/d.json"
        );
        let root = S3Location::parse("s3://bucket").unwrap();
        assert_eq!(root.join(&["x"]).key, "x");
        assert_eq!(l.join(&["x"]).file_name(), "x");
        assert!(S3Location::parse("s3:///k").is_err());
        assert!(S3Location::parse("https://b/k").is_err());
        assert!(S3Location::parse("s3://b/a/../k").is_err());
    }
}
