//! The compile-side verbs (`parse`, `compile`, `ls`), project loading shared by all verbs, and the
//! message for verbs still to come.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use runner_compile::{CompileError, LoadOptions};
use runner_project::Target;
use serde_json::{Map, Value as Json};

use crate::cli::{Command, Common};
use crate::exit;

/// Runs one command and returns its exit code.
pub fn run(command: Command) -> Result<i32> {
    let name = command.name();
    if let Some(c) = command.common() {
        let (json, quiet) = (c.log_format == "json", c.quiet);
        runner_compile::context::output::set_template_output(Box::new(
            move |kind, msg, invocation_id| {
                runner_exec::Console::new(json, quiet)
                    .with_invocation(invocation_id)
                    .template_line(kind, msg)
            },
        ));
    }
    match command {
        Command::Parse(c) => parse(&c).map(|_| exit::SUCCESS),
        Command::Compile(c) => compile(&c),
        Command::Ls(c) => ls(&c),
        Command::Run(c) => crate::execute::run(&c, runner_exec::Which::Run),
        Command::Build(c) => crate::execute::run(&c, runner_exec::Which::Build),
        Command::Seed(c) => crate::execute::run(&c, runner_exec::Which::Seed),
        Command::Test(c) => crate::execute::run(&c, runner_exec::Which::Test),
        Command::Snapshot(c) => crate::execute::run(&c, runner_exec::Which::Snapshot),
        Command::Debug(c) => crate::utility::debug(&c),
        Command::Clean(c) => crate::utility::clean(&c),
        Command::Show(c) => crate::utility::show(&c),
        Command::Source(c) => crate::freshness::run(&c),
        Command::Docs(c) => crate::docs::run(&c),
        Command::RunOperation(c) => crate::operation::run(&c),
        Command::Retry(c) => crate::retry::run(&c),
        Command::Package(p) => Ok(runner_job::build_package(&p)),
        _ => {
            eprintln!(
                "`runner {name}` is not available yet in this version of runner; `parse`, `compile`, `ls`, `run`, `build`, `seed`, `test`, `snapshot`, `source freshness`, `docs generate`, `run-operation`, `retry`, `debug`, `clean`, `show` and `package` are."
            );
            Ok(exit::ERROR)
        }
    }
}

/// `--vars` as YAML or JSON: a mapping, or nothing.
pub fn parse_vars(text: &Option<String>) -> Result<Map<String, Json>> {
    parse_yaml_mapping(text, "--vars")
}

/// A flag's YAML or JSON mapping (`--vars`, `run-operation --args`); nothing is an empty one.
pub fn parse_yaml_mapping(text: &Option<String>, flag: &str) -> Result<Map<String, Json>> {
    let Some(text) = text else {
        return Ok(Map::new());
    };
    // Read as dbt reads it (PyYAML: `{full: yes}` is a boolean).
    let v = runner_project::yaml_load::load(text).map_err(|e| {
        anyhow::anyhow!(
            "{flag} is not valid YAML or JSON: {} (line {})",
            e.message,
            e.line
        )
    })?;
    match runner_project::yaml::to_json(&v) {
        Json::Object(m) => Ok(m),
        Json::Null => Ok(Map::new()),
        _ => bail!("{flag} must be a mapping, e.g. '{{key: value}}'"),
    }
}

fn project_dir(c: &Common) -> PathBuf {
    c.project_dir.clone().unwrap_or_else(|| PathBuf::from("."))
}

/// dbt's search: --profiles-dir / DBT_PROFILES_DIR, then the current directory, then ~/.dbt.
fn profiles_dir(c: &Common) -> Option<PathBuf> {
    if let Some(d) = &c.profiles_dir {
        return Some(d.clone());
    }
    let cwd = PathBuf::from(".");
    if cwd.join("profiles.yml").is_file() {
        return Some(cwd);
    }
    if let Some(home) = std::env::var_os("HOME") {
        let d = Path::new(&home).join(".dbt");
        if d.join("profiles.yml").is_file() {
            return Some(d);
        }
    }
    None
}

/// A profiles dir, profile or target the user asked for must exist: never fall back to the embedded
/// DuckDB database silently when they did.
fn check_profiles_found(c: &Common, found: Option<&Path>) -> Result<()> {
    if let Some(d) = &c.profiles_dir {
        let file = d.join("profiles.yml");
        if !file.is_file() {
            bail!(
                "{}: not found (from --profiles-dir or DBT_PROFILES_DIR)",
                file.display()
            );
        }
    }
    if found.is_none() {
        let asked = [("--profile", &c.profile), ("--target", &c.target)];
        if let Some((flag, Some(name))) = asked.iter().find(|(_, v)| v.is_some()) {
            bail!(
                "{flag} {name}: no profiles.yml found (looked in . and ~/.dbt); pass --profiles-dir"
            );
        }
    }
    Ok(())
}

