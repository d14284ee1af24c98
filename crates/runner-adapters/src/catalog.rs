//! Catalog helpers dbt's adapters expose (schemas, relations, columns, drop, rename), written once
//! as SQL for each engine's catalog views, plus identifier and literal quoting.

use crate::config::AdapterKind;
use crate::connection::Connection;
use crate::error::Result;
use crate::table::{Cell, Table};

/// What kind of object a relation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RelationType {
    /// A table.
    Table,
    /// A view.
    View,
    /// A materialized view.
    MaterializedView,
}

impl RelationType {
    /// dbt's spelling: `table`, `view`, `materialized_view`.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationType::Table => "table",
            RelationType::View => "view",
            RelationType::MaterializedView => "materialized_view",
        }
    }

    fn sql_keyword(self) -> &'static str {
        match self {
            RelationType::Table => "table",
            RelationType::View => "view",
            RelationType::MaterializedView => "materialized view",
        }
    }
}

/// A table or view, as dbt's `Relation`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Relation {
    /// Database (catalog).
    pub database: String,
    /// Schema.
    pub schema: String,
    /// Name within the schema.
    pub identifier: String,
    /// Table, view or materialized view.
    pub relation_type: RelationType,
}

impl Relation {
    /// The quoted name for SQL: `"schema"."name"` on Postgres/Redshift, `"db"."schema"."name"` on DuckDB.
    pub fn render(&self, kind: AdapterKind) -> String {
        let tail = format!(
            "{}.{}",
            quote_identifier(&self.schema),
            quote_identifier(&self.identifier)
        );
        match kind {
            AdapterKind::DuckDb => format!("{}.{tail}", quote_identifier(&self.database)),
            AdapterKind::Postgres | AdapterKind::Redshift => tail,
        }
    }
}

/// A column as dbt's `get_columns_in_relation` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    /// Column name.
    pub name: String,
    /// Type from `information_schema.columns.data_type` (`integer`, `character varying`, `DECIMAL(18,3)`…).
    pub data_type: String,
    /// `character_maximum_length`.
    pub char_size: Option<i64>,
    /// `numeric_precision`.
    pub numeric_precision: Option<i64>,
    /// `numeric_scale`.
    pub numeric_scale: Option<i64>,
}

/// Double-quotes an identifier, doubling embedded quotes.
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Single-quotes a string literal, doubling embedded quotes.
pub fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

fn strings(table: &Table, column: usize) -> Vec<String> {
    table
        .rows
        .iter()
        .filter_map(|row| row.get(column).and_then(Cell::as_str).map(str::to_string))
        .collect()
}

pub(crate) fn list_schemas<C: Connection + ?Sized>(conn: &mut C) -> Result<Vec<String>> {
    let sql = match conn.kind() {
        AdapterKind::DuckDb => format!(
            "select schema_name from information_schema.schemata where catalog_name = {} order by 1",
            quote_literal(conn.database())
        ),
        AdapterKind::Postgres | AdapterKind::Redshift => {
            "select distinct nspname from pg_catalog.pg_namespace order by 1".to_string()
        }
    };
    Ok(strings(&conn.query(&sql)?, 0))
}

pub(crate) fn schema_exists<C: Connection + ?Sized>(conn: &mut C, schema: &str) -> Result<bool> {
    Ok(list_schemas(conn)?.iter().any(|s| s == schema))
}

pub(crate) fn create_schema<C: Connection + ?Sized>(conn: &mut C, schema: &str) -> Result<()> {
    let sql = format!("create schema if not exists {}", schema_name(conn, schema));
    conn.execute(&sql).map(drop)
}

pub(crate) fn drop_schema<C: Connection + ?Sized>(conn: &mut C, schema: &str) -> Result<()> {
    let sql = format!(
        "drop schema if exists {} cascade",
        schema_name(conn, schema)
    );
    conn.execute(&sql).map(drop)
}

fn schema_name<C: Connection + ?Sized>(conn: &C, schema: &str) -> String {
    match conn.kind() {
        AdapterKind::DuckDb => format!(
            "{}.{}",
            quote_identifier(conn.database()),
            quote_identifier(schema)
        ),
        AdapterKind::Postgres | AdapterKind::Redshift => quote_identifier(schema),
    }
}

