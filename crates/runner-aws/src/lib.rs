//! AWS for the ECS entrypoint, as blocking calls the synchronous engine can make: S3 objects
//! ([`S3Location`]), AWS Glue connections and Secrets Manager secrets turned into warehouse
//! [`Credentials`], and the ECS task id from the task metadata endpoint.
//!
//! Everything goes through aws-config's default chain (ECS task role, environment, profiles, web
//! identity), honours `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`, and retries throttling and
//! 5xx answers with backoff (the SDK's standard retry mode). The SDK is async: [`Aws`] owns a small
//! tokio runtime and blocks on it.

mod client;
mod credentials;
mod ecs;
mod error;
mod glue;
mod s3;
mod secrets;

pub use client::Aws;
pub use credentials::{Credentials, Secret, parse_jdbc_url};
pub use ecs::task_id_from_metadata;
pub use error::AwsError;
pub use s3::S3Location;