/// A loaded project with what the verbs need around it.
pub struct Loaded {
    /// The project and its packages as read from disk.
    pub project: runner_project::LoadedProject,
    /// Parsed nodes and the render context. Never dropped: the process ends soon after the verb,
    /// and freeing tens of thousands of nodes one by one took 5% of a large project's `parse`.
    pub parsed: std::mem::ManuallyDrop<runner_compile::ParsedProject>,
    /// `target/`.
    pub target_dir: PathBuf,
    /// The resolved target (holds secrets: never print it).
    pub target: Target,
}

pub fn load(c: &Common, which: &str) -> Result<Loaded> {
    if !c.words.is_empty() {
        bail!("unexpected argument '{}'", c.words[0]);
    }
    let dir = project_dir(c);
    let profiles = profiles_dir(c);
    check_profiles_found(c, profiles.as_deref())?;
    let profile_override = c.profile.clone();
    let target_override = c.target.clone();
    let threads = c.threads;
    let overrides = if c.target_overrides_stdin {
        Some(read_target_overrides()?)
    } else {
        None
    };
    let project_dir_for_target = dir.clone();
    let resolved: std::sync::Arc<std::sync::Mutex<Option<Target>>> = Default::default();
    let resolved_in = resolved.clone();
    let opts = LoadOptions {
        project_dir: dir.clone(),
        cli_vars: parse_vars(&c.vars)?,
        flags: [
            ("FULL_REFRESH".to_string(), Json::Bool(c.full_refresh)),
            ("STORE_FAILURES".to_string(), Json::Bool(false)),
            ("FAIL_FAST".to_string(), Json::Bool(c.fail_fast)),
            ("WHICH".to_string(), Json::String(which.into())),
            ("EMPTY".to_string(), Json::Bool(c.empty)),
        ]
        .into_iter()
        .collect(),
        target: Box::new(move |project, render| {
            let profile = profile_override
                .clone()
                .or_else(|| project.profile.clone())
                .unwrap_or_else(|| project.name.clone());
            let mut t = match &profiles {
                Some(d) if d.join("profiles.yml").is_file() => {
                    runner_project::load_target(d, &profile, target_override.as_deref(), render)
                        .map_err(CompileError::from)?
                }
                _ => {
                    let db = project_dir_for_target
                        .join(&project.target_path)
                        .join("runner.duckdb");
                    eprintln!(
                        "No profiles.yml found: using the embedded DuckDB database at {}",
                        db.display()
                    );
                    Target::embedded_duckdb(&profile, &db)
                }
            };
            if let Some(n) = threads {
                t.threads = n;
            }
            if let Some(o) = &overrides {
                apply_target_overrides(&mut t, o).map_err(|message| {
                    CompileError::Project(runner_project::ProjectError::Profile {
                        path: t.source.clone().unwrap_or_default(),
                        message,
                    })
                })?;
            }
            *resolved_in.lock().expect("target lock") = Some(t.clone());
            Ok(t)
        }),
    };
    let (loaded, parsed) = runner_compile::load(&opts)?;
    let target_dir = target_dir(c, &dir, &loaded.root.target_path);
    let target = resolved
        .lock()
        .expect("target lock")
        .take()
        .context("the target was not resolved")?;
    Ok(Loaded {
        project: loaded,
        parsed: std::mem::ManuallyDrop::new(parsed),
        target_dir,
        target,
    })
}

/// Where artifacts go: `--target-path` (or DBT_TARGET_PATH), else the project's `target-path`,
/// under the project directory.
pub fn target_dir(c: &Common, project_dir: &Path, project_target_path: &str) -> PathBuf {
    project_dir.join(c.target_path.as_deref().unwrap_or(project_target_path))
}

/// Reads the credentials `runner run --package` sends over stdin.
fn read_target_overrides() -> Result<Map<String, Json>> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .context("reading target overrides from stdin")?;
    match serde_json::from_str(&text) {
        Ok(Json::Object(m)) => Ok(m),
        _ => bail!("--target-overrides-stdin: stdin is not a JSON object"),
    }
}

