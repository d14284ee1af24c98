//! The [`Connection`] trait every engine implements (execute, fetch, transactions, catalog helpers)
//! and the [`CancelHandle`] that stops a running statement from another thread.

use std::sync::Arc;

use crate::catalog::{self, ColumnInfo, Relation};
use crate::config::AdapterKind;
use crate::error::Result;
use crate::postgres::PgCancel;
use crate::seed;
use crate::table::{AdapterResponse, Table};

/// One open session with a warehouse. Synchronous: each call blocks until the engine answers.
///
/// A string may hold several statements separated by `;` (dbt sends `begin; …; commit;` batches);
/// the response and table are those of the last statement.
pub trait Connection: Send {
    /// Which warehouse this is.
    fn kind(&self) -> AdapterKind;

    /// The database (catalog) this session works in: Postgres's `dbname`, DuckDB's catalog name.
    fn database(&self) -> &str;

    /// Runs SQL and returns what the last statement reported.
    fn execute(&mut self, sql: &str) -> Result<AdapterResponse>;

    /// Runs SQL and returns the last statement's response and result rows.
    fn fetch(&mut self, sql: &str) -> Result<(AdapterResponse, Table)>;

    /// True while a transaction is open (after `begin`, before `commit`/`rollback`).
    fn in_transaction(&self) -> bool;

    /// True once the session can no longer be used (the socket broke); the pool drops such connections.
    fn is_broken(&self) -> bool {
        false
    }

    /// A handle that cancels this session's running statement from any thread.
    fn cancel_handle(&self) -> CancelHandle;

    /// Runs SQL and returns the last statement's rows (dbt's `run_query`).
    fn query(&mut self, sql: &str) -> Result<Table> {
        Ok(self.fetch(sql)?.1)
    }

    /// Opens a transaction.
    fn begin(&mut self) -> Result<()> {
        self.execute("begin").map(drop)
    }

    /// Commits the open transaction.
    fn commit(&mut self) -> Result<()> {
        self.execute("commit").map(drop)
    }

    /// Rolls back the open transaction.
    fn rollback(&mut self) -> Result<()> {
        self.execute("rollback").map(drop)
    }

    /// Schema names in this database (dbt's `list_schemas`).
    fn list_schemas(&mut self) -> Result<Vec<String>> {
        catalog::list_schemas(self)
    }

    /// True when `schema` exists in this database (dbt's `check_schema_exists`).
    fn schema_exists(&mut self, schema: &str) -> Result<bool> {
        catalog::schema_exists(self, schema)
    }

    /// Creates `schema` if it does not exist.
    fn create_schema(&mut self, schema: &str) -> Result<()> {
        catalog::create_schema(self, schema)
    }

    /// Drops `schema` and everything in it, if it exists.
    fn drop_schema(&mut self, schema: &str) -> Result<()> {
        catalog::drop_schema(self, schema)
    }

    /// Tables, views and materialized views in `schema` (dbt's `list_relations_without_caching`).
    fn list_relations(&mut self, schema: &str) -> Result<Vec<Relation>> {
        catalog::list_relations(self, schema)
    }

    /// Columns of a relation in order (dbt's `get_columns_in_relation`); empty if it does not exist.
    fn get_columns_in_relation(&mut self, relation: &Relation) -> Result<Vec<ColumnInfo>> {
        catalog::columns_in_relation(self, relation)
    }

    /// Drops a relation if it exists (with `cascade` on Postgres/Redshift).
    fn drop_relation(&mut self, relation: &Relation) -> Result<()> {
        catalog::drop_relation(self, relation)
    }

    /// Renames a relation within its schema.
    fn rename_relation(&mut self, relation: &Relation, new_identifier: &str) -> Result<()> {
        catalog::rename_relation(self, relation, new_identifier)
    }

    /// Bulk-inserts `rows` into the existing table `relation` and returns how many were loaded
    /// (the seed load; rows usually come from [`crate::SeedTable::rows`]).
    ///
    /// `columns` are plain column names as the table has them (this crate quotes them), `types`
    /// their SQL types in the same order (as created or as `information_schema` reports them),
    /// and each row has one value per column: `None` is NULL, other values are text the column
    /// type's input accepts. A value with a UTC offset for a `timestamp without time zone` column
    /// is converted to the session time zone on Postgres and Redshift (as a `timestamptz` would
    /// be), while DuckDB drops the offset, as its casts do.
    ///
    /// Postgres streams the rows with `COPY … FROM STDIN (format csv)`; Redshift, which has no
    /// COPY from the client, runs multi-row INSERTs with literals ([`crate::insert_sql`]); DuckDB
    /// uses its appender, which casts each text value to the column's type. Runs inside the open
    /// transaction, if any (dbt loads seeds inside one); without one, a failed load can leave
    /// earlier INSERT batches (Redshift) or appender flushes (DuckDB) behind, while COPY is atomic.
    fn load_rows(
        &mut self,
        relation: &Relation,
        columns: &[String],
        types: &[String],
        rows: &[Vec<Option<String>>],
    ) -> Result<u64> {
        seed::insert_rows(self, relation, columns, types, rows)
    }
}

/// Cancels the statement running on one connection; cheap to clone and usable from any thread.
/// Cancelling when nothing runs does nothing.
#[derive(Clone)]
pub struct CancelHandle(CancelInner);

#[derive(Clone)]
enum CancelInner {
    Postgres(Arc<PgCancel>),
    DuckDb(Arc<duckdb::InterruptHandle>),
}

impl CancelHandle {
    pub(crate) fn postgres(cancel: PgCancel) -> CancelHandle {
        CancelHandle(CancelInner::Postgres(Arc::new(cancel)))
    }

    pub(crate) fn duckdb(handle: Arc<duckdb::InterruptHandle>) -> CancelHandle {
        CancelHandle(CancelInner::DuckDb(handle))
    }

    /// Asks the engine to stop the running statement; it then fails with an error whose
    /// [`crate::AdapterError::is_cancelled`] is true. On Postgres this opens a short-lived
    /// connection to send the cancel request.
    pub fn cancel(&self) -> Result<()> {
        match &self.0 {
            CancelInner::Postgres(cancel) => cancel.cancel(),
            CancelInner::DuckDb(handle) => {
                handle.interrupt();
                Ok(())
            }
        }
    }
}

impl std::fmt::Debug for CancelHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            CancelInner::Postgres(c) => write!(f, "CancelHandle(postgres {})", c.endpoint()),
            CancelInner::DuckDb(_) => f.write_str("CancelHandle(duckdb)"),
        }
    }
}
