//! The project DAG and dbt-core's node-selection language.
//!
//! * [`Graph`] holds the manifest's nodes (models, seeds, snapshots, tests, unit tests, sources,
//!   exposures, metrics, semantic models, saved queries, analyses, operations) as a DAG built from
//!   their `depends_on`, with cycle detection and a deterministic topological order.
//! * [`SelectionSpec`] is one parsed `--select`/`--exclude` argument (unions, intersections, graph
//!   operators and selector methods) or a `selectors.yml` definition.
//! * [`select`] evaluates [`SelectionCriteria`] against a graph the way dbt-core 1.12 does,
//!   including indirect selection of tests and exclusion applied after selection.
//! * [`Selectors`] parses `selectors.yml`.
#![deny(missing_docs)]

pub mod error;
pub mod graph;
mod methods;
pub mod node;
mod nodeset;
mod pattern;
pub mod select;
pub mod selectors_manifest;
pub mod selectors_yaml;
pub mod spec;

pub use error::GraphError;
pub use graph::Graph;
pub use node::{GraphNode, ResourceType, TestType};
pub use select::{SelectionCriteria, select};
pub use selectors_manifest::manifest_selectors;
pub use selectors_yaml::{SelectorDefinition, Selectors};
pub use spec::{IndirectSelection, Method, SelectionAtom, SelectionSpec};
