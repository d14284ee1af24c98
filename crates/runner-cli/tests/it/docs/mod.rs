//! `runner docs generate` on the `store` fixture (with `tests/fixtures/docs-overlay` copied over it:
//! descriptions and a source on the seeds), built on embedded DuckDB and on a real PostgreSQL 15,
//! against dbt-core 1.12's catalog of the same project recorded by `scripts/record-catalog.py`
//! (`tests/fixtures/store/expected/catalog-<engine>.json`): the same nodes and sources in the
//! same order, with the same relation types, names, comments, column names, types and positions,
//! and stats. Also the docs page, selection, the flags, and an unreachable warehouse.

use std::path::Path;

use runner_testkit::PgCluster;
use serde_json::{Map, Value as Json};

use crate::support::{fixture_copy, ok, repo_root, runner, walk};

mod page;

/// A copy of the store fixture with the docs overlay and `profiles` as its profiles.yml.
fn project(profiles: &str) -> tempfile::TempDir {
    let dir = fixture_copy("store");
    let overlay = repo_root().join("tests/fixtures/docs-overlay");
    for file in walk(&overlay) {
        let dest = dir.path().join(file.strip_prefix(&overlay).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&file, dest).unwrap();
    }
    std::fs::write(dir.path().join("profiles.yml"), profiles).unwrap();
    dir
}

