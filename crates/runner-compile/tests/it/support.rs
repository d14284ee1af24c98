//! Shared helpers: compiling a fixture project for one adapter type and comparing SQL with dbt's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use runner_compile::LoadOptions;
use runner_project::Target;

/// A fixture project directory under this crate's `tests/fixtures/`.
pub fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A profiles.yml output for `adapter`: its `type:` alone decides what compile does, no database is opened.
fn profiles_yml(profile: &str, adapter: &str) -> String {
    let connection = match adapter {
        "duckdb" => "path: unused.duckdb\n      schema: main".to_string(),
        other => format!(
            "host: localhost\n      port: 5432\n      user: runner\n      password: unused\n      dbname: {other}_db\n      schema: public"
        ),
    };
    format!(
        "{profile}:\n  target: dev\n  outputs:\n    dev:\n      type: {adapter}\n      {connection}\n      threads: 1\n"
    )
}

/// Compiles every model and analysis of the fixture `name` with a profile of type `adapter`; returns each
/// one's compiled SQL by node name. The fixture is copied first so nothing is written into the source tree.
pub fn compile_models(name: &str, adapter: &str) -> BTreeMap<String, String> {
    let work = tempfile::tempdir().unwrap();
    let project = work.path().join("project");
    copy_dir(&fixture_dir(name), &project, &["expected"]);
    compile_project(&project, adapter).unwrap_or_else(|e| panic!("{adapter}: {e}"))
}

/// A throwaway project named `cross_db` holding the given `models/<name>.sql` files.
pub fn scratch_project(models: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("models")).unwrap();
    std::fs::write(
        dir.path().join("dbt_project.yml"),
        "name: cross_db\nversion: \"1.0.0\"\nconfig-version: 2\nprofile: cross_db\n",
    )
    .unwrap();
    for (name, sql) in models {
        std::fs::write(dir.path().join("models").join(format!("{name}.sql")), sql).unwrap();
    }
    dir
}

/// Loads and compiles the project in `project` (writing its `target/` there) with a profile of type
/// `adapter`; the compiled SQL of every model and analysis by node name, or the error's text.
pub fn compile_project(project: &Path, adapter: &str) -> Result<BTreeMap<String, String>, String> {
    let profiles = project.join("profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    let adapter_type = adapter_static(adapter);
    let opts = LoadOptions {
        project_dir: project.to_path_buf(),
        cli_vars: Default::default(),
        flags: [("WHICH".to_string(), serde_json::json!("compile"))]
            .into_iter()
            .collect(),
        target: Box::new(move |config, render| {
            let profile = config
                .profile
                .clone()
                .unwrap_or_else(|| config.name.clone());
            std::fs::write(
                profiles.join("profiles.yml"),
                profiles_yml(&profile, adapter_type),
            )
            .unwrap();
            let target: Target = runner_project::load_target(&profiles, &profile, None, render)?;
            Ok(target)
        }),
    };
    let (_, mut parsed) = runner_compile::load(&opts).map_err(|e| e.to_string())?;
    let nodes: Vec<String> = parsed
        .manifest
        .nodes
        .iter()
        .filter(|(_, n)| {
            matches!(
                n.resource_type,
                runner_artifacts::ResourceType::Model | runner_artifacts::ResourceType::Analysis
            )
        })
        .map(|(id, _)| id.clone())
        .collect();
    runner_compile::compile::compile_nodes(&mut parsed, &nodes, &project.join("target"))
        .map_err(|e| e.to_string())?;
    Ok(nodes
        .iter()
        .map(|id| {
            let node = &parsed.manifest.nodes[id];
            let sql = node
                .compiled
                .as_ref()
                .map(|c| c.compiled_code.clone())
                .unwrap_or_default();
            (node.name.clone(), sql)
        })
        .collect())
}

fn adapter_static(adapter: &str) -> &'static str {
    match adapter {
        "duckdb" => "duckdb",
        "postgres" => "postgres",
        "redshift" => "redshift",
        other => panic!("no test profile for adapter {other}"),
    }
}

/// The `.sql` files of a directory by file stem.
pub fn sql_files(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

/// SQL with trailing whitespace removed from every line and from the end: the only difference from dbt's
/// output the comparison forgives.
pub fn normalize(sql: &str) -> String {
    sql.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_string()
}

/// `None` when equal after [`normalize`], else a message showing the first differing line.
pub fn sql_difference(expected: &str, actual: &str) -> Option<String> {
    let (e, a) = (normalize(expected), normalize(actual));
    if e == a {
        return None;
    }
    let (el, al): (Vec<&str>, Vec<&str>) = (e.lines().collect(), a.lines().collect());
    let line = el
        .iter()
        .zip(&al)
        .position(|(x, y)| x != y)
        .unwrap_or(el.len().min(al.len()));
    let show = |lines: &[&str]| {
        lines[line.saturating_sub(2)..(line + 3).min(lines.len())]
            .iter()
            .map(|l| format!("    |{l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    Some(format!(
        "first difference at line {}:\n  dbt:\n{}\n  runner:\n{}",
        line + 1,
        show(&el),
        show(&al)
    ))
}

fn copy_dir(src: &Path, dest: &Path, skip: &[&str]) {
    std::fs::create_dir_all(dest).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if skip.contains(&name.as_str()) {
            continue;
        }
        if path.is_dir() {
            copy_dir(&path, &dest.join(&name), &[]);
        } else {
            std::fs::copy(&path, dest.join(&name)).unwrap();
        }
    }
}
