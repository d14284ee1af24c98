//! The utility verbs, as dbt-core 1.12 has them:
//!
//! - `debug` checks dbt_project.yml, profiles.yml and the connection (`select 1`), printing what it
//!   found (never a secret) and exiting 1 when a check fails;
//! - `clean` deletes the project's `clean-targets` (default: the target path), refusing source
//!   directories and anything outside the project;
//! - `show` previews the first rows of a selected node or of `--inline` SQL
//!   (`runner_exec::show` does the work).

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};
use runner_adapters::{Adapter, AdapterConfig};
use runner_exec::Console;
use runner_exec::show::{Subject, message};
use runner_project::{ProjectConfig, Target, is_secret_field};
use serde_json::Value as Json;

use crate::cli::Common;
use crate::commands::{Loaded, load, select};
use crate::exit;

/// Where dbt's documentation on profiles lives (quoted in its debug messages).
const PROFILE_DOCS: &str = "https://docs.getdbt.com/docs/configure-your-profile";

fn console(c: &Common) -> Console {
    Console::new(c.log_format == "json", c.quiet)
}

fn project_dir(c: &Common) -> PathBuf {
    c.project_dir.clone().unwrap_or_else(|| PathBuf::from("."))
}

/// Reads dbt_project.yml alone (no resource files): all `debug` and `clean` need.
fn read_project(c: &Common) -> Result<ProjectConfig> {
    let render = runner_compile::yaml_renderer(&crate::commands::parse_vars(&c.vars)?);
    Ok(ProjectConfig::load(&project_dir(c), &render)?)
}

/// `path` made absolute with `.` and `..` removed, symlinks resolved where the path exists: what
/// Python's `Path.resolve()` gives dbt for a path that may not exist.
fn resolve(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut lexical = PathBuf::new();
    for part in abs.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    // Canonicalize the longest existing ancestor and keep the rest as written.
    let mut existing = lexical.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_os_string()),
            None => return lexical,
        }
        if !existing.pop() {
            return lexical;
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    out.extend(rest.iter().rev());
    out
}

/// A list as Python prints `[str(p) for p in paths]`.
fn py_list(paths: &[PathBuf]) -> String {
    let items: Vec<String> = paths.iter().map(|p| format!("'{}'", p.display())).collect();
    format!("[{}]", items.join(", "))
}

// ---------------------------------------------------------------------------------------------
// clean

/// `runner clean`: dbt's CleanTask. Every path is checked before anything is deleted.
pub fn clean(c: &Common) -> Result<i32> {
    if !c.words.is_empty() {
        bail!("unexpected argument '{}'", c.words[0]);
    }
    let console = console(c);
    console.running();
    let project = read_project(c)?;
    // dbt: `value_or(clean-targets, [target_path])`; an explicit empty list cleans nothing.
    let targets: Vec<String> = if project
        .raw
        .get("clean-targets")
        .is_some_and(|v| !v.is_null())
    {
        project.clean_targets.clone()
    } else {
        vec![
            c.target_path
                .clone()
                .unwrap_or_else(|| project.target_path.clone()),
        ]
    };
    let root = resolve(&project.root);
    let mut paths: Vec<PathBuf> = Vec::new();
    for t in &targets {
        let p = resolve(&root.join(t));
        if !paths.contains(&p) {
            paths.push(p);
        }
    }
    let sources: Vec<PathBuf> = project
        .model_paths
        .iter()
        .chain(&project.seed_paths)
        .chain(&project.snapshot_paths)
        .chain(&project.analysis_paths)
        .chain(&project.macro_paths)
        .chain(&project.test_paths)
        .map(|s| resolve(&root.join(s)))
        .collect();
    let protected: Vec<PathBuf> = paths
        .iter()
        .filter(|p| sources.contains(p))
        .cloned()
        .collect();
    if !protected.is_empty() {
        bail!(
            "runner will not clean the following source paths: {}",
            py_list(&protected)
        );
    }
    // dbt cleans only paths strictly inside the project (the project directory itself is outside).
    let outside: Vec<PathBuf> = paths
        .iter()
        .filter(|p| !(p.starts_with(&root) && *p != &root))
        .cloned()
        .collect();
    if !outside.is_empty() {
        bail!(
            "runner will not clean the following directories outside the project: {}",
            py_list(&outside)
        );
    }
    for p in &paths {
        console.info(&format!("Checking {}/*", p.display()));
        // As dbt's `rmtree(path, ignore_errors=True)`: a missing directory is already clean.
        if p.is_dir() {
            std::fs::remove_dir_all(p).with_context(|| format!("removing {}", p.display()))?;
        }
        console.info(&format!("Cleaned {}/*", p.display()));
    }
    console.info("Finished cleaning all paths.");
    Ok(exit::SUCCESS)
}

