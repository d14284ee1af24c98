//! Graph operators, set operations, exclusion, the resource-type filter and every
//! indirect-selection mode.

use runner_graph::{IndirectSelection, ResourceType, Selectors};

use crate::fixture::*;

fn with_mode(
    select: &[&str],
    exclude: &[&str],
    mode: IndirectSelection,
) -> std::collections::BTreeSet<String> {
    run(select, exclude, mode, None, &Selectors::default()).unwrap()
}

#[test]
fn parent_operators() {
    assert_eq!(
        direct("+customers"),
        set(&[
            CUSTOMERS,
            STG_CUSTOMERS,
            STG_ORDERS,
            STG_PAYMENTS,
            SRC_CUSTOMERS,
            SRC_ORDERS,
            SRC_PAYMENTS,
            SEED
        ])
    );
    assert_eq!(
        direct("1+customers"),
        set(&[CUSTOMERS, STG_CUSTOMERS, STG_ORDERS, STG_PAYMENTS])
    );
    assert_eq!(
        direct("2+revenue"),
        set(&[REVENUE, ORDERS, STG_ORDERS, STG_PAYMENTS])
    );
    assert_eq!(
        direct("+revenue"),
        set(&[
            REVENUE,
            ORDERS,
            STG_ORDERS,
            STG_PAYMENTS,
            SRC_ORDERS,
            SRC_PAYMENTS
        ])
    );
}

#[test]
fn child_operators() {
    assert_eq!(
        direct("orders+"),
        set(&[
            ORDERS, REVENUE, T_ACCEPTED, T_REL, T_REL_REV, EXPOSURE, SEM, METRIC, SAVED, T_EXPR,
            T_SINGULAR
        ])
    );
    assert_eq!(
        direct("orders+1"),
        set(&[ORDERS, REVENUE, T_ACCEPTED, T_REL, T_REL_REV, EXPOSURE, SEM])
    );
    assert_eq!(
        direct("semantic_model:orders_sm+2"),
        set(&[SEM, METRIC, SAVED])
    );
    assert_eq!(direct("seed.csv+"), set(&[]));
    assert_eq!(
        direct("+orders+"),
        set(&[
            ORDERS,
            REVENUE,
            T_ACCEPTED,
            T_REL,
            T_REL_REV,
            EXPOSURE,
            SEM,
            METRIC,
            SAVED,
            T_EXPR,
            T_SINGULAR,
            STG_ORDERS,
            STG_PAYMENTS,
            SRC_ORDERS,
            SRC_PAYMENTS,
        ])
    );
}

#[test]
fn childrens_parents_operator() {
    // orders, its descendants, and every ancestor of those (the exposure and the relationships
    // test pull in customers' lineage).
    assert_eq!(
        direct("@orders"),
        set(&[
            ORDERS,
            REVENUE,
            T_ACCEPTED,
            T_REL,
            T_REL_REV,
            EXPOSURE,
            SEM,
            METRIC,
            SAVED,
            T_EXPR,
            T_SINGULAR,
            STG_ORDERS,
            STG_PAYMENTS,
            SRC_ORDERS,
            SRC_PAYMENTS,
            CUSTOMERS,
            STG_CUSTOMERS,
            SRC_CUSTOMERS,
            SEED,
        ])
    );
    assert_eq!(
        direct("@revenue"),
        set(&[
            REVENUE,
            T_EXPR,
            T_SINGULAR,
            T_REL_REV,
            ORDERS,
            STG_ORDERS,
            STG_PAYMENTS,
            SRC_ORDERS,
            SRC_PAYMENTS
        ])
    );
}

#[test]
fn set_operations() {
    assert_eq!(direct("customers orders"), set(&[CUSTOMERS, ORDERS]));
    assert_eq!(
        direct("tag:nightly,config.materialized:table"),
        set(&[CUSTOMERS])
    );
    assert_eq!(
        direct("+revenue,resource_type:source"),
        set(&[SRC_ORDERS, SRC_PAYMENTS])
    );
    assert_eq!(direct("tag:nightly,tag:finance analysis/x"), set(&[ORDERS]));
    assert_eq!(
        run(
            &["customers", "revenue"],
            &[],
            IndirectSelection::Empty,
            None,
            &Selectors::default()
        )
        .unwrap(),
        set(&[CUSTOMERS, REVENUE])
    );
}

