//! `runner compile` on the small `shop` fixture: ephemeral CTEs, generic tests, unknown refs.

use crate::support::{fixture_copy, ok, runner};

#[test]
fn compile_injects_ephemeral_ctes_and_builds_generic_tests() {
    let dir = fixture_copy("shop");
    ok(runner(dir.path(), &["compile"]));
    let sql = std::fs::read_to_string(
        dir.path()
            .join("target/compiled/shop/models/marts/people.sql"),
    )
    .unwrap();
    assert_eq!(
        sql,
        // dbt keeps the leading newline (left by the config() line) before the injected `with`.
        "\nwith __dbt__cte__people_base as (\n\nselect id, name from \"runner\".\"main\".\"raw_people\"\n) select\n    id,\n    name\nfrom __dbt__cte__people_base"
    );
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("target/manifest.json")).unwrap(),
    )
    .unwrap();
    let nodes = manifest["nodes"].as_object().unwrap();
    assert!(
        nodes
            .keys()
            .any(|k| k.starts_with("test.shop.unique_people_id."))
    );
    assert_eq!(
        nodes["model.shop.people"]["config"]["materialized"],
        "table"
    );
    assert_eq!(
        nodes["model.shop.people"]["depends_on"]["nodes"][0],
        "model.shop.people_base"
    );
}

#[test]
fn unknown_ref_exits_2_naming_the_file() {
    let dir = fixture_copy("shop");
    std::fs::write(
        dir.path().join("models/bad.sql"),
        "select * from {{ ref('nope') }}\n",
    )
    .unwrap();
    let out = runner(dir.path(), &["parse"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("models/bad.sql") && err.contains("nope"),
        "{err}"
    );
}
