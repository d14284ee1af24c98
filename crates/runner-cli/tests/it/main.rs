//! End-to-end tests of the `runner` binary on fixture projects.

mod compare;
mod compile;
mod docs;
mod duckdb_library;
mod errors;
mod freshness;
mod job;
mod operation;
mod oracle;
mod pg_duckdb_schemas;
mod retry;
mod run;
mod schema;
mod support;
mod utility;
