//! Embedded DuckDB: typed values, multi-statement strings, rows affected, transactions, errors,
//! files shared between connections, settings and extensions, and cancel.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use runner_adapters::{Adapter, AdapterConfig, AdapterError, Cell, DuckDbConfig, DuckDbExtension};

use crate::support::duck;

#[test]
fn typed_values_round_trip() {
    let mut conn = duck();
    let table = conn
        .query(
            "select null::integer as n, true as b, 42::integer as i, 170141183460469231731687303715884105727::hugeint as huge, \
             12345678901234567890.123456789012345678::decimal(38,18) as d, 1.25::decimal(5,2) as small_d, 1.5::double as f, \
             'héllo' as t, date '2024-02-29' as dt, timestamp '2024-02-29 13:14:15.123456' as ts, \
             timestamptz '2024-02-29 13:14:15+02' as tstz, '{\"a\": [1, 2]}'::json as j, time '10:11:12' as tm, \
             [1, 2, 3] as l, {'k': 'v'} as s, '\\x00\\xFF'::blob as bl",
        )
        .expect("query");
    let types: Vec<&str> = table.columns.iter().map(|c| c.type_name.as_str()).collect();
    assert_eq!(
        types,
        [
            "INTEGER",
            "BOOLEAN",
            "INTEGER",
            "HUGEINT",
            "DECIMAL(38,18)",
            "DECIMAL(5,2)",
            "DOUBLE",
            "VARCHAR",
            "DATE",
            "TIMESTAMP",
            "TIMESTAMP WITH TIME ZONE",
            "JSON",
            "TIME",
            "INTEGER[]",
            "STRUCT",
            "BLOB"
        ]
    );
    let row = &table.rows[0];
    assert_eq!(row[0], Cell::Null);
    assert_eq!(row[1], Cell::Bool(true));
    assert_eq!(row[2], Cell::Integer(42));
    assert_eq!(
        row[3],
        Cell::Decimal("170141183460469231731687303715884105727".into())
    );
    assert_eq!(
        row[4],
        Cell::Decimal("12345678901234567890.123456789012345678".into())
    );
    assert_eq!(row[5], Cell::Decimal("1.25".into()));
    assert_eq!(row[6], Cell::Float(1.5));
    assert_eq!(row[7], Cell::Text("héllo".into()));
    assert_eq!(
        row[8],
        Cell::Date(NaiveDate::from_ymd_opt(2024, 2, 29).expect("date"))
    );
    assert_eq!(row[9].to_string(), "2024-02-29 13:14:15.123456");
    let Cell::TimestampTz(tstz) = &row[10] else {
        panic!("timestamptz: {:?}", row[10])
    };
    assert_eq!(
        tstz.with_timezone(&Utc),
        Utc.with_ymd_and_hms(2024, 2, 29, 11, 14, 15)
            .single()
            .expect("instant")
    );
    assert_eq!(row[11], Cell::Json("{\"a\": [1, 2]}".into()));
    assert_eq!(row[12].to_string(), "10:11:12");
    assert_eq!(row[13], Cell::Text("[1, 2, 3]".into()));
    assert_eq!(row[14], Cell::Text("{'k': 'v'}".into()));
    assert_eq!(row[15], Cell::Bytes(vec![0, 255]));
}

#[test]
fn multi_statement_strings_and_rows_affected() {
    let mut conn = duck();
    let response = conn
        .execute("begin;\ncreate table t (i integer);\ninsert into t values (1), (2), (3);\nupdate t set i = i + 10 where i > 1;\ncommit;")
        .expect("batch");
    assert_eq!(
        (response.message.as_str(), response.code.as_deref()),
        ("OK", None)
    );
    let response = conn
        .execute("delete from t where i = 1; update t set i = 0 where i > 10")
        .expect("batch");
    assert_eq!(response.rows_affected, Some(2));
    let (response, table) = conn
        .fetch("insert into t values (5), (6), (7)")
        .expect("insert via fetch");
    assert_eq!(
        (response.rows_affected, table.column_names()),
        (Some(3), vec!["Count"])
    );
    let (response, table) = conn
        .fetch("select 1 as x; select i from t order by i")
        .expect("fetch batch");
    assert_eq!(
        (response.rows_affected, table.len(), table.column_names()),
        (Some(5), 5, vec!["i"])
    );
    assert_eq!(conn.execute("  ").expect("blank").message, "OK");
    assert_eq!(
        conn.execute("-- only a comment").expect("comment").message,
        "OK"
    );
}

