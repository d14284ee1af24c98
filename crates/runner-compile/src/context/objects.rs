//! Run-wide context objects: package namespaces, `adapter`, `api`, `exceptions`, `modules`, and the plain
//! functions (`return`, `log`, `env_var`, `fromjson`, …).

use std::sync::Arc;

use runner_jinja::{Error, ErrorKind, Kwargs, Object, State, Value};

use super::Shared;
use crate::relation::Relation;

fn err(kind: ErrorKind, msg: impl Into<String>) -> Error {
    Error::new(kind, msg.into())
}

/// `dbt_utils` / `dbt` / the root project as a namespace whose attributes are its macros.
pub fn package_namespace(
    shared: &Arc<Shared>,
    package: &str,
    capture: Option<Arc<super::NodeScope>>,
) -> Value {
    Value::from_object(Arc::new(PackageNamespace {
        shared: shared.clone(),
        package: package.to_string(),
        capture,
    }))
}

struct PackageNamespace {
    shared: Arc<Shared>,
    package: String,
    /// The node whose macro dependencies calls through this namespace are recorded in.
    capture: Option<Arc<super::NodeScope>>,
}

impl std::fmt::Debug for PackageNamespace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<namespace {}>", self.package)
    }
}

impl Object for PackageNamespace {
    fn type_name(&self) -> &str {
        "namespace"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        let entry = self.shared.registry.get(&self.package, name)?;
        if let Some(scope) = &self.capture {
            let mut c = scope.captured.lock().expect("capture lock");
            if !c.macros.contains(&entry.unique_id) {
                c.macros.push(entry.unique_id.clone());
            }
        }
        Some(entry.value())
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// `adapter`: dispatch, quoting and (without a connection) empty introspection.
pub struct Adapter {
    shared: std::sync::Weak<Shared>,
}

impl Adapter {
    /// The offline adapter of a run.
    pub fn new(shared: std::sync::Weak<Shared>) -> Adapter {
        Adapter { shared }
    }
}

impl std::fmt::Debug for Adapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<adapter>")
    }
}

