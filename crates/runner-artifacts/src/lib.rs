//! dbt's artifacts as plain data, and their JSON form.
//!
//! The engine builds [`Manifest`] values; this crate writes them in the exact key order of dbt-core 1.12's
//! `manifest.json` (schema v12), so output is byte-stable across runs and diffable against dbt's.
#![deny(missing_docs)]

pub mod freshness;
pub mod manifest;
pub mod node;
pub mod run_results;
pub mod sources;
mod stream;
pub mod write;

pub use manifest::{Manifest, ManifestMetadata, yaml_resource_section};
pub use node::{
    Checksum, CompiledInfo, DependsOn, DocBlock, ExposureNode, InjectedCte, MacroNode,
    ManifestNode, RefArgs, ResourceType, SourceNode, TestMetadata,
};
pub use run_results::{NodeRunResult, ResponseInfo, RunResults, RunStatus, Timing};
pub use write::{ArtifactError, write_json_file, write_streamed};
