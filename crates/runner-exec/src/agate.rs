//! Query results as templates see them: an agate-like table (`columns`, `column_names`, `rows`,
//! rows indexable by position and by name, `print_table`), built from the adapter's typed [`Table`].

use std::sync::Arc;

use runner_adapters::{Cell, Table};
use runner_jinja::{Error, ErrorKind, Kwargs, Object, State, Value};

/// A result table: column names, agate type names, and rows of template values.
#[derive(Debug)]
pub struct AgateTable {
    names: Vec<String>,
    types: Vec<String>,
    rows: Vec<Arc<AgateRow>>,
}

/// One row; `row[0]` and `row['name']` both work, as in agate.
#[derive(Debug)]
pub struct AgateRow {
    names: Arc<Vec<String>>,
    values: Vec<Value>,
}

/// One column of a table: `name`, `values()`, `data_type`.
#[derive(Debug)]
struct AgateColumn {
    name: String,
    data_type: String,
    values: Vec<Value>,
}

/// `table.columns`: indexable by position and by name, iterable.
#[derive(Debug)]
struct AgateColumns(Vec<Arc<AgateColumn>>);

/// A query cell as the value Python's driver would have produced.
pub fn cell_value(cell: &Cell) -> Value {
    match cell {
        Cell::Null => Value::None,
        Cell::Bool(b) => Value::Bool(*b),
        Cell::Integer(i) => Value::Int(*i),
        // agate turns numerics into Decimal; whole ones print without a fraction.
        Cell::Decimal(text) => match text.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => text
                .parse::<f64>()
                .map(Value::Float)
                .unwrap_or_else(|_| Value::from(text.as_str())),
        },
        Cell::Float(f) => Value::Float(*f),
        Cell::Text(s) | Cell::Json(s) => Value::from(s.as_str()),
        Cell::Date(d) => runner_compile::modules::date_value(*d),
        Cell::Time(t) => Value::from(t.to_string()),
        Cell::Timestamp(t) => runner_compile::modules::naive_datetime_value(*t),
        Cell::TimestampTz(t) => runner_compile::modules::utc_datetime(t.to_utc()),
        Cell::Bytes(b) => Value::from(String::from_utf8_lossy(b).into_owned()),
    }
}

fn agate_type(cell_types: impl Iterator<Item = Option<&'static str>>) -> String {
    cell_types.flatten().next().unwrap_or("Text").to_string()
}

fn cell_type(cell: &Cell) -> Option<&'static str> {
    Some(match cell {
        Cell::Null => return None,
        Cell::Bool(_) => "Boolean",
        Cell::Integer(_) | Cell::Decimal(_) | Cell::Float(_) => "Number",
        Cell::Date(_) => "Date",
        Cell::Timestamp(_) | Cell::TimestampTz(_) => "DateTime",
        _ => "Text",
    })
}

impl AgateTable {
    /// A table from a query result.
    pub fn from_table(table: &Table) -> AgateTable {
        let names: Vec<String> = table.column_names().iter().map(|s| s.to_string()).collect();
        let types = (0..names.len())
            .map(|c| agate_type(table.rows.iter().map(|r| cell_type(&r[c]))))
            .collect();
        let rows = table
            .rows
            .iter()
            .map(|r| r.iter().map(cell_value).collect())
            .collect();
        AgateTable::new(names, types, rows)
    }

    /// A table from values (seeds build theirs this way).
    pub fn new(names: Vec<String>, types: Vec<String>, rows: Vec<Vec<Value>>) -> AgateTable {
        let shared = Arc::new(names.clone());
        AgateTable {
            names,
            types,
            rows: rows
                .into_iter()
                .map(|values| {
                    Arc::new(AgateRow {
                        names: shared.clone(),
                        values,
                    })
                })
                .collect(),
        }
    }

    /// The table as a template value.
    pub fn into_value(self) -> Value {
        Value::from_object(Arc::new(self))
    }

    /// `load_result(...)['data']`: the rows as a list of tuples.
    pub fn data(&self) -> Value {
        Value::list(
            self.rows
                .iter()
                .map(|r| Value::tuple(r.values.clone()))
                .collect(),
        )
    }

    fn columns(&self) -> AgateColumns {
        AgateColumns(
            self.names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    Arc::new(AgateColumn {
                        name: name.clone(),
                        data_type: self.types[i].clone(),
                        values: self.rows.iter().map(|r| r.values[i].clone()).collect(),
                    })
                })
                .collect(),
        )
    }

    fn render_text(&self, max_rows: usize) -> String {
        let mut lines = vec![format!("| {} |", self.names.join(" | "))];
        for row in self.rows.iter().take(max_rows) {
            let cells: Vec<String> = row.values.iter().map(Value::to_python_str).collect();
            lines.push(format!("| {} |", cells.join(" | ")));
        }
        lines.join("\n")
    }
}

fn index_of(names: &[String], key: &Value) -> Option<usize> {
    match key {
        Value::Int(i) => {
            let len = names.len() as i64;
            let i = if *i < 0 { len + i } else { *i };
            (0..len).contains(&i).then_some(i as usize)
        }
        _ => key.as_str().and_then(|k| names.iter().position(|n| n == k)),
    }
}

