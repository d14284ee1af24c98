//! AWS Secrets Manager secrets as warehouse credentials (the standard RDS / Redshift secret JSON).

use crate::error::describe;
use crate::{Aws, AwsError, Credentials};

impl Aws {
    /// Credentials from a secret name or ARN (secretsmanager:GetSecretValue, current version).
    pub fn secret_credentials(&self, id: &str) -> Result<Credentials, AwsError> {
        let fail = |message: String| AwsError::Secret {
            secret: id.to_string(),
            message,
        };
        let client = self.secrets_manager();
        let answer = self
            .block_on(client.get_secret_value().secret_id(id).send())
            .map_err(|e| fail(describe(&e)))?;
        let text = answer
            .secret_string()
            .ok_or_else(|| fail("is binary; runner reads JSON secret strings".into()))?;
        Credentials::from_secret_json(text).map_err(fail)
    }
}
