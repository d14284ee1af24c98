//! From CSV records to a typed [`SeedTable`]: column names as agate makes them, agate's
//! `TypeTester` with dbt's type list, and every value cast by its column's type.

use super::csv::Record;
use super::datetime;
use super::number::{Decimal, parse_number};
use super::{SeedColumn, SeedTable, SeedType};
use crate::error::{AdapterError, Result};

/// Python's `str.strip()` whitespace: Unicode White_Space plus the four ASCII separators
/// U+001C..U+001F, which Python also counts as space.
pub(crate) fn py_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// dbt's null values, `("null", "")`, compared case-insensitively after trimming.
fn is_null(s: &str) -> bool {
    let s = py_trim(s);
    s.is_empty() || s.eq_ignore_ascii_case("null")
}

/// The candidates, in dbt's order of preference. `Integer` is left out: dbt's `Integer` only
/// accepts Python ints, so every CSV field (even an empty one) rules it out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Candidate {
    Number,
    Date,
    DateTime,
    IsoDateTime,
    Boolean,
}

const CANDIDATES: [Candidate; 5] = [
    Candidate::Number,
    Candidate::Date,
    Candidate::DateTime,
    Candidate::IsoDateTime,
    Candidate::Boolean,
];

/// Boolean's own null check removes commas first (`d.replace(',', '')`), so `,` is NULL there.
fn boolean(raw: &str) -> Option<Option<bool>> {
    let cleaned = raw.replace(',', "");
    let d = py_trim(&cleaned);
    if d.is_empty() || d.eq_ignore_ascii_case("null") {
        Some(None)
    } else if d.eq_ignore_ascii_case("true") {
        Some(Some(true))
    } else if d.eq_ignore_ascii_case("false") {
        Some(Some(false))
    } else {
        None
    }
}

/// agate's `test`: the value casts (a null value casts to None, which passes).
fn passes(candidate: Candidate, raw: &str) -> bool {
    match candidate {
        Candidate::Boolean => boolean(raw).is_some(),
        _ if is_null(raw) => true,
        Candidate::Number => parse_number(raw).is_some(),
        Candidate::Date => datetime::parse_date(py_trim(raw)).is_some(),
        Candidate::DateTime => datetime::parse_datetime(py_trim(raw)).is_some(),
        Candidate::IsoDateTime => datetime::parse_iso_datetime(py_trim(raw)).is_some(),
    }
}

/// agate's column names: an empty name is lettered by position (`a`…`z`, `aa`…), a repeated one
/// gets `_2`, `_3`, … until unique.
fn column_names(header: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(header.len());
    for (index, raw) in header.iter().enumerate() {
        let base = if raw.is_empty() {
            letter_name(index)
        } else {
            raw.clone()
        };
        let mut name = base.clone();
        let mut duplicates = 0;
        while names.contains(&name) {
            duplicates += 1;
            name = format!("{base}_{}", duplicates + 1);
        }
        names.push(name);
    }
    names
}

fn letter_name(index: usize) -> String {
    let letter = char::from(b'a' + u8::try_from(index % 26).unwrap_or(0));
    letter.to_string().repeat(index / 26 + 1)
}

/// Builds the table from the records (the first is the header).
pub(crate) fn build(records: Vec<Record>, text_columns: &[String]) -> Result<SeedTable> {
    let mut records = records.into_iter();
    let header = records.next().ok_or_else(|| AdapterError::SeedCsv {
        file: None,
        line: Some(1),
        message: "the file is empty: a seed needs a header row".into(),
    })?;
    let rows: Vec<Record> = records.collect();
    let names = if header.fields.is_empty() {
        // No header names at all: agate letters as many columns as the first row has.
        let width = rows.first().map_or(0, |r| r.fields.len());
        (0..width).map(letter_name).collect()
    } else {
        column_names(&header.fields)
    };
    for (index, row) in rows.iter().enumerate() {
        if row.fields.len() > names.len() {
            return Err(AdapterError::SeedCsv {
                file: None,
                line: Some(row.line),
                message: format!(
                    "Row {index} has {} values, but Table only has {} columns.",
                    row.fields.len(),
                    names.len()
                ),
            });
        }
    }
    let mut columns = Vec::with_capacity(names.len());
    for (index, name) in names.into_iter().enumerate() {
        // dbt only forces names that are in the header as written.
        let forced = text_columns.contains(&name) && header.fields.contains(&name);
        let data_type = if forced {
            SeedType::Text { max_bytes: 0 }
        } else {
            infer_column(&rows, index)
        };
        columns.push(SeedColumn { name, data_type });
    }
    let mut table_rows: Vec<Vec<Option<String>>> =
        vec![Vec::with_capacity(columns.len()); rows.len()];
    for (index, column) in columns.iter_mut().enumerate() {
        let values = rows.iter().map(|r| r.fields.get(index).map(String::as_str));
        let cast = cast_column(&mut column.data_type, values);
        for (row, value) in table_rows.iter_mut().zip(cast) {
            row.push(value);
        }
    }
    Ok(SeedTable {
        columns,
        rows: table_rows,
    })
}

