//! DuckDB values and logical types as [`Cell`]s and type names: decimals and huge integers kept
//! exact as text, timestamps with and without time zone told apart by the column's logical type.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta};
use duckdb::core::{LogicalTypeHandle, LogicalTypeId};
use duckdb::types::{TimeUnit, Value, ValueRef};

use crate::table::Cell;

/// DuckDB's name for a column type: `INTEGER`, `DECIMAL(18,3)`, `VARCHAR`, `JSON`, `INTEGER[]`, ….
pub(crate) fn type_name(logical: &LogicalTypeHandle) -> String {
    if let Some(alias) = logical.get_alias() {
        return alias;
    }
    let Ok(id) = logical.try_id() else {
        return "UNKNOWN".into();
    };
    let name = match id {
        LogicalTypeId::Boolean => "BOOLEAN",
        LogicalTypeId::Tinyint => "TINYINT",
        LogicalTypeId::Smallint => "SMALLINT",
        LogicalTypeId::Integer => "INTEGER",
        LogicalTypeId::Bigint => "BIGINT",
        LogicalTypeId::Hugeint => "HUGEINT",
        LogicalTypeId::UTinyint => "UTINYINT",
        LogicalTypeId::USmallint => "USMALLINT",
        LogicalTypeId::UInteger => "UINTEGER",
        LogicalTypeId::UBigint => "UBIGINT",
        LogicalTypeId::UHugeint => "UHUGEINT",
        LogicalTypeId::Float => "FLOAT",
        LogicalTypeId::Double => "DOUBLE",
        LogicalTypeId::Decimal => {
            return format!(
                "DECIMAL({},{})",
                logical.decimal_width(),
                logical.decimal_scale()
            );
        }
        LogicalTypeId::Varchar => "VARCHAR",
        LogicalTypeId::Blob => "BLOB",
        LogicalTypeId::Date => "DATE",
        LogicalTypeId::Time | LogicalTypeId::TimeNs => "TIME",
        LogicalTypeId::TimeTZ => "TIME WITH TIME ZONE",
        LogicalTypeId::Timestamp => "TIMESTAMP",
        LogicalTypeId::TimestampS => "TIMESTAMP_S",
        LogicalTypeId::TimestampMs => "TIMESTAMP_MS",
        LogicalTypeId::TimestampNs => "TIMESTAMP_NS",
        LogicalTypeId::TimestampTZ => "TIMESTAMP WITH TIME ZONE",
        LogicalTypeId::Interval => "INTERVAL",
        LogicalTypeId::Uuid => "UUID",
        LogicalTypeId::Enum => "ENUM",
        LogicalTypeId::List => return format!("{}[]", type_name(&logical.child(0))),
        LogicalTypeId::Array => "ARRAY",
        LogicalTypeId::Struct => "STRUCT",
        LogicalTypeId::Map => "MAP",
        LogicalTypeId::Union => "UNION",
        LogicalTypeId::Bit => "BIT",
        LogicalTypeId::Bignum => "BIGNUM",
        LogicalTypeId::SqlNull => "NULL",
        _ => "UNKNOWN",
    };
    name.to_string()
}

