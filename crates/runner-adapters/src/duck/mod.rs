//! Embedded DuckDB: [`DuckDbDatabase`] opens the file (`:memory:` or `md:` paths too) with the
//! profile's settings and extensions once per process, and hands out [`DuckDbConnection`]s that
//! share it, one per worker thread; `load` bulk-loads rows with the appender. With the
//! `runtime-duckdb` feature `library` loads libduckdb.so on the first open.

#[cfg(feature = "runtime-duckdb")]
mod library;
mod load;
mod values;

use std::path::Path;
use std::sync::{Mutex, PoisonError};

use crate::catalog::Relation;
use crate::config::{AdapterKind, DuckDbConfig, DuckDbExtension};
use crate::connection::{CancelHandle, Connection};
use crate::error::{AdapterError, Result, sql_first_line};
use crate::table::{AdapterResponse, Cell, Column, Table};

/// An open DuckDB database; connections made from it share its catalog and extensions.
pub struct DuckDbDatabase {
    primary: Mutex<duckdb::Connection>,
    path: String,
    catalog: String,
}

impl DuckDbDatabase {
    /// Opens the database with the profile's settings, then installs and loads its extensions.
    pub fn open(config: &DuckDbConfig) -> Result<DuckDbDatabase> {
        // Every duckdb call below, `Config` included, goes through the loaded library.
        #[cfg(feature = "runtime-duckdb")]
        library::ensure_loaded()?;
        let path = config.path.clone();
        let open_error = |message: String| AdapterError::Connect {
            endpoint: format!("duckdb {path}"),
            message,
        };
        let mut flags = duckdb::Config::default();
        for (key, value) in &config.settings {
            flags = flags
                .with(key, value)
                .map_err(|e| open_error(format!("setting `{key}` = `{value}`: {e}")))?;
        }
        let conn = if path.is_empty() || path == ":memory:" {
            duckdb::Connection::open_in_memory_with_flags(flags)
        } else {
            if !path.contains(':')
                && let Some(parent) = Path::new(&path)
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
            {
                std::fs::create_dir_all(parent)
                    .map_err(|e| open_error(format!("creating {}: {e}", parent.display())))?;
            }
            duckdb::Connection::open_with_flags(&path, flags)
        }
        .map_err(|e| open_error(e.to_string()))?;
        for extension in &config.extensions {
            load_extension(&conn, extension).map_err(open_error)?;
        }
        let catalog: String = conn
            .query_row("select current_database()", [], |row| row.get(0))
            .map_err(|e| open_error(e.to_string()))?;
        Ok(DuckDbDatabase {
            primary: Mutex::new(conn),
            path,
            catalog,
        })
    }

    /// The catalog name DuckDB gives the database (the file's stem, `memory`, …).
    pub fn catalog(&self) -> &str {
        &self.catalog
    }

    /// A new connection to this database.
    pub fn connect(&self) -> Result<DuckDbConnection> {
        let primary = self.primary.lock().unwrap_or_else(PoisonError::into_inner);
        let conn = primary.try_clone().map_err(|e| AdapterError::Connect {
            endpoint: format!("duckdb {}", self.path),
            message: e.to_string(),
        })?;
        Ok(DuckDbConnection {
            conn,
            path: self.path.clone(),
            catalog: self.catalog.clone(),
        })
    }
}

/// `LOAD`s an extension, installing it first only when it is not already available (built in or
/// installed earlier), so profiles that list built-in extensions need no network.
fn load_extension(
    conn: &duckdb::Connection,
    extension: &DuckDbExtension,
) -> std::result::Result<(), String> {
    let plain = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let name = &extension.name;
    if !plain(name) {
        return Err(format!("extension name `{name}` is not a plain identifier"));
    }
    if conn.execute_batch(&format!("LOAD {name}")).is_ok() {
        return Ok(());
    }
    let from = match extension.repo.as_deref() {
        None => String::new(),
        Some(repo) if plain(repo) => format!(" FROM {repo}"),
        Some(repo) => format!(" FROM {}", crate::catalog::quote_literal(repo)),
    };
    conn.execute_batch(&format!("INSTALL {name}{from}; LOAD {name};"))
        .map_err(|e| format!("extension `{name}`: {e}"))
}

/// One session on a [`DuckDbDatabase`].
pub struct DuckDbConnection {
    conn: duckdb::Connection,
    path: String,
    catalog: String,
}

impl DuckDbConnection {
    fn error(&self, error: &duckdb::Error, sql: &str) -> AdapterError {
        AdapterError::Database {
            endpoint: format!("duckdb {}", self.path),
            sqlstate: None,
            message: error.to_string(),
            detail: None,
            sql: sql_first_line(sql),
        }
    }

