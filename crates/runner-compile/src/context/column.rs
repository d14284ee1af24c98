//! `api.Column`: the adapter's column class as templates see it. The class methods give type names
//! (`translate_type`, `numeric_type`, `string_type`) to dbt's cross-database type macros; `create` and
//! `from_description` build column values with dbt's `Column` properties (`data_type`, `quoted`,
//! `is_string()`, …). Postgres uses dbt-postgres' column rules, DuckDB dbt-duckdb's, Redshift dbt's base
//! class; the adapter is read from `target.type` at call time.

use std::sync::Arc;

use runner_jinja::{Error, ErrorKind, Kwargs, Object, State, Value};

fn err(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Runtime, msg.into())
}

/// dbt's `Column.TYPE_LABELS`, the same for every adapter runner supports.
const TYPE_LABELS: &[(&str, &str)] = &[("STRING", "TEXT")];

/// The value of `api.Column`.
pub fn column_class() -> Value {
    Value::from_object(Arc::new(ColumnClass))
}

/// Which adapter's column rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    /// dbt-postgres' `PostgresColumn`.
    Postgres,
    /// dbt-duckdb's `DuckDBColumn`.
    DuckDb,
    /// dbt's base `Column` (dbt-redshift's adapter uses it as is).
    Base,
}

impl Flavor {
    fn of(state: &State) -> Flavor {
        let adapter = state
            .lookup("target")
            .map(|t| t.get_item(&Value::from("type")).to_python_str())
            .unwrap_or_default();
        match adapter.as_str() {
            "postgres" => Flavor::Postgres,
            "duckdb" => Flavor::DuckDb,
            _ => Flavor::Base,
        }
    }

    fn class_name(self) -> &'static str {
        match self {
            Flavor::Postgres => "PostgresColumn",
            Flavor::DuckDb => "DuckDBColumn",
            Flavor::Base => "Column",
        }
    }
}

/// `Column.translate_type`: the adapter's name for a generic type label, else the label unchanged.
pub fn translate_type(dtype: &str) -> String {
    let upper = dtype.to_uppercase();
    TYPE_LABELS
        .iter()
        .find(|(label, _)| *label == upper)
        .map(|(_, name)| name.to_string())
        .unwrap_or_else(|| dtype.to_string())
}

/// `Column.numeric_type`: `dtype(precision,scale)`, or `dtype` when either is missing.
pub fn numeric_type(dtype: &str, precision: &Value, scale: &Value) -> String {
    if precision.is_none() || scale.is_none() || precision.is_undefined() || scale.is_undefined() {
        dtype.to_string()
    } else {
        format!(
            "{dtype}({},{})",
            precision.to_python_str(),
            scale.to_python_str()
        )
    }
}

/// `Column.string_type`.
pub fn string_type(size: &Value) -> String {
    format!("character varying({})", size.to_python_str())
}

fn arg<'a>(args: &'a [Value], kwargs: &'a Kwargs, i: usize, name: &str) -> Option<&'a Value> {
    args.get(i).or_else(|| kwargs.get(name))
}

fn str_arg(args: &[Value], kwargs: &Kwargs, i: usize, name: &str) -> Result<String, Error> {
    arg(args, kwargs, i, name)
        .map(Value::to_python_str)
        .ok_or_else(|| err(format!("Column: missing argument '{name}'")))
}

fn opt_int(v: Option<&Value>) -> Option<i64> {
    v.and_then(Value::as_int)
}

#[derive(Debug)]
struct ColumnClass;

