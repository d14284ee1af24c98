//! Integration tests for runner-adapters against real services: a throwaway PostgreSQL 15
//! cluster (runner-testkit, shared by this binary; one database per test) and embedded DuckDB.

mod catalog;
mod config;
mod duckdb;
mod load;
mod pool;
mod postgres;
mod seed;
mod seed_load;
mod support;
mod tls;
