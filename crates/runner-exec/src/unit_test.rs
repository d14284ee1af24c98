//! Unit tests (`unit_tests:` in property YAML): the model's SQL rendered with each `given` input
//! replaced by a fixture CTE (rows as dicts, CSV or SQL, cast to the real input's column types),
//! overrides for macros (`is_incremental`), vars and env vars, and the result compared with the
//! `expect` rows as multisets, as dbt does.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use runner_adapters::{Cell, Connection};
use runner_artifacts::{
    DependsOn, InjectedCte, ManifestNode, NodeRunResult, ResourceType, ResponseInfo, RunStatus,
    Timing,
};
use runner_compile::context::NodeScope;
use runner_compile::context::session::Session;
use runner_compile::relation::Relation;
use runner_jinja::Value;
use serde_json::{Map, Value as Json};

use crate::introspect;
use crate::node::{NodeEnv, NodeOutcome};
use crate::session::LiveSession;

/// Stand-in manifest nodes for selected resources that live outside `nodes`, so the scheduler can
/// run them: unit tests (each waits for what its model selects from, since the inputs' real columns
/// are read from the warehouse), saved queries and exposures (reported `no-op` in `build`, as dbt
/// does).
pub fn stand_in_nodes(
    manifest: &runner_artifacts::Manifest,
    selected: &[String],
) -> Vec<ManifestNode> {
    let text = |v: &Json| v.as_str().unwrap_or_default().to_string();
    selected
        .iter()
        .filter_map(|id| {
            let resource_type = if id.starts_with("unit_test.") {
                ResourceType::UnitTest
            } else if id.starts_with("saved_query.") {
                ResourceType::SavedQuery
            } else if id.starts_with("exposure.") {
                ResourceType::Exposure
            } else {
                return None;
            };
            let exposure = manifest
                .exposures
                .get(id)
                .map(|e| Json::Object(e.body.clone()));
            let body = exposure
                .as_ref()
                .or_else(|| manifest.yaml_resources.get(id))?;
            let mut node = ManifestNode::new(
                resource_type,
                &text(&body["package_name"]),
                &text(&body["name"]),
            );
            node.unique_id = id.clone();
            node.original_file_path = text(&body["original_file_path"]);
            node.path = text(&body["path"]);
            let parents: Vec<String> = body["depends_on"]["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|n| n.as_str().map(String::from))
                .collect();
            node.depends_on = DependsOn {
                macros: Vec::new(),
                nodes: parents,
            };
            if resource_type == ResourceType::UnitTest {
                let model_id = node.depends_on.nodes.first()?.clone();
                let model = manifest.nodes.get(&model_id)?;
                node.database = model.database.clone();
                node.schema = model.schema.clone();
                node.alias = format!("{}::{}", model.name, node.name);
                node.depends_on.nodes = model.depends_on.nodes.clone();
                node.attached_node = Some(model_id);
            }
            Some(node)
        })
        .collect()
}

/// A value as a SQL literal: numbers and booleans as written, everything else quoted.
fn literal(v: &Json) -> String {
    match v {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => format!("'{}'", s.replace('\'', "''")),
        other => format!("'{}'", other.to_string().replace('\'', "''")),
    }
}

/// Rows of a `given`/`expect` entry as column → literal maps (dict or CSV form).
fn fixture_rows(entry: &Json, what: &str) -> Result<Vec<Map<String, Json>>, String> {
    let format = entry["format"].as_str().unwrap_or("dict");
    match (format, &entry["rows"]) {
        ("dict", Json::Array(rows)) => {
            Ok(rows.iter().filter_map(|r| r.as_object().cloned()).collect())
        }
        ("dict", Json::Null) => Ok(Vec::new()),
        ("csv", Json::String(text)) => {
            let mut lines = text.lines().filter(|l| !l.trim().is_empty());
            let header: Vec<String> = lines
                .next()
                .unwrap_or_default()
                .split(',')
                .map(|h| h.trim().to_string())
                .collect();
            Ok(lines
                .map(|line| {
                    header
                        .iter()
                        .zip(line.split(','))
                        .map(|(h, v)| {
                            let v = v.trim();
                            let value = if v.is_empty() || v.eq_ignore_ascii_case("null") {
                                Json::Null
                            } else {
                                Json::String(v.to_string())
                            };
                            (h.clone(), value)
                        })
                        .collect()
                })
                .collect())
        }
        (other, _) => Err(format!(
            "{what}: rows in format '{other}' must be {}",
            if other == "csv" {
                "a CSV string"
            } else {
                "a list of dicts"
            }
        )),
    }
}

/// `select cast(v as t) as "c", …` for each row, over `columns` (name, type); missing values are
/// typed nulls; no rows gives an empty, typed result.
fn rows_sql(columns: &[(String, String)], rows: &[Map<String, Json>]) -> String {
    let select = |row: Option<&Map<String, Json>>| {
        columns
            .iter()
            .map(|(name, data_type)| {
                let value = row
                    .and_then(|r| {
                        r.iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case(name))
                            .map(|(_, v)| v)
                    })
                    .unwrap_or(&Json::Null);
                format!(
                    "cast({} as {data_type}) as {}",
                    literal(value),
                    runner_adapters::quote_identifier(name)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if rows.is_empty() {
        return format!("select {} limit 0", select(None));
    }
    rows.iter()
        .map(|r| format!("select {}", select(Some(r))))
        .collect::<Vec<_>>()
        .join("\nunion all\n")
}

fn db(e: runner_adapters::AdapterError) -> String {
    format!("Database Error\n  {e}")
}

/// What a `given` input names: `ref('x')`, `ref('pkg', 'x')`, `source('s', 't')` or `this`.
fn input_target(
    env: &NodeEnv,
    model: &ManifestNode,
    input: &str,
) -> Result<(String, Relation), String> {
    let args: Vec<String> = input
        .split(['(', ')', ','])
        .skip(1)
        .map(|a| a.trim().trim_matches(['\'', '"']).to_string())
        .filter(|a| !a.is_empty())
        .collect();
    let resolver = env
        .parsed
        .shared
        .resolver
        .get()
        .ok_or("refs are not resolvable yet")?;
    let input = input.trim();
    if input == "this" {
        let rel = Relation::new(
            model.database.clone(),
            Some(model.schema.clone()),
            Some(model.alias.clone()),
        );
        return Ok((model.unique_id.clone(), rel));
    }
    let found = if input.starts_with("ref") {
        let ref_args = match args.as_slice() {
            [name] => runner_artifacts::RefArgs {
                name: name.clone(),
                package: None,
                version: None,
            },
            [package, name] => runner_artifacts::RefArgs {
                name: name.clone(),
                package: Some(package.clone()),
                version: None,
            },
            _ => return Err(format!("cannot read unit test input {input}")),
        };
        resolver.resolve_ref(&model.package_name, &ref_args)
    } else if input.starts_with("source") && args.len() == 2 {
        resolver.resolve_source(&args[0], &args[1])
    } else {
        None
    };
    found.ok_or_else(|| format!("unit test input {input} names nothing in the project"))
}

struct Fixtures {
    overrides: HashMap<String, Relation>,
    ctes: Vec<InjectedCte>,
}

fn build_fixtures(
    env: &NodeEnv,
    model: &ManifestNode,
    body: &Json,
    conn: &mut dyn Connection,
) -> Result<Fixtures, String> {
    let mut fixtures = Fixtures {
        overrides: HashMap::new(),
        ctes: Vec::new(),
    };
    for given in body["given"].as_array().into_iter().flatten() {
        let input = given["input"].as_str().unwrap_or_default();
        let (id, relation) = input_target(env, model, input)?;
        let name = relation
            .identifier
            .clone()
            .or_else(|| relation.cte_name.clone())
            .unwrap_or_default();
        let sql = if given["format"].as_str() == Some("sql") {
            given["rows"].as_str().unwrap_or_default().to_string()
        } else {
            if relation.cte_name.is_some() {
                return Err(format!(
                    "unit test input {input} is an ephemeral model: give its rows with `format: sql`"
                ));
            }
            let columns: Vec<(String, String)> = introspect::columns(conn, &relation)
                .map_err(db)?
                .into_iter()
                .map(|c| (c.name, c.data_type))
                .collect();
            if columns.is_empty() {
                return Err(format!(
                    "Not able to get columns for unit test '{}' from relation {} because the relation doesn't exist",
                    model.name,
                    relation.render()
                ));
            }
            rows_sql(&columns, &fixture_rows(given, input)?)
        };
        let cte_name = format!("__dbt__cte__{name}");
        let mut fixture = Relation::cte(&name);
        fixture.cte_name = Some(cte_name.clone());
        fixtures.overrides.insert(id.clone(), fixture);
        fixtures.ctes.push(InjectedCte {
            id,
            sql: format!(" {cte_name} as (\n-- Fixture for {name}\n{sql}\n)"),
        });
    }
    Ok(fixtures)
}

/// Applies `overrides:` (macros, vars, env_vars) and the fixtures to the model's render scope.
fn customize(
    scope: &mut NodeScope,
    env: &NodeEnv,
    body: &Json,
    fixtures: &Fixtures,
    model: &ManifestNode,
) {
    scope.ref_overrides = fixtures.overrides.clone();
    if let Some(this) = fixtures.overrides.get(&model.unique_id) {
        scope.this = Some(this.clone());
    }
    let overrides = &body["overrides"];
    for (name, value) in overrides["macros"].as_object().into_iter().flatten() {
        let value = Value::from_json(value);
        scope.extra.insert(
            name.clone(),
            Value::from_function("macro_override", move |_, _, _| Ok(value.clone())),
        );
    }
    let vars = overrides["vars"].as_object().cloned().unwrap_or_default();
    let env_vars = overrides["env_vars"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if !vars.is_empty() {
        let shared = env.parsed.shared.clone();
        let package = model.package_name.clone();
        scope.extra.insert(
            "var".into(),
            Value::from_function("var", move |_, args, kwargs| {
                let name = args.first().map(Value::to_python_str).unwrap_or_default();
                if let Some(v) = vars
                    .get(&name)
                    .cloned()
                    .or_else(|| shared.vars.lookup(&package, &name))
                {
                    return Ok(Value::from_json(&v));
                }
                args.get(1)
                    .or_else(|| kwargs.get("default"))
                    .cloned()
                    .ok_or_else(|| {
                        runner_jinja::Error::new(
                            runner_jinja::ErrorKind::Runtime,
                            format!("Required var '{name}' not found in config"),
                        )
                    })
            }),
        );
    }
    if !env_vars.is_empty() {
        scope.extra.insert(
            "env_var".into(),
            Value::from_function("env_var", move |_, args, kwargs| {
                let name = args.first().map(Value::to_python_str).unwrap_or_default();
                match env_vars.get(&name) {
                    Some(v) => Ok(Value::from(
                        v.as_str()
                            .map(String::from)
                            .unwrap_or_else(|| v.to_string()),
                    )),
                    None => match std::env::var(&name) {
                        Ok(v) => Ok(Value::from(v)),
                        Err(_) => Ok(args
                            .get(1)
                            .or_else(|| kwargs.get("default"))
                            .cloned()
                            .unwrap_or(Value::None)),
                    },
                }
            }),
        );
    }
}

/// A value as Python prints it: dbt compares unit test rows by their text, so `10.50` (a numeric
/// with scale 2) differs from `10.5`, and a float `2.0` is not `2`.
fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Null => "None".into(),
        Cell::Decimal(d) => d.clone(),
        Cell::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e16 => format!("{f:.1}"),
        Cell::Float(f) => f.to_string(),
        Cell::Integer(i) => i.to_string(),
        Cell::Bool(b) => if *b { "True" } else { "False" }.into(),
        Cell::Text(s) | Cell::Json(s) => s.clone(),
        Cell::Date(d) => d.to_string(),
        Cell::Timestamp(t) => t.to_string(),
        Cell::TimestampTz(t) => t.to_string(),
        Cell::Time(t) => t.to_string(),
        Cell::Bytes(b) => format!("{b:?}"),
    }
}

/// Runs the unit test `node` (a stand-in from [`unit_test_nodes`]) on `conn`.
pub fn run_unit_test(
    env: &NodeEnv,
    node: &ManifestNode,
    conn: Box<dyn Connection>,
    thread_id: &str,
) -> (NodeOutcome, Option<Box<dyn Connection>>) {
    let start = Instant::now();
    let started = chrono::Utc::now();
    let session = Arc::new(LiveSession::new(conn, None));
    let outcome = evaluate(env, node, &session);
    let mut result = NodeRunResult {
        unique_id: node.unique_id.clone(),
        status: RunStatus::Pass,
        timing: vec![
            Timing {
                name: "compile",
                started_at: started,
                completed_at: started,
            },
            Timing {
                name: "execute",
                started_at: started,
                completed_at: chrono::Utc::now(),
            },
        ],
        thread_id: thread_id.to_string(),
        execution_time: start.elapsed().as_secs_f64(),
        adapter_response: ResponseInfo {
            message: Some("OK".into()),
            ..Default::default()
        },
        message: None,
        failures: Some(0),
        compiled_code: None,
        relation_name: None,
    };
    match outcome {
        Ok((sql, diff)) => {
            result.compiled_code = Some(sql.clone());
            if let Some((failures, message)) = diff {
                result.status = RunStatus::Fail;
                result.failures = Some(failures);
                result.message = Some(message);
            }
        }
        Err(message) => {
            result.status = RunStatus::Error;
            result.failures = None;
            result.message = Some(format!(
                "Error in unit_test {} ({})\n  {message}",
                node.name, node.original_file_path
            ));
        }
    }
    {
        let mut c = session.conn();
        if c.in_transaction() {
            let _ = c.rollback();
        }
    }
    let conn = LiveSession::reclaim(session);
    (
        NodeOutcome {
            result,
            compiled: None,
            run_sql: None,
        },
        conn,
    )
}

type Verdict = (String, Option<(i64, String)>);

fn evaluate(
    env: &NodeEnv,
    node: &ManifestNode,
    session: &Arc<LiveSession>,
) -> Result<Verdict, String> {
    let manifest = &env.parsed.manifest;
    let body = &manifest.yaml_resources[&node.unique_id];
    let model_id = node.attached_node.as_deref().unwrap_or_default();
    let model = &manifest.nodes[model_id];
    let fixtures = build_fixtures(env, model, body, &mut **session.conn())?;
    let dyn_session: Arc<dyn Session> = session.clone();
    let sql = runner_compile::compile::compile_node_with(
        env.parsed,
        model_id,
        Some(&dyn_session),
        &|scope| customize(scope, env, body, &fixtures, model),
    )
    .map_err(|e| e.to_string())?;
    drop(dyn_session);
    let sql = runner_compile::compile::with_ctes(&sql, &fixtures.ctes);

    let mut conn = session.conn();
    // The model's output columns and types, from the query itself.
    let probe = conn
        .fetch(&format!(
            "select * from (\n{sql}\n) as __dbt_probe where false limit 0"
        ))
        .map_err(db)?
        .1;
    let expect = &body["expect"];
    let expected_sql = if expect["format"].as_str() == Some("sql") {
        expect["rows"].as_str().unwrap_or_default().to_string()
    } else {
        let rows = fixture_rows(expect, "expect")?;
        let names: Vec<String> = match rows.first() {
            Some(r) => r.keys().cloned().collect(),
            None => probe.columns.iter().map(|c| c.name.clone()).collect(),
        };
        let types = temp_types(&mut **conn, &sql)?;
        let columns: Vec<(String, String)> = names
            .iter()
            .map(|n| {
                let t = types
                    .iter()
                    .find(|(c, _)| c.eq_ignore_ascii_case(n))
                    .map(|(_, t)| t.clone())
                    .unwrap_or_else(|| "text".into());
                (n.clone(), t)
            })
            .collect();
        rows_sql(&columns, &rows)
    };
    let expected_columns: Vec<String> = match fixture_rows(expect, "expect")?.first() {
        Some(r) => r.keys().cloned().collect(),
        None => probe.columns.iter().map(|c| c.name.clone()).collect(),
    };
    let cols = expected_columns
        .iter()
        .map(|c| runner_adapters::quote_identifier(c))
        .collect::<Vec<_>>()
        .join(", ");
    let compare = format!(
        "with dbt_internal_unit_test_actual as (\n  select {cols}, 'actual' as actual_or_expected\n  from (\n{sql}\n  ) _dbt_internal_unit_test_actual\n),\ndbt_internal_unit_test_expected as (\n  select {cols}, 'expected' as actual_or_expected\n  from (\n{expected_sql}\n  ) _dbt_internal_unit_test_expected\n)\nselect * from dbt_internal_unit_test_actual\nunion all\nselect * from dbt_internal_unit_test_expected"
    );
    let table = conn.fetch(&compare).map_err(db)?.1;
    let width = expected_columns.len();
    let mut actual: Vec<Vec<String>> = Vec::new();
    let mut expected: Vec<Vec<String>> = Vec::new();
    for row in &table.rows {
        let values: Vec<String> = row[..width].iter().map(cell_text).collect();
        if row[width].as_str() == Some("actual") {
            actual.push(values);
        } else {
            expected.push(values);
        }
    }
    actual.sort();
    expected.sort();
    if actual == expected {
        return Ok((sql, None));
    }
    let mut only_actual = actual.clone();
    let mut only_expected = Vec::new();
    for e in &expected {
        match only_actual.iter().position(|a| a == e) {
            Some(i) => {
                only_actual.remove(i);
            }
            None => only_expected.push(e.clone()),
        }
    }
    let mut lines = vec![
        "actual differs from expected:".to_string(),
        String::new(),
        format!("@@,{}", expected_columns.join(",")),
    ];
    lines.extend(only_actual.iter().map(|r| format!("+++,{}", r.join(","))));
    lines.extend(only_expected.iter().map(|r| format!("---,{}", r.join(","))));
    let failures = only_actual.len().max(only_expected.len()) as i64;
    Ok((sql, Some((failures, lines.join("\n")))))
}

/// Column types of a query's result, as a table would get them (a scratch temporary table).
fn temp_types(conn: &mut dyn Connection, sql: &str) -> Result<Vec<(String, String)>, String> {
    let name = format!(
        "dbt_unit_test_probe_{}",
        std::process::id() ^ (chrono::Utc::now().timestamp_subsec_nanos())
    );
    conn.execute(&format!(
        "create temporary table {name} as select * from (\n{sql}\n) as __dbt_probe where false limit 0"
    ))
    .map_err(db)?;
    let rel = Relation::new(None, None, Some(name.clone()));
    let columns = introspect::columns(conn, &rel).map_err(db)?;
    conn.execute(&format!("drop table if exists {name}"))
        .map_err(db)?;
    Ok(columns.into_iter().map(|c| (c.name, c.data_type)).collect())
}
