//! Compiling nodes: rendering each node's SQL with `execute` true, injecting ephemeral models as CTEs the
//! way dbt does, and writing `target/compiled/<package>/<path>`.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use runner_artifacts::{CompiledInfo, InjectedCte, Manifest, RefArgs, ResourceType};
use serde_json::Value as Json;

use crate::context::session::Session;
use crate::context::{NodeScope, Phase, RefResolver, RenderContext};
use crate::error::{CompileError, Result};
use crate::project::ParsedProject;
use crate::relation::Relation;
use crate::resolve::RefIndex;

struct Resolver {
    index: RefIndex,
    relations: HashMap<String, Relation>,
    sources: HashMap<(String, String), (String, Relation)>,
}

impl RefResolver for Resolver {
    fn resolve_ref(&self, package: &str, args: &RefArgs) -> Option<(String, Relation)> {
        let id = self.index.find(package, args)?;
        Some((id.to_string(), self.relations.get(id)?.clone()))
    }
    fn resolve_source(&self, source: &str, table: &str) -> Option<(String, Relation)> {
        self.sources
            .get(&(source.to_string(), table.to_string()))
            .cloned()
    }
}

/// Makes refs and sources resolvable for compile-time rendering.
pub fn install_resolver(parsed: &ParsedProject) {
    let m = &parsed.manifest;
    let relations = m
        .nodes
        .iter()
        .map(|(id, n)| {
            let rel = if n.config.get("materialized").and_then(Json::as_str) == Some("ephemeral") {
                Relation::cte(&n.name)
            } else {
                Relation::new(
                    n.database.clone(),
                    Some(n.schema.clone()),
                    Some(n.alias.clone()),
                )
            };
            (id.clone(), rel)
        })
        .collect();
    let sources = m
        .sources
        .values()
        .map(|s| {
            let b = &s.body;
            let key = (
                b["source_name"].as_str().unwrap_or("").to_string(),
                b["name"].as_str().unwrap_or("").to_string(),
            );
            let rel = Relation::new(
                b["database"].as_str().map(String::from),
                b["schema"].as_str().map(String::from),
                b["identifier"].as_str().map(String::from),
            );
            (key, (s.unique_id.clone(), rel))
        })
        .collect();
    let _ = parsed.shared.resolver.set(Arc::new(Resolver {
        index: RefIndex::new(m),
        relations,
        sources,
    }));
}

/// Renders one node; returns its SQL and the ephemeral models it referenced.
fn render_node(
    parsed: &ParsedProject,
    id: &str,
    session: Option<&Arc<dyn Session>>,
    customize: Option<&dyn Fn(&mut NodeScope)>,
) -> Result<(String, Vec<String>)> {
    let node = &parsed.manifest.nodes[id];
    let mut scope = NodeScope::new(Phase::Compile, &node.package_name, &node.original_file_path);
    scope.session = session.cloned();
    // `model` is built from the node only if the template reads it (few compile-time templates
    // do); `config.get` reads the node's config through it too.
    let model_node = Arc::new(node.clone());
    scope.model_node = Some(model_node.clone());
    scope.this = Some(Relation::new(
        node.database.clone(),
        Some(node.schema.clone()),
        Some(node.alias.clone()),
    ));
    if let Some(customize) = customize {
        customize(&mut scope);
    }
    let scope = Arc::new(scope);
    let ctx = Arc::new(RenderContext {
        shared: parsed.shared.clone(),
        scope: scope.clone(),
    });
    let sql = if let Some(kwargs) = parsed.test_kwargs.get(id) {
        let values = crate::generic_tests::kwargs_values(&ctx, kwargs, &node.original_file_path)?;
        let mut scope2 =
            NodeScope::new(Phase::Compile, &node.package_name, &node.original_file_path);
        scope2.model_node = Some(model_node);
        scope2.this = scope.this.clone();
        scope2.extra = values;
        scope2.session = session.cloned();
        let scope2 = Arc::new(scope2);
        let ctx2 = Arc::new(RenderContext {
            shared: parsed.shared.clone(),
            scope: scope2.clone(),
        });
        let t = runner_jinja::Template::parse(&node.original_file_path, &node.raw_code)
            .map_err(|e| CompileError::jinja(&node.original_file_path, &e))?;
        let out = ctx2
            .render(&t)
            .map_err(|e| CompileError::jinja(&node.original_file_path, &e))?;
        let mut eph = scope.take_captured().ephemerals;
        eph.extend(scope2.take_captured().ephemerals);
        return Ok((out, eph));
    } else {
        let t = parsed
            .templates
            .get(id)
            .expect("every SQL node has a template");
        ctx.render(t)
            .map_err(|e| CompileError::jinja(&node.original_file_path, &e))?
    };
    Ok((sql, scope.take_captured().ephemerals))
}

