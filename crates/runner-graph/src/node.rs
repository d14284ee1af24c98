//! The input type of the graph: [`GraphNode`] (one manifest node, source, exposure, …) and the
//! enums [`ResourceType`] and [`TestType`], with their dbt spellings.

use std::fmt;
use std::str::FromStr;

/// The kind of a graph node, spelled as dbt's `resource_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum ResourceType {
    /// `model`
    #[default]
    Model,
    /// `seed`
    Seed,
    /// `snapshot`
    Snapshot,
    /// `test` (data tests: generic and singular)
    Test,
    /// `unit_test`
    UnitTest,
    /// `source`
    Source,
    /// `exposure`
    Exposure,
    /// `metric`
    Metric,
    /// `semantic_model`
    SemanticModel,
    /// `saved_query`
    SavedQuery,
    /// `analysis`
    Analysis,
    /// `operation` (hooks)
    Operation,
}

impl ResourceType {
    /// Every resource type, in declaration order.
    pub const ALL: [ResourceType; 12] = [
        ResourceType::Model,
        ResourceType::Seed,
        ResourceType::Snapshot,
        ResourceType::Test,
        ResourceType::UnitTest,
        ResourceType::Source,
        ResourceType::Exposure,
        ResourceType::Metric,
        ResourceType::SemanticModel,
        ResourceType::SavedQuery,
        ResourceType::Analysis,
        ResourceType::Operation,
    ];

    /// The dbt spelling (`"model"`, `"unit_test"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::Model => "model",
            ResourceType::Seed => "seed",
            ResourceType::Snapshot => "snapshot",
            ResourceType::Test => "test",
            ResourceType::UnitTest => "unit_test",
            ResourceType::Source => "source",
            ResourceType::Exposure => "exposure",
            ResourceType::Metric => "metric",
            ResourceType::SemanticModel => "semantic_model",
            ResourceType::SavedQuery => "saved_query",
            ResourceType::Analysis => "analysis",
            ResourceType::Operation => "operation",
        }
    }

    /// Parses the dbt spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        ResourceType::ALL.into_iter().find(|rt| rt.as_str() == s)
    }

    /// Whether dbt keeps this type in `manifest.nodes` (models, seeds, snapshots, data tests,
    /// analyses, operations), as opposed to sources, exposures, metrics, unit tests, ….
    pub fn is_manifest_node(self) -> bool {
        matches!(
            self,
            ResourceType::Model
                | ResourceType::Seed
                | ResourceType::Snapshot
                | ResourceType::Test
                | ResourceType::Analysis
                | ResourceType::Operation
        )
    }

    /// Whether nodes of this type can be selected indirectly through their parents
    /// (data tests and unit tests).
    pub fn is_test(self) -> bool {
        matches!(self, ResourceType::Test | ResourceType::UnitTest)
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ResourceType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResourceType::parse(s).ok_or_else(|| format!("unknown resource type `{s}`"))
    }
}

/// The flavour of a test node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TestType {
    /// A generic (schema) data test such as `unique` or `dbt_utils.expression_is_true`.
    Generic,
    /// A singular data test: a `.sql` file under `tests/`.
    Singular,
    /// A unit test.
    Unit,
}

/// One node of the project DAG, carrying every attribute a selector method can look at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GraphNode {
    /// `model.jaffle_shop.customers`, `source.jaffle_shop.raw.orders`, `test.jaffle_shop.unique_x.c5af1ff4b2`.
    pub unique_id: String,
    /// The node's resource type.
    pub resource_type: ResourceType,
    /// The package the node is defined in.
    pub package_name: String,
    /// The node name; for sources the table name.
    pub name: String,
    /// The fully qualified name (package first; versioned models end in `v<version>`).
    pub fqn: Vec<String>,
    /// Path of the defining file relative to its package root, with forward slashes.
    pub original_file_path: String,
    /// The node's tags.
    pub tags: Vec<String>,
    /// The resolved config object.
    pub config: serde_json::Value,
    /// Unique ids of the parents (nodes and sources).
    pub depends_on: Vec<String>,
    /// A generic test's name, possibly namespaced (`unique`, `dbt_utils.expression_is_true`).
    pub test_name: Option<String>,
    /// The test flavour, for tests and unit tests.
    pub test_type: Option<TestType>,
    /// The source name, for sources.
    pub source_name: Option<String>,
    /// The model version, for versioned models.
    pub version: Option<String>,
    /// The latest version of a versioned model.
    pub latest_version: Option<String>,
    /// `public`, `protected` or `private`, for models.
    pub access: Option<String>,
    /// The group the node belongs to.
    pub group: Option<String>,
    /// For tests: the node the test is attached to.
    pub attached_node: Option<String>,
}

impl GraphNode {
    /// Whether the node is a versioned model.
    pub fn is_versioned(&self) -> bool {
        self.version.is_some()
    }

    /// The test flavour, inferring it for data tests that do not state it
    /// (a test with a `test_name` is generic, one without is singular).
    pub fn effective_test_type(&self) -> Option<TestType> {
        match self.resource_type {
            ResourceType::UnitTest => Some(TestType::Unit),
            ResourceType::Test => Some(self.test_type.unwrap_or(if self.test_name.is_some() {
                TestType::Generic
            } else {
                TestType::Singular
            })),
            _ => None,
        }
    }

    /// The group: the `group` field, else `config.group`.
    pub fn effective_group(&self) -> Option<&str> {
        self.group
            .as_deref()
            .or_else(|| self.config.get("group").and_then(|g| g.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_type_round_trips() {
        for rt in ResourceType::ALL {
            assert_eq!(ResourceType::parse(rt.as_str()), Some(rt));
            assert_eq!(rt.as_str().parse::<ResourceType>(), Ok(rt));
        }
        assert_eq!(ResourceType::parse("Model"), None);
        assert!("macro".parse::<ResourceType>().is_err());
        assert_eq!(ResourceType::SavedQuery.to_string(), "saved_query");
    }

    #[test]
    fn classification() {
        assert!(ResourceType::Test.is_manifest_node());
        assert!(!ResourceType::UnitTest.is_manifest_node());
        assert!(!ResourceType::Source.is_manifest_node());
        assert!(ResourceType::UnitTest.is_test());
        assert!(!ResourceType::Model.is_test());
    }

    #[test]
    fn inferred_test_type_and_group() {
        let mut n = GraphNode {
            resource_type: ResourceType::Test,
            ..GraphNode::default()
        };
        assert_eq!(n.effective_test_type(), Some(TestType::Singular));
        n.test_name = Some("unique".into());
        assert_eq!(n.effective_test_type(), Some(TestType::Generic));
        n.test_type = Some(TestType::Singular);
        assert_eq!(n.effective_test_type(), Some(TestType::Singular));
        n.resource_type = ResourceType::Model;
        assert_eq!(n.effective_test_type(), None);
        assert_eq!(n.effective_group(), None);
        n.config = serde_json::json!({"group": "finance"});
        assert_eq!(n.effective_group(), Some("finance"));
        n.group = Some("marketing".into());
        assert_eq!(n.effective_group(), Some("marketing"));
    }
}
