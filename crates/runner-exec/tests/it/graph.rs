//! The run graph of `tests/fixtures/store` (and `features`, for source tests): ephemeral models
//! are walked through, in `build` a node waits for the tests of what it selects from, except tests
//! that reach into it, and ready nodes start in dbt's (depth, unique id) order.

use std::path::Path;

use runner_compile::LoadOptions;
use runner_exec::RunGraph;

fn parsed() -> runner_compile::ParsedProject {
    parsed_fixture("store")
}

fn parsed_fixture(name: &str) -> runner_compile::ParsedProject {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name);
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

/// dbt's build graph links a source's tests to the source's children: `stg_orders` reads the
/// source `shop.orders` (a seed loaded in the same build), so it waits for that source's tests.
/// Depths put the seeds (0) ahead of `stg_orders`, which dbt's queue starts later.
#[test]
fn build_makes_readers_of_a_source_wait_for_its_tests() {
    let parsed = parsed_fixture("features");
    let run = RunGraph::new(&parsed.manifest, &Default::default(), &ids(&parsed), false);
    let build = RunGraph::new(&parsed.manifest, &Default::default(), &ids(&parsed), true);
    let stg_orders = "model.features.stg_orders";
    let source_tests: Vec<&String> = build
        .order
        .iter()
        .filter(|id| id.starts_with("test.features.source_"))
        .collect();
    assert_eq!(source_tests.len(), 2, "{:?}", build.order);
    for t in &source_tests {
        assert!(build.parents[stg_orders].contains(*t), "{t}");
        assert!(!run.parents[stg_orders].contains(*t), "{t}");
        assert_eq!(build.depth[*t], 0);
    }
    assert_eq!(build.depth["seed.features.raw_orders"], 0);
    assert_eq!(build.depth[stg_orders], 1);
    assert_eq!(run.depth[stg_orders], 0);
    // A model that does not read the source does not wait for its tests.
    assert!(
        !build.parents["model.features.stg_payments"]
            .iter()
            .any(|p| p.starts_with("test.features.source_"))
    );
}

#[test]
fn build_holds_back_only_readers_of_everything_a_relationships_test_is_on() {
    let parsed = parsed_fixture("features");
    let build = RunGraph::new(&parsed.manifest, &Default::default(), &ids(&parsed), true);
    let relationships = build
        .order
        .iter()
        .find(|id| id.starts_with("test.features.relationships_stg_orders_customer_id"))
        .expect("the fixture's relationships test, on stg_orders and stg_customers");
    // orders_enriched reads both models; orders_incremental and the snapshot read stg_orders
    // only, so a failing stg_customers must not skip them (as in dbt).
    assert!(build.parents["model.features.orders_enriched"].contains(relationships));
    for reader in [
        "model.features.orders_incremental",
        "snapshot.features.orders_snapshot",
    ] {
        assert!(
            build.parents[reader].contains("model.features.stg_orders"),
            "{reader}"
        );
        assert!(!build.parents[reader].contains(relationships), "{reader}");
    }
}

#[test]
fn build_runs_exposures_after_their_models_but_not_after_the_models_tests() {
    let parsed = parsed_fixture("features");
    let exposure = "exposure.features.weekly_report".to_string();
    let mut selected = ids(&parsed);
    selected.push(exposure.clone());
    let extra: std::collections::HashMap<_, _> =
        runner_exec::unit_test::stand_in_nodes(&parsed.manifest, &selected)
            .into_iter()
            .map(|n| (n.unique_id.clone(), n))
            .collect();
    let build = RunGraph::new(&parsed.manifest, &extra, &selected, true);
    // dbt's build graph adds test edges only to what it keeps in `nodes`: a failing test on
    // orders_enriched skips its model readers, while the exposure still reports no-op.
    let parents = &build.parents[&exposure];
    assert!(
        parents.contains("model.features.orders_enriched"),
        "{parents:?}"
    );
    assert!(
        !parents.iter().any(|p| p.starts_with("test.")),
        "{parents:?}"
    );
}
