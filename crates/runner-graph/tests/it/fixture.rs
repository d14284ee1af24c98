//! A synthetic graph shaped like a dbt project: sources → staging → marts, a seed, a snapshot,
//! generic/singular/unit tests, an exposure, a semantic layer chain, a versioned model, an
//! analysis, a hook and one model from the `dbt_utils` package.

use std::collections::BTreeSet;

use runner_graph::{
    Graph, GraphNode, IndirectSelection, ResourceType, SelectionCriteria, SelectionSpec, Selectors,
    TestType, select,
};
use serde_json::{Value, json};

pub const SRC_ORDERS: &str = "source.jaffle_shop.raw.orders";
pub const SRC_CUSTOMERS: &str = "source.jaffle_shop.raw.customers";
pub const SRC_PAYMENTS: &str = "source.jaffle_shop.raw.payments";
pub const SEED: &str = "seed.jaffle_shop.country_codes";
pub const SNAP: &str = "snapshot.jaffle_shop.orders_snapshot";
pub const STG_ORDERS: &str = "model.jaffle_shop.stg_orders";
pub const STG_CUSTOMERS: &str = "model.jaffle_shop.stg_customers";
pub const STG_PAYMENTS: &str = "model.jaffle_shop.stg_payments";
pub const CUSTOMERS: &str = "model.jaffle_shop.customers";
pub const ORDERS: &str = "model.jaffle_shop.orders";
pub const REVENUE: &str = "model.jaffle_shop.revenue";
pub const DIM_V1: &str = "model.jaffle_shop.dim_customers.v1";
pub const DIM_V2: &str = "model.jaffle_shop.dim_customers.v2";
pub const DIM_V3: &str = "model.jaffle_shop.dim_customers.v3";
pub const UTILS: &str = "model.dbt_utils.utils_calendar";
pub const ANALYSIS: &str = "analysis.jaffle_shop.explore_customers";
pub const HOOK: &str = "operation.jaffle_shop.jaffle_shop-on-run-end-0";
pub const T_UNIQUE: &str = "test.jaffle_shop.unique_stg_orders_order_id.e3b0c44298";
pub const T_NOT_NULL: &str = "test.jaffle_shop.not_null_customers_customer_id.5c9bf9911d";
pub const T_ACCEPTED: &str = "test.jaffle_shop.accepted_values_orders_status.be6a7b4c8e";
pub const T_REL: &str =
    "test.jaffle_shop.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2";
pub const T_REL_REV: &str =
    "test.jaffle_shop.relationships_revenue_order_id__order_id__ref_orders_.1a2b3c4d5e";
pub const T_EXPR: &str = "test.jaffle_shop.dbt_utils_expression_is_true_revenue_amount.9f1c2a7e1b";
pub const T_SINGULAR: &str = "test.jaffle_shop.assert_positive_revenue";
pub const T_SRC: &str = "test.jaffle_shop.source_not_null_raw_orders_order_id.0f5a3e8d21";
pub const UNIT: &str = "unit_test.jaffle_shop.customers.test_customer_lifetime";
pub const EXPOSURE: &str = "exposure.jaffle_shop.weekly_dashboard";
pub const SEM: &str = "semantic_model.jaffle_shop.orders_sm";
pub const METRIC: &str = "metric.jaffle_shop.total_revenue";
pub const SAVED: &str = "saved_query.jaffle_shop.revenue_report";

fn n(id: &str, rt: ResourceType, fqn: &str, path: &str, deps: &[&str]) -> GraphNode {
    let fqn: Vec<String> = fqn.split('/').map(str::to_owned).collect();
    let package_name = fqn[0].clone();
    let name = if rt == ResourceType::Model && fqn.last().is_some_and(|l| l.starts_with('v')) {
        fqn[fqn.len() - 2].clone()
    } else {
        fqn.last().cloned().unwrap_or_default()
    };
    GraphNode {
        unique_id: id.into(),
        resource_type: rt,
        package_name,
        name,
        fqn,
        original_file_path: path.into(),
        config: json!({}),
        depends_on: deps.iter().map(|d| d.to_string()).collect(),
        ..GraphNode::default()
    }
}

fn with(mut node: GraphNode, f: impl FnOnce(&mut GraphNode)) -> GraphNode {
    f(&mut node);
    node
}

fn tags(t: &[&str]) -> Vec<String> {
    t.iter().map(|s| s.to_string()).collect()
}

fn generic(
    id: &str,
    name: &str,
    dir_fqn: &str,
    path: &str,
    deps: &[&str],
    severity: Value,
) -> GraphNode {
    let test_fqn = format!("{dir_fqn}/{}", id.split('.').nth(2).unwrap());
    with(n(id, ResourceType::Test, &test_fqn, path, deps), |t| {
        t.test_name = Some(name.into());
        t.test_type = Some(TestType::Generic);
        t.attached_node = deps.last().map(|d| d.to_string());
        t.config = json!({"severity": severity});
    })
}

