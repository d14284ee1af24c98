//! Finishing a generic test node at parse time: its config (project levels, the entry's
//! `config:`, `config()` calls made by its macro), its relation name, and the parse-time render of
//! its arguments and macro that records refs, sources and macros.
//!
//! Each test depends only on finished inputs, so `parse_project` finishes them in parallel.

use std::sync::Arc;

use runner_artifacts::{ManifestNode, ResourceType};
use runner_jinja::Template;
use runner_project::LoadedProject;
use serde_json::{Map, Value as Json};

use crate::context::{NodeScope, Phase, RenderContext, Shared};
use crate::error::{CompileError, Result};
use crate::generic_tests::{TestDecl, kwargs_values};
use crate::nodes::{finish_config, name_relation, parse_render};
use crate::shared_configs::SharedConfigs;

/// A generic test as built from its declaration, with the kwargs its SQL is rendered with.
pub(crate) type BuiltTest = (ManifestNode, Map<String, Json>);

/// Finishes one generic test; returns the node and its kwargs (kept for compile time).
pub(crate) fn finish(
    loaded: &LoadedProject,
    shared: &Arc<Shared>,
    configs: &SharedConfigs,
    (mut node, kwargs): BuiltTest,
    decl: &TestDecl,
    package: &str,
) -> Result<BuiltTest> {
    set_test_config(loaded, &mut node, decl, package, &[]);
    name_relation(shared, &mut node)?;
    let macro_id = shared
        .registry
        .resolve(
            decl.namespace.as_deref().unwrap_or(package),
            &format!("test_{}", decl.name),
        )
        .map(|m| m.unique_id.clone())
        .ok_or_else(|| CompileError::UnknownTest {
            file: node.original_file_path.clone(),
            test: decl.name.clone(),
        })?;
    let mut scope = NodeScope::new(Phase::Parse, package, &node.original_file_path);
    scope.this = Some(crate::relation::Relation::new(
        node.database.clone(),
        Some(node.schema.clone()),
        Some(node.alias.clone()),
    ));
    let scope = Arc::new(scope);
    let ctx = Arc::new(RenderContext {
        shared: shared.clone(),
        scope: scope.clone(),
    });
    let values = kwargs_values(&ctx, &kwargs, &node.original_file_path)?;
    let captured = scope.take_captured();
    node.refs = captured.refs;
    node.sources = captured.sources;
    // Like dbt, render the test macro at parse time (all but the two built-in tests dbt
    // configures statically): `config()` calls inside it (dbt_utils' `fail_calc`) configure
    // the test, under the entry's own config, which dbt's raw code repeats after the call.
    if !STATIC_TESTS.contains(&macro_id.as_str()) {
        let in_macro = render_test_macro(shared, &mut node, values)?;
        node.refs.extend(in_macro.refs);
        node.sources.extend(in_macro.sources);
        let calls: Vec<Map<String, Json>> = in_macro
            .config_calls
            .into_iter()
            .map(|mut call| {
                call.retain(|k, _| k != "alias" && !decl.config.contains_key(k));
                call
            })
            .filter(|call| !call.is_empty())
            .collect();
        if !calls.is_empty() {
            set_test_config(loaded, &mut node, decl, package, &calls);
            name_relation(shared, &mut node)?;
        }
    }
    // dbt renders a generic test at parse time only when it carries config (a `config()` call
    // in its raw code); otherwise get_where_subquery, the `model` wrapper, appears at compile.
    let rendered_at_parse = node.raw_code.contains("{{ config(");
    node.depends_on.macros = std::iter::once(macro_id)
        .chain(
            captured
                .macros
                .into_iter()
                .filter(|m| rendered_at_parse || m != crate::compile::WHERE_SUBQUERY_MACRO),
        )
        .collect();
    node.tags = crate::config::config_tags(&node.config);
    configs.share(&mut node.config);
    Ok((node, kwargs))
}

/// The built-in generic tests dbt configures without rendering their macro.
const STATIC_TESTS: &[&str] = &["macro.dbt.test_not_null", "macro.dbt.test_unique"];

/// A generic test's config: the project's levels, the entry's `config:`, then `config()` calls made
/// by its macro (`calls`, applied to the config but not to `unrendered_config`, as dbt records only
/// the raw code's static config there), then for package tests the root project's levels.
fn set_test_config(
    loaded: &LoadedProject,
    node: &mut ManifestNode,
    decl: &crate::generic_tests::TestDecl,
    package: &str,
    calls: &[Map<String, Json>],
) {
    let (mut config, mut unrendered) = crate::nodes::base_config(
        loaded,
        ResourceType::Test,
        package,
        &node.fqn,
        Some(&decl.config),
    );
    for call in calls {
        crate::config::merge_into(&mut config, call);
    }
    let fqn = node.fqn.clone();
    finish_config(
        loaded,
        ResourceType::Test,
        package,
        &fqn,
        &mut config,
        &mut unrendered,
        &[],
    );
    // A test whose name was shortened carries the short alias in its config too (dbt reads it
    // from the trailing `config()` of the test's raw code).
    if node.alias != node.name {
        config.insert("alias".into(), Json::from(node.alias.clone()));
        unrendered.insert("alias".into(), Json::from(node.alias.clone()));
    }
    node.config = config.into();
    node.unrendered_config = unrendered;
}

/// Renders a generic test's macro call in parse mode with its arguments and returns what it
/// recorded (refs, sources, `config()` calls).
fn render_test_macro(
    shared: &Arc<Shared>,
    node: &mut ManifestNode,
    values: foldhash::HashMap<String, runner_jinja::Value>,
) -> Result<crate::context::Captured> {
    let call = node
        .raw_code
        .split_once("}}")
        .map(|(call, _)| format!("{call}}}}}"))
        .unwrap_or_else(|| node.raw_code.clone());
    let template = Template::parse(&node.original_file_path, &call)
        .map_err(|e| CompileError::jinja(&node.original_file_path, &e))?;
    parse_render(shared, node, &template, values)
}
