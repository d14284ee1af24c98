//! Postgres type OIDs: their names and how a value in text format becomes a typed [`Cell`]
//! (exact text for numeric; ISO dates and timestamps as DateStyle ISO prints them).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};

use crate::table::Cell;

/// The SQL name of a built-in type (as `format_type` spells it), or `oid <n>` for others.
pub(crate) fn type_name(oid: u32) -> String {
    let name = match oid {
        16 => "boolean",
        17 => "bytea",
        18 => "\"char\"",
        19 => "name",
        20 => "bigint",
        21 => "smallint",
        23 => "integer",
        25 => "text",
        26 => "oid",
        114 => "json",
        142 => "xml",
        700 => "real",
        701 => "double precision",
        790 => "money",
        1042 => "character",
        1043 => "character varying",
        1082 => "date",
        1083 => "time without time zone",
        1114 => "timestamp without time zone",
        1184 => "timestamp with time zone",
        1186 => "interval",
        1266 => "time with time zone",
        1560 => "bit",
        1562 => "bit varying",
        1700 => "numeric",
        2950 => "uuid",
        3802 => "jsonb",
        1000 => "boolean[]",
        1005 => "smallint[]",
        1007 => "integer[]",
        1009 => "text[]",
        1015 => "character varying[]",
        1016 => "bigint[]",
        1021 => "real[]",
        1022 => "double precision[]",
        1231 => "numeric[]",
        _ => return format!("oid {oid}"),
    };
    name.to_string()
}

/// Converts a value in Postgres's text output format to a cell; values that do not parse as the
/// declared type (`infinity` dates, BC years) stay text.
pub(crate) fn parse_cell(oid: u32, text: &str) -> Cell {
    let parsed = match oid {
        16 => match text {
            "t" => Some(Cell::Bool(true)),
            "f" => Some(Cell::Bool(false)),
            _ => None,
        },
        20 | 21 | 23 | 26 => text.parse::<i64>().ok().map(Cell::Integer),
        1700 => Some(match text {
            "NaN" | "Infinity" | "-Infinity" => Cell::Float(text.parse().unwrap_or(f64::NAN)),
            _ => Cell::Decimal(text.to_string()),
        }),
        700 | 701 => text.parse::<f64>().ok().map(Cell::Float),
        1082 => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .map(Cell::Date),
        1083 => NaiveTime::parse_from_str(text, "%H:%M:%S%.f")
            .ok()
            .map(Cell::Time),
        1114 => NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
            .ok()
            .map(Cell::Timestamp),
        1184 => parse_timestamptz(text).map(Cell::TimestampTz),
        114 | 3802 => Some(Cell::Json(text.to_string())),
        17 => parse_bytea(text).map(Cell::Bytes),
        _ => None,
    };
    parsed.unwrap_or_else(|| Cell::Text(text.to_string()))
}

/// `2024-02-29 13:14:15.123456+05:30` (offset may be `+05`, `+05:30` or `+05:30:15`).
fn parse_timestamptz(text: &str) -> Option<DateTime<FixedOffset>> {
    // The offset sign comes after the time part, which starts after the date's 10 characters.
    let split = text.get(10..)?.rfind(['+', '-'])? + 10;
    let (local, offset) = text.split_at(split);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let mut parts = offset[1..].split(':').map(|p| p.parse::<i32>());
    let hours = parts.next()?.ok()?;
    let minutes = parts.next().transpose().ok()?.unwrap_or(0);
    let seconds = parts.next().transpose().ok()?.unwrap_or(0);
    let offset = FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60 + seconds))?;
    let local = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M:%S%.f").ok()?;
    local.and_local_timezone(offset).single()
}

/// bytea in hex output format: `\x0102ff`.
fn parse_bytea(text: &str) -> Option<Vec<u8>> {
    let hex = text.strip_prefix("\\x")?;
    if hex.len() % 2 != 0 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamptz_offsets() {
        let t = parse_timestamptz("2024-02-29 13:14:15.5+05:30").expect("parses");
        assert_eq!(t.to_rfc3339(), "2024-02-29T13:14:15.500+05:30");
        let t = parse_timestamptz("2024-02-29 13:14:15-08").expect("parses");
        assert_eq!(t.to_rfc3339(), "2024-02-29T13:14:15-08:00");
        assert!(parse_timestamptz("infinity").is_none());
    }

    #[test]
    fn numeric_keeps_its_text() {
        assert_eq!(
            parse_cell(1700, "12345678901234567890.000000000123"),
            Cell::Decimal("12345678901234567890.000000000123".into())
        );
        assert_eq!(parse_cell(1082, "infinity"), Cell::Text("infinity".into()));
        assert_eq!(parse_cell(17, "\\x00ff"), Cell::Bytes(vec![0, 255]));
    }
}