/// Prepends `with __dbt__cte__x as (...)` for the ephemeral models `sql` uses, recursively, as dbt does.
fn inject_ctes(sql: &str, ctes: &[InjectedCte]) -> String {
    if ctes.is_empty() {
        return sql.to_string();
    }
    let joined = ctes
        .iter()
        .map(|c| c.sql.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    // dbt (through sqlparse) looks past leading whitespace and comments for a `with` (or
    // `with recursive`) keyword and merges into it; otherwise it adds one before the first token,
    // which may be a comment.
    let first = skip_trivia(sql, 0, true);
    let first_token = skip_trivia(sql, 0, false);
    match keyword_at(sql, first, "with") {
        Some(after_with) => {
            let mut insert_at = after_with;
            let next = skip_trivia(sql, after_with, false);
            if let Some(after_recursive) = keyword_at(sql, next, "recursive") {
                insert_at = after_recursive;
            }
            // The whitespace after the keyword stays as written, then the CTEs, then `, ` and the
            // user's first CTE (sqlparse inserts before the next non-whitespace token).
            let body_at = skip_trivia(sql, insert_at, false);
            format!("{}{joined}, {}", &sql[..body_at], &sql[body_at..])
        }
        None => format!(
            "{}with{joined} {}",
            &sql[..first_token],
            &sql[first_token..]
        ),
    }
}

/// The offset of the first character at or after `from` that is not whitespace (nor, with
/// `comments`, part of a `-- ...` or `/* ... */` comment).
fn skip_trivia(sql: &str, from: usize, comments: bool) -> usize {
    let bytes = sql.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
        } else if comments && sql[i..].starts_with("--") {
            i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
        } else if comments && sql[i..].starts_with("/*") {
            i = sql[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |n| i + 2 + n + 2);
        } else {
            break;
        }
    }
    i
}

/// The offset just after `keyword` when `sql` has it (any case, as a whole word) at `at`.
fn keyword_at(sql: &str, at: usize, keyword: &str) -> Option<usize> {
    let end = at + keyword.len();
    let word = sql.get(at..end)?;
    let boundary = sql[end..]
        .chars()
        .next()
        .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
    (word.eq_ignore_ascii_case(keyword) && boundary).then_some(end)
}

type Done = HashMap<String, (String, Vec<InjectedCte>)>;

/// Renders `id` (and, first, the ephemeral models it uses) into `done`.
fn compile_into(
    parsed: &ParsedProject,
    id: &str,
    session: Option<&Arc<dyn Session>>,
    done: &mut Done,
    stack: &mut HashSet<String>,
) -> Result<()> {
    if done.contains_key(id) || !stack.insert(id.to_string()) {
        return Ok(());
    }
    let (sql, ephemerals) = render_node(parsed, id, session, None)?;
    let ctes = ephemeral_ctes(parsed, &ephemerals, session, done, stack)?;
    done.insert(id.to_string(), (sql, ctes));
    stack.remove(id);
    Ok(())
}

/// The CTEs for the ephemeral models a render used, each after the ones it needs itself.
fn ephemeral_ctes(
    parsed: &ParsedProject,
    ephemerals: &[String],
    session: Option<&Arc<dyn Session>>,
    done: &mut Done,
    stack: &mut HashSet<String>,
) -> Result<Vec<InjectedCte>> {
    let mut ctes: Vec<InjectedCte> = Vec::new();
    for e in ephemerals {
        compile_into(parsed, e, session, done, stack)?;
        let (esql, ectes) = done[e].clone();
        for c in ectes {
            if !ctes.iter().any(|x| x.id == c.id) {
                ctes.push(c);
            }
        }
        let name = &parsed.manifest.nodes[e].name;
        if !ctes.iter().any(|x| x.id == *e) {
            ctes.push(InjectedCte {
                id: e.clone(),
                sql: format!(" __dbt__cte__{name} as (\n{esql}\n)"),
            });
        }
    }
    Ok(ctes)
}

