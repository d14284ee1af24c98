//! Where generic tests are declared: each `data_tests:` (or legacy `tests:`) item of a model,
//! seed, column or source table, borrowed from the property entries, and turned into a test node
//! on whichever parse thread draws it.

use runner_artifacts::ManifestNode;
use runner_project::{PropertyEntry, PropertyKind};
use serde_json::{Map, Value as Json};

use crate::error::Result;
use crate::generic_tests::{TestDecl, TestOwner, build_test_node, parse_decl};
use crate::test_names::TestTarget;

/// The tests declared under `data_tests:` (or the legacy `tests:`) of a property entry or column.
pub(crate) fn declared_tests(body: &Json) -> impl Iterator<Item = &Json> {
    body.get("data_tests")
        .or_else(|| body.get("tests"))
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
}

/// The `columns:` entries of a property entry or source table.
pub(crate) fn columns_of(body: &Json) -> impl Iterator<Item = &Json> {
    body.get("columns")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
}

/// What a declared test is on.
enum On<'a> {
    /// A model (one version of it, for versioned models) or seed; `attached` is its unique id
    /// when the node exists, enabled or not.
    Node {
        attached: Option<String>,
        version: Option<String>,
    },
    /// A source table.
    SourceTable { table: &'a str },
}

/// One declared test item, not yet a node.
pub(crate) struct DeclaredTest<'a> {
    entry: &'a PropertyEntry,
    on: On<'a>,
    column: Option<&'a str>,
    item: &'a Json,
}

impl<'a> DeclaredTest<'a> {
    /// The package whose property file declares the test.
    pub(crate) fn package(&self) -> &'a str {
        &self.entry.package
    }

    /// Parses the item and builds the (not yet rendered) test node.
    pub(crate) fn build(
        &self,
        created_at: f64,
    ) -> Result<((ManifestNode, Map<String, Json>), TestDecl)> {
        let entry = self.entry;
        let decl = parse_decl(self.item, self.column, &entry.file)?;
        let fqn_dirs = crate::project::yml_dirs(&entry.file);
        let built = match &self.on {
            On::Node { attached, version } => {
                let node_name = match version {
                    Some(v) => format!("{}_v{v}", entry.name),
                    None => entry.name.clone(),
                };
                let section = if entry.kind == PropertyKind::Seeds {
                    "seeds"
                } else {
                    "models"
                };
                let owner = TestOwner {
                    package: &entry.package,
                    file: &entry.file,
                    fqn_dirs,
                    target: TestTarget::Node(&node_name),
                    file_key_name: format!("{section}.{}", entry.name),
                    model_expr: match version {
                        Some(v) => format!("ref('{}', version='{v}')", entry.name),
                        None => format!("ref('{}')", entry.name),
                    },
                    attached_node: attached.clone(),
                };
                build_test_node(&owner, &decl, created_at)
            }
            On::SourceTable { table } => {
                let owner = TestOwner {
                    package: &entry.package,
                    file: &entry.file,
                    fqn_dirs,
                    target: TestTarget::Source {
                        source: &entry.name,
                        table,
                    },
                    file_key_name: format!("sources.{}", entry.name),
                    model_expr: format!("source('{}', '{}')", entry.name, table),
                    attached_node: None,
                };
                build_test_node(&owner, &decl, created_at)
            }
        };
        Ok((built, decl))
    }
}

/// The tests declared on a model or seed entry, columns first, once per version of a versioned
/// model. `exists(id)` says whether a node (enabled or disabled) has that unique id: dbt keeps the
/// tests of a missing model and disables them once refs are resolved.
pub(crate) fn on_node<'a>(
    entry: &'a PropertyEntry,
    exists: impl Fn(&str) -> bool,
    out: &mut Vec<DeclaredTest<'a>>,
) {
    let rt = if entry.kind == PropertyKind::Seeds {
        "seed"
    } else {
        "model"
    };
    let targets: Vec<(String, Option<String>)> = match entry.body.get("versions") {
        Some(Json::Array(vs)) if rt == "model" => vs
            .iter()
            .filter_map(|v| v.get("v"))
            .map(crate::versions::json_label)
            .map(|v| {
                (
                    format!("model.{}.{}.v{v}", entry.package, entry.name),
                    Some(v),
                )
            })
            .collect(),
        _ => vec![(format!("{rt}.{}.{}", entry.package, entry.name), None)],
    };
    for (id, version) in targets {
        let attached = exists(&id).then_some(id);
        for c in columns_of(&entry.body) {
            let column = c.get("name").and_then(Json::as_str);
            for item in declared_tests(c) {
                out.push(DeclaredTest {
                    entry,
                    on: On::Node {
                        attached: attached.clone(),
                        version: version.clone(),
                    },
                    column,
                    item,
                });
            }
        }
        for item in declared_tests(&entry.body) {
            out.push(DeclaredTest {
                entry,
                on: On::Node {
                    attached: attached.clone(),
                    version: version.clone(),
                },
                column: None,
                item,
            });
        }
    }
}

/// The tests declared on a source table of a `sources:` entry, its named columns' first.
pub(crate) fn on_source_table<'a>(
    entry: &'a PropertyEntry,
    table: &'a Json,
    out: &mut Vec<DeclaredTest<'a>>,
) {
    let Some(name) = table.get("name").and_then(Json::as_str) else {
        return;
    };
    for c in columns_of(table) {
        if let Some(column) = c.get("name").and_then(Json::as_str) {
            for item in declared_tests(c) {
                out.push(DeclaredTest {
                    entry,
                    on: On::SourceTable { table: name },
                    column: Some(column),
                    item,
                });
            }
        }
    }
    for item in declared_tests(table) {
        out.push(DeclaredTest {
            entry,
            on: On::SourceTable { table: name },
            column: None,
            item,
        });
    }
}
