//! The node-dependent context functions: `ref`, `source`, `config`, `var`, `this`, `model`, `execute`.

use std::sync::Arc;

use runner_artifacts::RefArgs;
use runner_jinja::{Error, ErrorKind, Kwargs, Object, State, Value};
use serde_json::{Map, Value as Json};

use super::{Phase, RenderContext};
use crate::relation::Relation;

fn err(kind: ErrorKind, msg: impl Into<String>) -> Error {
    Error::new(kind, msg.into())
}

fn arg_str(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

/// Looks up a node-dependent name; `None` when it is not one.
pub fn node_name(ctx: &RenderContext, name: &str) -> Option<Value> {
    let scope = ctx.scope.clone();
    let shared = ctx.shared.clone();
    Some(match name {
        "execute" => Value::Bool(scope.phase == Phase::Compile),
        "model" => scope.model_value(),
        "this" => scope
            .this
            .clone()
            .map(Relation::into_value)
            .unwrap_or(Value::None),
        "ref" => ref_function(ctx),
        "source" => source_function(ctx),
        "config" => Value::from_object(Arc::new(ConfigObject {
            ctx: RenderContextRef(scope.clone()),
        })),
        "var" => {
            let package = scope.package.clone();
            Value::from_function("var", move |_, args, kwargs| {
                let name = args
                    .first()
                    .and_then(arg_str)
                    .ok_or_else(|| err(ErrorKind::Type, "var() takes a variable name"))?;
                if let Some(v) = shared.vars.lookup(&package, &name) {
                    return Ok(Value::from_json(&v));
                }
                if let Some(default) = args.get(1).or_else(|| kwargs.get("default")) {
                    return Ok(default.clone());
                }
                Err(err(
                    ErrorKind::Runtime,
                    format!(
                        "Required var '{name}' not found in config:\nVars supplied to {package} = {{}}"
                    ),
                ))
            })
        }
        "builtins" => {
            let mut m = indexmap::IndexMap::new();
            m.insert(Value::from("ref"), ref_function(ctx));
            m.insert(Value::from("source"), source_function(ctx));
            m.insert(
                Value::from("config"),
                Value::from_object(Arc::new(ConfigObject {
                    ctx: RenderContextRef(scope.clone()),
                })),
            );
            Value::dict(m)
        }
        "graph" => shared.graph.value(),
        _ => return None,
    })
}

fn ref_function(ctx: &RenderContext) -> Value {
    let scope = ctx.scope.clone();
    let shared = ctx.shared.clone();
    Value::from_function("ref", move |_, args, kwargs| {
        let strings: Vec<String> = args.iter().filter_map(arg_str).collect();
        if strings.is_empty() || strings.len() > 2 || strings.len() != args.len() {
            return Err(err(
                ErrorKind::Type,
                "ref() takes at most two string arguments: ref('model') or ref('package', 'model')",
            ));
        }
        let version = kwargs
            .get("version")
            .or_else(|| kwargs.get("v"))
            .and_then(arg_str);
        let ref_args = if strings.len() == 2 {
            RefArgs {
                name: strings[1].clone(),
                package: Some(strings[0].clone()),
                version,
            }
        } else {
            RefArgs {
                name: strings[0].clone(),
                package: None,
                version,
            }
        };
        match scope.phase {
            Phase::Parse => {
                let mut c = scope.captured.lock().expect("capture lock");
                c.refs.push(ref_args.clone());
                let this = scope.this.clone().unwrap_or_else(|| {
                    Relation::new(
                        Some(shared.default_database.clone()),
                        Some(shared.default_schema.clone()),
                        None,
                    )
                });
                Ok(Relation::new(this.database, this.schema, Some(ref_args.name)).into_value())
            }
            Phase::Compile => {
                let resolver = shared
                    .resolver
                    .get()
                    .ok_or_else(|| err(ErrorKind::Runtime, "refs are not resolvable yet"))?;
                let (id, rel) =
                    resolver
                        .resolve_ref(&scope.package, &ref_args)
                        .ok_or_else(|| {
                            err(
                                ErrorKind::Runtime,
                                format!(
                                    "Model depends on a node named '{}' which was not found",
                                    ref_args.name
                                ),
                            )
                        })?;
                if let Some(fixture) = scope.ref_overrides.get(&id) {
                    return Ok(fixture.clone().into_value());
                }
                if rel.cte_name.is_some() {
                    let mut c = scope.captured.lock().expect("capture lock");
                    if !c.ephemerals.contains(&id) {
                        c.ephemerals.push(id);
                    }
                }
                Ok(limited(&shared, rel).into_value())
            }
        }
    })
}

/// Under `--empty`, a resolved ref or source reads no rows, as in dbt (unit tests' fixtures are
/// never limited: they come from `ref_overrides`).
fn limited(shared: &crate::context::Shared, mut rel: Relation) -> Relation {
    if shared.empty {
        rel.limit = Some(0);
        rel.limit_alias = shared.adapter_type != "duckdb";
    }
    rel
}

fn source_function(ctx: &RenderContext) -> Value {
    let scope = ctx.scope.clone();
    let shared = ctx.shared.clone();
    Value::from_function("source", move |_, args, _| {
        let (Some(source), Some(table)) = (
            args.first().and_then(arg_str),
            args.get(1).and_then(arg_str),
        ) else {
            return Err(err(
                ErrorKind::Type,
                "source() takes exactly two arguments: source('source_name', 'table_name')",
            ));
        };
        match scope.phase {
            Phase::Parse => {
                scope
                    .captured
                    .lock()
                    .expect("capture lock")
                    .sources
                    .push([source.clone(), table.clone()]);
                Ok(Relation::new(
                    Some(shared.default_database.clone()),
                    Some(source),
                    Some(table),
                )
                .into_value())
            }
            Phase::Compile => {
                let resolver = shared
                    .resolver
                    .get()
                    .ok_or_else(|| err(ErrorKind::Runtime, "sources are not resolvable yet"))?;
                let (id, rel) = resolver.resolve_source(&source, &table).ok_or_else(|| {
                    err(
                        ErrorKind::Runtime,
                        format!(
                            "Model depends on a source named '{source}.{table}' which was not found"
                        ),
                    )
                })?;
                Ok(match scope.ref_overrides.get(&id) {
                    Some(fixture) => fixture.clone(),
                    None => limited(&shared, rel),
                }
                .into_value())
            }
        }
    })
}

/// Holder so the config object can reach the scope without a reference cycle through the context.
#[derive(Clone)]
struct RenderContextRef(Arc<super::NodeScope>);

impl std::fmt::Debug for RenderContextRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("config")
    }
}

