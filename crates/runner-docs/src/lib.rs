//! dbt's `docs generate` after the project is compiled: what the warehouse knows about the
//! project's relations, as dbt's `catalog.json` (schema v1), and `index.html`, our own one-file docs
//! page with the manifest and the catalog inside it.
//!
//! [`read_catalog`] asks the warehouse for every table and view in the schemas the manifest builds
//! into or reads sources from, in one catalog query per engine ([`query`]); [`Catalog::build`]
//! keeps the relations that are manifest nodes or sources, as dbt does, and
//! [`Catalog::to_json`] writes them in dbt's key order. [`render_page`] makes the docs page.
#![deny(missing_docs)]

mod catalog;
mod page;
pub mod query;

pub use catalog::{
    CATALOG_SCHEMA, Catalog, CatalogTable, read_catalog, timestamp_now, used_schemas,
};
pub use page::{embed_json, page_manifest, render_page};
pub use query::{CatalogColumn, TableMetadata};

/// Why the catalog or the docs page could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    /// The catalog query failed (the warehouse's error names the endpoint and the SQL).
    #[error("catalog query for {scope} failed: {source}")]
    Query {
        /// The schemas the query covered, e.g. `"shop"."main"`.
        scope: String,
        /// The adapter's error.
        #[source]
        source: runner_adapters::AdapterError,
    },
    /// A catalog row did not have the expected columns (a bug in our query, or an unexpected
    /// engine version).
    #[error("unexpected catalog row from {engine}: {message}")]
    Row {
        /// The engine that answered.
        engine: String,
        /// What was missing.
        message: String,
    },
}

/// Result alias for this crate.
pub type Result<T, E = DocsError> = std::result::Result<T, E>;
