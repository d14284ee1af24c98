//! TLS for Postgres/Redshift with rustls: what each `sslmode` checks (nothing for `prefer` and
//! `require`, the chain for `verify-ca`, chain and host name for `verify-full`), against the web
//! PKI roots or the profile's `sslrootcert` PEM file.

use std::net::TcpStream;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore,
    SignatureScheme, StreamOwned,
};

use crate::config::{PostgresConfig, SslMode};
use crate::error::{AdapterError, Result};

/// What TLS a connection attempts, decided from the config before any I/O.
#[derive(Clone)]
pub(crate) struct TlsPlan {
    client: Option<Arc<ClientConfig>>,
    required: bool,
    server_name: ServerName<'static>,
}

impl TlsPlan {
    /// Validates the TLS settings (sslmode, host name for verify-full, sslrootcert) into a plan.
    pub(crate) fn new(config: &PostgresConfig) -> Result<TlsPlan> {
        let tls_error = |message: String| AdapterError::Tls {
            endpoint: config.endpoint(),
            message,
        };
        let server_name = match ServerName::try_from(config.host.clone()) {
            Ok(name) => name,
            Err(_) if config.sslmode != SslMode::VerifyFull => ServerName::try_from("localhost")
                .map_err(|e| tls_error(e.to_string()))?
                .to_owned(),
            Err(e) => {
                return Err(tls_error(format!(
                    "host `{}` cannot be verified: {e}",
                    config.host
                )));
            }
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error(e.to_string()))?;
        let client = match config.sslmode {
            SslMode::Disable | SslMode::Allow => None,
            SslMode::Prefer | SslMode::Require => Some(
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(
                        provider.signature_verification_algorithms,
                    )))
                    .with_no_client_auth(),
            ),
            SslMode::VerifyCa | SslMode::VerifyFull => {
                let roots = Arc::new(root_store(config).map_err(tls_error)?);
                let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                    .build()
                    .map_err(|e| tls_error(e.to_string()))?;
                let verifier: Arc<dyn ServerCertVerifier> = if config.sslmode == SslMode::VerifyCa {
                    Arc::new(IgnoreHostName(webpki))
                } else {
                    webpki
                };
                Some(
                    builder
                        .dangerous()
                        .with_custom_certificate_verifier(verifier)
                        .with_no_client_auth(),
                )
            }
        };
        Ok(TlsPlan {
            client: client.map(Arc::new),
            required: matches!(
                config.sslmode,
                SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull
            ),
            server_name,
        })
    }

    /// The rustls config when this mode asks the server for TLS.
    pub(crate) fn client_config(&self) -> Option<Arc<ClientConfig>> {
        self.client.clone()
    }

    /// True when a server without TLS must be refused.
    pub(crate) fn required(&self) -> bool {
        self.required
    }

    /// Runs the TLS handshake on a socket whose server accepted the TLS request.
    pub(crate) fn handshake(
        &self,
        client: Arc<ClientConfig>,
        mut tcp: TcpStream,
        endpoint: &str,
    ) -> Result<StreamOwned<ClientConnection, TcpStream>> {
        let tls_error = |message: String| AdapterError::Tls {
            endpoint: endpoint.to_string(),
            message,
        };
        let mut conn = ClientConnection::new(client, self.server_name.clone())
            .map_err(|e| tls_error(e.to_string()))?;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp)
                .map_err(|e| tls_error(e.to_string()))?;
        }
        Ok(StreamOwned::new(conn, tcp))
    }
}

fn root_store(config: &PostgresConfig) -> std::result::Result<RootCertStore, String> {
    let Some(path) = &config.sslrootcert else {
        return Ok(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        });
    };
    let mut store = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read sslrootcert {}: {e}", path.display()))?;
    for cert in certs {
        let cert = cert.map_err(|e| format!("bad certificate in {}: {e}", path.display()))?;
        store
            .add(cert)
            .map_err(|e| format!("unusable certificate in {}: {e}", path.display()))?;
    }
    if store.is_empty() {
        return Err(format!(
            "sslrootcert {} holds no certificate",
            path.display()
        ));
    }
    Ok(store)
}

/// `sslmode=require`/`prefer`: encrypt, trust any certificate (libpq's behaviour).
#[derive(Debug)]
struct AcceptAnyCertificate(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// `sslmode=verify-ca`: the chain must lead to a trusted root; the host name is not checked.
#[derive(Debug)]
struct IgnoreHostName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for IgnoreHostName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        // WebPkiServerVerifier checks the chain first and the name last, so a name error means
        // the chain was good.
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}
