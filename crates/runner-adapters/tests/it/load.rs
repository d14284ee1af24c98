//! `Connection::load_rows` beyond the seed fixtures: the INSERT path Redshift uses (checked
//! against COPY on Postgres), loads inside an open transaction, and errors with their context.

use runner_adapters::{
    AdapterError, AdapterKind, Relation, RelationType, insert_sql, read_seed_csv,
};

use crate::seed_load::{create_and_load, read_back, relation};
use crate::support::{duck, pg};

#[test]
fn the_insert_path_redshift_uses_loads_what_copy_loads() {
    let csv = "id,t,at\n1,it's a \\ back,2024-01-05T10:11:12+02:00\n2,,2024-01-05T10:11:12\n";
    let table = read_seed_csv(csv, b',').expect("read");
    let columns: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
    let types: Vec<String> = table
        .columns
        .iter()
        .map(|c| c.data_type.sql_type(AdapterKind::Redshift))
        .collect();
    let redshift = Relation {
        database: "dev".into(),
        schema: "seeds".into(),
        identifier: "t".into(),
        relation_type: RelationType::Table,
    };
    let sql = insert_sql(
        AdapterKind::Redshift,
        &redshift,
        &columns,
        &types,
        &table.rows,
    )
    .expect("sql");
    assert_eq!(
        sql,
        [
            "insert into \"seeds\".\"t\" (\"id\", \"t\", \"at\") values\n\
         ('1', 'it''s a \\\\ back', '2024-01-05T10:11:12+02:00'::timestamptz),\n\
         ('2', null, '2024-01-05T10:11:12')"
        ]
    );
    let many: Vec<Vec<Option<String>>> = (0..25_000).map(|i| vec![Some(i.to_string())]).collect();
    let statements = insert_sql(
        AdapterKind::Postgres,
        &redshift,
        &columns[..1],
        &types[..1],
        &many,
    )
    .expect("sql");
    assert_eq!(statements.len(), 3, "10,000 rows per statement");

    // On Postgres the same statements (standard strings) load what COPY loads.
    let mut conn = pg("seed_insert_path");
    conn.execute("set timezone = 'America/New_York'")
        .expect("timezone");
    conn.create_schema("seeds").expect("schema");
    let mut loaded = Vec::new();
    for name in ["by_copy", "by_insert"] {
        let target = relation(&*conn, name);
        let seed = serde_json::json!({"seed": name, "column_types": {}});
        if name == "by_copy" {
            create_and_load(&mut *conn, &seed, &table).expect("copy");
        } else {
            let ddl = format!(
                "create table {} (id integer, t text, at timestamp)",
                target.render(AdapterKind::Postgres)
            );
            conn.execute(&ddl).expect("create");
            for statement in insert_sql(
                AdapterKind::Postgres,
                &target,
                &columns,
                &types,
                &table.rows,
            )
            .expect("sql")
            {
                conn.execute(&statement).expect("insert");
            }
        }
        loaded.push(read_back(&mut *conn, &target)["rows"].clone());
    }
    assert_eq!(loaded[0], loaded[1]);
    // The offset value is converted into the session's zone, as dbt-postgres's timestamptz is.
    assert_eq!(loaded[0][0][2], "2024-01-05 03:11:12");
}

#[test]
fn loads_join_the_open_transaction() {
    for mut conn in [pg("seed_transaction"), duck()] {
        let kind = conn.kind();
        conn.create_schema("seeds").expect("schema");
        let target = relation(&*conn, "t");
        conn.execute(&format!("create table {} (i integer)", target.render(kind)))
            .expect("create");
        conn.begin().expect("begin");
        let rows = vec![vec![Some("1".to_string())], vec![None]];
        assert_eq!(
            conn.load_rows(&target, &["i".into()], &["integer".into()], &rows)
                .expect("load"),
            2
        );
        conn.rollback().expect("rollback");
        let count = conn
            .query(&format!("select count(*) from {}", target.render(kind)))
            .expect("count");
        assert_eq!(count.rows[0][0].to_string(), "0", "{kind:?}");
    }
}

#[test]
fn load_errors_name_the_table_and_row() {
    for mut conn in [pg("seed_errors"), duck()] {
        let kind = conn.kind();
        conn.create_schema("seeds").expect("schema");
        let target = relation(&*conn, "t");
        conn.execute(&format!(
            "create table {} (i integer, d date)",
            target.render(kind)
        ))
        .expect("create");
        let columns = ["i".to_string(), "d".to_string()];
        let types = ["integer".to_string(), "date".to_string()];
        let short = conn
            .load_rows(&target, &columns, &types, &[vec![Some("1".into())]])
            .expect_err("short row");
        assert!(
            matches!(short, AdapterError::Load { row: Some(1), .. }),
            "{short:?}"
        );
        let rows = vec![vec![Some("1".into()), None], vec![Some("x".into()), None]];
        let bad = conn
            .load_rows(&target, &columns, &types, &rows)
            .expect_err("bad value");
        match (kind, &bad) {
            (AdapterKind::DuckDb, AdapterError::Load { row, .. }) => assert_eq!(*row, Some(2)),
            (AdapterKind::Postgres, AdapterError::Database { sqlstate, .. }) => {
                assert_eq!(sqlstate.as_deref(), Some("22P02"))
            }
            _ => panic!("{kind:?}: {bad:?}"),
        }
        // The session is still usable.
        assert_eq!(
            conn.load_rows(&target, &columns, &types, &rows[..1])
                .expect("load"),
            1,
            "{kind:?}"
        );
    }
}
