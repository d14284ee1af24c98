//! Integration tests of the compile engine: whole fixture projects under `tests/fixtures/` compiled the
//! way `runner compile` does, compared with what dbt-core 1.12 compiled for them.

mod cross_db;
mod modules;
mod support;
