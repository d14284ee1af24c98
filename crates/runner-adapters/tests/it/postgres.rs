//! Postgres sessions against a real server: typed values, command tags, multi-statement strings,
//! transactions, errors with context, password logins, role/search_path, and cancel.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use runner_adapters::{Adapter, AdapterConfig, AdapterError, Cell, Connection, PgConnection};
use runner_testkit::PgCluster;

use crate::support::{pg, pg_config, pg_config_existing};

#[test]
fn typed_values_round_trip() {
    let mut conn = pg("pg_typed_values");
    let table = conn
        .query(
            "select null::int as n, true as b, 42::int as i, 9007199254740993::bigint as big, \
             12345678901234567890.000000000123::numeric as d, 1.5::float8 as f, 'héllo'::text as t, \
             '2024-02-29'::date as dt, '2024-02-29 13:14:15.123456'::timestamp as ts, \
             '2024-02-29 13:14:15+02'::timestamptz as tstz, '{\"a\": [1, 2]}'::json as j, \
             '{\"a\": 1}'::jsonb as jb, '10:11:12'::time as tm, 'a1b2c3d4-0000-0000-0000-000000000000'::uuid as u, \
             '\\x00ff'::bytea as by",
        )
        .expect("query");
    assert_eq!(table.columns.len(), 15);
    assert_eq!(table.columns[2].type_name, "integer");
    assert_eq!(table.columns[4].type_name, "numeric");
    assert_eq!(table.columns[9].type_name, "timestamp with time zone");
    let row = &table.rows[0];
    assert_eq!(row[0], Cell::Null);
    assert_eq!(row[1], Cell::Bool(true));
    assert_eq!(row[2], Cell::Integer(42));
    assert_eq!(row[3], Cell::Integer(9_007_199_254_740_993));
    assert_eq!(
        row[4],
        Cell::Decimal("12345678901234567890.000000000123".into())
    );
    assert_eq!(row[5], Cell::Float(1.5));
    assert_eq!(row[6], Cell::Text("héllo".into()));
    assert_eq!(
        row[7],
        Cell::Date(NaiveDate::from_ymd_opt(2024, 2, 29).expect("date"))
    );
    let Cell::Timestamp(ts) = &row[8] else {
        panic!("timestamp: {:?}", row[8])
    };
    assert_eq!(ts.to_string(), "2024-02-29 13:14:15.123456");
    let Cell::TimestampTz(tstz) = &row[9] else {
        panic!("timestamptz: {:?}", row[9])
    };
    assert_eq!(
        tstz.with_timezone(&Utc),
        Utc.with_ymd_and_hms(2024, 2, 29, 11, 14, 15)
            .single()
            .expect("instant")
    );
    assert_eq!(row[10], Cell::Json("{\"a\": [1, 2]}".into()));
    assert_eq!(row[11], Cell::Json("{\"a\": 1}".into()));
    assert_eq!(row[12].to_string(), "10:11:12");
    assert_eq!(
        row[13],
        Cell::Text("a1b2c3d4-0000-0000-0000-000000000000".into())
    );
    assert_eq!(row[14], Cell::Bytes(vec![0, 255]));
}

#[test]
fn command_tags_and_rows_affected_match_dbt_adapter_response() {
    let mut conn = pg("pg_command_tags");
    let created = conn.execute("create table t (i int)").expect("create");
    assert_eq!(
        (
            created.message.as_str(),
            created.code.as_deref(),
            created.rows_affected
        ),
        ("CREATE TABLE", Some("CREATE TABLE"), None)
    );
    let inserted = conn
        .execute("insert into t values (1), (2), (3)")
        .expect("insert");
    assert_eq!(
        (
            inserted.message.as_str(),
            inserted.code.as_deref(),
            inserted.rows_affected
        ),
        ("INSERT 0 3", Some("INSERT"), Some(3))
    );
    let ctas = conn
        .execute("create table t2 as select * from t")
        .expect("ctas");
    assert_eq!(
        (ctas.message.as_str(), ctas.rows_affected),
        ("SELECT 3", Some(3))
    );
    let (selected, table) = conn.fetch("select i from t order by i").expect("select");
    assert_eq!(
        (
            selected.message.as_str(),
            selected.rows_affected,
            table.len()
        ),
        ("SELECT 3", Some(3), 3)
    );
}

#[test]
fn multi_statement_strings_run_every_statement_and_report_the_last() {
    let mut conn = pg("pg_multi_statement");
    let response = conn
        .execute("begin;\ncreate table t (i int);\ninsert into t values (1), (2), (3);\nupdate t set i = i + 10 where i > 1;\ncommit;")
        .expect("batch");
    assert_eq!(response.message, "COMMIT");
    let response = conn
        .execute("delete from t where i = 1; update t set i = 0 where i > 10")
        .expect("batch");
    assert_eq!(
        (response.message.as_str(), response.rows_affected),
        ("UPDATE 2", Some(2))
    );
    let (response, table) = conn
        .fetch("select 1 as x; select i from t order by i")
        .expect("fetch batch");
    assert_eq!(response.rows_affected, Some(2));
    assert_eq!(table.column_names(), ["i"]);
    assert_eq!(
        conn.execute("-- only a comment").expect("empty").message,
        ""
    );
}