#[test]
fn transactions_commit_and_roll_back() {
    let mut conn = duck();
    conn.execute("create table t (i integer)").expect("create");
    conn.begin().expect("begin");
    assert!(conn.in_transaction());
    conn.execute("insert into t values (1)").expect("insert");
    conn.rollback().expect("rollback");
    assert!(!conn.in_transaction());
    conn.begin().expect("begin");
    conn.execute("insert into t values (2)").expect("insert");
    conn.commit().expect("commit");
    assert_eq!(
        conn.query("select i from t").expect("select").rows,
        vec![vec![Cell::Integer(2)]]
    );
}

#[test]
fn errors_carry_the_path_and_first_line() {
    let mut conn = duck();
    let error = conn
        .execute("select * from missing_table\nwhere 1 = 1")
        .expect_err("fails");
    let AdapterError::Database {
        endpoint,
        sql,
        message,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(endpoint, "duckdb :memory:");
    assert!(sql.starts_with("select * from missing_table"), "{sql}");
    assert!(message.contains("missing_table"), "{message}");
}

#[test]
fn a_file_database_is_shared_by_connections_and_reopens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested/dev.duckdb");
    let mut config = DuckDbConfig::new(path.to_str().expect("utf-8 path"));
    config.settings = vec![
        ("threads".into(), "1".into()),
        ("default_order".into(), "desc".into()),
    ];
    config.extensions = vec![DuckDbExtension {
        name: "json".into(),
        repo: None,
    }];
    {
        let adapter = Adapter::open(AdapterConfig::DuckDb(config.clone())).expect("open");
        let mut first = adapter.connect().expect("first");
        let mut second = adapter.connect().expect("second");
        assert_eq!(first.database(), "dev");
        first
            .execute("create table t as select * from range(3) r(i)")
            .expect("create");
        let table = second
            .query("select i from t order by i")
            .expect("other connection sees it");
        assert_eq!(
            table.rows[0][0],
            Cell::Integer(2),
            "default_order = desc applies"
        );
        let threads = second
            .query("select current_setting('threads')")
            .expect("setting");
        assert_eq!(threads.rows[0][0].as_i64(), Some(1));
    }
    let adapter = Adapter::open(AdapterConfig::DuckDb(config)).expect("reopen");
    let mut conn = adapter.connect().expect("connect");
    assert_eq!(
        conn.query("select count(*) from t").expect("count").rows[0][0],
        Cell::Integer(3)
    );
}

#[test]
fn bad_settings_and_extensions_fail_at_open_with_context() {
    let mut config = DuckDbConfig::new(":memory:");
    config.settings = vec![("no_such_setting".into(), "1".into())];
    let error = Adapter::open(AdapterConfig::DuckDb(config))
        .err()
        .expect("fails");
    assert!(error.to_string().contains("no_such_setting"), "{error}");
    let mut config = DuckDbConfig::new(":memory:");
    config.extensions = vec![DuckDbExtension {
        name: "json; drop table x".into(),
        repo: None,
    }];
    let error = Adapter::open(AdapterConfig::DuckDb(config))
        .err()
        .expect("fails");
    assert!(
        error.to_string().contains("not a plain identifier"),
        "{error}"
    );
}

#[test]
fn a_long_query_is_interrupted_from_another_thread() {
    let mut conn = duck();
    let cancel = conn.cancel_handle();
    let started = Instant::now();
    let worker = std::thread::spawn(move || {
        let result =
            conn.query("select sum(a.range * b.range) from range(100000000) a, range(100000000) b");
        (result, conn)
    });
    while !worker.is_finished() && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(200));
        cancel.cancel().expect("interrupt");
    }
    let (result, mut conn) = worker.join().expect("worker");
    let error = result.expect_err("interrupted");
    assert!(error.is_cancelled(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(
        conn.query("select 1").expect("usable after interrupt").rows[0][0],
        Cell::Integer(1)
    );
}
