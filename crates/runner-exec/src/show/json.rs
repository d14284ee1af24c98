//! `show --output json`: the preview as Python's `json.dumps(..., indent=2)` writes agate's
//! `to_json` rows.

use runner_adapters::Cell;

use super::Preview;
use super::text::{Kind, column_kind, datetime_text};

/// JSON as Python's `json.dumps(…, indent=2)` writes it (ASCII only, `NaN`, floats as `repr`).
#[derive(Debug, Clone)]
pub(super) enum PyJson {
    Null,
    Bool(bool),
    /// A number already in Python's spelling.
    Number(String),
    Str(String),
    List(Vec<PyJson>),
    Object(Vec<(String, PyJson)>),
}

/// Python's `repr(float)`: the shortest round-trip digits, positional from 1e-4 up to 1e16,
/// otherwise `1e+20`, `1.5e-07`.
pub(super) fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-Infinity" } else { "Infinity" }.into();
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let int_len = usize::try_from(exp + 1).unwrap_or(1);
            if digits.len() <= int_len {
                format!("{sign}{digits}{}.0", "0".repeat(int_len - digits.len()))
            } else {
                format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
            }
        } else {
            let zeros = usize::try_from(-exp - 1).unwrap_or(0);
            format!("{sign}0.{}{digits}", "0".repeat(zeros))
        }
    } else {
        let m = if digits.len() == 1 {
            digits.clone()
        } else {
            format!("{}.{}", &digits[..1], &digits[1..])
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{esign}{:02}", exp.unsigned_abs())
    }
}

pub(super) fn py_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

impl PyJson {
    pub(super) fn write(&self, indent: usize, out: &mut String) {
        let pad = |n: usize| "  ".repeat(n);
        match self {
            PyJson::Null => out.push_str("null"),
            PyJson::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            PyJson::Number(n) => out.push_str(n),
            PyJson::Str(s) => py_string(s, out),
            PyJson::List(items) if items.is_empty() => out.push_str("[]"),
            PyJson::Object(items) if items.is_empty() => out.push_str("{}"),
            PyJson::List(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&pad(indent + 1));
                    item.write(indent + 1, out);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push(']');
            }
            PyJson::Object(items) => {
                out.push_str("{\n");
                for (i, (k, v)) in items.iter().enumerate() {
                    out.push_str(&pad(indent + 1));
                    py_string(k, out);
                    out.push_str(": ");
                    v.write(indent + 1, out);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push('}');
            }
        }
    }
}

/// A value as agate's `to_json` gives it: numbers as floats (`Decimal` → `float`), integers as
/// integers, dates and datetimes in ISO format, everything else as text.
pub(super) fn cell_json(cell: &Cell, kind: Kind) -> PyJson {
    match (cell, kind) {
        (Cell::Null, _) => PyJson::Null,
        (Cell::Bool(b), _) => PyJson::Bool(*b),
        (Cell::Integer(i), _) => PyJson::Number(i.to_string()),
        (Cell::Decimal(s), Kind::Integer) => PyJson::Number(s.clone()),
        (Cell::Decimal(s), _) => PyJson::Number(py_float(s.parse::<f64>().unwrap_or(f64::NAN))),
        (Cell::Float(f), _) => PyJson::Number(py_float(*f)),
        (Cell::Time(_), _) => PyJson::Str(datetime_text(cell, ' ').unwrap_or_default()),
        (Cell::Date(_) | Cell::Timestamp(_) | Cell::TimestampTz(_), _) => {
            PyJson::Str(datetime_text(cell, 'T').unwrap_or_default())
        }
        (other, _) => PyJson::Str(other.to_string()),
    }
}

/// dbt's `--output json` preview: `{"node": name, "show": [rows]}` (no `node` for inline SQL),
/// indented by 2 as Python's `json.dumps` does. No trailing newline.
pub fn render_json(preview: &Preview) -> String {
    let table = &preview.table;
    let kinds: Vec<Kind> = (0..table.columns.len())
        .map(|i| column_kind(table, i))
        .collect();
    let rows = table
        .rows
        .iter()
        .map(|row| {
            PyJson::Object(
                table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(j, c)| {
                        let cell = row.get(j).unwrap_or(&Cell::Null);
                        (c.name.clone(), cell_json(cell, kinds[j]))
                    })
                    .collect(),
            )
        })
        .collect();
    let mut doc = Vec::new();
    if !preview.inline {
        doc.push(("node".to_string(), PyJson::Str(preview.name.clone())));
    }
    doc.push(("show".to_string(), PyJson::List(rows)));
    let mut out = String::new();
    PyJson::Object(doc).write(0, &mut out);
    out
}
