//! `runner debug`, `runner clean` and `runner show` on copies of `tests/fixtures/store`, against what
//! dbt-core 1.12.6 (dbt-duckdb 1.11) printed for the same commands on the same project.

use std::path::Path;
use std::process::Output;

use crate::support::{fixture_copy, runner};

const DUCKDB_PROFILE: &str = "shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: shop.duckdb
      schema: main
      threads: 1
";

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Panics with both streams unless the exit code is `code`.
fn expect_exit(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}\n--- stdout\n{}\n--- stderr\n{}",
        stdout(out),
        stderr(out)
    );
}

/// A copy of the store project with a DuckDB profiles.yml beside it.
fn store_with_duckdb() -> tempfile::TempDir {
    let project = fixture_copy("store");
    std::fs::write(project.path().join("profiles.yml"), DUCKDB_PROFILE).unwrap();
    project
}

fn run(project: &Path, args: &[&str]) -> Output {
    let mut full = args.to_vec();
    full.extend(["--profiles-dir", "."]);
    runner(project, &full)
}

/// Stdout from the line that starts with `marker` on (dbt prints the preview without timestamps).
fn from_line<'a>(text: &'a str, marker: &str) -> &'a str {
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("no `{marker}` in\n{text}"));
    &text[at..]
}

#[test]
fn debug_passes_on_a_duckdb_profile() {
    let project = store_with_duckdb();
    let out = run(project.path(), &["debug"]);
    expect_exit(&out, 0, "debug on DuckDB");
    let text = stdout(&out);
    for line in [
        "adapter type: duckdb",
        "profiles.yml file [OK found and valid]",
        "dbt_project.yml file [OK found and valid]",
        "path: shop.duckdb",
        "Connection test: [OK connection ok]",
        "All checks passed!",
    ] {
        assert!(text.contains(line), "missing `{line}` in\n{text}");
    }
}

#[test]
fn debug_fails_on_an_unreachable_postgres_and_never_prints_the_password() {
    // A port that was free a moment ago: nothing listens there.
    let port = crate::support::unused_port();
    let password = "Zq-very-secret-pw-81";
    let project = fixture_copy("store");
    std::fs::write(
        project.path().join("profiles.yml"),
        format!(
            "shop:
  target: pg
  outputs:
    pg:
      type: postgres
      host: 127.0.0.1
      port: {port}
      user: alice
      password: {password}
      dbname: shopdb
      schema: public
      connect_timeout: 5
      threads: 1
"
        ),
    )
    .unwrap();
    let out = run(project.path(), &["debug"]);
    expect_exit(&out, 1, "debug on a closed port");
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!all.contains(password), "the password was printed:\n{all}");
    for line in [
        "host: 127.0.0.1",
        &format!("port: {port}"),
        "user: alice",
        "database: shopdb",
        "Connection test: [ERROR]",
        "1 check failed:",
        &format!("127.0.0.1:{port}"),
    ] {
        assert!(all.contains(line), "missing `{line}` in\n{all}");
    }
    assert!(!all.contains("All checks passed!"), "{all}");
}

#[test]
fn clean_removes_the_target_path() {
    let project = store_with_duckdb();
    let target = project.path().join("target");
    std::fs::create_dir_all(target.join("compiled")).unwrap();
    std::fs::write(target.join("compiled/x.sql"), "select 1").unwrap();
    let out = run(project.path(), &["clean"]);
    expect_exit(&out, 0, "clean");
    assert!(!target.exists(), "target/ is still there");
    assert!(
        project.path().join("models").is_dir(),
        "models/ was removed"
    );
    let text = stdout(&out);
    let shown = std::fs::canonicalize(project.path())
        .unwrap()
        .join("target")
        .display()
        .to_string();
    assert!(text.contains(&format!("Checking {shown}/*")), "{text}");
    assert!(text.contains(&format!("Cleaned {shown}/*")), "{text}");
    assert!(text.contains("Finished cleaning all paths."), "{text}");
}

