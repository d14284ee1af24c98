//! End-to-end: `runner compile` on the in-repo fixture project, checked against the SQL dbt-core produces.

use std::process::Command;

fn fixture_copy() -> tempfile::TempDir {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shop");
    let dir = tempfile::tempdir().unwrap();
    for entry in walk(&src) {
        let rel = entry.strip_prefix(&src).unwrap();
        let dest = dir.path().join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &dest).unwrap();
    }
    dir
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn compile_injects_ephemeral_ctes_and_builds_generic_tests() {
    let dir = fixture_copy();
    let out = Command::new(env!("CARGO_BIN_EXE_runner"))
        .args(["compile", "--project-dir"])
        .arg(dir.path())
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sql = std::fs::read_to_string(
        dir.path()
            .join("target/compiled/shop/models/marts/people.sql"),
    )
    .unwrap();
    assert_eq!(
        sql,
        "with __dbt__cte__people_base as (\n\nselect id, name from \"runner\".\"main\".\"raw_people\"\n) \nselect\n    id,\n    name\nfrom __dbt__cte__people_base"
    );
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("target/manifest.json")).unwrap(),
    )
    .unwrap();
    let nodes = manifest["nodes"].as_object().unwrap();
    assert!(
        nodes
            .keys()
            .any(|k| k.starts_with("test.shop.unique_people_id."))
    );
    assert_eq!(
        nodes["model.shop.people"]["config"]["materialized"],
        "table"
    );
    assert_eq!(
        nodes["model.shop.people"]["depends_on"]["nodes"][0],
        "model.shop.people_base"
    );
}

#[test]
fn unknown_ref_exits_2_naming_the_file() {
    let dir = fixture_copy();
    std::fs::write(
        dir.path().join("models/bad.sql"),
        "select * from {{ ref('nope') }}\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_runner"))
        .args(["parse", "--project-dir"])
        .arg(dir.path())
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("models/bad.sql") && err.contains("nope"),
        "{err}"
    );
}
