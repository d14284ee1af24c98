//! Generic data tests declared in property YAML (`data_tests:` / legacy `tests:` on models, columns,
//! seeds and source tables) turned into test nodes named and hashed as dbt does.

use std::sync::Arc;

use runner_artifacts::{ManifestNode, ResourceType, TestMetadata};
use runner_jinja::{Template, Value};
use serde_json::{Map, Value as Json};

use crate::error::{CompileError, Result};
use crate::test_names::{TestTarget, synthesize, test_hash};

/// Keys of a test entry that configure the test instead of being macro arguments.
const CONFIG_KEYS: &[&str] = &[
    "severity",
    "tags",
    "enabled",
    "where",
    "limit",
    "warn_if",
    "error_if",
    "fail_calc",
    "store_failures",
    "store_failures_as",
    "meta",
    "database",
    "schema",
    "alias",
    "group",
];

/// One declared generic test, before it becomes a node.
#[derive(Debug, Clone)]
pub struct TestDecl {
    /// Test name without namespace (`unique`).
    pub name: String,
    /// Package namespace (`dbt_utils`).
    pub namespace: Option<String>,
    /// Macro arguments as written (without `model` and `column_name`).
    pub args: Map<String, Json>,
    /// Config from the entry.
    pub config: Map<String, Json>,
    /// Column under test.
    pub column_name: Option<String>,
}

/// Parses one item of a `data_tests:` list: `unique`, `{unique: {config…}}`, `{relationships: {to:…, field:…}}`,
/// or the `{name: …, test_name: …}` form.
pub fn parse_decl(item: &Json, column: Option<&str>, file: &str) -> Result<TestDecl> {
    let (full_name, body) = match item {
        Json::String(s) => (s.clone(), Map::new()),
        Json::Object(m) if m.len() == 1 => {
            let (k, v) = m.iter().next().expect("one key");
            (k.clone(), v.as_object().cloned().unwrap_or_default())
        }
        Json::Object(m) if m.contains_key("test_name") => {
            let mut body = m.clone();
            let name = body
                .remove("test_name")
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            body.remove("name");
            (name, body)
        }
        _ => {
            return Err(CompileError::Properties {
                file: file.to_string(),
                message: format!("a test must be a name or a single-key mapping, got {item}"),
            });
        }
    };
    let (namespace, name) = match full_name.split_once('.') {
        Some((ns, n)) => (Some(ns.to_string()), n.to_string()),
        None => (None, full_name),
    };
    let mut args = Map::new();
    let mut config = Map::new();
    for (k, v) in &body {
        if k == "config" {
            if let Json::Object(c) = v {
                config.extend(c.clone());
            }
        } else if k == "arguments" {
            if let Json::Object(a) = v {
                args.extend(a.clone());
            }
        } else if CONFIG_KEYS.contains(&k.as_str()) {
            config.insert(k.clone(), v.clone());
        } else {
            args.insert(k.clone(), v.clone());
        }
    }
    let mut column_name = column.map(String::from);
    if let Some(Json::String(c)) = args.remove("column_name") {
        column_name = Some(c);
    }
    Ok(TestDecl {
        name,
        namespace,
        args,
        config,
        column_name,
    })
}

/// Where a declared test lives.
pub struct TestOwner<'a> {
    /// Package of the property file.
    pub package: &'a str,
    /// Property file path.
    pub file: &'a str,
    /// Directories of the property file below its resource path, for the fqn.
    pub fqn_dirs: Vec<String>,
    /// Target for naming.
    pub target: TestTarget<'a>,
    /// `models.orders` / `sources.raw`.
    pub file_key_name: String,
    /// `ref('orders')` or `source('raw', 'orders')`.
    pub model_expr: String,
    /// The attached node's unique id, for model tests.
    pub attached_node: Option<String>,
}

