//! Bulk loading seeds (`Connection::load_rows`) on real Postgres (COPY) and DuckDB (appender):
//! each fixture table is created with the types we infer and loaded, then its column types and
//! rows must equal what `dbt seed` produced (tests/fixtures/seeds/expected.json); and a large load.

use runner_adapters::{
    AdapterError, AdapterKind, Cell, Connection, Relation, RelationType, SeedTable,
    quote_identifier, read_seed_csv, read_seed_file,
};
use serde_json::Value;

use crate::seed::{FIXTURES, delimiter, oracle, text_columns};
use crate::support::{duck, pg};

/// dbt-duckdb loads seeds with DuckDB's CSV reader (`COPY … FROM 'file'`), which differs from
/// agate where these seeds go: blank lines are skipped, `\r\n` inside quotes is kept, the text
/// `null` stays text, infinities stay infinite. We load agate's values, like dbt-postgres.
const DUCKDB_READER_DIFFERS: [&str; 4] = ["blank_lines", "crlf", "nulls", "numbers_special"];

pub fn relation(conn: &dyn Connection, name: &str) -> Relation {
    Relation {
        database: conn.database().to_string(),
        schema: "seeds".into(),
        identifier: name.into(),
        relation_type: RelationType::Table,
    }
}

fn read_fixture(seed: &Value) -> SeedTable {
    let file = seed["file"].as_str().expect("file");
    let path = std::path::Path::new(FIXTURES)
        .join("project/seeds")
        .join(file);
    read_seed_file(&path, delimiter(seed), &text_columns(seed)).expect("read fixture")
}

/// Creates the table as dbt's `create_csv_table` does (configured types win) and loads it.
pub fn create_and_load(
    conn: &mut dyn Connection,
    seed: &Value,
    table: &SeedTable,
) -> Result<(Relation, u64), AdapterError> {
    let name = seed["seed"].as_str().expect("seed name");
    let target = relation(conn, name);
    let kind = conn.kind();
    let types: Vec<String> = table
        .columns
        .iter()
        .map(|c| match seed["column_types"][&c.name].as_str() {
            Some(configured) => configured.to_string(),
            None => c.data_type.sql_type(kind),
        })
        .collect();
    let columns: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
    let ddl: Vec<String> = columns
        .iter()
        .zip(&types)
        .map(|(c, t)| format!("{} {t}", quote_identifier(c)))
        .collect();
    conn.execute(&format!(
        "create table {} ({})",
        target.render(kind),
        ddl.join(", ")
    ))?;
    let loaded = conn.load_rows(&target, &columns, &types, &table.rows)?;
    Ok((target, loaded))
}

/// Column types and rows as record.py reads them: every value cast to text, rows sorted with
/// NULL before any string.
pub fn read_back(conn: &mut dyn Connection, target: &Relation) -> Value {
    let kind = conn.kind();
    let columns = conn.get_columns_in_relation(target).expect("columns");
    let text = if kind == AdapterKind::DuckDb {
        "varchar"
    } else {
        "text"
    };
    let select: Vec<String> = columns
        .iter()
        .map(|c| format!("cast({} as {text})", quote_identifier(&c.name)))
        .collect();
    let table = conn
        .query(&format!(
            "select {} from {}",
            select.join(", "),
            target.render(kind)
        ))
        .expect("select");
    let mut rows: Vec<Vec<Option<String>>> = table
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Cell::Null => None,
                    other => Some(
                        other
                            .as_str()
                            .map_or_else(|| other.to_string(), str::to_string),
                    ),
                })
                .collect()
        })
        .collect();
    rows.sort_by(|a, b| {
        let key = |r: &Vec<Option<String>>| {
            r.iter()
                .map(|v| (v.is_some(), v.clone().unwrap_or_default()))
                .collect::<Vec<_>>()
        };
        key(a).cmp(&key(b))
    });
    serde_json::json!({
        "columns": columns.iter().map(|c| serde_json::json!({"name": c.name, "data_type": c.data_type})).collect::<Vec<_>>(),
        "rows": rows,
    })
}

fn loads_like_dbt(mut conn: Box<dyn Connection>, target: &str) {
    let oracle = oracle("expected.json");
    conn.create_schema("seeds").expect("schema");
    for seed in oracle["seeds"].as_array().expect("seeds") {
        let name = seed["seed"].as_str().expect("name");
        let table = read_fixture(seed);
        let result = create_and_load(&mut *conn, seed, &table);
        let dbt = &seed[target];
        if dbt["status"] != "success" {
            // dbt failed to load it; so must we, except where DuckDB's reader is stricter than agate.
            if target == "postgres" {
                assert!(
                    result.is_err(),
                    "{target} {name}: dbt failed with {}, we loaded it",
                    dbt["message"]
                );
            }
            continue;
        }
        let (relation, loaded) = result.unwrap_or_else(|e| panic!("{target} {name}: {e}"));
        assert_eq!(loaded, table.rows.len() as u64, "{target} {name}");
        let ours = read_back(&mut *conn, &relation);
        let want = &dbt["table"];
        assert_eq!(ours["columns"], want["columns"], "{target} {name}: columns");
        if target == "duckdb" && DUCKDB_READER_DIFFERS.contains(&name) {
            continue;
        }
        assert_eq!(ours["rows"], want["rows"], "{target} {name}: rows");
    }
}

#[test]
fn postgres_copy_loads_every_fixture_like_dbt_postgres() {
    let mut conn = pg("seed_fixtures");
    // The oracle ran with the session time zone UTC; offsets are converted into it.
    conn.execute("set timezone = 'UTC'").expect("timezone");
    loads_like_dbt(conn, "postgres");
}

#[test]
fn duckdb_appender_loads_every_fixture_like_dbt_duckdb() {
    loads_like_dbt(duck(), "duckdb");
}

fn big_csv(rows: usize) -> String {
    let mut csv = String::from("id,name,amount,day,at,flag\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "{i},\"name, {i}\",{}.{},2024-{:02}-{:02},2024-01-01 {:02}:{:02}:00,{}\n",
            i % 1000,
            i % 100,
            i % 12 + 1,
            i % 28 + 1,
            i % 24,
            i % 60,
            i % 2 == 0
        ));
    }
    csv
}

#[test]
fn large_seeds_load_on_both_engines() {
    let rows = 150_000;
    let table = read_seed_csv(&big_csv(rows), b',').expect("read");
    let types: Vec<&str> = table
        .columns
        .iter()
        .map(|c| c.data_type.agate_name())
        .collect();
    assert_eq!(
        types,
        ["Number", "Text", "Number", "Date", "DateTime", "Boolean"]
    );
    for mut conn in [pg("seed_large"), duck()] {
        let kind = conn.kind();
        conn.create_schema("seeds").expect("schema");
        let seed = serde_json::json!({"seed": "big", "column_types": {}});
        let (target, loaded) = create_and_load(&mut *conn, &seed, &table).expect("load");
        assert_eq!(loaded, rows as u64, "{kind:?}");
        let check = conn
            .query(&format!(
                "select count(*), sum(id), count(distinct name), sum(case when flag then 1 else 0 end), max(\"day\"), max(\"at\") from {}",
                target.render(kind)
            ))
            .expect("check");
        let cells: Vec<String> = check.rows[0].iter().map(|c| c.to_string()).collect();
        assert_eq!(
            cells[..4],
            ["150000", "11249925000", "150000", "75000"],
            "{kind:?}"
        );
    }
}
