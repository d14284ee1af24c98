//! Postgres and Redshift sessions: [`PgConnection`] runs SQL with the simple-query protocol (as
//! psycopg2 does: several statements per string, every command tag kept, values in text format
//! typed by their OIDs), bulk-loads with COPY (`copy`) and [`PgCancel`] sends cancel requests
//! from other threads.

mod auth;
mod copy;
mod tls;
mod types;
mod wire;

use bytes::BytesMut;
use fallible_iterator::FallibleIterator;
use postgres_protocol::message::backend::Message;
use postgres_protocol::message::frontend;

use crate::catalog::{Relation, quote_identifier};
use crate::config::{AdapterKind, PostgresConfig};
use crate::connection::{CancelHandle, Connection};
use crate::error::{AdapterError, Result, sql_first_line};
use crate::table::{AdapterResponse, Cell, Column, Table};
use tls::TlsPlan;
use wire::{ErrorFields, ServerError, Wire};

/// One statement's outcome within a simple query.
#[derive(Default)]
struct StatementResult {
    tag: String,
    columns: Vec<(String, u32)>,
    rows: Vec<Vec<Cell>>,
}

/// A logged-in Postgres or Redshift session.
pub struct PgConnection {
    wire: Wire,
    config: PostgresConfig,
    tls: TlsPlan,
    process_id: i32,
    secret_key: i32,
    /// ReadyForQuery status: `I` idle, `T` in a transaction, `E` in a failed transaction.
    status: u8,
    broken: bool,
}

impl PgConnection {
    /// Connects, negotiates TLS, logs in, then applies `role` and `search_path`.
    pub fn connect(config: &PostgresConfig) -> Result<PgConnection> {
        let tls = TlsPlan::new(config)?;
        let mut wire = wire::open(config, &tls)?;
        auth::login(&mut wire, config)?;
        let mut conn = PgConnection {
            wire,
            config: config.clone(),
            tls,
            process_id: 0,
            secret_key: 0,
            status: b'I',
            broken: false,
        };
        match conn.wait_ready() {
            Ok(()) => {}
            Err(ServerError::Fatal(error)) => return Err(error),
            Err(ServerError::Sql(fields)) => {
                return Err(AdapterError::Connect {
                    endpoint: config.endpoint(),
                    message: format!(
                        "[{}] {}",
                        fields.sqlstate.unwrap_or_default(),
                        fields.message
                    ),
                });
            }
        }
        conn.wire.set_read_timeout(None)?;
        if let Some(role) = &config.role {
            conn.execute(&format!("set role {}", quote_identifier(role)))?;
        }
        if let Some(search_path) = &config.search_path {
            conn.execute(&format!("set search_path to {search_path}"))?;
        }
        Ok(conn)
    }

    /// True when the session runs over TLS.
    pub fn is_tls(&self) -> bool {
        self.wire.is_tls()
    }

    /// Reads until ReadyForQuery after login, keeping the cancel key. An error here is fatal
    /// (unknown database, too many connections): the server closes the socket after it.
    fn wait_ready(&mut self) -> std::result::Result<(), ServerError> {
        loop {
            match self.wire.recv().map_err(ServerError::Fatal)? {
                Message::BackendKeyData(body) => {
                    self.process_id = body.process_id();
                    self.secret_key = body.secret_key();
                }
                Message::ErrorResponse(body) => {
                    return Err(ServerError::Sql(ErrorFields::from_body(&body)));
                }
                Message::ReadyForQuery(body) => {
                    self.status = body.status();
                    return Ok(());
                }
                _ => {}
            }
        }
    }

    fn error_from(&mut self, error: ServerError, sql: &str) -> AdapterError {
        match error {
            ServerError::Sql(fields) => AdapterError::Database {
                endpoint: self.wire.endpoint().to_string(),
                sqlstate: fields.sqlstate,
                message: fields.message,
                detail: fields.detail,
                sql: sql_first_line(sql),
            },
            ServerError::Fatal(error) => {
                self.broken = true;
                error
            }
        }
    }

    /// Sends one simple query and collects every statement's tag and rows.
    fn simple_query(&mut self, sql: &str) -> Result<Vec<StatementResult>> {
        if self.broken {
            return Err(self
                .wire
                .protocol_error("the connection broke earlier; open a new one"));
        }
        self.run_simple_query(sql)
            .map_err(|e| self.error_from(e, sql))
    }