/// One node's compiled SQL (ephemeral CTEs injected) and the CTEs, rendered through `session` so
/// introspective macros see the warehouse, as at execution time.
pub fn compile_node(
    parsed: &ParsedProject,
    id: &str,
    session: Option<&Arc<dyn Session>>,
) -> Result<(String, Vec<InjectedCte>)> {
    let mut done = Done::new();
    compile_into(parsed, id, session, &mut done, &mut HashSet::new())?;
    let (sql, ctes) = done.remove(id).unwrap_or_default();
    Ok((inject_ctes(&sql, &ctes), ctes))
}

/// A model's SQL rendered for a unit test: `customize` sets fixture overrides (refs, `this`, macros,
/// vars) on the scope; ephemeral models it still uses are injected as CTEs.
pub fn compile_node_with(
    parsed: &ParsedProject,
    id: &str,
    session: Option<&Arc<dyn Session>>,
    customize: &dyn Fn(&mut NodeScope),
) -> Result<String> {
    let (sql, ephemerals) = render_node(parsed, id, session, Some(customize))?;
    let ctes = ephemeral_ctes(
        parsed,
        &ephemerals,
        session,
        &mut Done::new(),
        &mut HashSet::new(),
    )?;
    Ok(inject_ctes(&sql, &ctes))
}

/// Prepends CTEs to SQL as dbt injects ephemeral models (merging into a leading `with`).
pub fn with_ctes(sql: &str, ctes: &[InjectedCte]) -> String {
    inject_ctes(sql, ctes)
}

/// Where dbt writes a node's compiled (or run) SQL, relative to `target/compiled` or `target/run`.
pub fn node_sql_path(node: &runner_artifacts::ManifestNode) -> String {
    format!(
        "{}/{}",
        node.package_name,
        // Nodes that are not a whole file (generic tests, snapshot blocks) nest under their file.
        if (node.resource_type == ResourceType::Test && node.test_metadata.is_some())
            || matches!(
                node.resource_type,
                ResourceType::Snapshot | ResourceType::Operation
            )
        {
            format!(
                "{}/{}",
                node.original_file_path.trim_start_matches("./"),
                node.path
            )
        } else {
            node.original_file_path.clone()
        }
    )
}

/// Records compiled SQL on the manifest node and writes `target/compiled/<path>`.
pub fn store_compiled(
    node: &mut runner_artifacts::ManifestNode,
    compiled: String,
    ctes: Vec<InjectedCte>,
    target_dir: &Path,
) -> Result<()> {
    let rel = node_sql_path(node);
    let path = target_dir.join("compiled").join(&rel);
    // dbt writes no file for a hook that renders to nothing (a `log()` call, say).
    if node.resource_type != ResourceType::Operation || !compiled.trim().is_empty() {
        write_sql_file(&path, &compiled)?;
    }
    node.compiled_path = Some(format!(
        "{}/compiled/{rel}",
        target_dir
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "target".into())
    ));
    if node.test_metadata.is_some()
        && !node
            .depends_on
            .macros
            .iter()
            .any(|m| m == WHERE_SUBQUERY_MACRO)
    {
        node.depends_on
            .macros
            .push(WHERE_SUBQUERY_MACRO.to_string());
    }
    node.compiled = Some(CompiledInfo {
        compiled_code: compiled,
        extra_ctes_injected: true,
        extra_ctes: ctes,
    });
    Ok(())
}

/// Compiles the nodes in `selected` (and any ephemeral model they need), updating the manifest and writing
/// `target/compiled`.
pub fn compile_nodes(
    parsed: &mut ParsedProject,
    selected: &[String],
    target_dir: &Path,
) -> Result<()> {
    compile_nodes_with(parsed, selected, target_dir, None)
}

