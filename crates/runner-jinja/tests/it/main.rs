//! Integration tests for runner-jinja: fixture comparison against real Jinja2
//! output (see `scripts/jinja-oracle.py`) plus host-API behaviour tests.

mod api;

use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;
use runner_jinja::{Environment, Globals, Template, Value};

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

fn render_fixture(env: &Environment, name: &str, source: &str) -> Result<String, String> {
    let globals: Arc<dyn Globals> = Arc::new(IndexMap::<String, Value>::new());
    let tmpl = Template::parse(name, source)
        .map_err(|e| format!("{}: {}", e.kind().python_name(), e.message()))?;
    env.render(&tmpl, globals, "root")
        .map_err(|e| format!("{}: {}", e.kind().python_name(), e.message()))
}

#[test]
fn fixtures_match_jinja2() {
    let env = Environment::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jinja"))
        .collect();
    entries.sort();
    assert!(entries.len() > 50, "expected many fixtures");
    let mut failures = Vec::new();
    for path in &entries {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let source = std::fs::read_to_string(path).expect("read fixture");
        let got = render_fixture(&env, &name, &source);
        let expected_path = path.with_extension("expected");
        let error_path = path.with_extension("error");
        let (want, got) = if expected_path.exists() {
            (
                std::fs::read_to_string(&expected_path).expect("read expected"),
                got.unwrap_or_else(|e| format!("ERROR {e}")),
            )
        } else if error_path.exists() {
            let want = std::fs::read_to_string(&error_path)
                .expect("read error")
                .trim_end()
                .to_string();
            (
                want,
                got.map(|o| format!("RENDERED {o:?}")).unwrap_or_else(|e| e),
            )
        } else {
            failures.push(format!(
                "{name}: no .expected/.error (run scripts/jinja-oracle.py)"
            ));
            continue;
        };
        if want != got {
            failures.push(format!("{name}:\n  want: {want:?}\n  got:  {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ:\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n")
    );
}
