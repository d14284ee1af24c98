//! dbt seeds: reading a seed CSV exactly as dbt-core 1.x does (agate behind
//! `dbt_common.clients.agate_helper.from_csv`), the column type each adapter creates for the
//! inferred agate type, and the SQL the bulk loaders need (see [`crate::Connection::load_rows`]).
//!
//! The reading rules, learnt from dbt-common, agate and Python's `csv`:
//! - one leading UTF-8 BOM is dropped; `\r\n` and `\r` become `\n` (the file is opened in text
//!   mode), also inside quoted fields; the CSV dialect is Python's `excel` with the seed's delimiter;
//! - the header row names the columns: an empty name becomes `a`, `b`, … (by position) and
//!   duplicates get `_2`, `_3`; a blank line is a row of NULLs; a short row is padded with NULLs;
//!   a long row is an error;
//! - dbt tests the types Integer (its own, which no CSV text passes), Number, Date `%Y-%m-%d`,
//!   DateTime `%Y-%m-%d %H:%M:%S`, ISO-8601 date-time, Boolean (`true`/`false` only) and Text in
//!   that order; a column takes the first type every value casts to. The null values are only
//!   `""` and `null` (any case, after trimming whitespace), for every type.
//!
//! Values come out as the text dbt-postgres inserts for them (see [`SeedTable::rows`]). dbt-duckdb
//! loads seeds differently by default (DuckDB's own CSV reader via `COPY … FROM 'file'`), which
//! differs for text `null`, blank lines, `\r\n` inside quotes and infinities; `load_rows` on DuckDB
//! gives the agate values, like dbt-duckdb's `fast: false`.

mod csv;
mod datetime;
mod infer;
mod iso_time;
mod load;
mod number;

use std::path::Path;

use crate::config::AdapterKind;
use crate::error::{AdapterError, Result};

pub use load::insert_sql;
pub(crate) use load::{
    check_shape, column_list, copy_csv_rows, has_utc_offset, insert_rows, is_naive_timestamp,
};

/// A seed file as dbt reads it: named, typed columns and every row's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedTable {
    /// Columns in file order, named as agate names them (deduplicated, blanks lettered).
    pub columns: Vec<SeedColumn>,
    /// Rows in file order, each as wide as `columns`. `None` is NULL. Other values are the text of
    /// agate's cast value as dbt-postgres sends it: Number as Python's `str(Decimal)` (plain
    /// digits when the column is an integer column; `NaN` for any non-finite value, as psycopg2
    /// sends it), Boolean `true`/`false`, Date `YYYY-MM-DD`, date-times in Python's
    /// `isoformat()` (`YYYY-MM-DDTHH:MM:SS[.ffffff][+HH:MM]`), Text unchanged (not trimmed).
    pub rows: Vec<Vec<Option<String>>>,
}

impl SeedTable {
    /// The table `--empty` loads: the file's columns and inferred types, no rows. Sizes measured
    /// over rows start again from none, as agate's aggregates over an empty table give them, so
    /// a Number column is `integer` and a Redshift Text one `varchar(64)`, as in dbt.
    pub fn without_rows(mut self) -> SeedTable {
        self.rows.clear();
        for column in &mut self.columns {
            match &mut column.data_type {
                SeedType::Number { max_precision } => *max_precision = 0,
                SeedType::Text { max_bytes } => *max_bytes = 0,
                _ => {}
            }
        }
        self
    }
}

/// One seed column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedColumn {
    /// The column name.
    pub name: String,
    /// The type dbt inferred.
    pub data_type: SeedType,
}