/// agate's `TypeTester.run` for one column: drop every candidate some present field fails,
/// then take the first survivor in order (Text always survives). Fields missing from a short
/// row are not tested; with nothing tested dbt's `Integer` wins.
fn infer_column(rows: &[Record], index: usize) -> SeedType {
    let mut alive = CANDIDATES.to_vec();
    let mut tested = false;
    for row in rows {
        let Some(raw) = row.fields.get(index) else {
            continue;
        };
        tested = true;
        alive.retain(|&c| passes(c, raw));
        if alive.is_empty() {
            break;
        }
    }
    if !tested {
        return SeedType::Integer;
    }
    match alive.first() {
        Some(Candidate::Number) => SeedType::Number { max_precision: 0 },
        Some(Candidate::Date) => SeedType::Date,
        Some(Candidate::DateTime) => SeedType::DateTime,
        Some(Candidate::IsoDateTime) => SeedType::IsoDateTime,
        Some(Candidate::Boolean) => SeedType::Boolean,
        None => SeedType::Text { max_bytes: 0 },
    }
}

/// Casts a column's fields (`None` = missing from a short row) to their SQL text, filling in the
/// type's `max_precision` / `max_bytes` on the way.
fn cast_column<'a>(
    data_type: &mut SeedType,
    values: impl Iterator<Item = Option<&'a str>>,
) -> Vec<Option<String>> {
    let present = values.map(|v| v.filter(|raw| !is_null(raw)));
    match data_type {
        SeedType::Integer => present.map(|_| None).collect(),
        SeedType::Number { max_precision } => {
            let numbers: Vec<Option<Decimal>> = present.map(|v| v.and_then(parse_number)).collect();
            *max_precision = numbers
                .iter()
                .flatten()
                .map(Decimal::places)
                .max()
                .unwrap_or(0);
            let integer = *max_precision == 0;
            numbers
                .iter()
                .map(|n| n.as_ref().map(|n| n.to_sql_text(integer)))
                .collect()
        }
        SeedType::Date => present
            .map(|v| v.and_then(|raw| datetime::parse_date(py_trim(raw))))
            .map(|d| d.map(|d| d.format("%Y-%m-%d").to_string()))
            .collect(),
        SeedType::DateTime => present
            .map(|v| v.and_then(|raw| datetime::parse_datetime(py_trim(raw))))
            .map(|d| d.map(|d| datetime::isoformat(&d)))
            .collect(),
        SeedType::IsoDateTime => present
            .map(|v| v.and_then(|raw| datetime::parse_iso_datetime(py_trim(raw))))
            .map(|d| d.map(|d| datetime::isoformat(&d)))
            .collect(),
        // Boolean has its own null test (commas removed), so it reads the raw fields again.
        SeedType::Boolean => present
            .map(|v| v.and_then(|raw| boolean(raw).flatten()))
            .map(|b| b.map(|b| b.to_string()))
            .collect(),
        SeedType::Text { max_bytes } => {
            let texts: Vec<Option<String>> = present.map(|v| v.map(str::to_string)).collect();
            *max_bytes = texts.iter().flatten().map(String::len).max().unwrap_or(0);
            texts
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{column_names, letter_name};

    #[test]
    fn names_like_agate() {
        let header: Vec<String> = ["id", "", "id", "id_2"].map(String::from).to_vec();
        assert_eq!(column_names(&header), ["id", "b", "id_2", "id_2_2"]);
        assert_eq!(letter_name(0), "a");
        assert_eq!(letter_name(27), "bb");
    }

    #[test]
    fn an_empty_seed_keeps_its_types_with_agate_sizes_of_no_rows() {
        use crate::AdapterKind;
        let table = crate::read_seed_csv("id,amount,name\n1,1.5,ann\n2,2,bo\n", b',').unwrap();
        let types = |t: &crate::SeedTable, kind| -> Vec<String> {
            t.columns
                .iter()
                .map(|c| c.data_type.sql_type(kind))
                .collect()
        };
        assert_eq!(
            types(&table, AdapterKind::Postgres),
            ["integer", "float8", "text"]
        );
        assert_eq!(types(&table, AdapterKind::Redshift)[2], "varchar(3)");
        let empty = table.without_rows();
        assert!(empty.rows.is_empty());
        // dbt's MaxPrecision over no rows is 0 (an integer column); dbt-redshift's empty text is
        // varchar(64).
        assert_eq!(
            types(&empty, AdapterKind::Postgres),
            ["integer", "integer", "text"]
        );
        assert_eq!(types(&empty, AdapterKind::Redshift)[2], "varchar(64)");
        assert_eq!(empty.columns[1].data_type.agate_name(), "Number");
    }
}
