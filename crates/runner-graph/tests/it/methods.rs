//! Every selector method, evaluated with `--indirect-selection empty` so only the method decides.

use crate::fixture::*;

#[test]
fn fqn_method_and_default() {
    assert_eq!(direct("customers"), set(&[CUSTOMERS]));
    assert_eq!(direct("fqn:customers"), set(&[CUSTOMERS]));
    let staging = set(&[STG_ORDERS, STG_CUSTOMERS, STG_PAYMENTS, T_UNIQUE, T_SRC]);
    assert_eq!(direct("jaffle_shop.staging"), staging);
    assert_eq!(direct("staging"), staging);
    assert_eq!(direct("fqn:jaffle_shop.staging.*"), staging);
    assert_eq!(
        direct("staging.stg_*"),
        set(&[STG_ORDERS, STG_CUSTOMERS, STG_PAYMENTS])
    );
    assert_eq!(
        direct("*.stg_*"),
        set(&[STG_ORDERS, STG_CUSTOMERS, STG_PAYMENTS])
    );
    // dbt 1.12 also matches a bare pattern (no dot) against the leaf, at any depth
    // (recorded: `dbt ls -s 'stg_*'` on jaffle-shop lists the nested staging models).
    assert_eq!(
        direct("stg_*"),
        set(&[STG_ORDERS, STG_CUSTOMERS, STG_PAYMENTS])
    );
    assert_eq!(direct("stg_orde?s"), set(&[STG_ORDERS]));
    assert_eq!(direct("marts.stg_*"), set(&[]));
    assert_eq!(
        direct("jaffle_shop.marts.finance"),
        set(&[REVENUE, T_REL_REV, T_EXPR])
    );
    assert_eq!(direct("dbt_utils"), set(&[UTILS]));
    assert_eq!(direct("dbt_utils.*"), set(&[UTILS]));
    assert_eq!(direct("utils_calendar"), set(&[UTILS]));
    assert_eq!(direct("jaffle_shop.utils_calendar"), set(&[]));
    assert_eq!(direct("assert_positive_revenue"), set(&[T_SINGULAR]));
    // Sources are never matched by fqn.
    assert_eq!(direct("raw"), set(&[]));
    assert_eq!(direct("fqn:*").len(), 27);
}

#[test]
fn fqn_versioned_models() {
    assert_eq!(direct("dim_customers"), set(&[DIM_V1, DIM_V2, DIM_V3]));
    assert_eq!(direct("dim_customers_v2"), set(&[DIM_V2]));
    assert_eq!(direct("dim_customers.v1"), set(&[DIM_V1]));
    assert_eq!(direct("jaffle_shop.marts.dim_customers.v3"), set(&[DIM_V3]));
    assert_eq!(direct("marts.dim_customers.v[12]"), set(&[DIM_V1, DIM_V2]));
}

#[test]
fn tag_method() {
    assert_eq!(direct("tag:nightly"), set(&[CUSTOMERS, ORDERS]));
    assert_eq!(direct("tag:fin*"), set(&[ORDERS, REVENUE]));
    assert_eq!(
        direct("tag:raw"),
        set(&[SRC_ORDERS, SRC_CUSTOMERS, SRC_PAYMENTS])
    );
    assert_eq!(direct("tag:bi"), set(&[EXPOSURE]));
    assert_eq!(direct("tag:audit"), set(&[T_SINGULAR]));
    assert_eq!(direct("tag:Nightly"), set(&[]));
}

#[test]
fn path_method() {
    let staging = set(&[
        STG_ORDERS,
        STG_CUSTOMERS,
        STG_PAYMENTS,
        SRC_ORDERS,
        SRC_CUSTOMERS,
        SRC_PAYMENTS,
        T_UNIQUE,
        T_SRC,
    ]);
    assert_eq!(direct("models/staging"), staging);
    assert_eq!(direct("path:models/staging/"), staging);
    assert_eq!(direct("path:./models/staging"), staging);
    assert_eq!(direct("models/staging/stg_orders.sql"), set(&[STG_ORDERS]));
    assert_eq!(
        direct("path:models/*/stg_*.sql"),
        set(&[STG_ORDERS, STG_CUSTOMERS, STG_PAYMENTS])
    );
    assert_eq!(
        direct("path:models/marts/finance"),
        set(&[REVENUE, T_REL_REV, T_EXPR])
    );
    assert_eq!(
        direct("path:models/**/schema.yml"),
        set(&[T_UNIQUE, T_NOT_NULL, T_ACCEPTED, T_REL, T_REL_REV, T_EXPR])
    );
    assert_eq!(direct("path:seeds"), set(&[SEED]));
    assert_eq!(direct("path:tests"), set(&[T_SINGULAR]));
    assert_eq!(direct("path:analyses/*.sql"), set(&[ANALYSIS]));
    assert_eq!(direct("path:models/stag"), set(&[]));
    // Paths are relative to each node's package root, so the package's model matches too.
    assert_eq!(
        direct("path:models"),
        set(&[
            SRC_ORDERS,
            SRC_CUSTOMERS,
            SRC_PAYMENTS,
            STG_ORDERS,
            STG_CUSTOMERS,
            STG_PAYMENTS,
            CUSTOMERS,
            ORDERS,
            REVENUE,
            DIM_V1,
            DIM_V2,
            DIM_V3,
            UTILS,
            T_UNIQUE,
            T_NOT_NULL,
            T_ACCEPTED,
            T_REL,
            T_REL_REV,
            T_EXPR,
            T_SRC,
            UNIT,
            EXPOSURE,
            SEM,
            METRIC,
            SAVED,
        ])
    );
}