pub(crate) fn list_relations<C: Connection + ?Sized>(
    conn: &mut C,
    schema: &str,
) -> Result<Vec<Relation>> {
    let s = quote_literal(schema);
    let sql = match conn.kind() {
        AdapterKind::DuckDb => format!(
            "select table_name, case when table_type = 'VIEW' then 'view' else 'table' end \
             from information_schema.tables where table_schema = {s} and table_catalog = {} order by 1",
            quote_literal(conn.database())
        ),
        AdapterKind::Postgres => format!(
            "select tablename, 'table' from pg_catalog.pg_tables where schemaname = {s} \
             union all select viewname, 'view' from pg_catalog.pg_views where schemaname = {s} \
             union all select matviewname, 'materialized_view' from pg_catalog.pg_matviews where schemaname = {s} \
             order by 1"
        ),
        AdapterKind::Redshift => format!(
            "select tablename, 'table' from pg_catalog.pg_tables where schemaname = {s} \
             union all select viewname, 'view' from pg_catalog.pg_views where schemaname = {s} order by 1"
        ),
    };
    let table = conn.query(&sql)?;
    let database = conn.database().to_string();
    Ok(table
        .rows
        .iter()
        .filter_map(|row| {
            let name = row.first()?.as_str()?;
            let relation_type = match row.get(1)?.as_str()? {
                "view" => RelationType::View,
                "materialized_view" => RelationType::MaterializedView,
                _ => RelationType::Table,
            };
            Some(Relation {
                database: database.clone(),
                schema: schema.to_string(),
                identifier: name.to_string(),
                relation_type,
            })
        })
        .collect())
}

pub(crate) fn columns_in_relation<C: Connection + ?Sized>(
    conn: &mut C,
    relation: &Relation,
) -> Result<Vec<ColumnInfo>> {
    let catalog_filter = match conn.kind() {
        AdapterKind::DuckDb => {
            format!(" and table_catalog = {}", quote_literal(&relation.database))
        }
        AdapterKind::Postgres | AdapterKind::Redshift => String::new(),
    };
    let sql = format!(
        "select column_name, data_type, character_maximum_length, numeric_precision, numeric_scale \
         from information_schema.columns where table_schema = {} and table_name = {}{catalog_filter} \
         order by ordinal_position",
        quote_literal(&relation.schema),
        quote_literal(&relation.identifier)
    );
    Ok(column_infos(&conn.query(&sql)?))
}

/// Columns from the rows of an `information_schema.columns` query selecting `column_name,
/// data_type, character_maximum_length, numeric_precision, numeric_scale`, in that order.
pub fn column_infos(table: &Table) -> Vec<ColumnInfo> {
    table
        .rows
        .iter()
        .filter_map(|row| {
            Some(ColumnInfo {
                name: row.first()?.as_str()?.to_string(),
                data_type: row.get(1)?.as_str()?.to_string(),
                char_size: row.get(2).and_then(Cell::as_i64),
                numeric_precision: row.get(3).and_then(Cell::as_i64),
                numeric_scale: row.get(4).and_then(Cell::as_i64),
            })
        })
        .collect()
}

pub(crate) fn drop_relation<C: Connection + ?Sized>(
    conn: &mut C,
    relation: &Relation,
) -> Result<()> {
    let kind = conn.kind();
    let cascade = if kind == AdapterKind::DuckDb {
        ""
    } else {
        " cascade"
    };
    let sql = format!(
        "drop {} if exists {}{cascade}",
        relation.relation_type.sql_keyword(),
        relation.render(kind)
    );
    conn.execute(&sql).map(drop)
}

pub(crate) fn rename_relation<C: Connection + ?Sized>(
    conn: &mut C,
    relation: &Relation,
    new_identifier: &str,
) -> Result<()> {
    let sql = format!(
        "alter {} {} rename to {}",
        relation.relation_type.sql_keyword(),
        relation.render(conn.kind()),
        quote_identifier(new_identifier)
    );
    conn.execute(&sql).map(drop)
}