impl Object for Adapter {
    fn type_name(&self) -> &str {
        "adapter"
    }
    fn call_method(
        &self,
        state: &State,
        name: &str,
        args: &[Value],
        kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        let shared = self
            .shared
            .upgrade()
            .ok_or_else(|| err(ErrorKind::Runtime, "adapter used after the run ended"))?;
        let s = |i: usize, key: &str| -> Option<String> {
            args.get(i)
                .or_else(|| kwargs.get(key))
                .and_then(|v| v.as_str().map(String::from))
        };
        match name {
            "dispatch" => {
                let macro_name = s(0, "macro_name")
                    .ok_or_else(|| err(ErrorKind::Type, "adapter.dispatch() takes a macro name"))?;
                if macro_name.contains('.') {
                    return Err(err(
                        ErrorKind::Runtime,
                        format!(
                            "In adapter.dispatch, got a macro name of \"{macro_name}\", but \".\" is not a valid macro name component. Did you mean `adapter.dispatch(\"{}\", macro_namespace=\"{}\")`?",
                            macro_name.rsplit('.').next().unwrap_or(""),
                            macro_name.split('.').next().unwrap_or("")
                        ),
                    ));
                }
                let namespace = s(1, "macro_namespace");
                shared
                    .registry
                    .dispatch(state.package(), &macro_name, namespace.as_deref())
                    .map(|m| m.value())
                    .map_err(|m| err(ErrorKind::Runtime, m))
            }
            "get_incremental_strategy_macro" => {
                let strategy = s(1, "strategy").unwrap_or_else(|| "default".into());
                let known = ["default", "append", "delete+insert", "merge", "microbatch"];
                let name = format!("get_incremental_{}_sql", strategy.replace('+', "_"));
                let found = shared
                    .registry
                    .resolve(state.package(), &name)
                    .or_else(|| shared.registry.resolve(shared.registry.root(), &name));
                match found {
                    Some(m) if known.contains(&strategy.as_str()) || m.package != "dbt" => {
                        Ok(m.value())
                    }
                    _ => Err(err(
                        ErrorKind::Runtime,
                        format!(
                            "The incremental strategy '{strategy}' is not valid for this adapter (valid: append, delete+insert, merge, microbatch)"
                        ),
                    )),
                }
            }
            "quote" => {
                let ident = s(0, "identifier").unwrap_or_default();
                Ok(Value::from(format!("\"{}\"", ident.replace('"', "\"\""))))
            }
            "quote_as_configured" => Ok(Value::from(
                s(0, "identifier")
                    .map(|i| format!("\"{i}\""))
                    .unwrap_or_default(),
            )),
            "get_relation" | "load_relation" => Ok(Value::None),
            "get_columns_in_relation" | "list_relations_without_caching" | "list_schemas" => {
                Ok(Value::list(Vec::new()))
            }
            "check_schema_exists" => Ok(Value::Bool(false)),
            "type" => Ok(Value::from(shared.adapter_type.as_str())),
            "get_binding_char" => Ok(Value::from(if shared.adapter_type == "duckdb" {
                "?"
            } else {
                "%s"
            })),
            "already_exists" => Ok(Value::Bool(false)),
            "drop_relation"
            | "create_schema"
            | "drop_schema"
            | "rename_relation"
            | "truncate_relation"
            | "expand_target_column_types"
            | "commit"
            | "cache_added"
            | "cache_dropped"
            | "cache_renamed" => Ok(Value::None),
            _ => Err(err(
                ErrorKind::Undefined,
                format!("'adapter' has no attribute '{name}'"),
            )),
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// `api`: `api.Relation.create(...)`.
#[derive(Debug)]
struct Api;

impl Object for Api {
    fn type_name(&self) -> &str {
        "api"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        match name {
            "Relation" => Some(Value::from_object(Arc::new(RelationFactory))),
            "Column" => Some(super::column::column_class()),
            _ => None,
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[derive(Debug)]
struct RelationFactory;

impl Object for RelationFactory {
    fn type_name(&self) -> &str {
        "Relation"
    }
    fn call_method(
        &self,
        _state: &State,
        name: &str,
        _args: &[Value],
        kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        if name != "create" {
            return Err(err(
                ErrorKind::Undefined,
                format!("'Relation' has no attribute '{name}'"),
            ));
        }
        let get = |k: &str| kwargs.get(k).and_then(|v| v.as_str().map(String::from));
        let mut r = Relation::new(get("database"), get("schema"), get("identifier"));
        r.kind = get("type");
        Ok(r.into_value())
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// `exceptions`: raise_compiler_error, warn, raise_not_implemented.
#[derive(Debug)]
struct Exceptions;

impl Object for Exceptions {
    fn type_name(&self) -> &str {
        "exceptions"
    }
    fn call_method(
        &self,
        _state: &State,
        name: &str,
        args: &[Value],
        _kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        let msg = args.first().map(|v| v.to_python_str()).unwrap_or_default();
        match name {
            "warn" => {
                eprintln!("Warning: {msg}");
                Ok(Value::from(""))
            }
            "raise_not_implemented" => {
                Err(err(ErrorKind::Runtime, format!("Not implemented: {msg}")))
            }
            _ => Err(err(
                ErrorKind::Runtime,
                format!("Compilation Error\n  {msg}"),
            )),
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn json_arg(args: &[Value]) -> Result<serde_json::Value, Error> {
    args.first().unwrap_or(&Value::None).to_json()
}

/// The run-wide names every render sees.
pub fn run_globals(
    shared: &std::sync::Weak<Shared>,
    project_name: &str,
    invocation_id: &str,
    run_started_at: chrono::DateTime<chrono::Utc>,
) -> foldhash::HashMap<&'static str, Value> {
    let mut g: foldhash::HashMap<&'static str, Value> = Default::default();
    g.insert(
        "return",
        Value::from_function("return", |_, args, _| {
            Err(runner_jinja::return_value(
                args.first().cloned().unwrap_or(Value::None),
            ))
        }),
    );
    let log_invocation = invocation_id.to_string();
    g.insert(
        "log",
        Value::from_function("log", move |_, args, kwargs| {
            let info = args
                .get(1)
                .or_else(|| kwargs.get("info"))
                .map(|v| v.is_true())
                .unwrap_or(false);
            if info {
                let msg = args.first().map(|v| v.to_python_str()).unwrap_or_default();
                super::output::write(super::output::TemplateLine::Log, &msg, &log_invocation);
            }
            Ok(Value::from(""))
        }),
    );
    let print_invocation = invocation_id.to_string();
    g.insert(
        "print",
        Value::from_function("print", move |_, args, _| {
            let msg = args
                .iter()
                .map(|v| v.to_python_str())
                .collect::<Vec<_>>()
                .join(" ");
            super::output::write(super::output::TemplateLine::Print, &msg, &print_invocation);
            Ok(Value::from(""))
        }),
    );
    g.insert("env_var", Value::from_function("env_var", |_, args, kwargs| {
        let name = args.first().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        if name.starts_with("DBT_ENV_SECRET") {
            return Err(err(ErrorKind::Runtime, format!("Secret env vars are allowed only in profiles.yml or packages.yml; '{name}' was used elsewhere")));
        }
        match std::env::var(&name) {
            Ok(v) => Ok(Value::from(v)),
            Err(_) => match args.get(1).or_else(|| kwargs.get("default")) {
                Some(d) => Ok(d.clone()),
                None => Err(err(ErrorKind::Runtime, format!("Env var required but not provided: '{name}'"))),
            },
        }
    }));
    g.insert(
        "fromjson",
        Value::from_function("fromjson", |_, args, _| {
            let text = args
                .first()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(v) => Ok(Value::from_json(&v)),
                Err(_) => Ok(args.get(1).cloned().unwrap_or(Value::None)),
            }
        }),
    );
    g.insert(
        "tojson",
        Value::from_function("tojson", |_, args, kwargs| {
            let sort = kwargs
                .get("sort_keys")
                .map(|v| v.is_true())
                .unwrap_or(false);
            let value = args.first().unwrap_or(&Value::None);
            Ok(Value::from(value.to_python_json(sort)?))
        }),
    );
    g.insert(
        "fromyaml",
        Value::from_function("fromyaml", |_, args, _| {
            let text = args
                .first()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            // PyYAML's rules, as dbt's fromyaml (`yes` is true).
            match runner_project::yaml_load::load(&text) {
                Ok(v) => Ok(Value::from_json(&runner_project::yaml::to_json(&v))),
                Err(_) => Ok(args.get(1).cloned().unwrap_or(Value::None)),
            }
        }),
    );
    g.insert(
        "toyaml",
        Value::from_function("toyaml", |_, args, _| {
            let v = json_arg(args)?;
            Ok(Value::from(serde_yaml::to_string(&v).unwrap_or_default()))
        }),
    );
    g.insert(
        "local_md5",
        Value::from_function("local_md5", |_, args, _| {
            let text = args.first().map(|v| v.to_python_str()).unwrap_or_default();
            Ok(Value::from(crate::digest::md5_hex(text.as_bytes())))
        }),
    );
    g.insert(
        "zip",
        Value::from_function("zip", |_, args, _| {
            let lists: Vec<Vec<Value>> = args
                .iter()
                .map(|a| a.try_iter())
                .collect::<Result<_, _>>()?;
            let n = lists.iter().map(Vec::len).min().unwrap_or(0);
            Ok(Value::list(
                (0..n)
                    .map(|i| Value::tuple(lists.iter().map(|l| l[i].clone()).collect()))
                    .collect(),
            ))
        }),
    );
    g.insert("set", super::set::set_function());
    g.insert("set_strict", super::set::set_strict_function());
    g.insert("exceptions", Value::from_object(Arc::new(Exceptions)));
    g.insert("api", Value::from_object(Arc::new(Api)));
    g.insert(
        "adapter",
        Value::from_object(Arc::new(Adapter {
            shared: shared.clone(),
        })),
    );
    g.insert("project_name", Value::from(project_name));
    g.insert("invocation_id", Value::from(invocation_id));
    g.insert(
        "run_started_at",
        crate::modules::utc_datetime(run_started_at),
    );
    g.insert("dbt_version", Value::from(crate::DBT_VERSION));
    g.insert("selected_resources", Value::list(Vec::new()));
    g.insert("modules", crate::modules::modules_value());
    g
}