#[test]
fn file_method() {
    assert_eq!(direct("stg_orders.sql"), set(&[STG_ORDERS]));
    assert_eq!(direct("file:stg_orders"), set(&[STG_ORDERS]));
    assert_eq!(direct("country_codes.csv"), set(&[SEED]));
    assert_eq!(
        direct("file:dim_customers_v*"),
        set(&[DIM_V1, DIM_V2, DIM_V3])
    );
    assert_eq!(direct("file:semantic.yml"), set(&[SEM, METRIC, SAVED]));
    assert_eq!(
        direct("file:schema"),
        set(&[T_UNIQUE, T_NOT_NULL, T_ACCEPTED, T_REL, T_REL_REV, T_EXPR])
    );
}

#[test]
fn config_method() {
    assert_eq!(
        direct("config.materialized:table"),
        set(&[CUSTOMERS, REVENUE])
    );
    assert_eq!(
        direct("config.materialized:view"),
        set(&[
            STG_ORDERS,
            STG_CUSTOMERS,
            STG_PAYMENTS,
            UTILS,
            DIM_V1,
            DIM_V2,
            DIM_V3
        ])
    );
    assert_eq!(
        direct("config.meta.owner:finance"),
        set(&[STG_PAYMENTS, ORDERS])
    );
    // Lists match any element; unit tests and exposures are not config-selectable.
    assert_eq!(direct("config.tags:nightly"), set(&[CUSTOMERS]));
    assert_eq!(direct("config.contract.enforced:true"), set(&[CUSTOMERS]));
    assert_eq!(direct("config.contract.enforced:False"), set(&[ORDERS]));
    assert_eq!(
        direct("config.enabled:true"),
        set(&[SRC_ORDERS, SRC_CUSTOMERS, SRC_PAYMENTS, SEED])
    );
    // severity compares case-insensitively; other keys do not.
    assert_eq!(
        direct("config.severity:error"),
        set(&[T_UNIQUE, T_ACCEPTED, T_REL])
    );
    assert_eq!(direct("config.materialized:TABLE"), set(&[]));
    // Numbers never equal the selector string, as in dbt.
    assert_eq!(direct("config.meta.priority:1"), set(&[]));
}

#[test]
fn resource_type_and_package() {
    assert_eq!(
        direct("resource_type:model"),
        set(&[
            STG_ORDERS,
            STG_CUSTOMERS,
            STG_PAYMENTS,
            CUSTOMERS,
            ORDERS,
            REVENUE,
            DIM_V1,
            DIM_V2,
            DIM_V3,
            UTILS
        ])
    );
    assert_eq!(
        direct("resource_type:source"),
        set(&[SRC_ORDERS, SRC_CUSTOMERS, SRC_PAYMENTS])
    );
    assert_eq!(direct("resource_type:unit_test"), set(&[UNIT]));
    assert_eq!(direct("resource_type:operation"), set(&[HOOK]));
    assert_eq!(direct("resource_type:analysis"), set(&[ANALYSIS]));
    assert_eq!(direct("resource_type:macro"), set(&[]));
    assert_eq!(direct("package:dbt_*"), set(&[UTILS]));
    assert_eq!(direct("package:dbt_utils"), set(&[UTILS]));
    assert_eq!(
        direct("package:this,resource_type:model"),
        set(&[
            STG_ORDERS,
            STG_CUSTOMERS,
            STG_PAYMENTS,
            CUSTOMERS,
            ORDERS,
            REVENUE,
            DIM_V1,
            DIM_V2,
            DIM_V3
        ])
    );
}

