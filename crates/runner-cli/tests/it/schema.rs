//! Artifacts validate against dbt's published JSON schemas (copies in `tests/schemas/`).

use crate::support::{fixture_copy, ok, repo_root, runner};

fn schema_errors(schema_file: &str, instance: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("tests/schemas").join(schema_file)).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator
        .iter_errors(instance)
        .take(20)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn validate(schema_file: &str, artifact: &std::path::Path) {
    let instance: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(artifact).unwrap()).unwrap();
    let errors = schema_errors(schema_file, &instance);
    assert!(
        errors.is_empty(),
        "{} does not match {schema_file}:\n{}",
        artifact.display(),
        errors.join("\n")
    );
}

#[test]
fn parse_manifest_validates_against_manifest_v12() {
    for fixture in ["shop", "features"] {
        let dir = fixture_copy(fixture);
        ok(runner(dir.path(), &["parse"]));
        validate(
            "manifest-v12.json",
            &dir.path().join("target/manifest.json"),
        );
    }
}

#[test]
fn compile_manifest_validates_against_manifest_v12() {
    let dir = fixture_copy("shop");
    ok(runner(dir.path(), &["compile"]));
    validate(
        "manifest-v12.json",
        &dir.path().join("target/manifest.json"),
    );
}

#[test]
fn schema_check_rejects_a_node_missing_a_required_key() {
    let dir = fixture_copy("shop");
    ok(runner(dir.path(), &["parse"]));
    let mut manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("target/manifest.json")).unwrap(),
    )
    .unwrap();
    let nodes = manifest["nodes"].as_object_mut().unwrap();
    let first = nodes.values_mut().next().unwrap();
    first.as_object_mut().unwrap().remove("checksum");
    assert!(!schema_errors("manifest-v12.json", &manifest).is_empty());
}