#[test]
fn transactions_commit_and_roll_back() {
    let mut conn = pg("pg_transactions");
    conn.execute("create table t (i int)").expect("create");
    conn.begin().expect("begin");
    assert!(conn.in_transaction());
    conn.execute("insert into t values (1)").expect("insert");
    conn.rollback().expect("rollback");
    assert!(!conn.in_transaction());
    conn.begin().expect("begin");
    conn.execute("insert into t values (2)").expect("insert");
    conn.commit().expect("commit");
    let table = conn.query("select i from t").expect("select");
    assert_eq!(table.rows, vec![vec![Cell::Integer(2)]]);
}

#[test]
fn errors_carry_sqlstate_endpoint_and_the_first_line_and_leave_the_session_usable() {
    let mut conn = pg("pg_errors");
    let error = conn
        .execute("\n  select * from missing_table\n  where 1 = 1")
        .expect_err("fails");
    let AdapterError::Database {
        sqlstate,
        endpoint,
        sql,
        message,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(sqlstate.as_deref(), Some("42P01"));
    assert!(
        endpoint.contains(&PgCluster::shared().port().to_string())
            && endpoint.contains("pg_errors"),
        "{endpoint}"
    );
    assert!(sql.starts_with("select * from missing_table"), "{sql}");
    assert!(message.contains("missing_table"), "{message}");
    assert!(error.to_string().contains("[42P01]"), "{error}");
    assert!(!conn.in_transaction());
    assert_eq!(
        conn.query("select 1").expect("still usable").rows,
        vec![vec![Cell::Integer(1)]]
    );
}

#[test]
fn every_password_method_logs_in_and_a_wrong_password_error_hides_it() {
    let cluster = PgCluster::shared();
    for role in cluster.password_roles() {
        let mut config = pg_config_existing("postgres");
        config.user = role.name.into();
        config.password = Some(role.password.into());
        let mut conn =
            PgConnection::connect(&config).unwrap_or_else(|e| panic!("{} login: {e}", role.method));
        let who = conn.query("select current_user").expect("query");
        assert_eq!(
            who.rows[0][0],
            Cell::Text(role.name.into()),
            "{}",
            role.method
        );

        config.password = Some(format!("{}-WRONG-PASSWORD", role.password));
        let error = PgConnection::connect(&config)
            .err()
            .expect("wrong password fails");
        assert!(matches!(error, AdapterError::Auth { .. }), "{error:?}");
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(!shown.contains("WRONG-PASSWORD"), "{shown}");
            assert!(!shown.contains(role.password), "{shown}");
        }
        assert_eq!(error.sqlstate(), Some("28P01"), "{}", role.method);

        config.password = None;
        assert!(
            PgConnection::connect(&config).is_err(),
            "{} without password",
            role.method
        );
    }
}

#[test]
fn role_and_search_path_are_applied_after_login() {
    let mut config = pg_config("pg_role_search_path");
    let role = PgCluster::shared().password_roles()[0];
    config.user = role.name.into();
    config.password = Some(role.password.into());
    config.role = Some("runner_reader".into());
    config.search_path = Some("custom, public".into());
    let mut conn = PgConnection::connect(&config).expect("connect");
    let table = conn
        .query("select current_user, current_setting('search_path')")
        .expect("query");
    assert_eq!(
        table.rows[0],
        vec![
            Cell::Text("runner_reader".into()),
            Cell::Text("custom, public".into())
        ]
    );
}

#[test]
fn unknown_database_and_closed_port_fail_with_context() {
    let config = pg_config_existing("no_such_database");
    let error = PgConnection::connect(&config).err().expect("fails");
    assert!(
        error.to_string().contains("3D000") && error.to_string().contains("no_such_database"),
        "{error}"
    );
    let mut closed = pg_config_existing("postgres");
    closed.port = 1;
    let error = PgConnection::connect(&closed).err().expect("fails");
    assert!(
        matches!(error, AdapterError::Connect { .. }) && error.to_string().contains("127.0.0.1:1/"),
        "{error}"
    );
}

#[test]
fn a_long_query_is_cancelled_from_another_thread() {
    let adapter = Adapter::open(AdapterConfig::Postgres(pg_config("pg_cancel"))).expect("adapter");
    let mut conn = adapter.connect().expect("connect");
    let cancel = conn.cancel_handle();
    let started = Instant::now();
    let worker = std::thread::spawn(move || {
        let result = conn.execute("select pg_sleep(60)");
        (result, conn)
    });
    // Cancelling before the query reaches the server does nothing, so repeat until it stops.
    while !worker.is_finished() && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(200));
        cancel.cancel().expect("send cancel");
    }
    let (result, mut conn) = worker.join().expect("worker");
    let error = result.expect_err("cancelled");
    assert!(error.is_cancelled(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(
        conn.query("select 1").expect("usable after cancel").rows[0][0],
        Cell::Integer(1)
    );
}
