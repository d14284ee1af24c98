//! Warehouse connections for the engine: Postgres and Redshift (the Postgres wire protocol, TLS via
//! rustls) and embedded DuckDB, behind one synchronous [`Connection`] trait.
//!
//! A profile target becomes an [`AdapterConfig`] ([`AdapterConfig::from_profile`]), an [`Adapter`]
//! opens connections from it, and a [`Pool`] sized by `threads` lends them to worker threads. A
//! connection runs SQL strings (several statements each, as dbt sends them) and returns dbt's
//! [`AdapterResponse`] and typed result [`Table`]s; it also answers dbt's catalog questions
//! (schemas, relations, columns), bulk-loads rows ([`Connection::load_rows`], dbt seeds read by
//! [`read_seed_csv`]) and can be cancelled from another thread with a [`CancelHandle`].
//! Materializations are not here: they are SQL the engine renders and runs through this crate.
//!
//! DuckDB reaches the process one of two ways (docs/adr/0001): loaded with dlopen() on the first
//! DuckDB open (feature `runtime-duckdb`, the default) or compiled in (`bundled`).

#[cfg(all(feature = "runtime-duckdb", feature = "bundled"))]
compile_error!(
    "runner-adapters: features `runtime-duckdb` and `bundled` exclude each other; build the \
     bundled binary with `--no-default-features --features bundled`"
);

mod catalog;
mod config;
mod connection;
mod duck;
mod error;
mod pool;
mod postgres;
mod seed;
mod table;

pub use catalog::{
    ColumnInfo, Relation, RelationType, column_infos, quote_identifier, quote_literal,
};
pub use config::{
    AdapterConfig, AdapterKind, DuckDbConfig, DuckDbExtension, PostgresConfig, SslMode,
};
pub use connection::{CancelHandle, Connection};
pub use duck::{DuckDbConnection, DuckDbDatabase};
pub use error::{AdapterError, Result};
pub use pool::{Adapter, Pool, PooledConnection};
pub use postgres::{PgCancel, PgConnection};
pub use seed::{
    SeedColumn, SeedTable, SeedType, insert_sql, read_seed_csv, read_seed_csv_with, read_seed_file,
};
pub use table::{AdapterResponse, Cell, Column, Table};
