//! The dbt engine's compile half.
#![deny(missing_docs)]
pub mod config;
pub mod test_names;
