//! Postgres with pg_duckdb names the schemas of DuckDB-backed databases `ddb$<database>$<schema>`.
//! Issue 3 lists such a server as a valid target; pg_duckdb itself is not installed here, so this
//! checks the part that is runner's: a target schema with `$` in it is created, quoted, searched
//! and rebuilt like any other (a seed, a table built beside the old one and swapped in, an
//! ephemeral model, tests), on a real Postgres 15.

use runner_testkit::PgCluster;

use crate::support::{fixture_on_postgres, ok, runner};

const SCHEMA: &str = "ddb$shop$main";

#[test]
fn a_ddb_dollar_schema_builds_and_rebuilds() {
    let cluster = PgCluster::shared();
    let project = fixture_on_postgres("shop", "shop", "pg_duckdb_schemas", SCHEMA, 2);
    // The second build finds every relation already there: it must replace them, not fail.
    for _ in 0..2 {
        ok(runner(project.path(), &["build", "--profiles-dir", "."]));
    }
    let relations = cluster
        .psql(
            "pg_duckdb_schemas",
            &format!(
                "select table_name || ':' || table_type from information_schema.tables \
                 where table_schema = '{SCHEMA}' order by 1"
            ),
        )
        .unwrap();
    let relations: Vec<&str> = relations.lines().map(str::trim).collect();
    assert_eq!(
        relations,
        ["people:BASE TABLE", "raw_people:BASE TABLE"],
        "relations in {SCHEMA}"
    );
    let rows = cluster
        .psql(
            "pg_duckdb_schemas",
            &format!("select count(*) from \"{SCHEMA}\".people"),
        )
        .unwrap();
    assert_eq!(rows.trim(), "2");
}