fn source(id: &str, table: &str) -> GraphNode {
    with(
        n(
            id,
            ResourceType::Source,
            &format!("jaffle_shop/staging/raw/{table}"),
            "models/staging/_sources.yml",
            &[],
        ),
        |s| {
            s.source_name = Some("raw".into());
            s.tags = tags(&["raw"]);
            s.config = json!({"enabled": true});
        },
    )
}

fn model(id: &str, fqn: &str, path: &str, deps: &[&str], access: Option<&str>) -> GraphNode {
    with(n(id, ResourceType::Model, fqn, path, deps), |m| {
        m.access = access.map(str::to_owned);
        m.config = json!({"materialized": "view"});
    })
}

fn dim(id: &str, v: &str) -> GraphNode {
    with(
        model(
            id,
            &format!("jaffle_shop/marts/dim_customers/v{v}"),
            &format!("models/marts/dim_customers_v{v}.sql"),
            &[CUSTOMERS],
            Some("protected"),
        ),
        |m| {
            m.version = Some(v.into());
            m.latest_version = Some("2".into());
        },
    )
}

/// Every node of the project.
pub fn nodes() -> Vec<GraphNode> {
    use ResourceType::*;
    vec![
        source(SRC_ORDERS, "orders"),
        source(SRC_CUSTOMERS, "customers"),
        source(SRC_PAYMENTS, "payments"),
        with(
            n(
                SEED,
                Seed,
                "jaffle_shop/country_codes",
                "seeds/country_codes.csv",
                &[],
            ),
            |s| {
                s.config = json!({"enabled": true, "materialized": "seed"});
            },
        ),
        n(
            SNAP,
            Snapshot,
            "jaffle_shop/orders_snapshot/orders_snapshot",
            "snapshots/orders_snapshot.sql",
            &[SRC_ORDERS],
        ),
        with(
            model(
                STG_ORDERS,
                "jaffle_shop/staging/stg_orders",
                "models/staging/stg_orders.sql",
                &[SRC_ORDERS],
                Some("protected"),
            ),
            |m| {
                m.tags = tags(&["staging"]);
            },
        ),
        model(
            STG_CUSTOMERS,
            "jaffle_shop/staging/stg_customers",
            "models/staging/stg_customers.sql",
            &[SRC_CUSTOMERS, SEED],
            Some("protected"),
        ),
        with(
            model(
                STG_PAYMENTS,
                "jaffle_shop/staging/stg_payments",
                "models/staging/stg_payments.sql",
                &[SRC_PAYMENTS],
                Some("protected"),
            ),
            |m| {
                m.config = json!({"materialized": "view", "meta": {"owner": "finance"}});
            },
        ),
        with(
            model(
                CUSTOMERS,
                "jaffle_shop/marts/customers",
                "models/marts/customers.sql",
                &[STG_CUSTOMERS, STG_ORDERS, STG_PAYMENTS],
                Some("public"),
            ),
            |m| {
                m.tags = tags(&["nightly"]);
                m.group = Some("marketing".into());
                m.config = json!({"materialized": "table", "tags": ["nightly"], "meta": {"owner": "analytics", "priority": 1}, "contract": {"enforced": true}});
            },
        ),
        with(
            model(
                ORDERS,
                "jaffle_shop/marts/orders",
                "models/marts/orders.sql",
                &[STG_ORDERS, STG_PAYMENTS],
                Some("protected"),
            ),
            |m| {
                m.tags = tags(&["nightly", "finance"]);
                m.config = json!({"materialized": "incremental", "group": "finance", "meta": {"owner": "finance"}, "contract": {"enforced": false}});
            },
        ),
        with(
            model(
                REVENUE,
                "jaffle_shop/marts/finance/revenue",
                "models/marts/finance/revenue.sql",
                &[ORDERS],
                Some("private"),
            ),
            |m| {
                m.tags = tags(&["finance"]);
                m.group = Some("finance".into());
                m.config = json!({"materialized": "table"});
            },
        ),
        dim(DIM_V1, "1"),
        dim(DIM_V2, "2"),
        dim(DIM_V3, "3"),
        model(
            UTILS,
            "dbt_utils/utils_calendar",
            "models/utils_calendar.sql",
            &[],
            None,
        ),
        n(
            ANALYSIS,
            Analysis,
            "jaffle_shop/analysis/explore_customers",
            "analyses/explore_customers.sql",
            &[CUSTOMERS],
        ),
        n(
            HOOK,
            Operation,
            "jaffle_shop/hooks/jaffle_shop-on-run-end-0",
            "dbt_project.yml",
            &[],
        ),
        generic(
            T_UNIQUE,
            "unique",
            "jaffle_shop/staging",
            "models/staging/schema.yml",
            &[STG_ORDERS],
            json!("ERROR"),
        ),
        generic(
            T_NOT_NULL,
            "not_null",
            "jaffle_shop/marts",
            "models/marts/schema.yml",
            &[CUSTOMERS],
            json!("warn"),
        ),
        generic(
            T_ACCEPTED,
            "accepted_values",
            "jaffle_shop/marts",
            "models/marts/schema.yml",
            &[ORDERS],
            json!("error"),
        ),
        generic(
            T_REL,
            "relationships",
            "jaffle_shop/marts",
            "models/marts/schema.yml",
            &[CUSTOMERS, ORDERS],
            json!("error"),
        ),
        generic(
            T_REL_REV,
            "relationships",
            "jaffle_shop/marts/finance",
            "models/marts/finance/schema.yml",
            &[ORDERS, REVENUE],
            json!("warn"),
        ),
        generic(
            T_EXPR,
            "dbt_utils.expression_is_true",
            "jaffle_shop/marts/finance",
            "models/marts/finance/schema.yml",
            &[REVENUE],
            json!("warn"),
        ),
        generic(
            T_SRC,
            "not_null",
            "jaffle_shop/staging",
            "models/staging/_sources.yml",
            &[SRC_ORDERS],
            json!("warn"),
        ),
        with(
            n(
                T_SINGULAR,
                Test,
                "jaffle_shop/assert_positive_revenue",
                "tests/assert_positive_revenue.sql",
                &[REVENUE],
            ),
            |t| {
                t.test_type = Some(TestType::Singular);
                t.tags = tags(&["audit"]);
            },
        ),
        with(
            n(
                UNIT,
                UnitTest,
                "jaffle_shop/marts/customers/test_customer_lifetime",
                "models/marts/_unit_tests.yml",
                &[CUSTOMERS],
            ),
            |u| {
                u.test_type = Some(TestType::Unit);
                u.attached_node = Some(CUSTOMERS.into());
                u.config = json!({"tags": ["nightly"]});
            },
        ),
        with(
            n(
                EXPOSURE,
                Exposure,
                "jaffle_shop/marts/weekly_dashboard",
                "models/marts/exposures.yml",
                &[CUSTOMERS, ORDERS],
            ),
            |e| {
                e.tags = tags(&["bi"]);
                e.config = json!({"enabled": true});
            },
        ),
        n(
            SEM,
            SemanticModel,
            "jaffle_shop/marts/orders_sm",
            "models/marts/semantic.yml",
            &[ORDERS],
        ),
        with(
            n(
                METRIC,
                Metric,
                "jaffle_shop/marts/total_revenue",
                "models/marts/semantic.yml",
                &[SEM],
            ),
            |m| {
                m.group = Some("finance".into());
            },
        ),
        n(
            SAVED,
            SavedQuery,
            "jaffle_shop/marts/revenue_report",
            "models/marts/semantic.yml",
            &[METRIC],
        ),
    ]
}

