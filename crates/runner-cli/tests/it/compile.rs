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

/// Redshift SQL cannot run here (no cluster): its DDL is checked for what it generates. A model
/// previews the macros' output through `runner compile` with a Redshift target (no connection).
#[test]
fn redshift_ddl_has_dist_and_sort_keys_and_late_binding_views() {
    let project = fixture_copy("redshift_sql");
    let out = runner(project.path(), &["compile", "--profiles-dir", "."]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| {
        std::fs::read_to_string(
            project
                .path()
                .join(format!("target/compiled/redshift_sql/models/{name}.sql")),
        )
        .unwrap()
    };
    let preview = read("ddl_preview");
    for expected in [
        "create table \"analytics\".\"marts\".\"ddl_preview\"\n  diststyle key distkey (\"customer_id\")\n  interleaved sortkey(\"created_at\", \"id\")\n  as (",
        ") with no schema binding;",
        "create temporary table \"scratch\"\n",
    ] {
        assert!(
            preview.contains(expected),
            "missing {expected:?} in:\n{preview}"
        );
    }
    let even = read("even_table");
    assert!(
        even.contains("diststyle even\n  compound sortkey(\"id\")"),
        "{even}"
    );
}

/// `runner compile` renders against the warehouse, as `dbt compile` does: a model whose SQL comes
/// from `run_query` at compile time gets the query's answer (here from embedded DuckDB).
#[test]
fn compile_runs_compile_time_queries_against_the_warehouse() {
    let project = fixture_copy("kitchen");
    let out = runner(project.path(), &["compile", "--select", "answer"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sql = std::fs::read_to_string(
        project
            .path()
            .join("target/compiled/kitchen/models/answer.sql"),
    )
    .unwrap();
    assert_eq!(sql.trim(), "select 42 as answer");
}
