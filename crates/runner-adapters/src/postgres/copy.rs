//! Bulk loading on Postgres: the COPY sub-protocol (`COPY … FROM STDIN`: CopyInResponse, then
//! CopyData chunks and CopyDone, or CopyFail to abort) and `load_rows` on top of it. Redshift has
//! no COPY from the client, so it takes the INSERT path.

use std::collections::HashMap;

use postgres_protocol::message::backend::Message;
use postgres_protocol::message::frontend;

use super::PgConnection;
use super::wire::{ErrorFields, ServerError};
use crate::catalog::{Relation, quote_literal};
use crate::config::AdapterKind;
use crate::connection::Connection;
use crate::error::Result;
use crate::seed;
use crate::table::Cell;

/// CopyData payload size: large enough to keep the socket busy, small enough to stream.
const CHUNK_BYTES: usize = 256 * 1024;
/// Offset timestamps converted per query.
const CONVERT_BATCH: usize = 5_000;

impl PgConnection {
    /// Runs a `COPY … FROM STDIN` statement and streams `chunks` as its data; returns the row
    /// count of the `COPY n` tag. A server error (a bad value, a missing column) is returned once
    /// the server is ready again; the session stays usable.
    pub(crate) fn copy_in<I>(&mut self, sql: &str, chunks: I) -> Result<u64>
    where
        I: IntoIterator<Item = Vec<u8>>,
    {
        if self.broken {
            return Err(self
                .wire
                .protocol_error("the connection broke earlier; open a new one"));
        }
        self.run_copy_in(sql, chunks.into_iter())
            .map_err(|e| self.error_from(e, sql))
    }

    fn run_copy_in(
        &mut self,
        sql: &str,
        mut chunks: impl Iterator<Item = Vec<u8>>,
    ) -> std::result::Result<u64, ServerError> {
        self.wire
            .send(|buf| frontend::query(sql, buf))
            .map_err(ServerError::Fatal)?;
        let mut error = None;
        let mut tag = String::new();
        let mut streamed = false;
        loop {
            match self.wire.recv().map_err(ServerError::Fatal)? {
                Message::CopyInResponse(_) if !streamed => {
                    streamed = true;
                    // After an error the server drops whatever CopyData still arrives, so the
                    // data is sent in full and the error read afterwards.
                    for chunk in chunks.by_ref() {
                        self.wire
                            .send(|buf| {
                                frontend::CopyData::new(chunk.as_slice())?.write(buf);
                                Ok(())
                            })
                            .map_err(ServerError::Fatal)?;
                    }
                    self.wire
                        .send(|buf| {
                            frontend::copy_done(buf);
                            Ok(())
                        })
                        .map_err(ServerError::Fatal)?;
                }
                Message::CopyInResponse(_) => {
                    // A second COPY in the same string: refuse it rather than resend the data.
                    self.wire
                        .send(|buf| frontend::copy_fail("only one COPY per load", buf))
                        .map_err(ServerError::Fatal)?;
                }
                Message::CommandComplete(body) => {
                    tag = body
                        .tag()
                        .map_err(|e| ServerError::Fatal(self.wire.protocol_error(e.to_string())))?
                        .to_string();
                }
                Message::ErrorResponse(body) => {
                    error.get_or_insert_with(|| ErrorFields::from_body(&body));
                }
                Message::ReadyForQuery(body) => {
                    self.status = body.status();
                    if let Some(fields) = error {
                        return Err(ServerError::Sql(fields));
                    }
                    if !streamed {
                        return Err(ServerError::Fatal(
                            self.wire
                                .protocol_error("the statement did not start a COPY FROM STDIN"),
                        ));
                    }
                    return Ok(tag
                        .strip_prefix("COPY ")
                        .and_then(|n| n.trim().parse().ok())
                        .unwrap_or(0));
                }
                _ => {}
            }
        }
    }

    /// `load_rows` with COPY (Postgres) or INSERTs (Redshift).
    pub(super) fn load(
        &mut self,
        relation: &Relation,
        columns: &[String],
        types: &[String],
        rows: &[Vec<Option<String>>],
    ) -> Result<u64> {
        let kind = self.kind();
        if kind == AdapterKind::Redshift {
            return seed::insert_rows(self, relation, columns, types, rows);
        }
        seed::check_shape(kind, relation, columns, types, rows)?;
        if rows.is_empty() {
            return Ok(0);
        }
        let naive: Vec<bool> = types.iter().map(|t| seed::is_naive_timestamp(t)).collect();
        let converted = self.convert_offset_timestamps(&naive, rows)?;
        let sql = format!(
            "copy {} ({}) from stdin with (format csv)",
            relation.render(kind),
            seed::column_list(columns)
        );
        let mut remaining = rows.iter();
        let chunks = std::iter::from_fn(|| {
            let mut chunk = Vec::with_capacity(CHUNK_BYTES + 1024);
            for row in remaining.by_ref() {
                seed::copy_csv_rows(&mut chunk, row, |index, value| {
                    if naive[index]
                        && let Some(local) = converted.get(value)
                    {
                        return local.as_str();
                    }
                    value
                });
                if chunk.len() >= CHUNK_BYTES {
                    break;
                }
            }
            (!chunk.is_empty()).then_some(chunk)
        });
        self.copy_in(&sql, chunks)
    }

    /// COPY's timestamp input ignores UTC offsets, so offset values for naive timestamp columns
    /// are converted first, by the server in this session: `value::timestamptz::timestamp`, which
    /// is what inserting a `timestamptz` into such a column does (session time zone).
    fn convert_offset_timestamps(
        &mut self,
        naive: &[bool],
        rows: &[Vec<Option<String>>],
    ) -> Result<HashMap<String, String>> {
        let mut pending: Vec<&str> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for row in rows {
            for (value, _) in row.iter().zip(naive).filter(|(_, naive)| **naive) {
                if let Some(v) = value.as_deref().filter(|v| seed::has_utc_offset(v))
                    && seen.insert(v)
                {
                    pending.push(v);
                }
            }
        }
        let mut converted = HashMap::with_capacity(pending.len());
        for batch in pending.chunks(CONVERT_BATCH) {
            let values: Vec<String> = batch
                .iter()
                .map(|v| format!("({})", quote_literal(v)))
                .collect();
            let sql = format!(
                "select v, cast(cast(v as timestamptz) as timestamp)::text from (values {}) as t(v)",
                values.join(", ")
            );
            for row in self.query(&sql)?.rows {
                if let [Cell::Text(from), Cell::Text(to)] = row.as_slice() {
                    converted.insert(from.clone(), to.clone());
                }
            }
        }
        Ok(converted)
    }
}
