//! [`LiveSession`]: one worker's warehouse connection behind a node's render. It runs statements
//! (opening a transaction when asked), answers the `adapter` methods that need the warehouse, and
//! for seeds hands the CSV to the materialization.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use runner_adapters::{AdapterKind, AdapterResponse, Connection};
use runner_compile::context::session::{AdapterResponseValue, Session, StatementOutcome};
use runner_compile::relation::Relation;
use runner_jinja::{Error, ErrorKind, Kwargs, State, Value};

use crate::agate::AgateTable;
use crate::cache::RelationCache;
use crate::introspect::{self, Location};
use crate::seed::SeedInput;

/// A connection lent to one node's render.
pub struct LiveSession {
    conn: Mutex<Box<dyn Connection>>,
    kind: AdapterKind,
    seed: Option<Arc<SeedInput>>,
    cache: Option<Arc<RelationCache>>,
}

fn runtime(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Runtime, message.into())
}

fn db_error(e: runner_adapters::AdapterError) -> Error {
    runtime(format!("Database Error\n  {e}"))
}

/// The template value of a response. dbt-duckdb reports only a message (`OK`), so DuckDB's
/// row counts are left out as there.
pub fn response_object(r: &AdapterResponse, kind: AdapterKind) -> Value {
    let rows_affected = match kind {
        AdapterKind::DuckDb => None,
        _ => r.rows_affected.and_then(|n| i64::try_from(n).ok()),
    };
    Value::from_object(Arc::new(AdapterResponseValue {
        message: r.message.clone(),
        code: r.code.clone(),
        rows_affected,
    }))
}

fn relation_arg<'a>(
    args: &'a [Value],
    kwargs: &'a Kwargs,
    i: usize,
    key: &str,
) -> Result<&'a Relation, Error> {
    args.get(i)
        .or_else(|| kwargs.get(key))
        .and_then(|v| v.downcast_object::<Relation>())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Type,
                format!("expected a Relation for argument '{key}'"),
            )
        })
}

fn str_arg(args: &[Value], kwargs: &Kwargs, i: usize, key: &str) -> Option<String> {
    args.get(i)
        .or_else(|| kwargs.get(key))
        .filter(|v| !v.is_none())
        .map(Value::to_python_str)
}

impl LiveSession {
    /// Wraps a connection; `seed` is the CSV when the node is a seed.
    pub fn new(conn: Box<dyn Connection>, seed: Option<Arc<SeedInput>>) -> LiveSession {
        let kind = conn.kind();
        LiveSession {
            conn: Mutex::new(conn),
            kind,
            seed,
            cache: None,
        }
    }

    /// Answers `get_relation` from the run's relation cache (and keeps it current).
    pub fn with_cache(mut self, cache: Arc<RelationCache>) -> LiveSession {
        self.cache = Some(cache);
        self
    }

    /// Records relations a materialization returned as built.
    pub fn relations_built(&self, relations: &[Relation]) {
        let Some(cache) = &self.cache else { return };
        let conn = self.conn();
        for r in relations {
            if let (Some(schema), Some(identifier)) = (r.schema.as_deref(), r.identifier.as_deref())
            {
                let kind = r.kind.as_deref().unwrap_or("table");
                cache.added(&**conn, r.database.as_deref(), schema, identifier, kind);
            }
        }
    }

