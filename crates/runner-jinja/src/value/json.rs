//! JSON conversion: `serde_json` interop and Python `json.dumps` formatting
//! (used by the `tojson` filter).

use indexmap::IndexMap;

use super::{Value, repr::float_repr};
use crate::error::{Result, type_err};

impl Value {
    /// Convert from a `serde_json` value (objects keep their order).
    pub fn from_json(j: &serde_json::Value) -> Value {
        match j {
            serde_json::Value::Null => Value::None,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(0.0)),
            },
            serde_json::Value::String(s) => Value::from(s.as_str()),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::dict(
                o.iter()
                    .map(|(k, v)| (Value::from(k.as_str()), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Python's `json.dumps(value, sort_keys=sort_keys)`: `", "`/`": "` separators, non-ASCII as
    /// `\uXXXX`. dbt prints `tojson` and `ls --output json` this way.
    pub fn to_python_json(&self, sort_keys: bool) -> Result<String> {
        dumps(self, sort_keys, None)
    }

    /// Convert to a `serde_json` value; non-JSON values are errors.
    pub fn to_json(&self) -> Result<serde_json::Value> {
        Ok(match self {
            Value::None => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Str(s) => serde_json::Value::String(s.to_string()),
            Value::List(l) => serde_json::Value::Array(
                l.read()
                    .iter()
                    .map(|v| v.to_json())
                    .collect::<Result<_>>()?,
            ),
            Value::Tuple(t) => {
                serde_json::Value::Array(t.iter().map(|v| v.to_json()).collect::<Result<_>>()?)
            }
            Value::Dict(d) => {
                let mut m = serde_json::Map::new();
                for (k, v) in d.read().iter() {
                    m.insert(json_key(k)?, v.to_json()?);
                }
                serde_json::Value::Object(m)
            }
            other => return Err(not_serializable(other)),
        })
    }
}

fn not_serializable(v: &Value) -> crate::Error {
    type_err(format!(
        "Object of type {} is not JSON serializable",
        v.type_name()
    ))
}

fn json_key(k: &Value) -> Result<String> {
    Ok(match k {
        Value::Str(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::None => "null".into(),
        Value::Float(f) => float_repr(*f),
        other => {
            return Err(type_err(format!(
                "keys must be str, int, float, bool or None, not {}",
                other.type_name()
            )));
        }
    })
}

/// Python `json.dumps(v, sort_keys=sort_keys, indent=indent)` with `ensure_ascii`.
pub(crate) fn dumps(v: &Value, sort_keys: bool, indent: Option<&str>) -> Result<String> {
    let mut out = String::new();
    write(v, sort_keys, indent, 0, &mut out)?;
    Ok(out)
}

fn newline(out: &mut String, indent: Option<&str>, level: usize) {
    if let Some(ind) = indent {
        out.push('\n');
        for _ in 0..level {
            out.push_str(ind);
        }
    }
}

fn write(
    v: &Value,
    sort: bool,
    indent: Option<&str>,
    level: usize,
    out: &mut String,
) -> Result<()> {
    let item_sep = if indent.is_some() { "," } else { ", " };
    match v {
        Value::None => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&if f.is_nan() {
            "NaN".to_string()
        } else if f.is_infinite() {
            if *f > 0.0 {
                "Infinity".into()
            } else {
                "-Infinity".into()
            }
        } else {
            float_repr(*f)
        }),
        Value::Str(s) => write_str(s, out),
        Value::List(_) | Value::Tuple(_) => {
            let items = v.try_iter()?;
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                newline(out, indent, level + 1);
                write(x, sort, indent, level + 1, out)?;
            }
            newline(out, indent, level);
            out.push(']');
        }
        Value::Dict(d) => {
            let mut entries: Vec<(String, Value)> = d
                .read()
                .iter()
                .map(|(k, v)| Ok((json_key(k)?, v.clone())))
                .collect::<Result<_>>()?;
            if entries.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            if sort {
                entries.sort_by(|a, b| a.0.cmp(&b.0));
            }
            out.push('{');
            for (i, (k, x)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(item_sep);
                }
                newline(out, indent, level + 1);
                write_str(k, out);
                out.push_str(": ");
                write(x, sort, indent, level + 1, out)?;
            }
            newline(out, indent, level);
            out.push('}');
        }
        other => return Err(not_serializable(other)),
    }
    Ok(())
}

pub(crate) fn write_str(s: &str, out: &mut String) {
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
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{:04x}", u));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Helper used by `dict(...)`.
pub(crate) fn pairs_to_dict(items: Vec<Value>) -> Result<IndexMap<Value, Value>> {
    let mut m = IndexMap::new();
    for it in items {
        let kv = it.try_iter()?;
        if kv.len() != 2 {
            return Err(crate::Error::new(
                crate::ErrorKind::Value,
                format!(
                    "dictionary update sequence element has length {}; 2 is required",
                    kv.len()
                ),
            ));
        }
        m.insert(kv[0].clone(), kv[1].clone());
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::Value;

    #[test]
    fn to_python_json_matches_python_json_dumps_defaults() {
        // Python 3.11: json.dumps({"a": [1, None, True], "é": "x\n\"☃😀"})
        let v = Value::from_json(&serde_json::json!({"a": [1, null, true], "é": "x\n\"☃😀"}));
        assert_eq!(
            v.to_python_json(false).unwrap(),
            r#"{"a": [1, null, true], "\u00e9": "x\n\"\u2603\ud83d\ude00"}"#
        );
    }
}