pub fn graph() -> Graph {
    Graph::new(nodes())
        .unwrap()
        .with_root_project("jaffle_shop")
}

pub fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// Full control: several `--select` args, several `--exclude` args, a mode and a type filter.
pub fn run(
    select_args: &[&str],
    exclude_args: &[&str],
    mode: IndirectSelection,
    types: Option<Vec<ResourceType>>,
    selectors: &Selectors,
) -> Result<BTreeSet<String>, runner_graph::GraphError> {
    let mut c = SelectionCriteria::new(selectors);
    c.select = select_args
        .iter()
        .map(|s| SelectionSpec::parse(s))
        .collect::<Result<_, _>>()?;
    c.exclude = exclude_args
        .iter()
        .map(|s| SelectionSpec::parse(s))
        .collect::<Result<_, _>>()?;
    c.indirect_selection = mode;
    c.resource_types = types;
    select(&graph(), &c)
}

/// `--select <s>` with `--indirect-selection empty`: what the methods and operators alone pick.
pub fn direct(s: &str) -> BTreeSet<String> {
    run(
        &[s],
        &[],
        IndirectSelection::Empty,
        None,
        &Selectors::default(),
    )
    .unwrap()
}

/// `--select <s>` with the default eager indirect selection.
pub fn eager(s: &str) -> BTreeSet<String> {
    run(
        &[s],
        &[],
        IndirectSelection::Eager,
        None,
        &Selectors::default(),
    )
    .unwrap()
}

/// `--select <s>`, expecting an error; returns its message.
pub fn error(s: &str) -> String {
    run(
        &[s],
        &[],
        IndirectSelection::Eager,
        None,
        &Selectors::default(),
    )
    .unwrap_err()
    .to_string()
}