    /// The connection, for the engine's own statements.
    pub fn conn(&self) -> MutexGuard<'_, Box<dyn Connection>> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Gives the connection back.
    pub fn into_connection(self) -> Box<dyn Connection> {
        self.conn
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The connection back from a finished render, unless something still holds the session or
    /// the connection broke (the worker then opens a new one).
    pub fn reclaim(session: Arc<LiveSession>) -> Option<Box<dyn Connection>> {
        Arc::try_unwrap(session)
            .ok()
            .map(LiveSession::into_connection)
            .filter(|c| !c.is_broken())
    }

    fn relation_value(
        &self,
        database: Option<&str>,
        schema: Option<&str>,
        name: &str,
        kind: &str,
    ) -> Value {
        let mut r = Relation::new(
            database.map(String::from),
            schema.map(String::from),
            Some(name.to_string()),
        );
        r.kind = Some(kind.to_string());
        r.into_value()
    }

    fn column_values(&self, state: &State, relation: &Relation) -> Result<Value, Error> {
        let infos = introspect::columns(&mut **self.conn(), relation).map_err(db_error)?;
        let class = runner_compile::context::column::column_class();
        let mut out = Vec::with_capacity(infos.len());
        for c in infos {
            let mut kw = Kwargs::new();
            kw.insert("column".into(), Value::from(c.name));
            kw.insert("dtype".into(), Value::from(c.data_type));
            kw.insert(
                "char_size".into(),
                c.char_size.map_or(Value::None, Value::Int),
            );
            kw.insert(
                "numeric_precision".into(),
                c.numeric_precision.map_or(Value::None, Value::Int),
            );
            kw.insert(
                "numeric_scale".into(),
                c.numeric_scale.map_or(Value::None, Value::Int),
            );
            out.push(state.call(&class, Vec::new(), kw)?);
        }
        Ok(Value::list(out))
    }

    fn call(
        &self,
        state: &State,
        name: &str,
        args: &[Value],
        kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        match name {
            "get_relation" => {
                let database = str_arg(args, kwargs, 0, "database");
                let schema = str_arg(args, kwargs, 1, "schema");
                let Some(identifier) = str_arg(args, kwargs, 2, "identifier") else {
                    return Ok(Value::None);
                };
                let at = Location {
                    database: database.as_deref(),
                    schema: schema.as_deref(),
                };
                let mut conn = self.conn();
                let found = match &self.cache {
                    Some(cache) => cache.find(&mut **conn, &at, &identifier),
                    None => introspect::find_relation(&mut **conn, &at, &identifier),
                }
                .map_err(db_error)?;
                drop(conn);
                Ok(match found {
                    Some((name, kind)) => {
                        self.relation_value(database.as_deref(), schema.as_deref(), &name, &kind)
                    }
                    None => Value::None,
                })
            }
            "get_columns_in_relation" => {
                let relation = relation_arg(args, kwargs, 0, "relation")?;
                self.column_values(state, relation)
            }
            "get_missing_columns" => {
                let from = relation_arg(args, kwargs, 0, "from_relation")?;
                let to = relation_arg(args, kwargs, 1, "to_relation")?;
                let existing: Vec<String> = introspect::columns(&mut **self.conn(), to)
                    .map_err(db_error)?
                    .into_iter()
                    .map(|c| c.name.to_lowercase())
                    .collect();
                let all = self.column_values(state, from)?;
                Ok(Value::list(
                    all.try_iter()?
                        .into_iter()
                        .filter(|c| {
                            let name = c.get_attr("name").to_python_str().to_lowercase();
                            !existing.contains(&name)
                        })
                        .collect(),
                ))
            }
            "list_relations_without_caching" => {
                let schema_relation = relation_arg(args, kwargs, 0, "schema_relation")?;
                let schema = schema_relation.schema.clone().unwrap_or_default();
                let database = schema_relation.database.clone();
                let found =
                    introspect::list_relations(&mut **self.conn(), database.as_deref(), &schema)
                        .map_err(db_error)?;
                Ok(Value::list(
                    found
                        .iter()
                        .map(|(n, k)| self.relation_value(database.as_deref(), Some(&schema), n, k))
                        .collect(),
                ))
            }
            "list_schemas" => {
                let schemas = introspect::list_schemas(&mut **self.conn()).map_err(db_error)?;
                Ok(Value::list(schemas.into_iter().map(Value::from).collect()))
            }
            "check_schema_exists" => {
                let schema = str_arg(args, kwargs, 1, "schema").unwrap_or_default();
                let schemas = introspect::list_schemas(&mut **self.conn()).map_err(db_error)?;
                Ok(Value::Bool(
                    schemas.iter().any(|s| s.eq_ignore_ascii_case(&schema)),
                ))
            }
            "already_exists" => {
                let schema = str_arg(args, kwargs, 0, "schema");
                let name = str_arg(args, kwargs, 1, "name").unwrap_or_default();
                let at = Location {
                    database: None,
                    schema: schema.as_deref(),
                };
                let found =
                    introspect::find_relation(&mut **self.conn(), &at, &name).map_err(db_error)?;
                Ok(Value::Bool(found.is_some()))
            }
            "create_schema" | "drop_schema" => {
                let relation = relation_arg(args, kwargs, 0, "relation")?;
                let Some(schema) = relation.schema.as_deref() else {
                    return Ok(Value::None);
                };
                let db = relation.database.as_deref();
                let mut conn = self.conn();
                if let Some(cache) = &self.cache {
                    cache.forget_schema(&**conn, db, schema);
                }
                if name == "create_schema" {
                    introspect::create_schema(&mut **conn, db, schema)
                } else {
                    introspect::drop_schema(&mut **conn, db, schema)
                }
                .map_err(db_error)?;
                Ok(Value::None)
            }
            "drop_relation" => {
                let relation = relation_arg(args, kwargs, 0, "relation")?;
                let mut conn = self.conn();
                introspect::drop_relation(&mut **conn, relation).map_err(db_error)?;
                if let (Some(cache), Some(schema), Some(identifier)) = (
                    &self.cache,
                    relation.schema.as_deref(),
                    relation.identifier.as_deref(),
                ) {
                    if self.kind == AdapterKind::DuckDb {
                        cache.dropped(&**conn, relation.database.as_deref(), schema, identifier);
                    } else {
                        cache.forget_all();
                    }
                }
                Ok(Value::None)
            }
            "rename_relation" => {
                let from = relation_arg(args, kwargs, 0, "from_relation")?;
                let to = relation_arg(args, kwargs, 1, "to_relation")?;
                let mut conn = self.conn();
                introspect::rename_relation(&mut **conn, from, to).map_err(db_error)?;
                if let (Some(cache), Some(schema), Some(a), Some(b)) = (
                    &self.cache,
                    from.schema.as_deref(),
                    from.identifier.as_deref(),
                    to.identifier.as_deref(),
                ) {
                    cache.renamed(&**conn, from.database.as_deref(), schema, a, b);
                }
                Ok(Value::None)
            }
            "truncate_relation" => {
                let relation = relation_arg(args, kwargs, 0, "relation")?;
                introspect::truncate_relation(&mut **self.conn(), relation).map_err(db_error)?;
                Ok(Value::None)
            }
            "execute" => {
                let sql = str_arg(args, kwargs, 0, "sql").unwrap_or_default();
                let auto_begin = kwargs.get("auto_begin").is_some_and(Value::is_true);
                let fetch = args
                    .get(2)
                    .or_else(|| kwargs.get("fetch"))
                    .is_some_and(Value::is_true);
                let outcome = self.execute(&sql, auto_begin, fetch)?;
                Ok(Value::tuple(vec![outcome.response, outcome.table]))
            }
            "commit" | "commit_if_has_connection" => {
                let mut conn = self.conn();
                if conn.in_transaction() {
                    conn.commit().map_err(db_error)?;
                }
                Ok(Value::None)
            }
            "begin" => {
                let mut conn = self.conn();
                if !conn.in_transaction() {
                    conn.begin().map_err(db_error)?;
                }
                Ok(Value::None)
            }
            "rollback" => {
                let mut conn = self.conn();
                if conn.in_transaction() {
                    conn.rollback().map_err(db_error)?;
                }
                Ok(Value::None)
            }
            "convert_type" | "quote_seed_column" | "load_seed_rows" => {
                crate::seed::adapter_method(self, state, name, args, kwargs)
            }
            _ => Err(runtime(format!("adapter.{name} is not handled"))),
        }
    }

    pub(crate) fn seed_input(&self) -> Option<&Arc<SeedInput>> {
        self.seed.as_ref()
    }

    pub(crate) fn kind(&self) -> AdapterKind {
        self.kind
    }
}

const WAREHOUSE_METHODS: &[&str] = &[
    "get_relation",
    "get_columns_in_relation",
    "get_missing_columns",
    "list_relations_without_caching",
    "list_schemas",
    "check_schema_exists",
    "already_exists",
    "create_schema",
    "drop_schema",
    "drop_relation",
    "rename_relation",
    "truncate_relation",
    "execute",
    "commit",
    "commit_if_has_connection",
    "begin",
    "rollback",
    "convert_type",
    "quote_seed_column",
    "load_seed_rows",
];

impl Session for LiveSession {
    fn execute(&self, sql: &str, auto_begin: bool, fetch: bool) -> Result<StatementOutcome, Error> {
        let mut conn = self.conn();
        if auto_begin && !conn.in_transaction() && !sql.trim().is_empty() {
            conn.begin().map_err(db_error)?;
        }
        if fetch {
            let (response, table) = conn.fetch(sql).map_err(db_error)?;
            let agate = AgateTable::from_table(&table);
            let data = agate.data();
            Ok(StatementOutcome {
                response: response_object(&response, self.kind),
                table: agate.into_value(),
                data,
            })
        } else {
            let response = conn.execute(sql).map_err(db_error)?;
            Ok(StatementOutcome {
                response: response_object(&response, self.kind),
                table: AgateTable::new(Vec::new(), Vec::new(), Vec::new()).into_value(),
                data: Value::list(Vec::new()),
            })
        }
    }

    fn adapter_method(
        &self,
        state: &State,
        name: &str,
        args: &[Value],
        kwargs: &Kwargs,
    ) -> Option<Result<Value, Error>> {
        WAREHOUSE_METHODS
            .contains(&name)
            .then(|| self.call(state, name, args, kwargs))
    }

    fn load_agate_table(&self) -> Result<Value, Error> {
        crate::seed::load_agate_table(self)
    }
}
