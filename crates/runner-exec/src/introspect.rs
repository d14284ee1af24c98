//! Catalog questions and DDL for template relations: find one relation, list a schema, read columns,
//! drop, rename, truncate, create schemas. Each answers from the warehouse (no cache), so what a
//! materialization sees is always what exists.

use runner_adapters::{
    AdapterKind, ColumnInfo, Connection, Result, quote_identifier, quote_literal,
};
use runner_compile::relation::Relation;

/// Where a relation lives, as the catalog queries need it.
pub struct Location<'a> {
    /// Database (catalog), if named.
    pub database: Option<&'a str>,
    /// Schema; `None` means the session's temporary schema.
    pub schema: Option<&'a str>,
}

/// Finds `identifier` in a schema; returns its exact name and dbt type (`table`, `view`,
/// `materialized_view`).
pub fn find_relation(
    conn: &mut dyn Connection,
    at: &Location,
    identifier: &str,
) -> Result<Option<(String, String)>> {
    let ident = quote_literal(identifier);
    let sql = match (conn.kind(), at.schema) {
        (AdapterKind::DuckDb, schema) => {
            let (catalog, schema_filter) = match schema {
                Some(s) => (
                    at.database.unwrap_or(conn.database()).to_string(),
                    format!(" and table_schema = {}", quote_literal(s)),
                ),
                None => ("temp".to_string(), String::new()),
            };
            format!(
                "select table_name, case when table_type = 'VIEW' then 'view' else 'table' end \
                 from information_schema.tables where table_catalog = {}{schema_filter} \
                 and table_name = {ident}",
                quote_literal(&catalog)
            )
        }
        (_, schema) => {
            let schema_filter = match schema {
                Some(s) => format!("n.nspname = {}", quote_literal(s)),
                None => "n.oid = pg_catalog.pg_my_temp_schema()".to_string(),
            };
            format!(
                "select c.relname, case c.relkind when 'v' then 'view' when 'm' then 'materialized_view' \
                 else 'table' end from pg_catalog.pg_class c \
                 join pg_catalog.pg_namespace n on n.oid = c.relnamespace \
                 where {schema_filter} and c.relname = {ident} and c.relkind in ('r', 'v', 'm', 'p', 'f')"
            )
        }
    };
    let table = conn.query(&sql)?;
    Ok(table.rows.first().and_then(|row| {
        Some((
            row.first()?.as_str()?.to_string(),
            row.get(1)?.as_str()?.to_string(),
        ))
    }))
}

/// The relations of a schema, with their types.
pub fn list_relations(
    conn: &mut dyn Connection,
    database: Option<&str>,
    schema: &str,
) -> Result<Vec<(String, String)>> {
    let s = quote_literal(schema);
    let sql = match conn.kind() {
        AdapterKind::DuckDb => format!(
            "select table_name, case when table_type = 'VIEW' then 'view' else 'table' end \
             from information_schema.tables where table_schema = {s} and table_catalog = {} order by 1",
            quote_literal(database.unwrap_or(conn.database()))
        ),
        _ => format!(
            "select c.relname, case c.relkind when 'v' then 'view' when 'm' then 'materialized_view' \
             else 'table' end from pg_catalog.pg_class c \
             join pg_catalog.pg_namespace n on n.oid = c.relnamespace \
             where n.nspname = {s} and c.relkind in ('r', 'v', 'm', 'p', 'f') order by 1"
        ),
    };
    let table = conn.query(&sql)?;
    Ok(table
        .rows
        .iter()
        .filter_map(|row| {
            Some((
                row.first()?.as_str()?.to_string(),
                row.get(1)?.as_str()?.to_string(),
            ))
        })
        .collect())
}