    fn ok(rows_affected: Option<u64>) -> AdapterResponse {
        AdapterResponse {
            message: "OK".into(),
            code: None,
            rows_affected,
        }
    }
}

/// True for SQL with nothing to run (blank, only comments or semicolons), which DuckDB refuses
/// to prepare while Postgres answers it with an empty response.
fn is_blank_sql(sql: &str) -> bool {
    let mut rest = sql.trim_start_matches(|c: char| c.is_whitespace() || c == ';');
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.find('\n').map_or("", |i| &after[i..]);
        } else if let Some(after) = rest.strip_prefix("/*") {
            match after.find("*/") {
                Some(i) => rest = &after[i + 2..],
                None => return false,
            }
        } else {
            return false;
        }
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ';');
    }
    true
}

impl Connection for DuckDbConnection {
    fn kind(&self) -> AdapterKind {
        AdapterKind::DuckDb
    }

    fn database(&self) -> &str {
        &self.catalog
    }

    fn execute(&mut self, sql: &str) -> Result<AdapterResponse> {
        if is_blank_sql(sql) {
            return Ok(Self::ok(None));
        }
        // `prepare` runs every statement but the last, which it prepares.
        let mut statement = self.conn.prepare(sql).map_err(|e| self.error(&e, sql))?;
        let changed = statement.execute([]).map_err(|e| self.error(&e, sql))?;
        Ok(Self::ok(u64::try_from(changed).ok()))
    }

    fn fetch(&mut self, sql: &str) -> Result<(AdapterResponse, Table)> {
        if is_blank_sql(sql) {
            return Ok((Self::ok(None), Table::default()));
        }
        let mut statement = self.conn.prepare(sql).map_err(|e| self.error(&e, sql))?;
        let mut rows = statement.query([]).map_err(|e| self.error(&e, sql))?;
        let (columns, logical) = match rows.as_ref() {
            Some(stmt) => {
                let count = stmt.column_count();
                let names = stmt.column_names();
                let mut columns = Vec::with_capacity(count);
                let mut logical = Vec::with_capacity(count);
                for (index, name) in names.into_iter().enumerate().take(count) {
                    let handle = stmt.column_logical_type(index);
                    let type_name = values::type_name(&handle);
                    logical.push((handle.try_id().ok(), type_name == "JSON"));
                    columns.push(Column { name, type_name });
                }
                (columns, logical)
            }
            None => (Vec::new(), Vec::new()),
        };
        let mut table = Table {
            columns,
            rows: Vec::new(),
        };
        while let Some(row) = rows.next().map_err(|e| self.error(&e, sql))? {
            let mut cells = Vec::with_capacity(logical.len());
            for (index, (id, is_json)) in logical.iter().enumerate() {
                let value = row.get_ref(index).map_err(|e| self.error(&e, sql))?;
                cells.push(values::to_cell(value, *id, *is_json));
            }
            table.rows.push(cells);
        }
        // DML returns one `Count` row; report it like Postgres's row count.
        let rows_affected = match (table.column_names().as_slice(), table.rows.as_slice()) {
            (["Count"], [row]) => row
                .first()
                .and_then(Cell::as_i64)
                .and_then(|n| u64::try_from(n).ok()),
            _ => u64::try_from(table.rows.len()).ok(),
        };
        Ok((Self::ok(rows_affected), table))
    }

    fn in_transaction(&self) -> bool {
        // The C API does not say; in autocommit mode every statement gets a new transaction id,
        // inside `begin … commit` they share one. A failed transaction refuses queries: also open.
        let txid = || {
            self.conn
                .query_row("select txid_current()", [], |row| row.get::<_, i64>(0))
        };
        match (txid(), txid()) {
            (Ok(first), Ok(second)) => first == second,
            _ => true,
        }
    }

    fn cancel_handle(&self) -> CancelHandle {
        CancelHandle::duckdb(self.conn.interrupt_handle())
    }

    fn load_rows(
        &mut self,
        relation: &Relation,
        columns: &[String],
        types: &[String],
        rows: &[Vec<Option<String>>],
    ) -> Result<u64> {
        self.load(relation, columns, types, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::is_blank_sql;

    #[test]
    fn blank_sql_is_only_whitespace_comments_and_semicolons() {
        assert!(is_blank_sql(""));
        assert!(is_blank_sql(" ;\n-- a comment\n/* block */ ;"));
        assert!(!is_blank_sql("-- comment\nselect 1"));
        assert!(!is_blank_sql("/* unterminated"));
    }
}
