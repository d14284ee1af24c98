//! `selectors.yml` in every form, `--selector`, the `selector:` method and the default selector.

use runner_graph::{GraphError, IndirectSelection, Selectors};

use crate::fixture::*;

const YAML: &str = r#"
selectors:
  - name: nightly_cli
    description: CLI-style string
    definition: 'tag:nightly,config.materialized:table'
  - name: kv
    definition:
      tag: finance
  - name: full
    definition:
      method: fqn
      value: orders
      parents: true
      parents_depth: 1
      children: true
      children_depth: "1"
      indirect_selection: empty
  - name: at_revenue
    definition: {method: fqn, value: revenue, childrens_parents: true, indirect_selection: empty}
  - name: marts_no_finance
    default: true
    definition:
      union:
        - method: path
          value: models/marts
        - exclude:
            - tag: finance
            - 'resource_type:test'
  - name: inter
    definition:
      intersection:
        - 'tag:nightly'
        - method: access
          value: public
  - name: nested_ref
    definition:
      union:
        - method: selector
          value: kv
        - 'selector:inter'
  - name: cautious_orders
    definition: {method: fqn, value: orders, indirect_selection: cautious}
  - name: full_exclude
    definition: {method: tag, value: nightly, exclude: [{method: fqn, value: customers}]}
"#;

fn selectors() -> Selectors {
    Selectors::from_yaml(YAML, "selectors.yml").unwrap()
}

fn by_selector(name: &str) -> std::collections::BTreeSet<String> {
    let sels = selectors();
    let mut c = runner_graph::SelectionCriteria::new(&sels);
    c.selector = Some(name.into());
    c.select = vec![runner_graph::SelectionSpec::parse("customers").unwrap()];
    runner_graph::select(&graph(), &c).unwrap()
}

