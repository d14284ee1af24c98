//! Unit tests of the preview's text and JSON forms.

use super::json::*;
use super::text::*;
use super::*;
use runner_adapters::{Cell, Column};

fn col(name: &str, type_name: &str) -> Column {
    Column {
        name: name.into(),
        type_name: type_name.into(),
    }
}

fn dec(s: &str) -> Dec {
    match Num::parse(s) {
        Some(Num::Finite(d)) => d,
        other => panic!("{s}: {other:?}"),
    }
}

#[test]
fn numbers_format_as_babel_does() {
    assert_eq!(dec("1234567").format(0), "1,234,567");
    assert_eq!(dec("-9876543").format(0), "-9,876,543");
    assert_eq!(dec("600.00").format(2), "600.00");
    assert_eq!(dec("600.00").places(), 0);
    assert_eq!(dec("0.0005").format(3), "0.000");
    assert_eq!(dec("0.0015").format(3), "0.002");
    assert_eq!(dec("-0.0001").format(3), "-0.000");
    assert_eq!(dec("0.9996").format(3), "1.000");
    assert_eq!(dec("-12345.678").format(3), "-12,345.678");
    assert_eq!(dec("1e+20").format(1), "100,000,000,000,000,000,000.0");
    assert_eq!(dec("0.0").format(3), "0.000");
    match Num::from_f64(1.0 / 3.0) {
        Num::Finite(d) => assert_eq!(d.places(), 16),
        other => panic!("{other:?}"),
    }
}

#[test]
fn floats_print_as_python_repr() {
    assert_eq!(py_float(1e20), "1e+20");
    assert_eq!(py_float(2.0), "2.0");
    assert_eq!(py_float(-2.5), "-2.5");
    assert_eq!(py_float(1.0 / 3.0), "0.3333333333333333");
    assert_eq!(py_float(1.5e-7), "1.5e-07");
    assert_eq!(py_float(0.0001), "0.0001");
    assert_eq!(py_float(1e16), "1e+16");
    assert_eq!(py_float(1e15), "1000000000000000.0");
    assert_eq!(py_float(680.77), "680.77");
}

/// The shape `dbt show` printed for the same values (dbt-core 1.12.6, dbt-duckdb 1.11).
#[test]
fn table_matches_agate() {
    let table = Table {
        columns: vec![
            col("big", "BIGINT"),
            col("dec", "DECIMAL(10,2)"),
            col("third", "DOUBLE"),
            col("dbl", "DOUBLE"),
            col("txt", "VARCHAR"),
            col("flag", "BOOLEAN"),
            col("hidden", "INTEGER"),
        ],
        rows: vec![
            vec![
                Cell::Integer(1234567),
                Cell::Decimal("600.00".into()),
                Cell::Float(1.0 / 3.0),
                Cell::Float(-2.5),
                Cell::Text("a very long text value over twenty chars".into()),
                Cell::Bool(true),
                Cell::Integer(1),
            ],
            vec![
                Cell::Integer(2),
                Cell::Decimal("1.50".into()),
                Cell::Float(2.0),
                Cell::Float(1e20),
                Cell::Text("b".into()),
                Cell::Null,
                Cell::Null,
            ],
        ],
    };
    let want = "\
|     big |   dec |  third |                  dbl | txt                  | flag | ... |
| ------- | ----- | ------ | -------------------- | -------------------- | ---- | --- |
| 1234567 | 600.0 | 0.333… |                 -2.5 | a very long text ... | True | ... |
|       2 |   1.5 | 2.000… | 100,000,000,000,0... | b                    |      | ... |
";
    assert_eq!(render_text(&table), want);
}

#[test]
fn json_matches_dbt() {
    let preview = Preview {
        name: "customers".into(),
        inline: false,
        sql: String::new(),
        table: Table {
            columns: vec![col("id", "INTEGER"), col("name", "VARCHAR")],
            rows: vec![vec![Cell::Integer(1), Cell::Text("Zoë".into())]],
        },
    };
    assert_eq!(
        render_json(&preview),
        "{\n  \"node\": \"customers\",\n  \"show\": [\n    {\n      \"id\": 1,\n      \"name\": \"Zo\\u00eb\"\n    }\n  ]\n}"
    );
    let empty = Preview {
        inline: true,
        table: Table {
            columns: vec![col("a", "INTEGER")],
            rows: vec![],
        },
        ..preview
    };
    assert_eq!(render_json(&empty), "{\n  \"show\": []\n}");
    assert_eq!(render_text(&empty.table), "| a |\n| - |\n");
}

#[test]
fn limit_is_appended_as_dbt_does() {
    assert_eq!(limit_sql("select 1", Some(5)), "select 1\nlimit 5");
    assert_eq!(limit_sql("select 1 -- note", None), "select 1 -- note");
    assert_eq!(
        show_sql("select 1", Some("set x = 1;"), Some(2)),
        "set x = 1;\nselect 1\nlimit 2"
    );
}