/// Builds the (not yet rendered) test node for a declaration.
pub fn build_test_node(
    owner: &TestOwner<'_>,
    decl: &TestDecl,
    created_at: f64,
) -> (ManifestNode, Map<String, Json>) {
    let mut kwargs = decl.args.clone();
    if let Some(c) = &decl.column_name {
        kwargs.insert("column_name".into(), Json::String(c.clone()));
    }
    kwargs.insert(
        "model".into(),
        Json::String(format!(
            "{{{{ get_where_subquery({}) }}}}",
            owner.model_expr
        )),
    );
    let names = synthesize(
        &decl.name,
        decl.namespace.as_deref(),
        &owner.target,
        &kwargs,
    );
    let hash = test_hash(&names.name, &decl.name, &kwargs, decl.namespace.as_deref());
    let mut node = ManifestNode::new(ResourceType::Test, owner.package, &names.name);
    node.unique_id = format!("test.{}.{}.{}", owner.package, names.name, hash);
    node.alias = names.alias.clone();
    node.path = format!("{}.sql", names.alias);
    node.original_file_path = owner.file.to_string();
    node.fqn = std::iter::once(owner.package.to_string())
        .chain(owner.fqn_dirs.iter().cloned())
        .chain(std::iter::once(names.name.clone()))
        .collect();
    node.created_at = created_at;
    let macro_call = match &decl.namespace {
        Some(ns) => format!("{ns}.test_{}", decl.name),
        None => format!("test_{}", decl.name),
    };
    node.raw_code = format!("{{{{ {macro_call}(**_dbt_generic_test_kwargs) }}}}");
    // dbt records the entry's config, and the short alias of a long test name, as a trailing config() call.
    let mut config_args: Vec<String> = decl
        .config
        .iter()
        .map(|(k, v)| format!("{k}={}", config_literal(v)))
        .collect();
    if names.alias != names.name {
        config_args.push(format!(
            "alias={}",
            config_literal(&Json::from(names.alias.clone()))
        ));
    }
    if !config_args.is_empty() {
        node.raw_code
            .push_str(&format!("{{{{ config({}) }}}}", config_args.join(",")));
    }
    node.column_name = decl.column_name.clone();
    node.file_key_name = Some(owner.file_key_name.clone());
    node.attached_node = owner.attached_node.clone();
    node.test_metadata = Some(TestMetadata {
        name: decl.name.clone(),
        kwargs: kwargs.clone(),
        namespace: decl.namespace.clone(),
    });
    (node, kwargs)
}

/// The template text of a kwarg, when it has one: a string with Jinja in it, or a bare `ref(…)` /
/// `source(…)` call (dbt renders those too).
fn kwarg_source(value: &Json) -> Option<std::borrow::Cow<'_, str>> {
    let Json::String(s) = value else {
        return None;
    };
    let trimmed = s.trim();
    if s.contains("{{") || s.contains("{%") {
        Some(s.as_str().into())
    } else if trimmed.starts_with("ref(") || trimmed.starts_with("source(") {
        Some(format!("{{{{ {trimmed} }}}}").into())
    } else {
        None
    }
}

/// Test kwargs as template values: rendered strings become the value the expression produced.
pub fn kwargs_values(
    ctx: &Arc<crate::context::RenderContext>,
    kwargs: &Map<String, Json>,
    file: &str,
) -> Result<foldhash::HashMap<String, Value>> {
    let mut out = foldhash::HashMap::default();
    let mut all = indexmap::IndexMap::new();
    for (k, v) in kwargs {
        let value = match kwarg_source(v) {
            // A single `{{ expr }}` yields the expression's value (a Relation), not just its text.
            Some(src) => match expression_value(ctx, &src, file)? {
                Some(v) => v,
                None => {
                    let t =
                        Template::parse(file, &src).map_err(|e| CompileError::jinja(file, &e))?;
                    Value::from(ctx.render(&t).map_err(|e| CompileError::jinja(file, &e))?)
                }
            },
            None => Value::from_json(v),
        };
        all.insert(Value::from(k.as_str()), value.clone());
        out.insert(k.clone(), value);
    }
    out.insert("_dbt_generic_test_kwargs".into(), Value::dict(all));
    Ok(out)
}

/// The value of `src` when it is one `{{ expr }}`; `None` for other templates (whitespace control
/// included), and for an expression that does not parse (rendering the text then reports the
/// error in the user's words).
fn expression_value(
    ctx: &Arc<crate::context::RenderContext>,
    src: &str,
    file: &str,
) -> Result<Option<Value>> {
    let src = src.trim();
    let Some(inner) = src.strip_prefix("{{").and_then(|s| s.strip_suffix("}}")) else {
        return Ok(None);
    };
    if inner.starts_with('-') || inner.ends_with('-') {
        return Ok(None);
    }
    let Ok(template) = Template::parse(file, src) else {
        return Ok(None);
    };
    ctx.eval_output(&template)
        .map_err(|e| CompileError::jinja(file, &e))
}

/// A config value as dbt writes it into a generic test's raw code: strings in double quotes.
fn config_literal(v: &Json) -> String {
    match v {
        Json::String(s) => format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
        other => runner_jinja::Value::from_json(other).repr(),
    }
}
