//! [`Aws`]: one loaded AWS configuration and the runtime that drives the SDK's futures.

use std::future::Future;
use std::sync::OnceLock;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_smithy_http_client::tls;

use crate::AwsError;

/// AWS clients sharing one configuration from aws-config's default chain. Loading is lazy: a run
/// that touches no AWS service (a local package, `--credentials env`) never reads credentials.
pub struct Aws {
    runtime: tokio::runtime::Runtime,
    config: OnceLock<aws_config::SdkConfig>,
}

impl Aws {
    /// A client set; nothing is contacted yet.
    pub fn new() -> Result<Aws, AwsError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| AwsError::Setup(format!("starting the async runtime: {e}")))?;
        Ok(Aws {
            runtime,
            config: OnceLock::new(),
        })
    }

    /// Runs a future to completion on this client's runtime.
    pub(crate) fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The shared configuration: credentials, region and endpoints from the default chain.
    pub(crate) fn config(&self) -> &aws_config::SdkConfig {
        self.config.get_or_init(|| {
            // rustls on ring, as the warehouse connections use; certificates come from the
            // platform's store (the image ships CA certificates).
            let http = aws_smithy_http_client::Builder::new()
                .tls_provider(tls::Provider::Rustls(
                    tls::rustls_provider::CryptoMode::Ring,
                ))
                .build_https();
            // Standard mode retries throttling, transient and 5xx errors with exponential backoff
            // and jitter; five attempts ride out a short S3 or Secrets Manager brown-out.
            let loader = aws_config::defaults(BehaviorVersion::latest())
                .http_client(http)
                .retry_config(RetryConfig::standard().with_max_attempts(5));
            self.runtime.block_on(loader.load())
        })
    }

    /// An S3 client. Path-style addressing when an endpoint override is set: local S3-compatible
    /// servers (and most proxies) do not serve virtual-hosted buckets.
    pub(crate) fn s3(&self) -> aws_sdk_s3::Client {
        let config = self.config();
        let custom_endpoint = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
            || config.endpoint_url().is_some();
        let s3_config = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(custom_endpoint)
            .build();
        aws_sdk_s3::Client::from_conf(s3_config)
    }

    /// A Glue client.
    pub(crate) fn glue(&self) -> aws_sdk_glue::Client {
        aws_sdk_glue::Client::new(self.config())
    }

    /// A Secrets Manager client.
    pub(crate) fn secrets_manager(&self) -> aws_sdk_secretsmanager::Client {
        aws_sdk_secretsmanager::Client::new(self.config())
    }
}
