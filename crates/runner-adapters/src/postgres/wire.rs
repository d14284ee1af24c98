//! The Postgres frontend/backend protocol over a blocking socket: TCP connect with timeout and
//! keepalive, TLS negotiation, and framed message send/receive. Message encoding comes from
//! `postgres-protocol`; login is in `auth`, the query loop in the parent module.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};

use bytes::BytesMut;
use fallible_iterator::FallibleIterator;
use postgres_protocol::message::backend::{ErrorResponseBody, Message};
use postgres_protocol::message::frontend;
use rustls::{ClientConnection, StreamOwned};
use socket2::{SockRef, TcpKeepalive};

use super::tls::TlsPlan;
use crate::config::PostgresConfig;
use crate::error::{AdapterError, Result};

/// The socket, plain or inside TLS.
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => s.get_ref(),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// The server's answer to a query message, split into errors the caller reports.
pub(crate) enum ServerError {
    /// The server sent ErrorResponse; the session is still usable.
    Sql(ErrorFields),
    /// The socket broke or the server misbehaved; the session is gone.
    Fatal(AdapterError),
}

/// The fields of an ErrorResponse that errors carry.
#[derive(Debug, Default)]
pub(crate) struct ErrorFields {
    pub sqlstate: Option<String>,
    pub message: String,
    pub detail: Option<String>,
}

impl ErrorFields {
    pub(crate) fn from_body(body: &ErrorResponseBody) -> ErrorFields {
        let mut out = ErrorFields::default();
        let mut extra = Vec::new();
        let mut fields = body.fields();
        while let Ok(Some(field)) = fields.next() {
            let value = String::from_utf8_lossy(field.value_bytes()).into_owned();
            match field.type_() {
                b'C' => out.sqlstate = Some(value),
                b'M' => out.message = value,
                b'D' => extra.push(format!("DETAIL: {value}")),
                b'H' => extra.push(format!("HINT: {value}")),
                _ => {}
            }
        }
        if !extra.is_empty() {
            out.detail = Some(extra.join("\n  "));
        }
        out
    }
}

/// A framed message channel with the server.
pub(crate) struct Wire {
    stream: Stream,
    read_buf: BytesMut,
    write_buf: BytesMut,
    endpoint: String,
}

impl Wire {
    pub(crate) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub(crate) fn is_tls(&self) -> bool {
        matches!(self.stream, Stream::Tls(_))
    }

    fn io_error(&self, source: io::Error) -> AdapterError {
        AdapterError::Io {
            endpoint: self.endpoint.clone(),
            source,
        }
    }

    pub(crate) fn protocol_error(&self, message: impl Into<String>) -> AdapterError {
        AdapterError::Protocol {
            endpoint: self.endpoint.clone(),
            message: message.into(),
        }
    }

    /// Encodes a frontend message into the write buffer, then sends it.
    pub(crate) fn send(
        &mut self,
        encode: impl FnOnce(&mut BytesMut) -> io::Result<()>,
    ) -> Result<()> {
        let result = encode(&mut self.write_buf)
            .and_then(|()| self.stream.write_all(&self.write_buf))
            .and_then(|()| self.stream.flush());
        self.write_buf.clear();
        result.map_err(|e| self.io_error(e))
    }

    /// Reads the next backend message.
    pub(crate) fn recv(&mut self) -> Result<Message> {
        loop {
            match Message::parse(&mut self.read_buf) {
                Ok(Some(message)) => return Ok(message),
                Ok(None) => {}
                Err(e) => return Err(self.protocol_error(e.to_string())),
            }
            let mut chunk = [0u8; 16 * 1024];
            let n = self.stream.read(&mut chunk).map_err(|e| self.io_error(e))?;
            if n == 0 {
                return Err(self.io_error(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "server closed the connection",
                )));
            }
            self.read_buf.extend_from_slice(&chunk[..n]);
        }
    }

    pub(crate) fn set_read_timeout(&self, timeout: Option<std::time::Duration>) -> Result<()> {
        self.stream
            .tcp()
            .set_read_timeout(timeout)
            .map_err(|e| self.io_error(e))
    }
}

/// Opens TCP (trying every resolved address), applies keepalive, negotiates TLS per `tls`.
pub(crate) fn open(config: &PostgresConfig, tls: &TlsPlan) -> Result<Wire> {
    let endpoint = config.endpoint();
    let connect_error = |message: String| AdapterError::Connect {
        endpoint: endpoint.clone(),
        message,
    };
    let addrs = (config.host.as_str(), config.port)
        .to_socket_addrs()
        .map_err(|e| connect_error(format!("cannot resolve host: {e}")))?;
    let mut last_error = None;
    let mut tcp = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, config.connect_timeout) {
            Ok(stream) => {
                tcp = Some(stream);
                break;
            }
            Err(e) => last_error = Some(format!("{addr}: {e}")),
        }
    }
    let tcp = tcp.ok_or_else(|| {
        connect_error(last_error.unwrap_or_else(|| "host resolved to no address".into()))
    })?;
    let setup = |tcp: &TcpStream| -> io::Result<()> {
        tcp.set_nodelay(true)?;
        tcp.set_read_timeout(Some(config.connect_timeout))?;
        tcp.set_write_timeout(Some(config.connect_timeout))?;
        if let Some(idle) = config.keepalives_idle {
            SockRef::from(tcp).set_tcp_keepalive(&TcpKeepalive::new().with_time(idle))?;
        }
        Ok(())
    };
    setup(&tcp).map_err(|e| connect_error(e.to_string()))?;
    let stream = match tls.client_config() {
        None => Stream::Plain(tcp),
        Some(client) => {
            let mut tcp = tcp;
            let mut request = BytesMut::new();
            frontend::ssl_request(&mut request);
            let mut answer = [0u8; 1];
            tcp.write_all(&request)
                .and_then(|()| tcp.read_exact(&mut answer))
                .map_err(|e| connect_error(format!("negotiating TLS: {e}")))?;
            match answer[0] {
                b'S' => Stream::Tls(Box::new(tls.handshake(client, tcp, &endpoint)?)),
                b'N' if tls.required() => {
                    return Err(AdapterError::Tls {
                        endpoint,
                        message: format!(
                            "the server does not support TLS, but sslmode is {:?}",
                            config.sslmode
                        ),
                    });
                }
                b'N' => Stream::Plain(tcp),
                other => {
                    return Err(connect_error(format!(
                        "unexpected answer {other:#x} to the TLS request"
                    )));
                }
            }
        }
    };
    Ok(Wire {
        stream,
        read_buf: BytesMut::with_capacity(16 * 1024),
        write_buf: BytesMut::with_capacity(1024),
        endpoint,
    })
}