/// Puts credentials from AWS into the target, under the canonical field names (dropping the aliases
/// `pass` and `database` so the profile's own values cannot win).
fn apply_target_overrides(t: &mut Target, overrides: &Map<String, Json>) -> Result<(), String> {
    if !["postgres", "redshift"].contains(&t.adapter_type.as_str()) {
        return Err(format!(
            "credentials from AWS apply to postgres and redshift targets; target '{}' is {}",
            t.target_name, t.adapter_type
        ));
    }
    if let Some(engine) = overrides.get("_engine").and_then(Json::as_str)
        && engine != t.adapter_type
    {
        return Err(format!(
            "the credentials are for a {engine} database but target '{}' is {}",
            t.target_name, t.adapter_type
        ));
    }
    for (key, value) in overrides.iter().filter(|(k, _)| !k.starts_with('_')) {
        let alias = match key.as_str() {
            "password" => Some("pass"),
            "dbname" => Some("database"),
            _ => None,
        };
        if let Some(a) = alias {
            t.fields.remove(a);
        }
        t.fields.insert(key.clone(), value.clone());
    }
    Ok(())
}

pub fn write_manifest(parsed: &runner_compile::ParsedProject, target_dir: &Path) -> Result<()> {
    runner_artifacts::write_streamed(&target_dir.join("manifest.json"), |w| {
        parsed.manifest.write_json(w)
    })?;
    Ok(())
}

fn parse(c: &Common) -> Result<()> {
    let Loaded {
        parsed, target_dir, ..
    } = load(c, "parse")?;
    write_manifest(&parsed, &target_dir)?;
    if !c.quiet {
        eprintln!(
            "Parsed {} nodes, {} sources, {} macros; wrote {}",
            parsed.manifest.nodes.len(),
            parsed.manifest.sources.len(),
            parsed.manifest.macros.len(),
            target_dir.join("manifest.json").display()
        );
    }
    Ok(())
}

/// The ids the selection flags pick for a verb that acts on `default_types`, in DAG order.
pub fn select(
    c: &Common,
    parsed: &runner_compile::ParsedProject,
    default_types: &[runner_graph::ResourceType],
) -> Result<Vec<String>> {
    select_in(c, parsed, default_types, false).map(|s| s.ids)
}

/// What the selection flags picked, and which `--select` criteria matched nothing.
pub struct Selection {
    /// Selected ids in DAG order.
    pub ids: Vec<String>,
    /// Each space-separated part of a `--select` argument that matches no enabled node of any
    /// type, for dbt's "The selection criterion '…' does not match any enabled nodes".
    pub unmatched: Vec<String>,
}

/// [`select`], also naming the criteria that match nothing (the run verbs warn about them).
pub fn select_reporting_unmatched(
    c: &Common,
    parsed: &runner_compile::ParsedProject,
    default_types: &[runner_graph::ResourceType],
) -> Result<Selection> {
    select_in(c, parsed, default_types, true)
}

fn select_in(
    c: &Common,
    parsed: &runner_compile::ParsedProject,
    default_types: &[runner_graph::ResourceType],
    report_unmatched: bool,
) -> Result<Selection> {
    let selectors_text = std::fs::read_to_string(project_dir(c).join("selectors.yml")).ok();
    // Configs are only copied into the graph when a `config.` selector could need them.
    let with_config = c
        .select
        .iter()
        .chain(&c.exclude)
        .any(|s| s.contains("config."))
        || selectors_text
            .as_deref()
            .is_some_and(|t| t.contains("config"));
    let graph =
        runner_graph::Graph::new(runner_compile::graph_nodes(&parsed.manifest, with_config))?
            .with_root_project(parsed.shared.project_name.clone());
    let selectors = match &selectors_text {
        Some(text) => runner_graph::Selectors::from_yaml(text, "selectors.yml")?,
        None => runner_graph::Selectors::default(),
    };
    let mut criteria = runner_graph::SelectionCriteria::new(&selectors);
    for s in &c.select {
        criteria.select.push(runner_graph::SelectionSpec::parse(s)?);
    }
    for s in &c.exclude {
        criteria
            .exclude
            .push(runner_graph::SelectionSpec::parse(s)?);
    }
    criteria.selector = c.selector.clone();
    criteria.indirect_selection = runner_graph::IndirectSelection::parse(&c.indirect_selection)
        .with_context(|| format!("unknown --indirect-selection '{}'", c.indirect_selection))?;
    criteria.resource_types = if c.resource_type.is_empty() {
        Some(default_types.to_vec())
    } else {
        Some(
            c.resource_type
                .iter()
                .map(|r| {
                    runner_graph::ResourceType::parse(r)
                        .with_context(|| format!("unknown resource type '{r}'"))
                })
                .collect::<Result<_>>()?,
        )
    };
    let selected = graph.select(&criteria)?;
    let mut unmatched = Vec::new();
    if report_unmatched {
        // Each criterion alone, before exclusion and type filters, as dbt checks it.
        for part in c.select.iter().flat_map(|s| s.split_whitespace()) {
            let mut alone = runner_graph::SelectionCriteria::new(&selectors);
            alone.select.push(runner_graph::SelectionSpec::parse(part)?);
            if graph.select(&alone)?.is_empty() {
                unmatched.push(part.to_string());
            }
        }
    }
    Ok(Selection {
        ids: dag_ordered(&graph, &selected),
        unmatched,
    })
}