impl Object for AgateTable {
    fn type_name(&self) -> &str {
        "Table"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        Some(match name {
            "column_names" => {
                Value::tuple(self.names.iter().map(|n| Value::from(n.as_str())).collect())
            }
            "column_types" => {
                Value::tuple(self.types.iter().map(|n| Value::from(n.as_str())).collect())
            }
            "rows" => Value::list(
                self.rows
                    .iter()
                    .map(|r| Value::from_object(r.clone()))
                    .collect(),
            ),
            "columns" => Value::from_object(Arc::new(self.columns())),
            _ => return None,
        })
    }
    fn call_method(
        &self,
        _state: &State,
        name: &str,
        _args: &[Value],
        kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        match name {
            "print_table" => {
                let max_rows = kwargs
                    .get("max_rows")
                    .and_then(Value::as_int)
                    .map_or(20, |n| usize::try_from(n).unwrap_or(0));
                println!("{}", self.render_text(max_rows));
                Ok(Value::None)
            }
            _ => match self.get_attr(name) {
                Some(_) => Err(Error::new(
                    ErrorKind::Type,
                    format!("'Table.{name}' is not callable"),
                )),
                None => Err(Error::new(
                    ErrorKind::Undefined,
                    format!("'Table' object has no attribute '{name}'"),
                )),
            },
        }
    }
    fn iter(&self) -> Option<Vec<Value>> {
        Some(
            self.rows
                .iter()
                .map(|r| Value::from_object(r.clone()))
                .collect(),
        )
    }
    fn len(&self) -> Option<usize> {
        Some(self.rows.len())
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Object for AgateRow {
    fn type_name(&self) -> &str {
        "Row"
    }
    fn get_item(&self, key: &Value) -> Option<Value> {
        index_of(&self.names, key).map(|i| self.values[i].clone())
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| self.values[i].clone())
    }
    fn call_method(
        &self,
        _state: &State,
        name: &str,
        _args: &[Value],
        _kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        match name {
            "values" => Ok(Value::tuple(self.values.clone())),
            "keys" => Ok(Value::tuple(
                self.names.iter().map(|n| Value::from(n.as_str())).collect(),
            )),
            "items" => Ok(Value::list(
                self.names
                    .iter()
                    .zip(&self.values)
                    .map(|(n, v)| Value::tuple(vec![Value::from(n.as_str()), v.clone()]))
                    .collect(),
            )),
            _ => Err(Error::new(
                ErrorKind::Undefined,
                format!("'Row' object has no attribute '{name}'"),
            )),
        }
    }
    fn iter(&self) -> Option<Vec<Value>> {
        Some(self.values.clone())
    }
    fn len(&self) -> Option<usize> {
        Some(self.values.len())
    }
    fn to_str(&self) -> String {
        Value::tuple(self.values.clone()).to_python_str()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Object for AgateColumn {
    fn type_name(&self) -> &str {
        "Column"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        Some(match name {
            "name" => Value::from(self.name.as_str()),
            "data_type" => Value::from(self.data_type.as_str()),
            _ => return None,
        })
    }
    fn call_method(
        &self,
        _state: &State,
        name: &str,
        _args: &[Value],
        _kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        match name {
            "values" => Ok(Value::tuple(self.values.clone())),
            "values_distinct" => {
                let mut out: Vec<Value> = Vec::new();
                for v in &self.values {
                    if !out.contains(v) {
                        out.push(v.clone());
                    }
                }
                Ok(Value::tuple(out))
            }
            "values_without_nulls" => Ok(Value::tuple(
                self.values
                    .iter()
                    .filter(|v| !v.is_none())
                    .cloned()
                    .collect(),
            )),
            _ => Err(Error::new(
                ErrorKind::Undefined,
                format!("'Column' object has no attribute '{name}'"),
            )),
        }
    }
    fn iter(&self) -> Option<Vec<Value>> {
        Some(self.values.clone())
    }
    fn len(&self) -> Option<usize> {
        Some(self.values.len())
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Object for AgateColumns {
    fn type_name(&self) -> &str {
        "MappedSequence"
    }
    fn call_method(
        &self,
        _state: &State,
        name: &str,
        _args: &[Value],
        _kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        let columns = || self.0.iter().map(|c| Value::from_object(c.clone()));
        let names = || self.0.iter().map(|c| Value::from(c.name.as_str()));
        match name {
            "keys" => Ok(Value::tuple(names().collect())),
            "values" => Ok(Value::tuple(columns().collect())),
            "items" => Ok(Value::list(
                names()
                    .zip(columns())
                    .map(|(n, c)| Value::tuple(vec![n, c]))
                    .collect(),
            )),
            _ => Err(Error::new(
                ErrorKind::Undefined,
                format!("'MappedSequence' object has no attribute '{name}'"),
            )),
        }
    }
    fn get_item(&self, key: &Value) -> Option<Value> {
        let names: Vec<String> = self.0.iter().map(|c| c.name.clone()).collect();
        index_of(&names, key).map(|i| Value::from_object(self.0[i].clone()))
    }
    fn iter(&self) -> Option<Vec<Value>> {
        Some(
            self.0
                .iter()
                .map(|c| Value::from_object(c.clone()))
                .collect(),
        )
    }
    fn len(&self) -> Option<usize> {
        Some(self.0.len())
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