// ---------------------------------------------------------------------------------------------
// debug

/// Where profiles.yml was looked for and what was found.
enum ProfilesAt {
    /// A profiles.yml in this directory.
    Found(PathBuf),
    /// `--profiles-dir` names a directory without one.
    Missing(PathBuf),
    /// None anywhere: runner falls back to its embedded DuckDB database.
    Embedded,
}

/// dbt's search, as the other verbs do it: `--profiles-dir`, then `.`, then `~/.dbt`.
fn find_profiles(c: &Common) -> ProfilesAt {
    if let Some(d) = &c.profiles_dir {
        return if d.join("profiles.yml").is_file() {
            ProfilesAt::Found(d.clone())
        } else {
            ProfilesAt::Missing(d.clone())
        };
    }
    let cwd = PathBuf::from(".");
    if cwd.join("profiles.yml").is_file() {
        return ProfilesAt::Found(cwd);
    }
    if let Some(home) = std::env::var_os("HOME") {
        let d = Path::new(&home).join(".dbt");
        if d.join("profiles.yml").is_file() {
            return ProfilesAt::Found(d);
        }
    }
    ProfilesAt::Embedded
}

/// A profile value as dbt prints it (Python's `str`): `None`, `True`, text as is.
fn field_text(v: &Json) -> String {
    match v {
        Json::Null => "None".into(),
        Json::Bool(true) => "True".into(),
        Json::Bool(false) => "False".into(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The `Connection:` lines: the adapter's main keys first, as dbt lists them, then the target's
/// other fields. Secret fields are left out entirely.
fn connection_lines(target: &Target) -> Vec<String> {
    let fields = target.redacted_fields();
    let get = |k: &str| fields.get(k).cloned().unwrap_or(Json::Null);
    let main: Vec<(&str, Json)> = if target.adapter_type == "duckdb" {
        vec![
            ("database", Json::String(target.database())),
            ("schema", Json::String(target.schema())),
            ("path", get("path")),
        ]
    } else {
        vec![
            ("host", get("host")),
            ("port", get("port")),
            ("user", get("user")),
            ("database", Json::String(target.database())),
            ("schema", Json::String(target.schema())),
        ]
    };
    let mut lines: Vec<String> = main
        .iter()
        .map(|(k, v)| format!("  {k}: {}", field_text(v)))
        .collect();
    let mut shown: Vec<&str> = vec!["type", "threads", "dbname"];
    shown.extend(main.iter().map(|(k, _)| *k));
    for (k, v) in &fields {
        if shown.contains(&k.as_str()) || is_secret_field(k) {
            continue;
        }
        lines.push(format!("  {k}: {}", field_text(v)));
    }
    lines
}

/// Replaces every secret value of the target in `text`: a driver's message must not leak one.
fn scrub(text: &str, target: Option<&Target>) -> String {
    let Some(t) = target else {
        return text.to_string();
    };
    let mut secrets: Vec<String> = t
        .fields
        .iter()
        .filter(|(k, _)| is_secret_field(k))
        .map(|(_, v)| field_text(v))
        .filter(|v| v.len() >= 3)
        .collect();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets
        .iter()
        .fold(text.to_string(), |acc, s| acc.replace(s, "*****"))
}

/// `runner debug`: dbt's DebugTask. Exit 0 when every check passes, 1 otherwise.
pub fn debug(c: &Common) -> Result<i32> {
    if !c.words.is_empty() {
        bail!("unexpected argument '{}'", c.words[0]);
    }
    let console = console(c);
    console.running();
    console.info(&format!("runner version: {}", env!("CARGO_PKG_VERSION")));
    console.info(&format!(
        "dbt version: {} (compatible)",
        runner_compile::DBT_VERSION
    ));
    console.info(&format!(
        "os info: {}-{}",
        std::env::consts::OS,
        std::env::consts::ARCH
    ));
    let mut failures: Vec<String> = Vec::new();
    let dir = project_dir(c);

    let project = read_project(c);
    let profiles = find_profiles(c);
    match &profiles {
        ProfilesAt::Found(d) | ProfilesAt::Missing(d) => {
            console.info(&format!("Using profiles dir at {}", d.display()));
            console.info(&format!(
                "Using profiles.yml file at {}",
                d.join("profiles.yml").display()
            ));
        }
        ProfilesAt::Embedded => console.info(
            "No profiles.yml found (looked in . and ~/.dbt): runner uses its embedded DuckDB database",
        ),
    }
    console.info(&format!(
        "Using dbt_project.yml file at {}",
        std::path::absolute(dir.join("dbt_project.yml"))
            .unwrap_or_else(|_| dir.join("dbt_project.yml"))
            .display()
    ));

    // The profile: named by --profile, else by the project (its `profile:`, else its name).
    let profile_name = c.profile.clone().or_else(|| {
        project
            .as_ref()
            .ok()
            .map(|p| p.profile.clone().unwrap_or_else(|| p.name.clone()))
    });
    let target: Result<Target, String> = match (&profiles, &profile_name) {
        (ProfilesAt::Missing(d), _) => Err(format!(
            "runner looked for a profiles.yml file in {}, but did not find one. For more information on configuring your profile, consult the documentation:\n\n{PROFILE_DOCS}",
            d.join("profiles.yml").display()
        )),
        (ProfilesAt::Embedded, _) if c.profile.is_some() || c.target.is_some() => Err(format!(
            "runner looked for a profiles.yml file in . and ~/.dbt for the profile or target asked for, but did not find one. For more information on configuring your profile, consult the documentation:\n\n{PROFILE_DOCS}"
        )),
        (_, None) => Err(
            "Profile loading failed for the following reason:\nno profile name: dbt_project.yml did not load and --profile was not given".into(),
        ),
        (ProfilesAt::Embedded, Some(name)) => {
            let target_path = c.target_path.clone().unwrap_or_else(|| {
                project
                    .as_ref()
                    .map(|p| p.target_path.clone())
                    .unwrap_or_else(|_| "target".into())
            });
            Ok(Target::embedded_duckdb(
                name,
                &dir.join(target_path).join("runner.duckdb"),
            ))
        }
        (ProfilesAt::Found(d), Some(name)) => {
            let render = runner_compile::yaml_renderer(&crate::commands::parse_vars(&c.vars)?);
            runner_project::load_target(d, name, c.target.as_deref(), &render).map_err(|e| {
                format!("Profile loading failed for the following reason:\n{e}")
            })
        }
    };
    // The adapter config is part of a valid profile (unknown type, bad port, …).
    let target = target.and_then(|t| {
        AdapterConfig::from_profile(&t.adapter_type, t.threads, &t.fields)
            .map(|config| (t, config))
            .map_err(|e| format!("Profile loading failed for the following reason:\n{e}"))
    });
    if let Ok((t, _)) = &target {
        console.info(&format!("adapter type: {}", t.adapter_type));
        console.info(&format!(
            "adapter version: built into runner {}",
            env!("CARGO_PKG_VERSION")
        ));
    }

    console.info("Configuration:");
    let profile_status = match (&profiles, &target) {
        (ProfilesAt::Embedded, Ok(_)) => "OK not found: using the embedded DuckDB database",
        (_, Ok(_)) => "OK found and valid",
        (ProfilesAt::Missing(_), Err(_)) => "ERROR not found",
        (ProfilesAt::Embedded, Err(_)) => "ERROR not found",
        (ProfilesAt::Found(_), Err(_)) => "ERROR invalid",
    };
    console.info(&format!("  profiles.yml file [{profile_status}]"));
    let project_status = match &project {
        Ok(_) => "OK found and valid",
        Err(_) if !dir.join("dbt_project.yml").is_file() => "ERROR not found",
        Err(_) => "ERROR invalid",
    };
    console.info(&format!("  dbt_project.yml file [{project_status}]"));
    console.info("");
    if let Err(e) = &target {
        failures.push(e.clone());
    }
    if let Err(e) = &project {
        failures.push(format!(
            "Project loading failed for the following reason:\n {}",
            format!("{e:#}").replace('\n', "\n ")
        ));
    }

    match target {
        Ok((t, config)) => {
            console.info("Connection:");
            for line in connection_lines(&t) {
                console.info(&line);
            }
            let tested = Adapter::open(config)
                .and_then(|a| a.connect())
                .and_then(|mut conn| conn.query("select 1 as id").map(|_| ()));
            match tested {
                Ok(()) => console.info("  Connection test: [OK connection ok]"),
                Err(e) => {
                    console.info("  Connection test: [ERROR]");
                    failures.push(scrub(
                        &format!(
                            "runner was unable to connect to the specified database.\nThe database returned the following error:\n\n  >{e}\n\nCheck your database credentials and try again. For more information, visit:\n{PROFILE_DOCS}"
                        ),
                        Some(&t),
                    ));
                }
            }
            console.info("");
        }
        Err(_) => console.info("Connection test skipped since no profile was found"),
    }

    if failures.is_empty() {
        console.info("All checks passed!");
        return Ok(exit::SUCCESS);
    }
    let n = failures.len();
    // Failures are printed even with --quiet: they are the answer.
    console.error(&format!(
        "{n} check{} failed:",
        if n == 1 { "" } else { "s" }
    ));
    for f in &failures {
        console.error(&format!("{f}\n"));
    }
    Ok(exit::NODE_FAILURE)
}

// ---------------------------------------------------------------------------------------------
// show

/// `runner show`: previews `--inline` SQL or the nodes `--select` names. As dbt, only selected
/// nodes whose name occurs in the first `--select` argument are shown (`customers` shows
/// `customers`, `+customers` too, not its parents). Errors (compilation, SQL) exit 2 as in dbt.
pub fn show(c: &Common) -> Result<i32> {
    use runner_graph::ResourceType as R;
    if c.select.is_empty() && c.inline.is_none() {
        bail!("Either --select or --inline must be passed to show");
    }
    let Loaded { parsed, target, .. } = load(c, "show")?;
    let console = console(c);
    console.running();
    console.found(&parsed.manifest);

    let subjects: Vec<Subject> = match &c.inline {
        Some(sql) => vec![Subject::Inline(sql.clone())],
        None => {
            let ids = select(
                c,
                &parsed,
                &[R::Model, R::Test, R::Seed, R::Snapshot, R::Analysis],
            )?;
            if ids.is_empty() {
                for s in &c.select {
                    console.info(&format!(
                        "The selection criterion '{s}' does not match any enabled nodes"
                    ));
                }
                console.info(
                    "Nothing to do. Try checking your model configs and model specification args",
                );
                return Ok(exit::SUCCESS);
            }
            let first = c.select[0].as_str();
            ids.into_iter()
                .filter(|id| first.contains(parsed.manifest.nodes[id].name.as_str()))
                .map(Subject::Node)
                .collect()
        }
    };

    let adapter = crate::execute::open_adapter(&target)?;
    console.info(&format!(
        "Concurrency: {} threads (target='{}')",
        target.threads, target.target_name
    ));
    console.info("");

    let limit = u64::try_from(c.limit).ok();
    let json = c.output == "json";
    for subject in &subjects {
        let preview =
            runner_exec::show::show(&parsed, &adapter, &target.target_name, subject, limit)?;
        let text = message(&preview, json, c.quiet);
        if c.log_format == "json" {
            // The preview is the answer: printed even when --quiet, as dbt does.
            Console::new(true, false).info(&text);
        } else {
            // dbt prints the preview without a timestamp; the text form ends in a blank line.
            println!("{text}");
        }
    }
    Ok(exit::SUCCESS)
}
