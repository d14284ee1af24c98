//! Login: the startup message, then whatever password exchange the server asks for (cleartext,
//! MD5, SCRAM-SHA-256 without channel binding). The password only ever goes to the server.

use fallible_iterator::FallibleIterator;
use postgres_protocol::authentication::md5_hash;
use postgres_protocol::authentication::sasl::{ChannelBinding, ScramSha256};
use postgres_protocol::message::backend::Message;
use postgres_protocol::message::frontend;

use super::wire::{ErrorFields, Wire};
use crate::config::PostgresConfig;
use crate::error::{AdapterError, Result};

/// Sends the startup message and answers the server's authentication requests.
pub(crate) fn login(wire: &mut Wire, config: &PostgresConfig) -> Result<()> {
    let params = [
        ("user", config.user.as_str()),
        ("database", config.dbname.as_str()),
        ("application_name", "runner"),
        ("client_encoding", "UTF8"),
        ("DateStyle", "ISO, MDY"),
    ];
    wire.send(|buf| frontend::startup_message(params.iter().copied(), buf))?;
    let auth_error = |wire: &Wire, sqlstate: Option<String>, message: String| AdapterError::Auth {
        endpoint: wire.endpoint().to_string(),
        sqlstate,
        message,
    };
    let password = || {
        config
            .password
            .as_deref()
            .ok_or_else(|| "the server asked for a password but the profile has none".to_string())
    };
    let mut scram: Option<ScramSha256> = None;
    loop {
        match wire.recv()? {
            Message::AuthenticationOk => return Ok(()),
            Message::AuthenticationCleartextPassword => {
                let pw = password().map_err(|m| auth_error(wire, None, m))?;
                wire.send(|buf| frontend::password_message(pw.as_bytes(), buf))?;
            }
            Message::AuthenticationMd5Password(body) => {
                let pw = password().map_err(|m| auth_error(wire, None, m))?;
                let hash = md5_hash(config.user.as_bytes(), pw.as_bytes(), body.salt());
                wire.send(|buf| frontend::password_message(hash.as_bytes(), buf))?;
            }
            Message::AuthenticationSasl(body) => {
                let mechanisms: Vec<String> = body
                    .mechanisms()
                    .map(|m| Ok(m.to_string()))
                    .collect()
                    .map_err(|e| wire.protocol_error(e.to_string()))?;
                if !mechanisms.iter().any(|m| m == "SCRAM-SHA-256") {
                    return Err(auth_error(
                        wire,
                        None,
                        format!("unsupported SASL mechanisms {mechanisms:?}"),
                    ));
                }
                let pw = password().map_err(|m| auth_error(wire, None, m))?;
                let state = ScramSha256::new(pw.as_bytes(), ChannelBinding::unsupported());
                wire.send(|buf| {
                    frontend::sasl_initial_response("SCRAM-SHA-256", state.message(), buf)
                })?;
                scram = Some(state);
            }
            Message::AuthenticationSaslContinue(body) => {
                let state = scram
                    .as_mut()
                    .ok_or_else(|| wire.protocol_error("SASL continue before start"))?;
                state
                    .update(body.data())
                    .map_err(|e| auth_error(wire, None, format!("SCRAM: {e}")))?;
                let reply = state.message().to_vec();
                wire.send(|buf| frontend::sasl_response(&reply, buf))?;
            }
            Message::AuthenticationSaslFinal(body) => {
                let state = scram
                    .as_mut()
                    .ok_or_else(|| wire.protocol_error("SASL final before start"))?;
                state
                    .finish(body.data())
                    .map_err(|e| auth_error(wire, None, format!("SCRAM: {e}")))?;
            }
            Message::ErrorResponse(body) => {
                let fields = ErrorFields::from_body(&body);
                return Err(auth_error(wire, fields.sqlstate, fields.message));
            }
            Message::NoticeResponse(_) => {}
            _ => {
                return Err(auth_error(
                    wire,
                    None,
                    "unsupported authentication method (Kerberos/GSS/SSPI)".into(),
                ));
            }
        }
    }
}
