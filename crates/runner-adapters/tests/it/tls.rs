//! TLS against the test cluster (ssl = on, certificate for `localhost` from a throwaway CA): what
//! each sslmode accepts and refuses.

use runner_adapters::{AdapterError, Cell, Connection, PgConnection, SslMode};
use runner_testkit::PgCluster;

use crate::support::pg_config_existing;

fn config(host: &str, mode: SslMode, root: bool) -> runner_adapters::PostgresConfig {
    let mut config = pg_config_existing("postgres");
    config.host = host.into();
    config.sslmode = mode;
    config.sslrootcert = root.then(|| PgCluster::shared().ca_cert());
    config
}

fn uses_tls(conn: &mut PgConnection) -> bool {
    let table = conn
        .query("select ssl from pg_stat_ssl where pid = pg_backend_pid()")
        .expect("query");
    table.rows[0][0] == Cell::Bool(true)
}

#[test]
fn require_and_prefer_encrypt_without_checking_the_certificate() {
    for mode in [SslMode::Require, SslMode::Prefer] {
        let mut conn = PgConnection::connect(&config("127.0.0.1", mode, false)).expect("connect");
        assert!(conn.is_tls(), "{mode:?}");
        assert!(uses_tls(&mut conn), "{mode:?}");
    }
    let mut plain =
        PgConnection::connect(&config("127.0.0.1", SslMode::Disable, false)).expect("connect");
    assert!(!plain.is_tls());
    assert!(!uses_tls(&mut plain));
}

#[test]
fn verify_full_checks_the_chain_and_the_host_name() {
    let mut conn = PgConnection::connect(&config("localhost", SslMode::VerifyFull, true))
        .expect("trusted CA, right name");
    assert!(uses_tls(&mut conn));

    let unknown_ca = PgConnection::connect(&config("localhost", SslMode::VerifyFull, false))
        .err()
        .expect("web PKI roots do not trust the test CA");
    assert!(
        matches!(unknown_ca, AdapterError::Tls { .. }),
        "{unknown_ca:?}"
    );
    assert!(
        unknown_ca.to_string().to_lowercase().contains("issuer"),
        "{unknown_ca}"
    );

    let wrong_name = PgConnection::connect(&config("127.0.0.1", SslMode::VerifyFull, true))
        .err()
        .expect("certificate is for localhost only");
    assert!(
        matches!(wrong_name, AdapterError::Tls { .. }),
        "{wrong_name:?}"
    );
}

#[test]
fn verify_ca_checks_the_chain_but_not_the_host_name() {
    let mut conn = PgConnection::connect(&config("127.0.0.1", SslMode::VerifyCa, true))
        .expect("trusted CA, any name");
    assert!(uses_tls(&mut conn));
    let unknown_ca = PgConnection::connect(&config("127.0.0.1", SslMode::VerifyCa, false))
        .err()
        .expect("untrusted");
    assert!(
        matches!(unknown_ca, AdapterError::Tls { .. }),
        "{unknown_ca:?}"
    );
}

#[test]
fn a_missing_root_certificate_file_is_a_tls_configuration_error() {
    let mut bad = config("localhost", SslMode::VerifyFull, false);
    bad.sslrootcert = Some("/nonexistent/root.crt".into());
    let error = PgConnection::connect(&bad).err().expect("fails");
    assert!(
        matches!(error, AdapterError::Tls { .. })
            && error.to_string().contains("/nonexistent/root.crt"),
        "{error}"
    );
}

#[test]
fn cancel_works_over_tls() {
    let conn =
        PgConnection::connect(&config("localhost", SslMode::VerifyFull, true)).expect("connect");
    conn.cancel_handle()
        .cancel()
        .expect("cancel request over TLS when idle is harmless");
}