/// The agate type dbt inferred for a seed column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeedType {
    /// dbt's own `Integer`, which no CSV text casts to: only a column no row has a field for
    /// (a header-only file, or every row too short) keeps it.
    Integer,
    /// agate `Number`; `max_precision` is the most decimal places of any finite value after
    /// trailing zeros are dropped (`1.50` has 1, `2.00` and `1E+3` have 0).
    Number {
        /// Most decimal places; 0 makes an `integer` column, more a `float8` one.
        max_precision: u32,
    },
    /// agate `Date` with format `%Y-%m-%d`.
    Date,
    /// agate `DateTime` with format `%Y-%m-%d %H:%M:%S`.
    DateTime,
    /// dbt's `ISODateTime`: any ISO-8601 date-time `isodate.parse_datetime` accepts.
    IsoDateTime,
    /// agate `Boolean` with true value `true` and false value `false` (any case).
    Boolean,
    /// agate `Text`; `max_bytes` is the longest value's UTF-8 length (0 when all are NULL),
    /// which dbt-redshift uses for `varchar(n)`.
    Text {
        /// Longest value in UTF-8 bytes.
        max_bytes: usize,
    },
}

impl SeedType {
    /// The agate class name: `Integer`, `Number`, `Date`, `DateTime`, `ISODateTime`, `Boolean`, `Text`.
    pub fn agate_name(&self) -> &'static str {
        match self {
            SeedType::Integer => "Integer",
            SeedType::Number { .. } => "Number",
            SeedType::Date => "Date",
            SeedType::DateTime => "DateTime",
            SeedType::IsoDateTime => "ISODateTime",
            SeedType::Boolean => "Boolean",
            SeedType::Text { .. } => "Text",
        }
    }

    /// The column type `adapter.convert_type` gives (what `create_csv_table` writes).
    ///
    /// Postgres and DuckDB both use dbt-adapters' `SQLAdapter` conversions (dbt-duckdb overrides
    /// none): `integer`, `float8` when a Number has decimals else `integer`, `boolean`, `date`,
    /// `timestamp without time zone`, `text`. Redshift (dbt-redshift, not installed here; taken
    /// from its `impl.py`) differs only for Text: `varchar(n)` with n the longest value in UTF-8
    /// bytes, `varchar(64)` when the column has no values.
    pub fn sql_type(&self, kind: AdapterKind) -> String {
        match self {
            SeedType::Integer => "integer".into(),
            SeedType::Number { max_precision: 0 } => "integer".into(),
            SeedType::Number { .. } => "float8".into(),
            SeedType::Date => "date".into(),
            SeedType::DateTime | SeedType::IsoDateTime => "timestamp without time zone".into(),
            SeedType::Boolean => "boolean".into(),
            SeedType::Text { max_bytes } => match kind {
                AdapterKind::Redshift => {
                    format!("varchar({})", if *max_bytes == 0 { 64 } else { *max_bytes })
                }
                AdapterKind::Postgres | AdapterKind::DuckDb => "text".into(),
            },
        }
    }
}

/// Reads a seed CSV's text as dbt does (see the module docs); `delimiter` is the seed's
/// `delimiter` config (`b','` by default).
pub fn read_seed_csv(text: &str, delimiter: u8) -> Result<SeedTable> {
    read_seed_csv_with(text, delimiter, &[])
}

/// [`read_seed_csv`] with the names of columns the seed's `column_types` config sets: dbt reads
/// those as Text (no inference, values unchanged) and creates them with the configured type.
/// Names not in the header row are ignored, as dbt ignores them.
pub fn read_seed_csv_with(text: &str, delimiter: u8, text_columns: &[String]) -> Result<SeedTable> {
    let records = csv::parse(text, delimiter)?;
    infer::build(records, text_columns)
}

/// Reads a seed file (UTF-8, as dbt opens it) with [`read_seed_csv_with`]; errors name the file.
pub fn read_seed_file(path: &Path, delimiter: u8, text_columns: &[String]) -> Result<SeedTable> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| AdapterError::SeedCsv {
        file: Some(file.clone()),
        line: None,
        message: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| AdapterError::SeedCsv {
        file: Some(file.clone()),
        line: Some(line_of_offset(e.as_bytes(), e.utf8_error().valid_up_to())),
        message: format!("not valid UTF-8: {}", e.utf8_error()),
    })?;
    read_seed_csv_with(&text, delimiter, text_columns).map_err(|e| match e {
        AdapterError::SeedCsv { line, message, .. } => AdapterError::SeedCsv {
            file: Some(file),
            line,
            message,
        },
        other => other,
    })
}

/// The 1-based line holding byte `offset`.
fn line_of_offset(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}
