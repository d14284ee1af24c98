//! dbt's cross-database macros (`dbt.dateadd`, `dbt.type_string`, `dbt.listagg`, …): the `cross_db` fixture
//! calls each of them; its `expected/<adapter>/` holds dbt-core 1.12's compiled SQL (dbt-duckdb 1.11,
//! dbt-postgres, dbt-redshift 1.11; see the fixture's record-expected.sh), which runner must reproduce.

use crate::support::{
    compile_models, compile_project, fixture_dir, normalize, scratch_project, sql_difference,
    sql_files,
};

/// Models dbt could not compile for an adapter while recording (Redshift was recorded against a local
/// Postgres, where date_spine's `datediff(day, …)` query fails), by adapter: only checked to compile.
/// `date_spine` is otherwise compared in full: the fixture's spine spans one period, the count runner's
/// connection-less `get_intervals_between` falls back to.
const NOT_RECORDED: &[(&str, &str)] = &[("redshift", "date_spine")];

fn assert_matches_dbt(adapter: &str) {
    let expected = sql_files(&fixture_dir("cross_db").join("expected").join(adapter));
    let actual = compile_models("cross_db", adapter);
    assert!(
        expected.len() >= 10,
        "{adapter}: expected SQL is missing ({} files)",
        expected.len()
    );
    let mut failures = Vec::new();
    for (model, sql) in &actual {
        if NOT_RECORDED.contains(&(adapter, model.as_str())) {
            assert!(
                sql.contains("with rawdata as ("),
                "{adapter}/{model}:\n{sql}"
            );
            continue;
        }
        match expected.get(model) {
            None => failures.push(format!("{model}: no expected/{adapter}/{model}.sql")),
            Some(want) => {
                if let Some(diff) = sql_difference(want, sql) {
                    failures.push(format!("{model}: {diff}"));
                }
            }
        }
    }
    for model in expected.keys() {
        if !actual.contains_key(model) {
            failures.push(format!(
                "{model}: recorded by dbt but not compiled by runner"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{adapter}: runner's SQL differs from dbt's in {} model(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn duckdb_cross_db_macros_compile_like_dbt() {
    assert_matches_dbt("duckdb");
}

#[test]
fn postgres_cross_db_macros_compile_like_dbt() {
    assert_matches_dbt("postgres");
}

#[test]
fn redshift_cross_db_macros_compile_like_dbt() {
    assert_matches_dbt("redshift");
}

#[test]
fn comparison_forgives_trailing_whitespace_only() {
    assert_eq!(normalize("select 1  \nfrom t \n\n"), "select 1\nfrom t");
    assert!(sql_difference("select\n    1", "select\n    1   \n").is_none());
    assert!(sql_difference("select\n\n    1", "select\n    1").is_some());
    assert!(sql_difference("select  1", "select 1").is_some());
    assert!(sql_difference("select 1", "select 1\nfrom t").is_some());
}

/// The recorded SQL really is per adapter: if two adapters' files were the same, the per-adapter tests
/// would not tell a wrong dispatch apart.
#[test]
fn expected_sql_differs_between_adapters() {
    let dir = fixture_dir("cross_db").join("expected");
    let duckdb = sql_files(&dir.join("duckdb"));
    let postgres = sql_files(&dir.join("postgres"));
    let redshift = sql_files(&dir.join("redshift"));
    for model in ["dates", "aggregates", "strings"] {
        assert_ne!(duckdb[model], postgres[model], "{model}");
        assert_ne!(postgres[model], redshift[model], "{model}");
    }
}

/// dbt's compile errors for arguments the macros reject, by adapter.
#[test]
fn rejected_arguments_fail_with_dbts_message() {
    let cases = [
        (
            "postgres",
            "select {{ dbt.datediff('a', 'b', 'fortnight') }}",
            "Unsupported datepart for macro datediff in postgres: 'fortnight'",
        ),
        (
            "postgres",
            "{{ dbt.generate_series(0) }}",
            "upper bound must be positive",
        ),
    ];
    for (adapter, sql, message) in cases {
        let project = scratch_project(&[("bad", sql)]);
        let err = compile_project(project.path(), adapter).expect_err(sql);
        assert!(err.contains(message), "{sql}: {err}");
    }
}