#[test]
fn exclusion_applies_after_selection_and_is_eager() {
    // The relationships test has one selected and one excluded parent: dropped.
    assert_eq!(
        with_mode(&["orders"], &["customers"], IndirectSelection::Eager),
        set(&[ORDERS, T_ACCEPTED, T_REL_REV])
    );
    assert_eq!(
        with_mode(&["+customers"], &["source:*"], IndirectSelection::Eager),
        set(&[
            CUSTOMERS,
            STG_CUSTOMERS,
            STG_ORDERS,
            STG_PAYMENTS,
            SEED,
            T_UNIQUE,
            T_NOT_NULL,
            T_REL,
            UNIT
        ])
    );
    // Exclusion is eager even when selection is cautious.
    assert_eq!(
        with_mode(
            &["customers orders"],
            &["revenue"],
            IndirectSelection::Cautious
        ),
        set(&[CUSTOMERS, ORDERS, T_NOT_NULL, T_ACCEPTED, T_REL, UNIT])
    );
    // Several --exclude arguments are unioned; an exclusion alone applies to everything; the
    // singular test goes with its excluded parent.
    assert_eq!(
        with_mode(
            &[],
            &[
                "path:models",
                "resource_type:seed resource_type:snapshot",
                "resource_type:operation"
            ],
            IndirectSelection::Eager
        ),
        set(&[ANALYSIS])
    );
}

#[test]
fn resource_type_filter_is_applied_last() {
    let r = run(
        &["+customers"],
        &[],
        IndirectSelection::Eager,
        Some(vec![ResourceType::Test, ResourceType::UnitTest]),
        &Selectors::default(),
    )
    .unwrap();
    assert_eq!(r, set(&[T_SRC, T_UNIQUE, T_NOT_NULL, T_REL, UNIT]));
    let r = run(
        &[],
        &[],
        IndirectSelection::Eager,
        Some(vec![ResourceType::Exposure, ResourceType::Seed]),
        &Selectors::default(),
    )
    .unwrap();
    assert_eq!(r, set(&[EXPOSURE, SEED]));
}

#[test]
fn eager_selects_tests_with_any_selected_parent() {
    assert_eq!(
        eager("orders"),
        set(&[ORDERS, T_ACCEPTED, T_REL, T_REL_REV])
    );
    assert_eq!(
        eager("revenue"),
        set(&[REVENUE, T_EXPR, T_SINGULAR, T_REL_REV])
    );
    assert_eq!(
        eager("customers"),
        set(&[CUSTOMERS, T_NOT_NULL, T_REL, UNIT])
    );
    assert_eq!(eager("source:raw.orders"), set(&[SRC_ORDERS, T_SRC]));
    // Tests are children only of the selected nodes themselves, not of their graph-operator reach.
    assert_eq!(eager("stg_orders"), set(&[STG_ORDERS, T_UNIQUE]));
}

#[test]
fn cautious_needs_every_parent() {
    let m = IndirectSelection::Cautious;
    assert_eq!(with_mode(&["orders"], &[], m), set(&[ORDERS, T_ACCEPTED]));
    assert_eq!(
        with_mode(&["revenue"], &[], m),
        set(&[REVENUE, T_EXPR, T_SINGULAR])
    );
    // Parents selected by different union members still count.
    assert_eq!(
        with_mode(&["orders revenue"], &[], m),
        set(&[ORDERS, REVENUE, T_ACCEPTED, T_EXPR, T_SINGULAR, T_REL_REV])
    );
    assert_eq!(
        with_mode(&["orders", "customers"], &[], m),
        set(&[ORDERS, CUSTOMERS, T_ACCEPTED, T_NOT_NULL, T_REL, UNIT])
    );
}

#[test]
fn buildable_accepts_ancestors_of_the_selection() {
    let m = IndirectSelection::Buildable;
    // orders is an ancestor of revenue, so the revenue→orders relationships test is buildable.
    assert_eq!(
        with_mode(&["revenue"], &[], m),
        set(&[REVENUE, T_EXPR, T_SINGULAR, T_REL_REV])
    );
    // customers is not an ancestor of orders.
    assert_eq!(with_mode(&["orders"], &[], m), set(&[ORDERS, T_ACCEPTED]));
    // A source's own test.
    assert_eq!(
        with_mode(&["source:raw.orders"], &[], m),
        set(&[SRC_ORDERS, T_SRC])
    );
}

#[test]
fn empty_selects_only_direct_tests() {
    let m = IndirectSelection::Empty;
    assert_eq!(with_mode(&["orders"], &[], m), set(&[ORDERS]));
    assert_eq!(
        with_mode(&["orders test_name:relationships"], &[], m),
        set(&[ORDERS, T_REL, T_REL_REV])
    );
    assert_eq!(with_mode(&["test_type:unit"], &[], m), set(&[UNIT]));
}
