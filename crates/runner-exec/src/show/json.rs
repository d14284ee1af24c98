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

/// A float as Python's `json.dumps` writes it: `repr`, with `NaN` and `Infinity` spelled as JSON
/// extensions.
pub(super) fn py_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f < 0.0 { "-Infinity" } else { "Infinity" }.into()
    } else {
        runner_jinja::python_float_repr(f)
    }
}

fn py_string(s: &str, out: &mut String) {
    out.push_str(&runner_jinja::python_json_string(s));
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