/// Columns of a relation in order; empty when it does not exist.
pub fn columns(conn: &mut dyn Connection, relation: &Relation) -> Result<Vec<ColumnInfo>> {
    let Some(identifier) = relation.identifier.as_deref() else {
        return Ok(Vec::new());
    };
    let location = match (conn.kind(), relation.schema.as_deref()) {
        (AdapterKind::DuckDb, Some(s)) => format!(
            "table_catalog = {} and table_schema = {}",
            quote_literal(relation.database.as_deref().unwrap_or(conn.database())),
            quote_literal(s)
        ),
        (AdapterKind::DuckDb, None) => "table_catalog = 'temp'".to_string(),
        (_, Some(s)) => format!("table_schema = {}", quote_literal(s)),
        (_, None) => "table_schema = (select nspname from pg_catalog.pg_namespace \
                      where oid = pg_catalog.pg_my_temp_schema())"
            .to_string(),
    };
    let sql = format!(
        "select column_name, data_type, character_maximum_length, numeric_precision, numeric_scale \
         from information_schema.columns where {location} and table_name = {} \
         order by ordinal_position",
        quote_literal(identifier)
    );
    Ok(runner_adapters::column_infos(&conn.query(&sql)?))
}

fn location(relation: &Relation) -> Location<'_> {
    Location {
        database: relation.database.as_deref(),
        schema: relation.schema.as_deref(),
    }
}

/// The relation's type, from the relation itself or else from the catalog; `None` if it does not exist.
fn relation_type(conn: &mut dyn Connection, relation: &Relation) -> Result<Option<String>> {
    if let Some(kind) = relation.kind.as_deref().filter(|k| *k != "cte") {
        return Ok(Some(kind.to_string()));
    }
    let Some(identifier) = relation.identifier.as_deref() else {
        return Ok(None);
    };
    Ok(find_relation(conn, &location(relation), identifier)?.map(|(_, t)| t))
}

fn keyword(relation_type: &str) -> &'static str {
    match relation_type {
        "view" => "view",
        "materialized_view" => "materialized view",
        _ => "table",
    }
}

/// `drop … if exists` (cascading where the warehouse tracks dependents).
pub fn drop_relation(conn: &mut dyn Connection, relation: &Relation) -> Result<()> {
    let Some(kind) = relation_type(conn, relation)? else {
        return Ok(());
    };
    let cascade = if conn.kind() == AdapterKind::DuckDb {
        ""
    } else {
        " cascade"
    };
    let sql = format!(
        "drop {} if exists {}{cascade}",
        keyword(&kind),
        relation.render()
    );
    conn.execute(&sql).map(drop)
}

/// Renames `from` to `to`'s identifier (same schema).
pub fn rename_relation(conn: &mut dyn Connection, from: &Relation, to: &Relation) -> Result<()> {
    let Some(kind) = relation_type(conn, from)? else {
        return Ok(());
    };
    let sql = format!(
        "alter {} {} rename to {}",
        keyword(&kind),
        from.render(),
        quote_identifier(to.identifier.as_deref().unwrap_or_default())
    );
    conn.execute(&sql).map(drop)
}

/// Removes every row.
pub fn truncate_relation(conn: &mut dyn Connection, relation: &Relation) -> Result<()> {
    conn.execute(&format!("truncate table {}", relation.render()))
        .map(drop)
}

/// `create schema if not exists`.
pub fn create_schema(
    conn: &mut dyn Connection,
    database: Option<&str>,
    schema: &str,
) -> Result<()> {
    let name = match (conn.kind(), database) {
        (AdapterKind::DuckDb, Some(db)) => {
            format!("{}.{}", quote_identifier(db), quote_identifier(schema))
        }
        _ => quote_identifier(schema),
    };
    conn.execute(&format!("create schema if not exists {name}"))
        .map(drop)
}

/// `drop schema if exists … cascade`.
pub fn drop_schema(conn: &mut dyn Connection, database: Option<&str>, schema: &str) -> Result<()> {
    let name = match (conn.kind(), database) {
        (AdapterKind::DuckDb, Some(db)) => {
            format!("{}.{}", quote_identifier(db), quote_identifier(schema))
        }
        _ => quote_identifier(schema),
    };
    conn.execute(&format!("drop schema if exists {name} cascade"))
        .map(drop)
}

/// Schema names of the connected database.
pub fn list_schemas(conn: &mut dyn Connection) -> Result<Vec<String>> {
    conn.list_schemas()
}
