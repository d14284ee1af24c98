//! The catalog query: every table and view in a set of schemas with its columns, in one statement
//! per engine, as the dbt adapters' catalog macros report them.
//!
//! What each engine reports, and why (checked against dbt-postgres 1.11 and dbt-duckdb 1.11):
//! - Postgres and Redshift read `pg_catalog`: the relation type is `BASE TABLE`, `VIEW` or
//!   `MATERIALIZED VIEW`, column types are `format_type()` text (`integer`, `character
//!   varying(10)`, `timestamp without time zone`), comments come from `obj_description` /
//!   `col_description` and the owner is the role owning the relation. Temporary relations are
//!   left out. (Redshift's late-binding views have no columns there and its table statistics are
//!   not read: dbt-redshift reads both from Redshift-only views we cannot test.)
//! - DuckDB reads `duckdb_tables()`, `duckdb_views()` and `duckdb_columns()`: `BASE TABLE` or
//!   `VIEW`, DuckDB's type names (`INTEGER`, `VARCHAR`, `DECIMAL(18,3)`), comments, no owner.
//!
//! Rows come back ordered by database, schema, relation name and column position; dbt fills
//! `catalog.json` in its query's order, so the file follows the same order.

use runner_adapters::{AdapterKind, Cell, Connection, quote_literal};

use crate::{DocsError, Result};

/// A relation's `metadata` in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableMetadata {
    /// `BASE TABLE`, `VIEW` or `MATERIALIZED VIEW`.
    pub table_type: String,
    /// Schema, as the warehouse spells it.
    pub schema: String,
    /// Relation name, as the warehouse spells it.
    pub name: String,
    /// Database (catalog).
    pub database: String,
    /// The relation's comment.
    pub comment: Option<String>,
    /// The owning role (Postgres, Redshift).
    pub owner: Option<String>,
}

/// One column of a relation in the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogColumn {
    /// Column name, as the warehouse spells it.
    pub name: String,
    /// 1-based position.
    pub index: i64,
    /// The engine's type text.
    pub data_type: String,
    /// The column's comment.
    pub comment: Option<String>,
}

/// A relation the warehouse reported, with its columns in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogTable {
    /// Type, names, comment, owner.
    pub metadata: TableMetadata,
    /// Columns by position.
    pub columns: Vec<CatalogColumn>,
}

