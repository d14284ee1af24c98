//! [`AwsError`]: what failed, on which bucket, key, connection or secret. Messages never carry a
//! secret's value: only names, ARNs and the service's own error text.

/// An AWS call or its answer failed.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// The AWS configuration could not be loaded or the runtime could not start.
    #[error("AWS set-up: {0}")]
    Setup(String),
    /// An `s3://` address is malformed.
    #[error("'{url}' is not an s3://bucket/key address: {reason}")]
    BadUrl {
        /// The address as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The object does not exist.
    #[error("s3://{bucket}/{key} does not exist")]
    NoSuchKey {
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
    },
    /// An S3 call failed.
    #[error("S3 {operation} s3://{bucket}/{key}: {message}")]
    S3 {
        /// `GetObject`, `PutObject`, …
        operation: &'static str,
        /// Bucket.
        bucket: String,
        /// Key.
        key: String,
        /// The SDK's error, with its cause chain.
        message: String,
    },
    /// glue:GetConnection failed or the connection is unusable.
    #[error("Glue connection '{connection}': {message}")]
    Glue {
        /// Connection name.
        connection: String,
        /// What went wrong.
        message: String,
    },
    /// secretsmanager:GetSecretValue failed or the secret is unusable.
    #[error("Secrets Manager secret '{secret}': {message}")]
    Secret {
        /// Secret name or ARN.
        secret: String,
        /// What went wrong (never the secret's value).
        message: String,
    },
    /// The ECS task metadata endpoint did not answer as documented.
    #[error("ECS task metadata ({url}): {message}")]
    Metadata {
        /// The endpoint.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// Local file I/O around a transfer.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

/// The SDK's error rendered with its whole cause chain (its `Display` alone says "service error").
pub(crate) fn describe<E: std::error::Error>(e: &E) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}