fn read_json(path: &Path) -> Json {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The recorded part of a catalog (see scripts/record-catalog.py): no owner, `{database}` for the
/// database the run used.
fn observable(catalog: &Json, database: &str) -> Json {
    let entries = |section: &str| -> Map<String, Json> {
        catalog[section]
            .as_object()
            .unwrap()
            .iter()
            .map(|(id, e)| {
                let mut meta = e["metadata"].as_object().unwrap().clone();
                meta.remove("owner");
                if meta["database"] == database {
                    meta["database"] = Json::from("{database}");
                }
                let mut out = Map::new();
                out.insert("metadata".into(), Json::Object(meta));
                for k in ["columns", "stats", "unique_id"] {
                    out.insert(k.into(), e[k].clone());
                }
                (id.clone(), Json::Object(out))
            })
            .collect()
    };
    serde_json::json!({"nodes": entries("nodes"), "sources": entries("sources"), "errors": catalog["errors"]})
}

/// The same value, compared with its key order (serde_json's map equality ignores order).
fn assert_same(got: &Json, want: &Json, what: &str) {
    let (g, w) = (
        serde_json::to_string_pretty(got).unwrap(),
        serde_json::to_string_pretty(want).unwrap(),
    );
    if g != w {
        let first = g.lines().zip(w.lines()).position(|(a, b)| a != b);
        panic!("{what} differs from dbt's from line {first:?}:\n--- runner\n{g}\n--- dbt\n{w}");
    }
}

fn schema_errors(instance: &Json) -> Vec<String> {
    let schema = read_json(&repo_root().join("tests/schemas/catalog-v1.json"));
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Builds, generates docs and checks catalog.json against dbt's recording; returns the project.
fn generate_and_compare(engine: &str, profiles: &str, database: &str) -> tempfile::TempDir {
    let dir = project(profiles);
    ok(runner(dir.path(), &["build", "--profiles-dir", "."]));
    let out = runner(dir.path(), &["docs", "generate", "--profiles-dir", "."]);
    let stdout = ok(out);
    assert!(stdout.contains("Building catalog"), "{stdout}");
    let catalog_path = dir.path().join("target/catalog.json");
    let shown = std::fs::canonicalize(&catalog_path).unwrap();
    assert!(
        stdout.contains(&format!("Catalog written to {}", shown.display())),
        "{stdout}"
    );
    let catalog = read_json(&catalog_path);
    let want = read_json(&repo_root().join(format!(
        "tests/fixtures/store/expected/catalog-{engine}.json"
    )));
    assert_same(
        &observable(&catalog, database),
        &want,
        &format!("{engine} catalog"),
    );
    let errors = schema_errors(&catalog);
    assert!(errors.is_empty(), "catalog-v1 schema: {errors:#?}");

    // The catalog belongs to the same invocation as the manifest written next to it.
    let manifest = read_json(&dir.path().join("target/manifest.json"));
    let meta = &catalog["metadata"];
    assert_eq!(meta["invocation_id"], manifest["metadata"]["invocation_id"]);
    assert_eq!(
        meta["dbt_schema_version"],
        "https://schemas.getdbt.com/dbt/catalog/v1.json"
    );
    for key in ["generated_at", "invocation_started_at"] {
        let ts = meta[key].as_str().unwrap();
        assert!(ts.ends_with('Z') && ts.len() == 27, "{key}: {ts}");
    }
    // The compile half ran: models carry their compiled SQL in the manifest.
    let orders = &manifest["nodes"]["model.shop.orders"];
    assert!(
        orders["compiled_code"]
            .as_str()
            .is_some_and(|sql| sql.contains("card_amount")),
        "{orders}"
    );
    dir
}

#[test]
fn store_catalog_on_duckdb_is_dbts() {
    let db_dir = tempfile::tempdir().unwrap();
    // dbt-duckdb names the database after the file: `shop`, as in the recording.
    let db = db_dir.path().join("shop.duckdb");
    let profiles = format!(
        "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {}\n      threads: 2\n",
        db.display()
    );
    let dir = generate_and_compare("duckdb", &profiles, "shop");
    let catalog = read_json(&dir.path().join("target/catalog.json"));
    assert!(catalog["nodes"]["model.shop.orders"]["metadata"]["owner"].is_null());
    page::check_page(dir.path());
    page::check_page_script(dir.path());
    check_selection_and_flags(dir.path());
}

#[test]
fn store_catalog_on_postgres_is_dbts() {
    let cluster = PgCluster::shared();
    let dbname = "store_docs";
    cluster.create_database(dbname).unwrap();
    let profiles = crate::support::postgres_profile(cluster, "shop", dbname, "shop", 2);
    let dir = generate_and_compare("postgres", &profiles, dbname);
    let catalog = read_json(&dir.path().join("target/catalog.json"));
    // Postgres reports the owning role, which the recording leaves out.
    for (id, entry) in catalog["nodes"].as_object().unwrap() {
        assert_eq!(entry["metadata"]["owner"], "postgres", "{id}");
    }
}

/// `--select` narrows the catalog; dbt's flags after `--` work; `docs serve` says what to do.
fn check_selection_and_flags(project: &Path) {
    let args = ["docs", "generate", "--profiles-dir", ".", "--select"];
    ok(runner(
        project,
        &[&args[..], &["stg_orders", "source:raw"]].concat(),
    ));
    let catalog = read_json(&project.join("target/catalog.json"));
    let keys =
        |s: &str| -> Vec<String> { catalog[s].as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys("nodes"), ["model.shop.stg_orders"]);
    assert_eq!(
        keys("sources"),
        [
            "source.shop.raw.raw_customers",
            "source.shop.raw.raw_orders"
        ]
    );

    let args = [
        "docs",
        "generate",
        "--profiles-dir",
        ".",
        "--empty-catalog",
        "--static",
    ];
    let stdout = ok(runner(project, &args));
    assert!(!stdout.contains("Building catalog"), "{stdout}");
    let catalog = read_json(&project.join("target/catalog.json"));
    assert_eq!(catalog["nodes"], serde_json::json!({}));
    assert_eq!(catalog["errors"], Json::Null);
    assert!(schema_errors(&catalog).is_empty());
    assert!(project.join("target/static_index.html").is_file());

    // --no-compile: the manifest has no compiled SQL, the catalog is read all the same.
    let args = [
        "docs",
        "generate",
        "--profiles-dir",
        ".",
        "--",
        "--no-compile",
    ];
    ok(runner(project, &args));
    let manifest = read_json(&project.join("target/manifest.json"));
    let orders = &manifest["nodes"]["model.shop.orders"];
    assert!(orders["compiled_code"].is_null(), "{orders}");
    let catalog = read_json(&project.join("target/catalog.json"));
    assert_eq!(catalog["nodes"].as_object().unwrap().len(), 12);

    let out = runner(project, &["docs", "serve", "--profiles-dir", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("index.html"));

    // A model that fails to compile stops the command (exit 2, as dbt) before catalog.json and
    // index.html are written.
    std::fs::write(
        project.join("models/broken.sql"),
        "{% if execute %}{% do run_query('select * from no_such_table') %}{% endif %}select 1 as x\n",
    )
    .unwrap();
    for artifact in ["catalog.json", "index.html"] {
        std::fs::remove_file(project.join("target").join(artifact)).unwrap();
    }
    let out = runner(project, &["docs", "generate", "--profiles-dir", "."]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no_such_table"), "{stderr}");
    for artifact in ["catalog.json", "index.html"] {
        assert!(
            !project.join("target").join(artifact).exists(),
            "{artifact}"
        );
    }
}

#[test]
fn unreachable_warehouse_exits_2_naming_the_host_not_the_password() {
    // A port nothing listens on: bind one, then let it go.
    let port = crate::support::unused_port();
    let secret = "s3cret-Pa55word";
    let profiles = format!(
        "shop:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: 127.0.0.1\n      port: {port}\n      user: postgres\n      password: {secret}\n      dbname: shop\n      schema: shop\n      connect_timeout: 2\n"
    );
    let dir = project(&profiles);
    let out = runner(dir.path(), &["docs", "generate", "--profiles-dir", "."]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(!stderr.contains(secret) && !stdout.contains(secret));
    assert!(!dir.path().join("target/catalog.json").exists());
}