    fn run_simple_query(
        &mut self,
        sql: &str,
    ) -> std::result::Result<Vec<StatementResult>, ServerError> {
        self.wire
            .send(|buf| frontend::query(sql, buf))
            .map_err(ServerError::Fatal)?;
        let mut results = Vec::new();
        let mut current = StatementResult::default();
        let mut error = None;
        loop {
            let message = self.wire.recv().map_err(ServerError::Fatal)?;
            match message {
                Message::RowDescription(body) => {
                    current.columns = body
                        .fields()
                        .map(|f| Ok((f.name().to_string(), f.type_oid())))
                        .collect()
                        .map_err(|e| ServerError::Fatal(self.wire.protocol_error(e.to_string())))?;
                }
                Message::DataRow(body) => {
                    let buffer = body.buffer();
                    let mut row = Vec::with_capacity(current.columns.len());
                    let mut ranges = body.ranges();
                    let mut index = 0;
                    while let Some(range) = ranges
                        .next()
                        .map_err(|e| ServerError::Fatal(self.wire.protocol_error(e.to_string())))?
                    {
                        let oid = current.columns.get(index).map_or(25, |c| c.1);
                        row.push(match range.and_then(|r| buffer.get(r)) {
                            None => Cell::Null,
                            Some(bytes) => types::parse_cell(oid, &String::from_utf8_lossy(bytes)),
                        });
                        index += 1;
                    }
                    current.rows.push(row);
                }
                Message::CommandComplete(body) => {
                    current.tag = body
                        .tag()
                        .map_err(|e| ServerError::Fatal(self.wire.protocol_error(e.to_string())))?
                        .to_string();
                    results.push(std::mem::take(&mut current));
                }
                Message::EmptyQueryResponse => results.push(std::mem::take(&mut current)),
                Message::ErrorResponse(body) => {
                    error.get_or_insert_with(|| ErrorFields::from_body(&body));
                }
                Message::CopyInResponse(_) => {
                    self.wire
                        .send(|buf| {
                            frontend::copy_fail("COPY FROM STDIN is not supported by runner", buf)
                        })
                        .map_err(ServerError::Fatal)?;
                }
                Message::ReadyForQuery(body) => {
                    self.status = body.status();
                    return error.map_or(Ok(results), |e| Err(ServerError::Sql(e)));
                }
                // Notices, parameter changes, notifications, COPY TO STDOUT data: nothing to keep.
                _ => {}
            }
        }
    }

    fn cancel_info(&self) -> PgCancel {
        PgCancel {
            config: self.config.clone(),
            tls: self.tls.clone(),
            process_id: self.process_id,
            secret_key: self.secret_key,
        }
    }
}

impl Connection for PgConnection {
    fn kind(&self) -> AdapterKind {
        self.config.kind
    }

    fn database(&self) -> &str {
        &self.config.dbname
    }

    fn execute(&mut self, sql: &str) -> Result<AdapterResponse> {
        Ok(self.fetch(sql)?.0)
    }

    fn fetch(&mut self, sql: &str) -> Result<(AdapterResponse, Table)> {
        let last = self.simple_query(sql)?.pop().unwrap_or_default();
        let response = AdapterResponse::from_command_tag(&last.tag);
        let columns = last
            .columns
            .into_iter()
            .map(|(name, oid)| Column {
                name,
                type_name: types::type_name(oid),
            })
            .collect();
        Ok((
            response,
            Table {
                columns,
                rows: last.rows,
            },
        ))
    }

    fn in_transaction(&self) -> bool {
        self.status != b'I'
    }

    fn is_broken(&self) -> bool {
        self.broken
    }

    fn cancel_handle(&self) -> CancelHandle {
        CancelHandle::postgres(self.cancel_info())
    }

    fn load_rows(
        &mut self,
        relation: &Relation,
        columns: &[String],
        types: &[String],
        rows: &[Vec<Option<String>>],
    ) -> Result<u64> {
        self.load(relation, columns, types, rows)
    }
}

impl Drop for PgConnection {
    fn drop(&mut self) {
        if !self.broken {
            // Best effort: the server cleans up either way.
            let _ = self.wire.send(|buf| {
                frontend::terminate(buf);
                Ok(())
            });
        }
    }
}

/// What a cancel request needs: where the server is and the session's cancel key.
pub struct PgCancel {
    config: PostgresConfig,
    tls: TlsPlan,
    process_id: i32,
    secret_key: i32,
}

impl PgCancel {
    /// `host:port/database as user`.
    pub fn endpoint(&self) -> String {
        self.config.endpoint()
    }

    /// Opens a new connection (TLS as the session had it) and sends the cancel request.
    pub fn cancel(&self) -> Result<()> {
        let mut wire = wire::open(&self.config, &self.tls)?;
        let mut buf = BytesMut::new();
        frontend::cancel_request(self.process_id, self.secret_key, &mut buf);
        wire.send(|out| {
            out.extend_from_slice(&buf);
            Ok(())
        })
    }
}
