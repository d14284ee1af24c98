//! Seeds at run time: the CSV behind `load_agate_table()`, the column types dbt would infer
//! (`adapter.convert_type`), seed column quoting, and the bulk load (`adapter.load_seed_rows`).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use runner_adapters::{RelationType, SeedTable};
use runner_compile::relation::Relation;
use runner_jinja::{Error, ErrorKind, Kwargs, State, Value};

use crate::agate::AgateTable;
use crate::session::LiveSession;

/// The CSV file of the seed being run.
pub struct SeedInput {
    /// The file on disk.
    pub path: PathBuf,
    /// Path as shown in errors (relative to the project).
    pub display_path: String,
    /// Field delimiter (`delimiter` config, default `,`).
    pub delimiter: u8,
    /// `--empty`: the table keeps the columns and types the file gives, and no rows.
    pub empty: bool,
    parsed: OnceLock<Result<Arc<SeedTable>, String>>,
}

impl SeedInput {
    /// A seed file to read on first use.
    pub fn new(path: PathBuf, display_path: String, delimiter: u8) -> SeedInput {
        SeedInput {
            path,
            display_path,
            delimiter,
            empty: false,
            parsed: OnceLock::new(),
        }
    }

    /// The parsed CSV (read once).
    pub fn table(&self) -> Result<Arc<SeedTable>, Error> {
        self.parsed
            .get_or_init(|| {
                let text = std::fs::read_to_string(&self.path)
                    .map_err(|e| format!("{}: {e}", self.display_path))?;
                let table = runner_adapters::read_seed_csv(&text, self.delimiter)
                    .map_err(|e| format!("{}: {e}", self.display_path))?;
                // Types come from every row, as dbt limits the agate table only after reading it.
                Ok(Arc::new(if self.empty {
                    table.without_rows()
                } else {
                    table
                }))
            })
            .clone()
            .map_err(|m| Error::new(ErrorKind::Runtime, m))
    }
}

fn runtime(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Runtime, message.into())
}

fn seed_of(session: &LiveSession) -> Result<Arc<SeedTable>, Error> {
    session
        .seed_input()
        .ok_or_else(|| runtime("this adapter method is only available while running a seed"))?
        .table()
}

/// `load_agate_table()`: the CSV's rows, as text (or none), with agate's type names.
pub fn load_agate_table(session: &LiveSession) -> Result<Value, Error> {
    let table = seed_of(session)?;
    let names = table.columns.iter().map(|c| c.name.clone()).collect();
    let types = table
        .columns
        .iter()
        .map(|c| c.data_type.agate_name().to_string())
        .collect();
    let rows = table
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|cell| cell.as_deref().map_or(Value::None, Value::from))
                .collect()
        })
        .collect();
    Ok(AgateTable::new(names, types, rows).into_value())
}

/// `adapter.convert_type`, `adapter.quote_seed_column`, `adapter.load_seed_rows`.
pub fn adapter_method(
    session: &LiveSession,
    _state: &State,
    name: &str,
    args: &[Value],
    kwargs: &Kwargs,
) -> Result<Value, Error> {
    match name {
        "convert_type" => {
            let table = seed_of(session)?;
            let index = args
                .get(1)
                .or_else(|| kwargs.get("col_idx"))
                .and_then(Value::as_int)
                .and_then(|i| usize::try_from(i).ok())
                .ok_or_else(|| runtime("convert_type(table, index) takes a column index"))?;
            let column = table
                .columns
                .get(index)
                .ok_or_else(|| runtime(format!("seed has no column {index}")))?;
            Ok(Value::from(column.data_type.sql_type(session.kind())))
        }
        "quote_seed_column" => {
            let column = args.first().map(Value::to_python_str).unwrap_or_default();
            let quote = match args.get(1).or_else(|| kwargs.get("quote_config")) {
                None | Some(Value::None) => true,
                Some(Value::Bool(b)) => *b,
                Some(other) => {
                    return Err(runtime(format!(
                        "The seed configuration value of \"quote_columns\" has an invalid type {}",
                        other.type_name()
                    )));
                }
            };
            Ok(Value::from(if quote {
                runner_adapters::quote_identifier(&column)
            } else {
                column
            }))
        }
        "load_seed_rows" => {
            let relation = args
                .first()
                .and_then(|v| v.downcast_object::<Relation>())
                .ok_or_else(|| runtime("load_seed_rows takes the seed's relation"))?;
            let table = seed_of(session)?;
            let mut conn = session.conn();
            // The table as created (names folded or quoted per `quote_columns`, types with
            // `column_types` overrides) is what the rows go into.
            let (names, types): (Vec<String>, Vec<String>) =
                crate::introspect::columns(&mut **conn, relation)
                    .map_err(|e| runtime(format!("Database Error\n  {e}")))?
                    .into_iter()
                    .map(|c| (c.name, c.data_type))
                    .unzip();
            let target = runner_adapters::Relation {
                database: relation
                    .database
                    .clone()
                    .unwrap_or_else(|| conn.database().to_string()),
                schema: relation.schema.clone().unwrap_or_default(),
                identifier: relation.identifier.clone().unwrap_or_default(),
                relation_type: RelationType::Table,
            };
            let loaded = conn
                .load_rows(&target, &names, &types, &table.rows)
                .map_err(|e| runtime(format!("Database Error\n  {e}")))?;
            Ok(Value::Int(i64::try_from(loaded).unwrap_or(i64::MAX)))
        }
        _ => Err(runtime(format!("adapter.{name} is not handled"))),
    }
}
