//! `modules` (datetime, pytz, re, itertools) against dbt: every template under
//! `tests/fixtures/modules/` is rendered with runner's `modules` object and compared with what dbt's
//! own Jinja environment and `modules` context rendered for it (`scripts/modules-oracle.py` writes
//! `<name>.expected`, or `<name>.error` holding `<ExceptionClass>: <message>`).
//!
//! Fixtures named `err_loose_*` compare the exception class only (for instance `re.error`, whose
//! wording comes from a different regex engine).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use runner_jinja::{Environment, Error, Globals, Template, Value};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/modules");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    paths.sort();
    paths
}

/// `<ExceptionClass>: <message>`; errors without a Jinja counterpart carry their class in the message.
fn error_text(e: &Error) -> String {
    let msg = e.message();
    let named = msg
        .split_once(": ")
        .is_some_and(|(class, _)| class.ends_with("Error") || class == "re.error");
    if named {
        msg.to_string()
    } else {
        format!("{}: {msg}", e.kind().python_name())
    }
}

fn render(name: &str, source: &str) -> Result<String, String> {
    let mut globals = IndexMap::<String, Value>::new();
    globals.insert("modules".into(), runner_compile::modules::modules_value());
    let globals: Arc<dyn Globals> = Arc::new(globals);
    let tmpl = Template::parse(name, source).map_err(|e| error_text(&e))?;
    Environment::new()
        .render(&tmpl, globals, "root")
        .map_err(|e| error_text(&e))
}

#[test]
fn modules_render_like_dbt() {
    let paths = fixtures();
    assert!(paths.len() >= 40, "expected the modules fixtures");
    let mut failures = Vec::new();
    for path in &paths {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(path).unwrap();
        let got = render(&name, &source);
        let expected = path.with_extension("expected");
        let error = path.with_extension("error");
        let (want, got) = if expected.exists() {
            let want = std::fs::read_to_string(&expected).unwrap();
            (want, got.unwrap_or_else(|e| format!("ERROR {e}")))
        } else if error.exists() {
            let want = std::fs::read_to_string(&error)
                .unwrap()
                .trim_end()
                .to_string();
            let got = got.map(|o| format!("RENDERED {o:?}")).unwrap_or_else(|e| e);
            if name.starts_with("err_loose_") {
                let class = |s: &str| s.split(": ").next().unwrap_or_default().to_string();
                (class(&want), class(&got))
            } else {
                (want, got)
            }
        } else {
            failures.push(format!(
                "{name}: no .expected/.error (run scripts/modules-oracle.py)"
            ));
            continue;
        };
        if want != got {
            let first = want
                .lines()
                .zip(got.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            failures.push(format!(
                "{name} (line {}):\n  dbt:    {:?}\n  runner: {:?}",
                first + 1,
                want.lines().nth(first).unwrap_or_default(),
                got.lines().nth(first).unwrap_or_default()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} modules fixtures differ from dbt:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}
