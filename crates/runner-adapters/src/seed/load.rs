//! The engine-independent half of bulk loading ([`crate::Connection::load_rows`]): checking that
//! rows fit the column list, multi-row `INSERT`s with literals (Redshift, which has no
//! `COPY … FROM STDIN`, and the trait's default), and the CSV payload of Postgres's COPY.
//!
//! Values are text the column's input function reads. One case needs more than that: a value with
//! a UTC offset for a `timestamp without time zone` column. dbt-postgres sends such a value as a
//! `timestamptz`, which Postgres converts to the session time zone on insert, whereas the plain
//! text input would silently drop the offset; so literals get a `::timestamptz` cast, and COPY
//! (see `postgres::copy`) converts them first.

use crate::catalog::{Relation, quote_identifier};
use crate::config::AdapterKind;
use crate::connection::Connection;
use crate::error::{AdapterError, Result};

/// Rows per INSERT, dbt's `get_batch_size()`.
const INSERT_BATCH_ROWS: usize = 10_000;
/// SQL bytes per INSERT, well under Redshift's 16 MB statement limit.
const INSERT_BATCH_BYTES: usize = 4 << 20;

/// True for `timestamp`, `timestamp(n)` and `… without time zone` (any case): the types whose
/// text input ignores a UTC offset.
pub(crate) fn is_naive_timestamp(data_type: &str) -> bool {
    let t = data_type.trim().to_ascii_lowercase();
    let Some(rest) = t.strip_prefix("timestamp") else {
        return false;
    };
    let rest = match rest.trim_start().strip_prefix('(') {
        Some(after) => match after.split_once(')') {
            Some((_, tail)) => tail,
            None => return false,
        },
        None => rest,
    };
    matches!(rest.trim(), "" | "without time zone")
}

/// True when a date-time text carries a UTC offset (`Z`, `+hh:mm`, `-hh`) after its date part.
pub(crate) fn has_utc_offset(value: &str) -> bool {
    value
        .as_bytes()
        .get(10..)
        .is_some_and(|time| time.iter().any(|b| matches!(b, b'+' | b'-' | b'Z' | b'z')))
}

/// Fails unless there is a type per column and every row has a value per column.
pub(crate) fn check_shape(
    kind: AdapterKind,
    relation: &Relation,
    columns: &[String],
    types: &[String],
    rows: &[Vec<Option<String>>],
) -> Result<()> {
    let error = |row: Option<usize>, message: String| AdapterError::Load {
        relation: relation.render(kind),
        row,
        message,
    };
    if columns.is_empty() && !rows.is_empty() {
        return Err(error(None, "no columns to load into".into()));
    }
    if types.len() != columns.len() {
        return Err(error(
            None,
            format!("{} columns but {} column types", columns.len(), types.len()),
        ));
    }
    match rows.iter().position(|r| r.len() != columns.len()) {
        Some(index) => Err(error(
            Some(index + 1),
            format!(
                "the row has {} values for {} columns",
                rows[index].len(),
                columns.len()
            ),
        )),
        None => Ok(()),
    }
}

/// A string literal; Redshift also reads backslash escapes in plain literals, so it gets them
/// doubled (Postgres and DuckDB use standard-conforming strings).
fn literal(kind: AdapterKind, value: &str) -> String {
    let quoted = value.replace('\'', "''");
    match kind {
        AdapterKind::Redshift => format!("'{}'", quoted.replace('\\', "\\\\")),
        AdapterKind::Postgres | AdapterKind::DuckDb => format!("'{quoted}'"),
    }
}

/// The column list `("a", "b")`: names are plain and quoted here.
pub(crate) fn column_list(columns: &[String]) -> String {
    let quoted: Vec<String> = columns.iter().map(|c| quote_identifier(c)).collect();
    quoted.join(", ")
}

/// The INSERT statements that load `rows` into `relation` (at most 10,000 rows or about 4 MB
/// each), with every value as a literal: what `load_rows` runs on Redshift. Arguments are as for
/// [`crate::Connection::load_rows`].
pub fn insert_sql(
    kind: AdapterKind,
    relation: &Relation,
    columns: &[String],
    types: &[String],
    rows: &[Vec<Option<String>>],
) -> Result<Vec<String>> {
    check_shape(kind, relation, columns, types, rows)?;
    let naive: Vec<bool> = types.iter().map(|t| is_naive_timestamp(t)).collect();
    let head = format!(
        "insert into {} ({}) values\n",
        relation.render(kind),
        column_list(columns)
    );
    let mut statements = Vec::new();
    let mut sql = String::new();
    let mut in_batch = 0;
    for row in rows {
        if in_batch == INSERT_BATCH_ROWS || sql.len() >= INSERT_BATCH_BYTES {
            statements.push(std::mem::take(&mut sql));
            in_batch = 0;
        }
        sql.push_str(if in_batch == 0 { &head } else { ",\n" });
        sql.push('(');
        for (index, value) in row.iter().enumerate() {
            if index > 0 {
                sql.push_str(", ");
            }
            match value {
                None => sql.push_str("null"),
                Some(v) => {
                    sql.push_str(&literal(kind, v));
                    if naive[index] && has_utc_offset(v) {
                        sql.push_str("::timestamptz");
                    }
                }
            }
        }
        sql.push(')');
        in_batch += 1;
    }
    if !sql.is_empty() {
        statements.push(sql);
    }
    Ok(statements)
}

/// `load_rows` through [`insert_sql`]: the statements run in order, and the loaded count is the
/// sum of their row counts.
pub(crate) fn insert_rows<C: Connection + ?Sized>(
    conn: &mut C,
    relation: &Relation,
    columns: &[String],
    types: &[String],
    rows: &[Vec<Option<String>>],
) -> Result<u64> {
    let mut loaded = 0;
    for statement in insert_sql(conn.kind(), relation, columns, types, rows)? {
        let response = conn.execute(&statement)?;
        loaded += response.rows_affected.unwrap_or(0);
    }
    Ok(loaded)
}

/// Appends one row in COPY's CSV format: NULL is an empty unquoted field and every value is
/// quoted (so empty strings, delimiters, quotes and newlines need nothing else). `value_of`
/// may replace a value (offset timestamps converted by the server).
pub(crate) fn copy_csv_rows<'a>(
    out: &mut Vec<u8>,
    row: &'a [Option<String>],
    value_of: impl Fn(usize, &'a str) -> &'a str,
) {
    for (index, value) in row.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        if let Some(value) = value {
            out.push(b'"');
            for &b in value_of(index, value).as_bytes() {
                if b == b'"' {
                    out.push(b'"');
                }
                out.push(b);
            }
            out.push(b'"');
        }
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::{has_utc_offset, is_naive_timestamp};

    #[test]
    fn recognises_naive_timestamps_and_offsets() {
        for t in [
            "timestamp",
            "TIMESTAMP",
            "timestamp without time zone",
            "timestamp(3)",
        ] {
            assert!(is_naive_timestamp(t), "{t}");
        }
        for t in ["timestamptz", "timestamp with time zone", "date", "text"] {
            assert!(!is_naive_timestamp(t), "{t}");
        }
        assert!(has_utc_offset("2024-01-05T10:11:12+02:00"));
        assert!(has_utc_offset("2024-01-05 10:11:12Z"));
        assert!(!has_utc_offset("2024-01-05T10:11:12"));
        assert!(!has_utc_offset("2024-01-05"));
    }
}