impl Object for ColumnClass {
    fn type_name(&self) -> &str {
        "Column"
    }
    fn call(&self, state: &State, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
        Ok(Column {
            flavor: Flavor::of(state),
            column: str_arg(args, kwargs, 0, "column")?,
            dtype: str_arg(args, kwargs, 1, "dtype")?,
            char_size: opt_int(arg(args, kwargs, 2, "char_size")),
            numeric_precision: opt_int(arg(args, kwargs, 3, "numeric_precision")),
            numeric_scale: opt_int(arg(args, kwargs, 4, "numeric_scale")),
        }
        .into_value())
    }
    fn call_method(
        &self,
        state: &State,
        name: &str,
        args: &[Value],
        kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        match name {
            "translate_type" => Ok(Value::from(translate_type(&str_arg(
                args, kwargs, 0, "dtype",
            )?))),
            "numeric_type" => {
                let dtype = str_arg(args, kwargs, 0, "dtype")?;
                let precision = arg(args, kwargs, 1, "precision").unwrap_or(&Value::None);
                let scale = arg(args, kwargs, 2, "scale").unwrap_or(&Value::None);
                Ok(Value::from(numeric_type(&dtype, precision, scale)))
            }
            "string_type" => Ok(Value::from(string_type(
                arg(args, kwargs, 0, "size").unwrap_or(&Value::None),
            ))),
            "create" => {
                let label = str_arg(args, kwargs, 1, "label_or_dtype")?;
                Ok(Column::new(
                    Flavor::of(state),
                    str_arg(args, kwargs, 0, "name")?,
                    translate_type(&label),
                )
                .into_value())
            }
            "from_description" => Column::from_description(
                Flavor::of(state),
                str_arg(args, kwargs, 0, "name")?,
                &str_arg(args, kwargs, 1, "raw_data_type")?,
            )
            .map(Column::into_value),
            _ => Err(Error::new(
                ErrorKind::Undefined,
                format!("'Column' has no attribute '{name}'"),
            )),
        }
    }
    fn to_str(&self) -> String {
        "<class 'Column'>".into()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// One column: a name and a data type with optional size, precision and scale.
#[derive(Debug, Clone)]
pub struct Column {
    flavor: Flavor,
    column: String,
    dtype: String,
    char_size: Option<i64>,
    numeric_precision: Option<i64>,
    numeric_scale: Option<i64>,
}

impl Column {
    fn new(flavor: Flavor, column: String, dtype: String) -> Column {
        Column {
            flavor,
            column,
            dtype,
            char_size: None,
            numeric_precision: None,
            numeric_scale: None,
        }
    }

    /// `Column.from_description`: splits `varchar(10)` / `numeric(10,2)` into type and sizes.
    fn from_description(flavor: Flavor, name: String, raw: &str) -> Result<Column, Error> {
        let mut column = Column::new(flavor, name, raw.to_string());
        let Some(open) = raw.find('(') else {
            return Ok(column);
        };
        if open == 0 {
            return Err(err(format!("Could not interpret data type \"{raw}\"")));
        }
        column.dtype = raw[..open].to_string();
        let Some(close) = raw[open..].find(')').map(|c| open + c) else {
            return Ok(column);
        };
        let parse = |part: &str| -> Result<i64, Error> {
            part.trim().parse::<i64>().map_err(|_| {
                err(format!(
                    "Could not interpret data_type \"{raw}\": could not convert \"{part}\" to an integer"
                ))
            })
        };
        let parts: Vec<&str> = raw[open + 1..close].split(',').collect();
        match parts.as_slice() {
            [size] => column.char_size = Some(parse(size)?),
            [precision, scale] => {
                column.numeric_precision = Some(parse(precision)?);
                column.numeric_scale = Some(parse(scale)?);
            }
            _ => {}
        }
        Ok(column)
    }

    fn into_value(self) -> Value {
        Value::from_object(Arc::new(self))
    }

    fn lower(&self) -> String {
        self.dtype.to_lowercase()
    }

    fn is_string(&self) -> bool {
        matches!(
            self.lower().as_str(),
            "text" | "character varying" | "character" | "varchar"
        )
    }

    fn is_float(&self) -> bool {
        let t = self.lower();
        match self.flavor {
            Flavor::DuckDb => matches!(
                t.as_str(),
                "real" | "float" | "float4" | "float8" | "double"
            ),
            _ => matches!(
                t.as_str(),
                "real" | "float4" | "float" | "double precision" | "float8" | "double"
            ),
        }
    }

    fn is_integer(&self) -> bool {
        let t = self.lower();
        match self.flavor {
            Flavor::DuckDb => matches!(
                t.as_str(),
                "tinyint"
                    | "smallint"
                    | "integer"
                    | "bigint"
                    | "hugeint"
                    | "utinyint"
                    | "usmallint"
                    | "uinteger"
                    | "ubigint"
                    | "int1"
                    | "int2"
                    | "int4"
                    | "int8"
                    | "short"
                    | "int"
                    | "signed"
                    | "long"
            ),
            _ => matches!(
                t.as_str(),
                "smallint"
                    | "integer"
                    | "bigint"
                    | "smallserial"
                    | "serial"
                    | "bigserial"
                    | "int2"
                    | "int4"
                    | "int8"
                    | "serial2"
                    | "serial4"
                    | "serial8"
            ),
        }
    }

    fn is_numeric(&self) -> bool {
        matches!(self.lower().as_str(), "numeric" | "decimal")
    }

    fn string_size(&self) -> Result<i64, Error> {
        if !self.is_string() {
            return Err(err("Called string_size() on non-string field!"));
        }
        Ok(match self.char_size {
            Some(n) if self.dtype != "text" => n,
            _ => 256,
        })
    }

    fn data_type(&self) -> String {
        let t = self.lower();
        if self.flavor == Flavor::Postgres
            && (t == "text" || (t == "character varying" && self.char_size.is_none()))
        {
            return self.dtype.clone();
        }
        if self.is_string() {
            string_type(&Value::Int(self.string_size().unwrap_or(256)))
        } else if self.is_numeric() {
            let opt = |v: Option<i64>| v.map(Value::Int).unwrap_or(Value::None);
            numeric_type(
                &self.dtype,
                &opt(self.numeric_precision),
                &opt(self.numeric_scale),
            )
        } else {
            self.dtype.clone()
        }
    }
}

fn py_opt(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_else(|| "None".into())
}

impl Object for Column {
    fn type_name(&self) -> &str {
        self.flavor.class_name()
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        let opt = |v: Option<i64>| v.map(Value::Int).unwrap_or(Value::None);
        Some(match name {
            "name" | "column" => Value::from(self.column.as_str()),
            "dtype" => Value::from(self.dtype.as_str()),
            "char_size" => opt(self.char_size),
            "numeric_precision" => opt(self.numeric_precision),
            "numeric_scale" => opt(self.numeric_scale),
            "quoted" => Value::from(format!("\"{}\"", self.column)),
            "data_type" | "expanded_data_type" => Value::from(self.data_type()),
            _ => return None,
        })
    }
    fn call_method(
        &self,
        _state: &State,
        name: &str,
        args: &[Value],
        _kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        match name {
            "is_string" => Ok(Value::Bool(self.is_string())),
            "is_float" => Ok(Value::Bool(self.is_float())),
            "is_integer" => Ok(Value::Bool(self.is_integer())),
            "is_numeric" => Ok(Value::Bool(self.is_numeric())),
            "is_number" => Ok(Value::Bool(
                self.is_integer() || self.is_numeric() || self.is_float(),
            )),
            "string_size" => self.string_size().map(Value::Int),
            "can_expand_to" => {
                let other = args
                    .first()
                    .and_then(|v| v.downcast_object::<Column>())
                    .ok_or_else(|| err("can_expand_to() takes a column"))?;
                Ok(Value::Bool(
                    self.is_string()
                        && other.is_string()
                        && other.string_size()? > self.string_size()?,
                ))
            }
            "literal" => Ok(Value::from(format!(
                "{}::{}",
                args.first().map(Value::to_python_str).unwrap_or_default(),
                self.data_type()
            ))),
            _ => Err(Error::new(
                ErrorKind::Undefined,
                format!("'{}' has no attribute '{name}'", self.type_name()),
            )),
        }
    }
    fn to_str(&self) -> String {
        let fields = if self.flavor == Flavor::DuckDb {
            ", fields=[]"
        } else {
            ""
        };
        format!(
            "{}(column='{}', dtype='{}', char_size={}, numeric_precision={}, numeric_scale={}{fields})",
            self.flavor.class_name(),
            self.column,
            self.dtype,
            py_opt(self.char_size),
            py_opt(self.numeric_precision),
            py_opt(self.numeric_scale),
        )
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
