//! Reading seed CSVs against dbt-core's own reading, recorded by
//! `tests/fixtures/seeds/record.sh`: `values.json` (single fields and small columns through
//! agate's type tester) and `expected.json` (the fixture files: names, agate types, the column
//! types dbt-postgres and dbt-duckdb create, the cast values).

use runner_adapters::{AdapterError, AdapterKind, SeedType, read_seed_csv, read_seed_file};
use serde_json::Value;

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seeds");

pub fn oracle(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}/{name}")).expect("read oracle");
    serde_json::from_str(&text).expect("oracle JSON")
}

/// `column_types` of a recorded seed: dbt reads these columns as Text.
pub fn text_columns(seed: &Value) -> Vec<String> {
    seed["column_types"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

pub fn delimiter(seed: &Value) -> u8 {
    seed["delimiter"]
        .as_str()
        .and_then(|d| d.bytes().next())
        .unwrap_or(b',')
}

/// A decimal's value as `(negative, significant digits, exponent)`, so `1E+3` equals `1000`.
fn decimal_key(text: &str) -> Option<(bool, String, i64)> {
    if text.starts_with("NaN") || text.ends_with("Infinity") {
        // psycopg2 (and so our text) sends every non-finite Decimal as NaN.
        return Some((false, "NaN".into(), 0));
    }
    let (negative, body) = text.strip_prefix('-').map_or((false, text), |b| (true, b));
    let (mantissa, exponent) = match body.split_once('E') {
        Some((m, e)) => (m, e.parse::<i64>().ok()?),
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all = format!("{int}{frac}");
    let trimmed = all.trim_start_matches('0');
    let digits = trimmed.trim_end_matches('0');
    if digits.is_empty() {
        return Some((false, "0".into(), 0));
    }
    let exponent = exponent - i64::try_from(frac.len()).ok()?
        + i64::try_from(trimmed.len() - digits.len()).ok()?;
    Some((negative, digits.to_string(), exponent))
}

/// Our value equals agate's: numbers by value, everything else as text.
fn same_value(agate_type: &str, ours: Option<&str>, theirs: Option<&str>) -> bool {
    match (ours, theirs) {
        (Some(a), Some(b)) if agate_type == "Number" => decimal_key(a) == decimal_key(b),
        _ => ours == theirs,
    }
}

/// Compares a table we read with agate's recorded view of the same file.
fn assert_matches_agate(label: &str, table: &runner_adapters::SeedTable, agate: &Value) {
    let columns = agate["columns"].as_array().expect("columns");
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    let want: Vec<&str> = columns.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, want, "{label}: names");
    for (column, want) in table.columns.iter().zip(columns) {
        let agate_type = want["agate_type"].as_str().unwrap_or_default();
        assert_eq!(
            column.data_type.agate_name(),
            agate_type,
            "{label}: {}",
            column.name
        );
    }
    let rows = agate["rows"].as_array().expect("rows");
    assert_eq!(table.rows.len(), rows.len(), "{label}: row count");
    for (index, (ours, theirs)) in table.rows.iter().zip(rows).enumerate() {
        let theirs = theirs.as_array().expect("row");
        assert_eq!(ours.len(), theirs.len(), "{label}: row {index} width");
        for ((value, want), column) in ours.iter().zip(theirs).zip(&table.columns) {
            assert!(
                same_value(
                    column.data_type.agate_name(),
                    value.as_deref(),
                    want.as_str()
                ),
                "{label}: row {index} column {}: ours {value:?}, dbt {want}",
                column.name
            );
        }
    }
}

/// Where we knowingly differ from Python: non-ASCII digits (`Decimal` and `\d` accept them),
/// and values Python accepts while testing types but then fails on (dbt crashes on those).
const KNOWN_DIFFERENCES: [&str; 4] = [
    "c\n٣\n",
    "c\n１\n",
    "c\n1e1000000\n",
    "c\n2024-01-05T10:11:12+24:00\n",
];

#[test]
fn single_fields_and_columns_are_typed_and_cast_like_agate() {
    let oracle = oracle("values.json");
    let cases = oracle["cases"].as_array().expect("cases");
    assert!(cases.len() > 200);
    for case in cases {
        let csv = case["csv"].as_str().expect("csv");
        if KNOWN_DIFFERENCES.contains(&csv) {
            continue;
        }
        let table = read_seed_csv(csv, b',').unwrap_or_else(|e| panic!("{csv:?}: {e}"));
        let column = &table.columns[0];
        assert_eq!(column.data_type.agate_name(), case["agate_type"], "{csv:?}");
        let values: Vec<Option<String>> = table.rows.iter().map(|r| r[0].clone()).collect();
        let want = case["values"].as_array().expect("values");
        assert_eq!(values.len(), want.len(), "{csv:?}");
        for (ours, theirs) in values.iter().zip(want) {
            assert!(
                same_value(
                    column.data_type.agate_name(),
                    ours.as_deref(),
                    theirs.as_str()
                ),
                "{csv:?}: ours {ours:?}, dbt {theirs}"
            );
        }
    }
}

#[test]
fn fixture_files_read_like_dbt_and_get_dbts_column_types() {
    let oracle = oracle("expected.json");
    for seed in oracle["seeds"].as_array().expect("seeds") {
        let file = seed["file"].as_str().expect("file");
        let path = std::path::Path::new(FIXTURES)
            .join("project/seeds")
            .join(file);
        let table = read_seed_file(&path, delimiter(seed), &text_columns(seed))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_matches_agate(file, &table, &seed["agate"]);
        for (column, want) in table
            .columns
            .iter()
            .zip(seed["agate"]["columns"].as_array().expect("columns"))
        {
            assert_eq!(
                column.data_type.sql_type(AdapterKind::Postgres),
                want["postgres"],
                "{file}: {}",
                column.name
            );
            assert_eq!(
                column.data_type.sql_type(AdapterKind::DuckDb),
                want["duckdb"],
                "{file}: {}",
                column.name
            );
        }
    }
}

#[test]
fn redshift_text_columns_are_sized_by_their_longest_value() {
    let table = read_seed_csv("a,b,c,d\nhé,,1,2024-01-05\nx,,2,\n", b',').expect("read");
    let types: Vec<String> = table
        .columns
        .iter()
        .map(|c| c.data_type.sql_type(AdapterKind::Redshift))
        .collect();
    assert_eq!(types, ["varchar(3)", "integer", "integer", "date"]);
    assert_eq!(
        SeedType::Text { max_bytes: 0 }.sql_type(AdapterKind::Redshift),
        "varchar(64)"
    );
    assert_eq!(
        SeedType::Number { max_precision: 2 }.sql_type(AdapterKind::Redshift),
        "float8"
    );
}

#[test]
fn bad_files_fail_with_their_line() {
    let error = read_seed_csv("a,b\n1,2\n\"multi\nline\",2,3\n", b',').expect_err("too wide");
    let AdapterError::SeedCsv { line, message, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(*line, Some(3));
    assert!(
        message.contains("Row 1 has 3 values, but Table only has 2 columns"),
        "{message}"
    );
    assert!(read_seed_csv("", b',').is_err());
    let long = format!("a\n{}\n", "x".repeat(131_073));
    let error = read_seed_csv(&long, b',').expect_err("field limit");
    assert!(error.to_string().contains("line 2"), "{error}");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("latin1.csv");
    std::fs::write(&path, b"a\nok\ncaf\xe9\n").expect("write");
    let error = read_seed_file(&path, b',', &[]).expect_err("not UTF-8");
    assert!(error.to_string().contains("latin1.csv, line 3"), "{error}");
}

#[test]
fn configured_column_types_are_read_as_text() {
    let table = runner_adapters::read_seed_csv_with(
        "zip,n\n01234,007\n",
        b',',
        &["zip".into(), "missing".into()],
    )
    .expect("read");
    assert_eq!(table.columns[0].data_type.agate_name(), "Text");
    assert_eq!(table.columns[1].data_type.agate_name(), "Number");
    assert_eq!(
        table.rows,
        [[Some("01234".to_string()), Some("7".to_string())]]
    );
}