/// [`compile_nodes`] with a warehouse behind the renders, as `dbt compile` has: introspective
/// macros (`run_query`, `adapter.get_relation`, `is_incremental()`) see what exists.
pub fn compile_nodes_with(
    parsed: &mut ParsedProject,
    selected: &[String],
    target_dir: &Path,
    session: Option<&Arc<dyn Session>>,
) -> Result<()> {
    install_resolver(parsed);
    let mut done = Done::new();
    let mut stack = HashSet::new();
    for id in selected {
        if parsed
            .manifest
            .nodes
            .get(id)
            .is_some_and(|n| n.resource_type != ResourceType::Seed)
        {
            compile_into(parsed, id, session, &mut done, &mut stack)?;
        }
    }
    for id in selected {
        let Some((sql, ctes)) = done.get(id).cloned() else {
            continue;
        };
        let node = parsed
            .manifest
            .nodes
            .get_mut(id)
            .expect("selected node exists");
        let compiled = inject_ctes(&sql, &ctes);
        store_compiled(node, compiled, ctes, target_dir)?;
    }
    Ok(())
}

/// The macro wrapping a generic test's `model` argument, a dependency dbt records at compile time.
pub const WHERE_SUBQUERY_MACRO: &str = "macro.dbt.get_where_subquery";

/// Writes a SQL file, creating its directory.
///
/// A file that already holds `sql` is left alone, and a changed one is replaced rather than
/// truncated: on ext4, truncating and rewriting a file makes its close wait for the data to reach
/// the disk (`auto_da_alloc`), which made up most of a 10,000-model `compile` run a second time.
pub fn write_sql_file(path: &Path, sql: &str) -> Result<()> {
    let io = |path: &Path, source| CompileError::Io {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read(path) {
        Ok(existing) if existing == sql.as_bytes() => return Ok(()),
        Ok(_) => std::fs::remove_file(path).map_err(|e| io(path, e))?,
        Err(_) => {}
    }
    match std::fs::write(path, sql) {
        // The directory is created only when missing: one `mkdir` per file cost more than the write.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
            }
            std::fs::write(path, sql).map_err(|e| io(path, e))
        }
        other => other.map_err(|e| io(path, e)),
    }
}

/// Keeps `Manifest` in scope for docs.
pub type CompiledManifest = Manifest;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_files_are_created_kept_when_unchanged_and_replaced_when_changed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("compiled/pkg/models/a.sql");
        write_sql_file(&path, "select 1").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "select 1");
        let modified = || std::fs::metadata(&path).unwrap().modified().unwrap();
        let first = modified();
        std::thread::sleep(std::time::Duration::from_millis(20));
        // Same text: the file is not written again.
        write_sql_file(&path, "select 1").unwrap();
        assert_eq!(modified(), first);
        write_sql_file(&path, "select 2").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "select 2");
        assert_ne!(modified(), first);
    }

    fn inject(sql: &str) -> String {
        let cte = InjectedCte {
            id: "model.p.e".into(),
            sql: " __dbt__cte__e as (\nselect 1\n)".into(),
        };
        inject_ctes(sql, &[cte])
    }

    /// Expectations from dbt-core 1.12's `inject_ctes_into_sql` (sqlparse) on the same inputs.
    #[test]
    fn ctes_merge_into_a_with_after_leading_comments() {
        assert_eq!(
            inject("-- setup\nwith a as (select 1)\nselect * from a"),
            "-- setup\nwith  __dbt__cte__e as (\nselect 1\n), a as (select 1)\nselect * from a"
        );
        assert_eq!(
            inject("/* note */ WITH  a as (select 1) select * from a"),
            "/* note */ WITH   __dbt__cte__e as (\nselect 1\n), a as (select 1) select * from a"
        );
        assert_eq!(
            inject("with recursive a as (select 1) select * from a"),
            "with recursive  __dbt__cte__e as (\nselect 1\n), a as (select 1) select * from a"
        );
        assert_eq!(
            inject("with\n  a as (select 1) select * from a"),
            "with\n   __dbt__cte__e as (\nselect 1\n), a as (select 1) select * from a"
        );
    }

    #[test]
    fn ctes_go_before_the_first_token_without_a_with() {
        assert_eq!(
            inject("-- only a comment\nselect * from x"),
            "with __dbt__cte__e as (\nselect 1\n) -- only a comment\nselect * from x"
        );
        assert_eq!(
            inject("\n  select 1"),
            "\n  with __dbt__cte__e as (\nselect 1\n) select 1"
        );
        assert_eq!(
            inject("select 1 as withdrawn"),
            "with __dbt__cte__e as (\nselect 1\n) select 1 as withdrawn"
        );
    }
}
