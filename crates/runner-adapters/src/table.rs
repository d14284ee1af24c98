//! Query results as data: [`Table`] (column names, type names, rows of typed [`Cell`]s) that will
//! back dbt's agate tables, and [`AdapterResponse`], dbt's `adapter_response`.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

/// What a statement reported, as dbt's `AdapterResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterResponse {
    /// The status text: Postgres's command tag (`CREATE TABLE`, `SELECT 3`, `INSERT 0 5`); `OK` on DuckDB.
    pub message: String,
    /// The tag without its counts (`INSERT`, `SELECT`); `None` on DuckDB, as dbt-duckdb has it.
    pub code: Option<String>,
    /// Rows the statement touched or returned, when the engine says (dbt writes `-1` for `None`).
    pub rows_affected: Option<u64>,
}

impl AdapterResponse {
    /// Builds a response from a Postgres command tag: `INSERT 0 5` → code `INSERT`, 5 rows.
    pub fn from_command_tag(tag: &str) -> AdapterResponse {
        let words: Vec<&str> = tag.split_whitespace().collect();
        let counted = matches!(
            words.first().copied(),
            Some("SELECT" | "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "COPY" | "FETCH" | "MOVE")
        );
        let rows_affected = if counted {
            words.last().and_then(|w| w.parse::<u64>().ok())
        } else {
            None
        };
        let code = words
            .iter()
            .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        AdapterResponse {
            message: tag.to_string(),
            code: Some(code),
            rows_affected,
        }
    }
}

/// One value of a result row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// SQL NULL.
    Null,
    /// boolean.
    Bool(bool),
    /// Integers that fit in 64 bits (smallint, integer, bigint, oid, …).
    Integer(i64),
    /// Exact numbers as the engine printed them (numeric/decimal, and integers beyond 64 bits):
    /// `12345678901234567890.123456789`. Kept as text so no precision is lost.
    Decimal(String),
    /// real / double precision (and `NaN`, `Infinity` of numeric).
    Float(f64),
    /// Character types, and anything without a dedicated variant (uuid, interval, arrays, …), as text.
    Text(String),
    /// date.
    Date(NaiveDate),
    /// time of day.
    Time(NaiveTime),
    /// timestamp without time zone.
    Timestamp(NaiveDateTime),
    /// timestamp with time zone.
    TimestampTz(DateTime<FixedOffset>),
    /// json / jsonb, as its text.
    Json(String),
    /// bytea / BLOB.
    Bytes(Vec<u8>),
}

impl Cell {
    /// True for SQL NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Cell::Null)
    }

    /// The value as an `i64` when it is an integer (or integral text/decimal).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Cell::Integer(i) => Some(*i),
            Cell::Decimal(s) | Cell::Text(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// The value as a string slice, for text, decimals and json.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Cell::Text(s) | Cell::Decimal(s) | Cell::Json(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Null => f.write_str(""),
            Cell::Bool(b) => write!(f, "{b}"),
            Cell::Integer(i) => write!(f, "{i}"),
            Cell::Decimal(s) | Cell::Text(s) | Cell::Json(s) => f.write_str(s),
            Cell::Float(x) => write!(f, "{x}"),
            Cell::Date(d) => write!(f, "{d}"),
            Cell::Time(t) => write!(f, "{t}"),
            Cell::Timestamp(t) => write!(f, "{t}"),
            Cell::TimestampTz(t) => write!(f, "{t}"),
            Cell::Bytes(b) => {
                f.write_str("\\x")?;
                b.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
            }
        }
    }
}

/// A result column: its name and the engine's type name (`integer`, `numeric`, `DECIMAL(18,3)`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Column name as the engine returned it.
    pub name: String,
    /// The engine's name for the column's type.
    pub type_name: String,
}

/// A whole result set in memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Columns in result order.
    pub columns: Vec<Column>,
    /// Rows; each has one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// Column names in order.
    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// Index of the first column named `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The cell at `row`, `column`.
    pub fn get(&self, row: usize, column: usize) -> Option<&Cell> {
        self.rows.get(row)?.get(column)
    }

    /// The cell at `row` in the column named `name`.
    pub fn get_by_name(&self, row: usize, name: &str) -> Option<&Cell> {
        self.get(row, self.column_index(name)?)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