/// Converts one value of a column whose logical type is `logical`.
pub(crate) fn to_cell(value: ValueRef<'_>, logical: Option<LogicalTypeId>, is_json: bool) -> Cell {
    match value {
        ValueRef::Null => Cell::Null,
        ValueRef::Boolean(b) => Cell::Bool(b),
        ValueRef::TinyInt(i) => Cell::Integer(i.into()),
        ValueRef::SmallInt(i) => Cell::Integer(i.into()),
        ValueRef::Int(i) => Cell::Integer(i.into()),
        ValueRef::BigInt(i) => Cell::Integer(i),
        ValueRef::UTinyInt(i) => Cell::Integer(i.into()),
        ValueRef::USmallInt(i) => Cell::Integer(i.into()),
        ValueRef::UInt(i) => Cell::Integer(i.into()),
        ValueRef::UBigInt(i) => {
            i64::try_from(i).map_or_else(|_| Cell::Decimal(i.to_string()), Cell::Integer)
        }
        ValueRef::HugeInt(i) => {
            i64::try_from(i).map_or_else(|_| Cell::Decimal(i.to_string()), Cell::Integer)
        }
        ValueRef::UHugeInt(i) => {
            i64::try_from(i).map_or_else(|_| Cell::Decimal(i.to_string()), Cell::Integer)
        }
        ValueRef::Float(x) => Cell::Float(x.into()),
        ValueRef::Double(x) => Cell::Float(x),
        ValueRef::Decimal(d) => Cell::Decimal(d.to_string()),
        ValueRef::Text(bytes) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            if is_json {
                Cell::Json(text)
            } else {
                Cell::Text(text)
            }
        }
        ValueRef::Blob(bytes) | ValueRef::Geometry(bytes) => Cell::Bytes(bytes.to_vec()),
        ValueRef::Date32(days) => NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|epoch| epoch.checked_add_signed(TimeDelta::days(days.into())))
            .map_or_else(|| Cell::Text(format!("date {days}")), Cell::Date),
        ValueRef::Time64(unit, v) => {
            let micros = unit.to_micros(v);
            NaiveTime::from_num_seconds_from_midnight_opt(
                u32::try_from(micros.div_euclid(1_000_000)).unwrap_or(0),
                u32::try_from(micros.rem_euclid(1_000_000) * 1000).unwrap_or(0),
            )
            .map_or_else(|| Cell::Text(format!("time {micros}us")), Cell::Time)
        }
        ValueRef::Timestamp(unit, v) => {
            timestamp(unit, v, logical == Some(LogicalTypeId::TimestampTZ))
        }
        other => Cell::Text(render(&other.to_owned())),
    }
}

fn timestamp(unit: TimeUnit, v: i64, with_tz: bool) -> Cell {
    let micros = unit.to_micros(v);
    match DateTime::from_timestamp_micros(micros) {
        Some(utc) if with_tz => Cell::TimestampTz(utc.fixed_offset()),
        Some(utc) => Cell::Timestamp(utc.naive_utc()),
        None => Cell::Text(format!("timestamp {micros}us")),
    }
}

/// Text for values without a dedicated cell (lists, structs, maps, intervals, …), DuckDB-like.
fn render(value: &Value) -> String {
    let quoted = |v: &Value| match v {
        Value::Text(s) | Value::Enum(s) => format!("'{s}'"),
        other => render(other),
    };
    match value {
        Value::Null => "NULL".into(),
        Value::Boolean(b) => b.to_string(),
        Value::TinyInt(i) => i.to_string(),
        Value::SmallInt(i) => i.to_string(),
        Value::Int(i) => i.to_string(),
        Value::BigInt(i) => i.to_string(),
        Value::HugeInt(i) => i.to_string(),
        Value::UHugeInt(i) => i.to_string(),
        Value::UTinyInt(i) => i.to_string(),
        Value::USmallInt(i) => i.to_string(),
        Value::UInt(i) => i.to_string(),
        Value::UBigInt(i) => i.to_string(),
        Value::Float(x) => x.to_string(),
        Value::Double(x) => x.to_string(),
        Value::Decimal(d) => d.to_string(),
        Value::Text(s) | Value::Enum(s) => s.clone(),
        Value::Interval {
            months,
            days,
            nanos,
        } => format!("{months} months {days} days {} microseconds", nanos / 1000),
        Value::List(items) | Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(quoted).collect::<Vec<_>>().join(", ")
            )
        }
        Value::Struct(fields) => format!(
            "{{{}}}",
            fields
                .iter()
                .map(|(k, v)| format!("'{k}': {}", quoted(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}={}", quoted(k), quoted(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Union(inner) => render(inner),
        other => format!("{other:?}"),
    }
}