#[test]
fn source_and_named_methods() {
    assert_eq!(
        direct("source:raw"),
        set(&[SRC_ORDERS, SRC_CUSTOMERS, SRC_PAYMENTS])
    );
    assert_eq!(direct("source:raw.orders"), set(&[SRC_ORDERS]));
    assert_eq!(direct("source:raw.*ers"), set(&[SRC_ORDERS, SRC_CUSTOMERS]));
    assert_eq!(
        direct("source:jaffle_shop.raw.payments"),
        set(&[SRC_PAYMENTS])
    );
    assert_eq!(direct("source:other.raw.payments"), set(&[]));
    assert_eq!(
        direct("source:*"),
        set(&[SRC_ORDERS, SRC_CUSTOMERS, SRC_PAYMENTS])
    );
    assert_eq!(direct("exposure:weekly_dashboard"), set(&[EXPOSURE]));
    assert_eq!(direct("exposure:jaffle_shop.weekly*"), set(&[EXPOSURE]));
    assert_eq!(direct("metric:total_revenue"), set(&[METRIC]));
    assert_eq!(direct("semantic_model:orders_sm"), set(&[SEM]));
    assert_eq!(direct("saved_query:revenue_report"), set(&[SAVED]));
    assert_eq!(direct("unit_test:test_customer_lifetime"), set(&[UNIT]));
    assert_eq!(direct("unit_test:jaffle_shop.test_*"), set(&[UNIT]));
    assert_eq!(direct("metric:dbt_utils.*"), set(&[]));
}

#[test]
fn test_methods() {
    let generic = [
        T_UNIQUE, T_NOT_NULL, T_ACCEPTED, T_REL, T_REL_REV, T_EXPR, T_SRC,
    ];
    assert_eq!(direct("test_type:generic"), set(&generic));
    assert_eq!(direct("test_type:schema"), set(&generic));
    assert_eq!(direct("test_type:singular"), set(&[T_SINGULAR]));
    let mut data = generic.to_vec();
    data.push(T_SINGULAR);
    assert_eq!(direct("test_type:data"), set(&data));
    assert_eq!(direct("test_type:unit"), set(&[UNIT]));
    assert_eq!(direct("test_name:unique"), set(&[T_UNIQUE]));
    assert_eq!(direct("test_name:not_null"), set(&[T_NOT_NULL, T_SRC]));
    assert_eq!(direct("test_name:relationships"), set(&[T_REL, T_REL_REV]));
    assert_eq!(direct("test_name:accepted_*"), set(&[T_ACCEPTED]));
    assert_eq!(direct("test_name:expression_is_true"), set(&[T_EXPR]));
    assert_eq!(
        direct("test_name:dbt_utils.expression_is_true"),
        set(&[T_EXPR])
    );
}

#[test]
fn group_access_version() {
    assert_eq!(direct("group:finance"), set(&[ORDERS, REVENUE, METRIC]));
    assert_eq!(direct("group:mark*"), set(&[CUSTOMERS]));
    assert_eq!(direct("access:public"), set(&[CUSTOMERS]));
    assert_eq!(direct("access:private"), set(&[REVENUE]));
    assert_eq!(
        direct("access:protected"),
        set(&[
            STG_ORDERS,
            STG_CUSTOMERS,
            STG_PAYMENTS,
            ORDERS,
            DIM_V1,
            DIM_V2,
            DIM_V3
        ])
    );
    assert_eq!(direct("version:latest"), set(&[DIM_V2]));
    assert_eq!(direct("version:old"), set(&[DIM_V1]));
    assert_eq!(direct("version:prerelease"), set(&[DIM_V3]));
    assert_eq!(
        direct("version:none"),
        set(&[
            STG_ORDERS,
            STG_CUSTOMERS,
            STG_PAYMENTS,
            CUSTOMERS,
            ORDERS,
            REVENUE,
            UTILS
        ])
    );
}

#[test]
fn method_value_errors() {
    assert_eq!(
        error("resource_type:bogus"),
        "invalid value in selector `resource_type:bogus`: invalid resource_type selector \"bogus\""
    );
    assert!(error("test_type:dat").contains("invalid test type selector dat"));
    assert!(error("version:newest").contains("invalid version type selector newest"));
    assert!(error("source:a.b.c.d").starts_with("invalid value in selector `source:a.b.c.d`"));
    assert!(error("exposure:a.b.c").starts_with("invalid value in selector `exposure:a.b.c`"));
    assert_eq!(
        error("state:modified"),
        "selector method `state` (in `state:modified`) is not supported yet"
    );
    assert_eq!(
        error("+result:error"),
        "selector method `result` (in `+result:error`) is not supported yet"
    );
    assert_eq!(
        error("source_status:fresher+"),
        "selector method `source_status` (in `source_status:fresher+`) is not supported yet"
    );
}