/// `config`: callable at parse time to set config, with `get`/`require` to read it.
#[derive(Debug)]
struct ConfigObject {
    ctx: RenderContextRef,
}

impl ConfigObject {
    fn read(&self, name: &str) -> Option<Json> {
        self.ctx.0.config_map().get(name).cloned()
    }
}

fn kwargs_to_json(args: &[Value], kwargs: &Kwargs) -> Result<Map<String, Json>, Error> {
    let mut out = Map::new();
    if let Some(Value::Dict(d)) = args.first() {
        for (k, v) in d.read().iter() {
            if let Some(k) = k.as_str() {
                out.insert(k.to_string(), v.to_json()?);
            }
        }
    }
    for (k, v) in kwargs {
        out.insert(k.clone(), v.to_json()?);
    }
    Ok(out)
}

impl Object for ConfigObject {
    fn type_name(&self) -> &str {
        "config"
    }

    fn call(&self, _state: &State, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
        let scope = &self.ctx.0;
        if scope.phase == Phase::Parse {
            let map = kwargs_to_json(args, kwargs)?;
            scope
                .captured
                .lock()
                .expect("capture lock")
                .config_calls
                .push(map);
        }
        Ok(Value::from(""))
    }

    fn call_method(
        &self,
        _state: &State,
        name: &str,
        args: &[Value],
        kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        let key = args
            .first()
            .and_then(arg_str)
            .or_else(|| kwargs.get("name").and_then(arg_str));
        let parse = self.ctx.0.phase == Phase::Parse;
        match name {
            "get" => {
                let key = key.ok_or_else(|| err(ErrorKind::Type, "config.get() takes a key"))?;
                let default = args
                    .get(1)
                    .or_else(|| kwargs.get("default"))
                    .cloned()
                    .unwrap_or(Value::None);
                if parse {
                    // dbt's parse-time config object answers every read with an empty string.
                    return Ok(Value::from(""));
                }
                Ok(match self.read(&key) {
                    Some(Json::Null) | None => default,
                    Some(v) => Value::from_json(&v),
                })
            }
            "require" => {
                let key =
                    key.ok_or_else(|| err(ErrorKind::Type, "config.require() takes a key"))?;
                if parse {
                    return Ok(Value::from(""));
                }
                match self.read(&key) {
                    Some(Json::Null) | None => Err(err(
                        ErrorKind::Runtime,
                        format!("Required config '{key}' was not found"),
                    )),
                    Some(v) => Ok(Value::from_json(&v)),
                }
            }
            "set" => Ok(Value::from("")),
            "persist_relation_docs" | "persist_column_docs" => {
                let docs = self.read("persist_docs").unwrap_or(Json::Null);
                let field = if name == "persist_relation_docs" {
                    "relation"
                } else {
                    "columns"
                };
                Ok(Value::Bool(
                    docs.get(field).and_then(Json::as_bool).unwrap_or(false),
                ))
            }
            _ => Err(err(
                ErrorKind::Undefined,
                format!("'config' has no attribute '{name}'"),
            )),
        }
    }

    fn to_str(&self) -> String {
        String::new()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