/// `ids` that are in the project, in the DAG order `select` gives (for `retry`).
pub fn in_dag_order(
    parsed: &runner_compile::ParsedProject,
    ids: &std::collections::BTreeSet<String>,
) -> Result<Vec<String>> {
    let graph = runner_graph::Graph::new(runner_compile::graph_nodes(&parsed.manifest, false))?;
    Ok(dag_ordered(&graph, ids))
}

/// The graph's nodes among `ids`, in topological order.
fn dag_ordered(
    graph: &runner_graph::Graph,
    ids: &std::collections::BTreeSet<String>,
) -> Vec<String> {
    graph
        .topo_order()
        .into_iter()
        .filter(|id| ids.contains(*id))
        .map(String::from)
        .collect()
}

fn compile(c: &Common) -> Result<i32> {
    use runner_graph::ResourceType as R;
    let Loaded {
        mut parsed,
        target_dir,
        target,
        ..
    } = load(c, "compile")?;
    let ids = select(
        c,
        &parsed,
        &[R::Model, R::Test, R::Analysis, R::Snapshot, R::Operation],
    )?;
    // As `dbt compile`, render against the warehouse so introspective macros (run_query,
    // get_relation) answer; without one, compile offline and say so.
    std::fs::create_dir_all(&target_dir)
        .with_context(|| format!("creating {}", target_dir.display()))?;
    let session = crate::execute::open_adapter(&target)
        .and_then(|adapter| Ok(adapter.connect()?))
        .map(|conn| {
            // `get_relation` answers from one listing per schema, as in a run: asking the
            // warehouse per node made a 10,000-model compile against a built project 100 s.
            let cache = std::sync::Arc::new(runner_exec::cache::RelationCache::default());
            std::sync::Arc::new(
                runner_exec::session::LiveSession::new(conn, None).with_cache(cache),
            ) as std::sync::Arc<dyn runner_compile::context::session::Session>
        });
    let session = match session {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!(
                "Compiling without a warehouse connection ({}): queries run at compile time return nothing",
                format!("{e:#}").lines().next().unwrap_or_default()
            );
            None
        }
    };
    runner_compile::compile::compile_nodes_with(&mut parsed, &ids, &target_dir, session.as_ref())?;
    write_manifest(&parsed, &target_dir)?;
    if !c.quiet {
        eprintln!(
            "Compiled {} nodes to {}",
            ids.len(),
            target_dir.join("compiled").display()
        );
    }
    Ok(exit::SUCCESS)
}

fn ls(c: &Common) -> Result<i32> {
    use runner_graph::ResourceType as R;
    let Loaded {
        parsed, target_dir, ..
    } = load(c, "list")?;
    let ids = select(
        c,
        &parsed,
        &[
            R::Model,
            R::Test,
            R::Seed,
            R::Snapshot,
            R::Source,
            R::Exposure,
            R::Metric,
            R::SemanticModel,
            R::SavedQuery,
            R::UnitTest,
        ],
    )?;
    write_manifest(&parsed, &target_dir)?;
    let output_keys: Vec<String> = c
        .output_keys
        .iter()
        .filter(|k| !k.is_empty())
        .cloned()
        .collect();
    for line in crate::list::lines(&parsed.manifest.to_json(), &ids, &c.output, &output_keys) {
        println!("{line}");
    }
    Ok(exit::SUCCESS)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn vars_are_read_as_dbt_reads_them() {
        // PyYAML's YAML 1.1: plain `yes` is true and `010` octal; quoted text stays text.
        let vars = super::parse_vars(&Some("{a: yes, b: 010, c: 'on', d: [1, x]}".into())).unwrap();
        assert_eq!(
            serde_json::Value::Object(vars),
            json!({"a": true, "b": 8, "c": "on", "d": [1, "x"]})
        );
        let err = super::parse_vars(&Some("{a: [1".into())).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("--vars is not valid YAML or JSON"),
            "{err}"
        );
        let err = super::parse_vars(&Some("[1, 2]".into())).unwrap_err();
        assert!(err.to_string().contains("must be a mapping"), "{err}");
    }
}
