//! Integration tests of `runner-graph` against a synthetic dbt-shaped project.

mod fixture;
mod graph_and_errors;
mod methods;
mod operators_and_indirect;
mod selectors;
