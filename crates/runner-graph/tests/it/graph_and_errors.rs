//! Graph construction and queries on the fixture, parse errors, cycles, and performance.

use std::time::Instant;

use runner_graph::{Graph, GraphError, GraphNode, IndirectSelection, SelectionSpec, Selectors};

use crate::fixture::*;

#[test]
fn topological_order_and_queries() {
    let g = graph();
    assert_eq!(g.len(), 30);
    let order = g.topo_order();
    // Ready nodes leave in unique-id order, so stg_customers follows its last parent at once.
    assert_eq!(
        &order[..7],
        &[
            UTILS,
            HOOK,
            SEED,
            SRC_CUSTOMERS,
            STG_CUSTOMERS,
            SRC_ORDERS,
            STG_ORDERS
        ]
    );
    for node in g.nodes() {
        let pos = order.iter().position(|id| *id == node.unique_id).unwrap();
        for parent in &node.depends_on {
            assert!(order.iter().position(|id| id == parent).unwrap() < pos);
        }
    }
    assert_eq!(g.parents(T_REL).unwrap(), vec![CUSTOMERS, ORDERS]);
    assert_eq!(
        g.children(REVENUE).unwrap(),
        vec![T_SINGULAR, T_EXPR, T_REL_REV]
    );
    assert_eq!(g.ancestors(REVENUE, Some(1)).unwrap(), set(&[ORDERS]));
    assert_eq!(g.descendants(SEM, None).unwrap(), set(&[METRIC, SAVED]));
    assert_eq!(g.node(UTILS).unwrap().package_name, "dbt_utils");
    assert_eq!(g.root_project(), Some("jaffle_shop"));
}

#[test]
fn construction_errors() {
    let mut list = nodes();
    list[5].depends_on.push("model.jaffle_shop.missing".into());
    let err = Graph::new(list).unwrap_err();
    assert_eq!(
        err.to_string(),
        "node `model.jaffle_shop.stg_orders` depends on `model.jaffle_shop.missing`, which is not in the graph"
    );
    let mut list = nodes();
    // stg_orders -> orders -> revenue -> stg_orders
    list[5].depends_on.push(REVENUE.into());
    let err = Graph::new(list).unwrap_err();
    assert_eq!(
        err,
        GraphError::Cycle {
            cycle: vec![
                ORDERS.into(),
                REVENUE.into(),
                STG_ORDERS.into(),
                ORDERS.into()
            ]
        }
    );
    assert_eq!(
        err.to_string(),
        "Found a cycle: model.jaffle_shop.orders -> model.jaffle_shop.revenue -> model.jaffle_shop.stg_orders -> model.jaffle_shop.orders"
    );
    let mut list = nodes();
    list.push(list[0].clone());
    assert_eq!(
        Graph::new(list).unwrap_err(),
        GraphError::DuplicateNode {
            unique_id: SRC_ORDERS.into()
        }
    );
    assert!(matches!(
        graph().ancestors("model.x.y", None),
        Err(GraphError::UnknownNode { .. })
    ));
}

#[test]
fn parse_errors_name_the_selector() {
    let e = SelectionSpec::parse("tag:a nosuch:x").unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid selector `nosuch:x`: 'nosuch' is not a valid method name"
    );
    assert_eq!(
        SelectionSpec::parse("@customers+").unwrap_err().to_string(),
        "invalid selector `@customers+`: \"@\" prefix and \"+\" suffix are incompatible"
    );
    assert_eq!(
        SelectionSpec::parse("tag:").unwrap_err().to_string(),
        "invalid selector `tag:`: no search value"
    );
    assert!(SelectionSpec::parse("a,").is_err());
    assert!(SelectionSpec::parse("").is_err());
    assert_eq!(
        SelectionSpec::parse("config:x").unwrap_err().to_string(),
        "invalid selector `config:x`: the config method needs a key: `config.<key>:<value>`"
    );
}

/// 100 chains of 100 models in a grid: m(r, c) depends on m(r, c-1) and m(r-1, c).
#[test]
fn ten_thousand_nodes_in_milliseconds() {
    let id = |r: usize, c: usize| format!("model.p.m{r:02}_{c:02}");
    let mut nodes = Vec::with_capacity(10_000);
    for r in 0..100 {
        for c in 0..100 {
            let mut deps = Vec::new();
            if c > 0 {
                deps.push(id(r, c - 1));
            }
            if r > 0 {
                deps.push(id(r - 1, c));
            }
            let name = format!("m{r:02}_{c:02}");
            nodes.push(GraphNode {
                unique_id: id(r, c),
                package_name: "p".into(),
                fqn: vec!["p".into(), name.clone()],
                name,
                original_file_path: format!("models/r{r:02}/m{r:02}_{c:02}.sql"),
                depends_on: deps,
                ..GraphNode::default()
            });
        }
    }
    let start = Instant::now();
    let g = Graph::new(nodes).unwrap();
    let built = start.elapsed();
    let sels = Selectors::default();
    let mut c = runner_graph::SelectionCriteria::new(&sels);
    c.select = vec![SelectionSpec::parse("+m50_50+").unwrap()];
    c.indirect_selection = IndirectSelection::Eager;
    let selected = runner_graph::select(&g, &c).unwrap();
    let total = start.elapsed();
    // Ancestors: rows and columns 0..=50; descendants: rows and columns 50..=99.
    assert_eq!(selected.len(), 51 * 51 + 50 * 50 - 1);
    assert!(selected.contains("model.p.m00_00"));
    assert!(selected.contains("model.p.m99_99"));
    assert!(!selected.contains("model.p.m00_99"));
    assert_eq!(
        g.topo_order()[..3],
        ["model.p.m00_00", "model.p.m00_01", "model.p.m00_02"]
    );
    eprintln!("10k nodes: build {built:?}, build+select {total:?}");
    assert!(total.as_millis() < 1_000, "too slow: {total:?}");
}