#[test]
fn parsed_metadata() {
    let s = selectors();
    assert_eq!(s.len(), 9);
    assert_eq!(s.file(), "selectors.yml");
    assert_eq!(s.default_selector().unwrap().name, "marts_no_finance");
    assert_eq!(
        s.get("nightly_cli").unwrap().description.as_deref(),
        Some("CLI-style string")
    );
    assert_eq!(s.names().next(), Some("nightly_cli"));
    assert!(
        Selectors::from_yaml("", "selectors.yml")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn cli_string_definition() {
    // Eager intersection: both relationships tests have a parent on each side.
    assert_eq!(
        by_selector("nightly_cli"),
        set(&[CUSTOMERS, T_NOT_NULL, T_REL, T_REL_REV, UNIT])
    );
}

#[test]
fn key_value_definition() {
    assert_eq!(
        by_selector("kv"),
        set(&[
            ORDERS, REVENUE, T_ACCEPTED, T_REL, T_REL_REV, T_EXPR, T_SINGULAR
        ])
    );
}

#[test]
fn full_definitions() {
    assert_eq!(
        by_selector("full"),
        set(&[
            ORDERS,
            STG_ORDERS,
            STG_PAYMENTS,
            REVENUE,
            T_ACCEPTED,
            T_REL,
            T_REL_REV,
            EXPOSURE,
            SEM
        ])
    );
    assert_eq!(
        by_selector("at_revenue"),
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
    assert_eq!(by_selector("cautious_orders"), set(&[ORDERS, T_ACCEPTED]));
    assert_eq!(
        by_selector("full_exclude"),
        set(&[ORDERS, T_ACCEPTED, T_REL_REV])
    );
}

#[test]
fn union_intersection_and_nested_exclude() {
    let marts = set(&[
        CUSTOMERS, DIM_V1, DIM_V2, DIM_V3, UNIT, EXPOSURE, SEM, METRIC, SAVED,
    ]);
    assert_eq!(by_selector("marts_no_finance"), marts);
    assert_eq!(
        by_selector("inter"),
        set(&[CUSTOMERS, T_NOT_NULL, T_REL, UNIT])
    );
    assert_eq!(
        by_selector("nested_ref"),
        set(&[
            ORDERS, REVENUE, T_ACCEPTED, T_REL, T_REL_REV, T_EXPR, T_SINGULAR, CUSTOMERS,
            T_NOT_NULL, UNIT
        ])
    );
}

#[test]
fn default_selector_applies_without_select_or_exclude() {
    let s = selectors();
    let marts = set(&[
        CUSTOMERS, DIM_V1, DIM_V2, DIM_V3, UNIT, EXPOSURE, SEM, METRIC, SAVED,
    ]);
    assert_eq!(
        run(&[], &[], IndirectSelection::Eager, None, &s).unwrap(),
        marts
    );
    assert_eq!(
        run(&["stg_orders"], &[], IndirectSelection::Eager, None, &s).unwrap(),
        set(&[STG_ORDERS, T_UNIQUE])
    );
    assert_eq!(
        run(&[], &["path:models"], IndirectSelection::Eager, None, &s).unwrap(),
        set(&[SEED, SNAP, ANALYSIS, HOOK])
    );
}

#[test]
fn selector_method_in_select_and_exclude() {
    let s = selectors();
    assert_eq!(
        run(
            &["selector:inter"],
            &["test_type:unit"],
            IndirectSelection::Eager,
            None,
            &s
        )
        .unwrap(),
        set(&[CUSTOMERS, T_NOT_NULL, T_REL])
    );
    assert_eq!(
        run(
            &["1+selector:cautious_orders"],
            &[],
            IndirectSelection::Empty,
            None,
            &s
        )
        .unwrap(),
        set(&[ORDERS, T_ACCEPTED, STG_ORDERS, STG_PAYMENTS])
    );
    assert_eq!(
        run(
            &["resource_type:model"],
            &["selector:marts_no_finance"],
            IndirectSelection::Empty,
            None,
            &s
        )
        .unwrap(),
        set(&[
            STG_ORDERS,
            STG_CUSTOMERS,
            STG_PAYMENTS,
            ORDERS,
            REVENUE,
            UTILS
        ])
    );
}

#[test]
fn unknown_selector() {
    let s = selectors();
    let err = run(&["selector:nope"], &[], IndirectSelection::Eager, None, &s).unwrap_err();
    assert!(matches!(err, GraphError::UnknownSelector { ref name, .. } if name == "nope"));
    assert!(
        err.to_string()
            .starts_with("no selector named `nope` is defined (available: nightly_cli, kv,")
    );
    let mut c = runner_graph::SelectionCriteria::new(&s);
    c.selector = Some("missing".into());
    assert!(runner_graph::select(&graph(), &c).is_err());
}

fn yaml_err(text: &str) -> String {
    Selectors::from_yaml(text, "proj/selectors.yml")
        .unwrap_err()
        .to_string()
}

#[test]
fn file_errors_name_the_file_and_selector() {
    assert_eq!(
        yaml_err("foo: []"),
        "proj/selectors.yml: expected a top-level `selectors:` key"
    );
    assert!(yaml_err("selectors: [").starts_with("proj/selectors.yml: invalid YAML:"));
    assert_eq!(
        yaml_err(
            "selectors:\n  - name: a\n    default: true\n    definition: x\n  - name: b\n    default: true\n    definition: y\n"
        ),
        "proj/selectors.yml: found multiple selectors with `default: true`: a, b"
    );
    assert_eq!(
        yaml_err("selectors:\n  - name: a\n    definition: x\n  - name: a\n    definition: y\n"),
        "proj/selectors.yml: selector `a`: a selector with this name is already defined"
    );
    assert_eq!(
        yaml_err("selectors:\n  - name: a\n    definition: 'selector:b'\n"),
        "proj/selectors.yml: selector `a`: refers to selector `b`, which is not defined"
    );
    assert_eq!(
        yaml_err(
            "selectors:\n  - name: a\n    definition: 'selector:b'\n  - name: b\n    definition: {selector: a}\n"
        ),
        "proj/selectors.yml: selector `a`: selector references form a loop: a -> b -> a"
    );
    assert_eq!(
        yaml_err("selectors:\n  - name: a\n"),
        "proj/selectors.yml: selector `a`: missing `definition`"
    );
    assert_eq!(
        yaml_err("selectors:\n  - name: bad\n    definition: {bogus: x}\n"),
        "proj/selectors.yml: selector `bad`: invalid selector `{\"bogus\":\"x\"}`: 'bogus' is not a valid method name"
    );
    assert_eq!(
        yaml_err("selectors:\n  - name: bad\n    definition: {union: [a], intersection: [b]}\n"),
        "proj/selectors.yml: selector `bad`: only a single 'union' or 'intersection' key is allowed in a root level selector definition; found union,intersection"
    );
    assert_eq!(
        yaml_err(
            "selectors:\n  - name: bad\n    definition:\n      union:\n        - a\n        - exclude: [b]\n        - exclude: [c]\n"
        ),
        "proj/selectors.yml: selector `bad`: you cannot provide multiple exclude arguments to the same `union`"
    );
    assert_eq!(
        yaml_err(
            "selectors:\n  - name: bad\n    definition: {method: tag, value: x, parents_depth: deep}\n"
        ),
        "proj/selectors.yml: selector `bad`: could not handle parents_depth \"deep\""
    );
    assert_eq!(
        yaml_err("selectors:\n  - name: bad\n    definition: '@a+'\n"),
        "proj/selectors.yml: selector `bad`: invalid selector `@a+`: \"@\" prefix and \"+\" suffix are incompatible"
    );
    assert_eq!(
        yaml_err("selectors:\n  - definition: a\n"),
        "proj/selectors.yml: selector #1 has no `name`"
    );
}
