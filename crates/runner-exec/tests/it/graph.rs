//! The run graph of `tests/fixtures/store`: ephemeral models are walked through, and in `build`
//! a model waits for the tests of what it selects from, except tests that reach into it.

use std::path::Path;

use runner_compile::LoadOptions;
use runner_exec::RunGraph;

fn parsed() -> runner_compile::ParsedProject {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/store");
    let opts = LoadOptions {
        project_dir: dir,
        cli_vars: Default::default(),
        flags: Default::default(),
        target: Box::new(|project, _| {
            Ok(runner_project::Target::embedded_duckdb(
                &project.name,
                Path::new("unused.duckdb"),
            ))
        }),
    };
    runner_compile::load(&opts).expect("fixture parses").1
}

fn ids(parsed: &runner_compile::ParsedProject) -> Vec<String> {
    let mut ids: Vec<String> = parsed.manifest.nodes.keys().cloned().collect();
    ids.sort();
    ids
}

#[test]
fn ephemeral_models_do_not_run_but_order_what_uses_them() {
    let parsed = parsed();
    let graph = RunGraph::new(&parsed.manifest, &Default::default(), &ids(&parsed), false);
    assert!(
        !graph
            .order
            .iter()
            .any(|id| id.ends_with(".payment_amounts"))
    );
    let orders = &graph.parents["model.shop.orders"];
    assert!(orders.contains("model.shop.stg_payments"), "{orders:?}");
    assert!(orders.contains("model.shop.stg_orders"));
    assert!(!graph.order.iter().any(|id| id.starts_with("operation.")));
}

#[test]
fn build_makes_children_wait_for_tests_but_never_forms_a_cycle() {
    let parsed = parsed();
    let run = RunGraph::new(&parsed.manifest, &Default::default(), &ids(&parsed), false);
    let build = RunGraph::new(&parsed.manifest, &Default::default(), &ids(&parsed), true);
    let customers = "model.shop.customers";
    let stg_test = "test.shop.unique_stg_customers_customer_id.c7614daada";
    assert!(!run.parents[customers].contains(stg_test));
    assert!(build.parents[customers].contains(stg_test));
    // orders is upstream of the relationships test on orders → customers, so customers waits for
    // it, but orders must not wait for a test that selects from orders itself.
    let relationships = build
        .order
        .iter()
        .find(|id| id.contains("relationships_orders"))
        .unwrap();
    assert!(!build.parents["model.shop.orders"].contains(relationships));
    // Every node stays reachable from the roots: no cycle.
    let mut done = std::collections::HashSet::new();
    loop {
        let ready: Vec<&String> = build
            .order
            .iter()
            .filter(|id| !done.contains(*id) && build.parents[*id].iter().all(|p| done.contains(p)))
            .collect();
        if ready.is_empty() {
            break;
        }
        for id in ready {
            done.insert(id.clone());
        }
    }
    assert_eq!(done.len(), build.order.len());
}

#[test]
fn the_streamed_manifest_is_byte_for_byte_the_serialized_tree() {
    let parsed = parsed();
    let mut streamed = Vec::new();
    parsed.manifest.write_json(&mut streamed).unwrap();
    let whole = serde_json::to_string(&parsed.manifest.to_json()).unwrap();
    assert_eq!(String::from_utf8(streamed).unwrap(), whole);
}