#[test]
fn clean_refuses_a_target_outside_the_project() {
    let project = store_with_duckdb();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("keep.txt"), "keep").unwrap();
    let target = project.path().join("target");
    std::fs::create_dir_all(&target).unwrap();
    let relative = format!(
        "../{}",
        outside.path().file_name().unwrap().to_string_lossy()
    );
    let yml = project.path().join("dbt_project.yml");
    let mut text = std::fs::read_to_string(&yml).unwrap();
    text.push_str(&format!("\nclean-targets: [target, \"{relative}\"]\n"));
    std::fs::write(&yml, text).unwrap();
    let out = run(project.path(), &["clean"]);
    expect_exit(&out, 2, "clean outside the project");
    let err = stderr(&out);
    assert!(
        err.contains("will not clean the following directories outside the project")
            && err.contains(&*outside.path().file_name().unwrap().to_string_lossy()),
        "{err}"
    );
    // Nothing is deleted when a path is refused, as in dbt.
    assert!(outside.path().join("keep.txt").is_file());
    assert!(target.is_dir());
}

#[test]
fn show_previews_a_model_and_inline_sql_after_build() {
    let project = store_with_duckdb();
    let built = run(project.path(), &["build"]);

    // A model: dbt's header, the model's columns, the default limit of 5 rows.
    let out = run(project.path(), &["show", "--select", "customers"]);
    expect_exit(
        &out,
        0,
        &format!("show customers (build said:\n{})", stdout(&built)),
    );
    let text = stdout(&out);
    let preview = from_line(&text, "Previewing node 'customers':\n");
    let lines: Vec<&str> = preview.lines().collect();
    assert_eq!(
        lines[1],
        "| customer_id | first_name | last_name | order_count | first_order | lifetime_value |"
    );
    assert_eq!(
        lines[2],
        "| ----------- | ---------- | --------- | ----------- | ----------- | -------------- |"
    );
    let rows = lines.iter().skip(3).take_while(|l| l.starts_with('|'));
    assert_eq!(rows.count(), 5, "{preview}");

    // --limit.
    let out = run(
        project.path(),
        &["show", "--select", "customers", "--limit", "2"],
    );
    expect_exit(&out, 0, "show --limit 2");
    let text = stdout(&out);
    let preview = from_line(&text, "Previewing node 'customers':\n");
    let rows = preview.lines().skip(3).take_while(|l| l.starts_with('|'));
    assert_eq!(rows.count(), 2, "{preview}");

    // Inline SQL with a ref: byte for byte what dbt printed.
    let out = run(
        project.path(),
        &[
            "show",
            "--inline",
            "select order_id, status from {{ ref('orders') }} order by order_id",
            "--limit",
            "2",
        ],
    );
    expect_exit(&out, 0, "show --inline");
    assert_eq!(
        from_line(&stdout(&out), "Previewing inline node:"),
        "Previewing inline node:
| order_id | status   |
| -------- | -------- |
|        1 | placed   |
|        2 | returned |

"
    );

    // A ref to an ephemeral model (injected as a CTE); decimals to the column's precision.
    let out = run(
        project.path(),
        &[
            "show",
            "-q",
            "--inline",
            "select * from {{ ref('payment_amounts') }} order by order_id, method",
            "--limit",
            "3",
        ],
    );
    expect_exit(&out, 0, "show an ephemeral ref");
    assert_eq!(
        stdout(&out),
        "| order_id | method  | amount |
| -------- | ------- | ------ |
|        1 | card    |  78.63 |
|        2 | card    |  44.50 |
|        2 | voucher |  34.62 |

"
    );

    // --output json, as dbt prints it.
    let out = run(
        project.path(),
        &[
            "show",
            "-q",
            "--output",
            "json",
            "--inline",
            "select customer_id, first_name, first_order, lifetime_value from {{ ref('customers') }} where customer_id = 33",
        ],
    );
    expect_exit(&out, 0, "show --output json");
    assert_eq!(
        stdout(&out),
        r#"{
  "show": [
    {
      "customer_id": 33,
      "first_name": "Ivy",
      "first_order": "2025-01-03",
      "lifetime_value": 680.77
    }
  ]
}
"#
    );
}

#[test]
fn show_reports_errors_as_dbt_does() {
    let project = store_with_duckdb();
    let out = run(project.path(), &["show"]);
    expect_exit(&out, 2, "show without --select or --inline");
    assert!(
        stderr(&out).contains("Either --select or --inline must be passed to show"),
        "{}",
        stderr(&out)
    );

    let out = run(
        project.path(),
        &["show", "--inline", "select * from no_such_table"],
    );
    expect_exit(&out, 2, "show of failing SQL");
    let err = stderr(&out);
    assert!(
        err.contains("Runtime Error in sql_operation inline_query (from remote system.sql)")
            && err.contains("no_such_table"),
        "{err}"
    );
}