/// Reads the catalog of `schemas` (pairs of database and schema, matched case-insensitively, as
/// dbt does). On Postgres and Redshift a session sees one database, so schemas of other databases
/// are not read.
pub fn fetch(conn: &mut dyn Connection, schemas: &[(String, String)]) -> Result<Vec<CatalogTable>> {
    let kind = conn.kind();
    let current = conn.database().to_lowercase();
    let wanted: Vec<&(String, String)> = schemas
        .iter()
        .filter(|(db, _)| kind == AdapterKind::DuckDb || db.to_lowercase() == current)
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let sql = match kind {
        AdapterKind::DuckDb => duckdb_sql(&wanted),
        AdapterKind::Postgres => postgres_sql(conn.database(), &wanted, true),
        AdapterKind::Redshift => postgres_sql(conn.database(), &wanted, false),
    };
    let scope = wanted
        .iter()
        .map(|(db, s)| format!("\"{db}\".\"{s}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let table = conn
        .query(&sql)
        .map_err(|source| DocsError::Query { scope, source })?;
    let engine = format!("{kind:?}");
    let mut out: Vec<CatalogTable> = Vec::new();
    for row in &table.rows {
        let (metadata, column) = parse_row(row).ok_or_else(|| DocsError::Row {
            engine: engine.clone(),
            message: format!("{row:?}"),
        })?;
        match out.last_mut() {
            Some(last) if last.metadata == metadata => last.columns.push(column),
            _ => out.push(CatalogTable {
                metadata,
                columns: vec![column],
            }),
        }
    }
    Ok(out)
}

/// Every query selects the same ten columns, in this order.
fn parse_row(row: &[Cell]) -> Option<(TableMetadata, CatalogColumn)> {
    let text = |i: usize| row.get(i).and_then(Cell::as_str).map(str::to_string);
    let metadata = TableMetadata {
        database: text(0)?,
        schema: text(1)?,
        name: text(2)?,
        table_type: text(3)?,
        comment: text(4),
        owner: text(5),
    };
    let column = CatalogColumn {
        name: text(6)?,
        index: row.get(7).and_then(Cell::as_i64)?,
        data_type: text(8)?,
        comment: text(9),
    };
    Some((metadata, column))
}

fn duckdb_sql(schemas: &[&(String, String)]) -> String {
    let filter = schemas
        .iter()
        .map(|(db, s)| {
            format!(
                "(lower(r.database_name) = {} and lower(r.schema_name) = {})",
                quote_literal(&db.to_lowercase()),
                quote_literal(&s.to_lowercase())
            )
        })
        .collect::<Vec<_>>()
        .join(" or ");
    // Views' columns are in duckdb_columns() too; internal views (information_schema, pg_catalog)
    // live in the system catalogs, which no project builds into, and the filter drops them.
    format!(
        "with relations as (\n\
         \x20 select database_name, schema_name, table_name as relation_name, 'BASE TABLE' as relation_type, comment from duckdb_tables()\n\
         \x20 union all\n\
         \x20 select database_name, schema_name, view_name, 'VIEW', comment from duckdb_views()\n\
         )\n\
         select r.database_name, r.schema_name, r.relation_name, r.relation_type, r.comment, \
         cast(null as varchar) as owner, c.column_name, c.column_index, c.data_type, c.comment\n\
         from relations r\n\
         join duckdb_columns() c on c.database_name = r.database_name and c.schema_name = r.schema_name \
         and c.table_name = r.relation_name\n\
         where {filter}\n\
         order by r.database_name, r.schema_name, r.relation_name, c.column_index"
    )
}

/// `persistence`: filter on `relpersistence`, which Redshift's older `pg_class` does not have (its
/// temporary tables live in `pg_temp_*` schemas, which the schema filter leaves out anyway).
fn postgres_sql(database: &str, schemas: &[&(String, String)], persistence: bool) -> String {
    let list = schemas
        .iter()
        .map(|(_, s)| quote_literal(&s.to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ");
    // relkind: ordinary, view, materialized view, foreign, partitioned; relpersistence p/u keeps
    // temporary tables (another session's work) out.
    let persistence = if persistence {
        " and c.relpersistence in ('p', 'u')"
    } else {
        ""
    };
    format!(
        "select {db}::text, n.nspname::text, c.relname::text,\n\
         \x20 case c.relkind when 'v' then 'VIEW' when 'm' then 'MATERIALIZED VIEW' else 'BASE TABLE' end,\n\
         \x20 pg_catalog.obj_description(c.oid, 'pg_class'), pg_catalog.pg_get_userbyid(c.relowner)::text,\n\
         \x20 a.attname::text, a.attnum::integer, pg_catalog.format_type(a.atttypid, a.atttypmod),\n\
         \x20 pg_catalog.col_description(c.oid, a.attnum)\n\
         from pg_catalog.pg_class c\n\
         join pg_catalog.pg_namespace n on n.oid = c.relnamespace\n\
         join pg_catalog.pg_attribute a on a.attrelid = c.oid\n\
         where lower(n.nspname) in ({list})\n\
         \x20 and c.relkind in ('r', 'v', 'm', 'f', 'p'){persistence}\n\
         \x20 and a.attnum > 0 and not a.attisdropped\n\
         order by n.nspname, c.relname, a.attnum",
        db = quote_literal(database)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_parse_with_nulls_for_comments_and_owner() {
        let row = vec![
            Cell::Text("db".into()),
            Cell::Text("main".into()),
            Cell::Text("orders".into()),
            Cell::Text("VIEW".into()),
            Cell::Null,
            Cell::Null,
            Cell::Text("id".into()),
            Cell::Integer(1),
            Cell::Text("INTEGER".into()),
            Cell::Text("the key".into()),
        ];
        let (meta, col) = parse_row(&row).unwrap();
        assert_eq!(meta.comment, None);
        assert_eq!(meta.owner, None);
        assert_eq!(col.index, 1);
        assert_eq!(col.comment.as_deref(), Some("the key"));
        // A row without a column name is a query bug, not an empty column.
        let mut broken = row.clone();
        broken[6] = Cell::Null;
        assert!(parse_row(&broken).is_none());
    }

    #[test]
    fn schema_names_are_quoted_as_literals() {
        let pair = ("db".to_string(), "O'Brien".to_string());
        let sql = postgres_sql("db", &[&pair], true);
        assert!(sql.contains("in ('o''brien')"), "{sql}");
        assert!(sql.contains("relpersistence"), "{sql}");
        assert!(!postgres_sql("db", &[&pair], false).contains("relpersistence"));
        let sql = duckdb_sql(&[&pair]);
        assert!(sql.contains("lower(r.schema_name) = 'o''brien'"), "{sql}");
    }
}
