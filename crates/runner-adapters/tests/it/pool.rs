//! The pool: at most `threads` connections, blocking checkout, returns that roll back an open
//! transaction, cancel_all from another thread, and close.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use runner_adapters::{Adapter, AdapterConfig, AdapterError, Cell, DuckDbConfig};

use crate::support::pg_config;

#[test]
fn checkout_is_limited_to_threads_and_waits_for_a_return() {
    let mut config = pg_config("pool_limit");
    config.threads = 2;
    let pool = Adapter::open(AdapterConfig::Postgres(config))
        .expect("adapter")
        .into_pool();
    assert_eq!(pool.size(), 2);
    let first = pool.checkout().expect("first");
    let mut second = pool.checkout().expect("second");
    second.execute("create table t (i int)").expect("create");
    let (sender, receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut third = pool.checkout().expect("third waits, then gets one");
            sender
                .send(third.query("select 1").expect("query").rows[0][0].clone())
                .expect("send");
        });
        assert!(
            receiver.recv_timeout(Duration::from_millis(300)).is_err(),
            "third must wait"
        );
        drop(first);
        assert_eq!(
            receiver
                .recv_timeout(Duration::from_secs(10))
                .expect("third ran"),
            Cell::Integer(1)
        );
    });
}

#[test]
fn a_connection_returned_inside_a_transaction_is_rolled_back() {
    let pool = Adapter::open(AdapterConfig::DuckDb(DuckDbConfig::new(":memory:")))
        .expect("adapter")
        .into_pool();
    {
        let mut conn = pool.checkout().expect("checkout");
        conn.execute("create table t (i integer)").expect("create");
        conn.begin().expect("begin");
        conn.execute("insert into t values (1)").expect("insert");
    }
    let mut conn = pool.checkout().expect("same connection again");
    assert!(!conn.in_transaction());
    assert_eq!(
        conn.query("select count(*) from t").expect("count").rows[0][0],
        Cell::Integer(0)
    );
}

#[test]
fn cancel_all_stops_running_statements_and_close_refuses_checkouts() {
    let mut config = pg_config("pool_cancel_all");
    config.threads = 2;
    let pool = Adapter::open(AdapterConfig::Postgres(config))
        .expect("adapter")
        .into_pool();
    let started = Instant::now();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    pool.checkout()
                        .expect("checkout")
                        .execute("select pg_sleep(60)")
                })
            })
            .collect();
        while workers.iter().any(|w| !w.is_finished())
            && started.elapsed() < Duration::from_secs(30)
        {
            std::thread::sleep(Duration::from_millis(200));
            pool.cancel_all();
        }
        for worker in workers {
            let error = worker.join().expect("worker").expect_err("cancelled");
            assert!(error.is_cancelled(), "{error:?}");
        }
    });
    assert!(started.elapsed() < Duration::from_secs(30));
    pool.close();
    assert!(matches!(
        pool.checkout().err(),
        Some(AdapterError::PoolClosed)
    ));
}
