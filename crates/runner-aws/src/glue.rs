//! AWS Glue connections as warehouse credentials: the JDBC URL gives engine, host, port and
//! database; `USERNAME`/`PASSWORD` or a secret (`SECRET_ID`, or the connection's authentication
//! secret ARN) give the login.

use aws_sdk_glue::types::ConnectionPropertyKey as Key;

use crate::error::describe;
use crate::{Aws, AwsError, Credentials, Secret, parse_jdbc_url};

impl Aws {
    /// Credentials from the Glue connection `name` (glue:GetConnection, then
    /// secretsmanager:GetSecretValue when the connection names a secret).
    pub fn glue_credentials(&self, name: &str) -> Result<Credentials, AwsError> {
        let fail = |message: String| AwsError::Glue {
            connection: name.to_string(),
            message,
        };
        let client = self.glue();
        let answer = self
            .block_on(
                client
                    .get_connection()
                    .name(name)
                    .hide_password(false)
                    .send(),
            )
            .map_err(|e| fail(describe(&e)))?;
        let connection = answer
            .connection()
            .ok_or_else(|| fail("GetConnection returned no connection".into()))?;
        let empty = Default::default();
        let props = connection.connection_properties().unwrap_or(&empty);
        let get = |k: Key| props.get(&k).filter(|v| !v.is_empty()).cloned();
        let url = get(Key::JdbcConnectionUrl)
            .ok_or_else(|| fail("has no JDBC_CONNECTION_URL (runner reads JDBC connections to postgresql and redshift)".into()))?;
        let from_url = parse_jdbc_url(&url).map_err(fail)?;
        let inline = Credentials {
            user: get(Key::UserName),
            password: get(Key::Password).map(Secret::new),
            ..Credentials::default()
        };
        let secret_id = get(Key::SecretId).or_else(|| {
            connection
                .authentication_configuration()
                .and_then(|a| a.secret_arn())
                .map(str::to_string)
        });
        let from_secret = match (&inline.password, secret_id) {
            (None, Some(id)) => self.secret_credentials(&id)?,
            (None, None) => {
                return Err(fail(
                    "has neither PASSWORD nor SECRET_ID: nothing to log in with".into(),
                ));
            }
            (Some(_), _) => Credentials::default(),
        };
        // The URL names the database the connection is for; the secret supplies the login.
        let merged = from_url.or(inline).or(Credentials {
            user: from_secret.user,
            password: from_secret.password,
            ..Credentials::default()
        });
        if merged.user.is_none() {
            return Err(fail("gives a password but no USERNAME".into()));
        }
        Ok(merged)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn property_keys_are_the_documented_names() {
        use super::Key;
        assert_eq!(Key::JdbcConnectionUrl.as_str(), "JDBC_CONNECTION_URL");
        assert_eq!(Key::SecretId.as_str(), "SECRET_ID");
        assert_eq!(Key::UserName.as_str(), "USERNAME");
    }
}
