//! Bulk loading on DuckDB with the appender: each row's text values go to the appender as
//! VARCHAR and DuckDB casts them to the column types (its own cast rules: a UTC offset on a
//! `TIMESTAMP` value is dropped, as it is when dbt-duckdb loads a seed), NULL stays NULL.

use super::DuckDbConnection;
use crate::catalog::Relation;
use crate::config::AdapterKind;
use crate::error::{AdapterError, Result};
use crate::seed;

impl DuckDbConnection {
    /// `load_rows` through an appender on the named columns.
    pub(super) fn load(
        &mut self,
        relation: &Relation,
        columns: &[String],
        types: &[String],
        rows: &[Vec<Option<String>>],
    ) -> Result<u64> {
        seed::check_shape(AdapterKind::DuckDb, relation, columns, types, rows)?;
        if rows.is_empty() {
            return Ok(0);
        }
        let error = |row: Option<usize>, e: duckdb::Error| AdapterError::Load {
            relation: relation.render(AdapterKind::DuckDb),
            row,
            message: e.to_string(),
        };
        let names: Vec<&str> = columns.iter().map(String::as_str).collect();
        let mut appender = self
            .conn
            .appender_with_columns_to_catalog_and_db(
                &relation.identifier,
                &relation.database,
                &relation.schema,
                &names,
            )
            .map_err(|e| error(None, e))?;
        for (index, row) in rows.iter().enumerate() {
            appender
                .append_row(duckdb::appender_params_from_iter(row))
                .map_err(|e| error(Some(index + 1), e))?;
        }
        // Constraint violations surface here; dropping the appender would swallow them.
        appender.flush().map_err(|e| error(None, e))?;
        Ok(u64::try_from(rows.len()).unwrap_or(u64::MAX))
    }
}
