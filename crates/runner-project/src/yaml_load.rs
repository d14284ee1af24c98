//! The YAML loader: text to [`serde_yaml::Value`] with the scalar rules of dbt's YAML library.
//!
//! dbt reads every YAML file with PyYAML's safe loader, which follows YAML 1.1: a plain `yes`,
//! `No`, `on` or `OFF` is a boolean, `010` is octal, `1_000` and `1:30` (base 60) are integers.
//! serde_yaml follows YAML 1.2, where those are strings or other numbers, and cannot tell a
//! quoted scalar from a plain one afterwards. So the text is parsed into events (yaml-rust2,
//! which reports each scalar's style) and plain scalars are resolved here as PyYAML resolves them.
//! Quoted and block scalars are always strings. As in PyYAML, a repeated mapping key keeps its
//! last value. Dates and times stay strings: PyYAML's `date` objects print the same text, and
//! every consumer here wants text.

use serde_yaml::{Mapping, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Where and why the text is not YAML.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses one YAML document; empty text (or a document with only comments) is `Null`.
pub fn load(text: &str) -> Result<Value, LoadError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, true).map_err(|e| LoadError {
        line: e.marker().line(),
        message: e.info().to_string(),
    })?;
    if let Some(error) = builder.error {
        return Err(error);
    }
    if builder.documents > 1 {
        return Err(LoadError {
            line: builder.second_document_line,
            message: "expected a single document in the stream, but found another document".into(),
        });
    }
    Ok(builder.root.unwrap_or(Value::Null))
}

/// A collection being filled.
enum Frame {
    Sequence {
        items: Vec<Value>,
        anchor: usize,
    },
    Mapping {
        map: Mapping,
        key: Option<Value>,
        anchor: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    /// Anchored values by the parser's anchor id (ids start at 1).
    anchors: Vec<Option<Value>>,
    root: Option<Value>,
    documents: usize,
    second_document_line: usize,
    error: Option<LoadError>,
}

impl Builder {
    fn remember(&mut self, anchor: usize, value: &Value) {
        if anchor == 0 {
            return;
        }
        if self.anchors.len() <= anchor {
            self.anchors.resize(anchor + 1, None);
        }
        self.anchors[anchor] = Some(value.clone());
    }

    /// Puts a finished value where it belongs: the open collection, or the document root.
    fn place(&mut self, value: Value) {
        match self.stack.last_mut() {
            Some(Frame::Sequence { items, .. }) => items.push(value),
            Some(Frame::Mapping { map, key, .. }) => match key.take() {
                None => *key = Some(value),
                Some(k) => {
                    map.insert(k, value);
                }
            },
            None => {
                if self.documents == 1 {
                    self.root = Some(value);
                }
            }
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        match event {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents == 2 {
                    self.second_document_line = mark.line();
                }
            }
            Event::Scalar(text, style, anchor, tag) => match scalar(text, style, tag.as_ref()) {
                Ok(value) => {
                    self.remember(anchor, &value);
                    self.place(value);
                }
                Err(message) => {
                    self.error = Some(LoadError {
                        line: mark.line(),
                        message,
                    })
                }
            },
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Sequence {
                items: Vec::new(),
                anchor,
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Mapping {
                map: Mapping::new(),
                key: None,
                anchor,
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, anchor) = match self.stack.pop() {
                    Some(Frame::Sequence { items, anchor }) => (Value::Sequence(items), anchor),
                    Some(Frame::Mapping { map, anchor, .. }) => (Value::Mapping(map), anchor),
                    None => return,
                };
                self.remember(anchor, &value);
                self.place(value);
            }
            Event::Alias(anchor) => {
                let value = self.anchors.get(anchor).cloned().flatten();
                match value {
                    Some(value) => self.place(value),
                    None => {
                        self.error = Some(LoadError {
                            line: mark.line(),
                            message: "found undefined alias".into(),
                        })
                    }
                }
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }
}

/// A scalar's value: plain ones resolved as PyYAML does, a `!!type` tag obeyed, others strings.
fn scalar(text: String, style: TScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    if let Some(tag) = tag.filter(|t| t.handle == "tag:yaml.org,2002:") {
        let value = resolve_plain(&text);
        let fits = match tag.suffix.as_str() {
            "str" => return Ok(Value::String(text)),
            "null" => value.is_null(),
            "bool" => value.is_bool(),
            "int" | "float" => value.is_number(),
            _ => false,
        };
        return if fits {
            Ok(value)
        } else {
            Err(format!("'{text}' is not a valid !!{}", tag.suffix))
        };
    }
    Ok(match style {
        TScalarStyle::Plain => resolve_plain(&text),
        _ => Value::String(text),
    })
}

/// PyYAML's implicit resolvers for a plain scalar: null, bool, int, float, else a string.
pub fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        _ => {}
    }
    if let Some(n) = int_value(text) {
        return Value::Number(n);
    }
    if let Some(f) = float_value(text) {
        return Value::Number(Number::from(f));
    }
    Value::String(text.to_string())
}

/// Splits an optional sign off.
fn sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

fn int_number(negative: bool, magnitude: u128) -> Option<Number> {
    if negative {
        i64::try_from(magnitude).ok().map(|m| Number::from(-m))
    } else {
        u64::try_from(magnitude).ok().map(Number::from)
    }
}

/// YAML 1.1 integers: binary `0b`, hex `0x`, octal with a leading `0`, decimal, and base 60
/// (`1:30`); `_` may separate digits.
fn int_value(text: &str) -> Option<Number> {
    let (negative, body) = sign(text);
    let digits = |s: &str, radix: u32| -> Option<u128> {
        let cleaned: String = s.chars().filter(|c| *c != '_').collect();
        if cleaned.is_empty() || !s.chars().all(|c| c == '_' || c.is_digit(radix)) {
            return None;
        }
        u128::from_str_radix(&cleaned, radix).ok()
    };
    let magnitude = if let Some(rest) = body.strip_prefix("0b") {
        digits(rest, 2)?
    } else if let Some(rest) = body.strip_prefix("0x") {
        digits(rest, 16)?
    } else if body == "0" {
        0
    } else if let Some(rest) = body.strip_prefix('0') {
        digits(rest, 8)?
    } else if body.contains(':') {
        base_60(body)?
    } else if body.starts_with(|c: char| c.is_ascii_digit()) {
        digits(body, 10)?
    } else {
        return None;
    };
    int_number(negative, magnitude)
}

/// `190:20:30`: the first part any decimal number from 1, the others 0-59.
fn base_60(body: &str) -> Option<u128> {
    let mut parts = body.split(':');
    let first = parts.next()?;
    if !first.starts_with(|c: char| ('1'..='9').contains(&c))
        || !first.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return None;
    }
    let mut value: u128 = first.replace('_', "").parse().ok()?;
    for part in parts {
        let ok = !part.is_empty()
            && part.len() <= 2
            && part.chars().all(|c| c.is_ascii_digit())
            && (part.len() == 1 || part.as_bytes()[0] <= b'5');
        if !ok {
            return None;
        }
        value = value * 60 + part.parse::<u128>().ok()?;
    }
    Some(value)
}

/// YAML 1.1 floats: digits with a `.` (an exponent needs its sign: `1.0e+3`), base 60 with a
/// fraction, `.inf` and `.nan` in their three spellings; `_` may separate digits.
fn float_value(text: &str) -> Option<f64> {
    let (negative, body) = sign(text);
    let signed = |v: f64| if negative { -v } else { v };
    match body {
        ".inf" | ".Inf" | ".INF" => return Some(signed(f64::INFINITY)),
        ".nan" | ".NaN" | ".NAN" if text == body => return Some(f64::NAN),
        _ => {}
    }
    if body.contains(':') {
        let (whole, fraction) = body.rsplit_once(':')?;
        let (last, decimals) = fraction.split_once('.')?;
        let minutes = base_60(&format!("{whole}:{last}"))?;
        let decimals: f64 = format!("0.{}", decimals.replace('_', "")).parse().ok()?;
        return Some(signed(minutes as f64 + decimals));
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.')?;
    let whole_ok = whole.is_empty()
        || (whole.starts_with(|c: char| c.is_ascii_digit())
            && whole.chars().all(|c| c.is_ascii_digit() || c == '_'));
    let fraction_ok = fraction
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '_');
    let exponent_ok = exponent.is_none_or(|e| {
        e.len() > 1
            && matches!(e.as_bytes()[0], b'+' | b'-')
            && e[1..].chars().all(|c| c.is_ascii_digit())
    });
    if !whole_ok || !fraction_ok || !exponent_ok || fraction.contains('.') {
        return None;
    }
    let cleaned: String = body.chars().filter(|c| *c != '_').collect();
    let cleaned = if cleaned.starts_with('.') {
        format!("0{cleaned}")
    } else {
        cleaned
    };
    cleaned.parse::<f64>().ok().map(signed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What PyYAML 6's safe loader (dbt-core 1.12's) gives for `k: <text>`, recorded with
    /// `yaml.load('k: ' + text, Loader=yaml.CSafeLoader)`.
    #[test]
    fn plain_scalars_resolve_as_pyyaml_resolves_them() {
        let cases: &[(&str, Value)] = &[
            ("yes", Value::Bool(true)),
            ("Yes", Value::Bool(true)),
            ("YES", Value::Bool(true)),
            ("yEs", Value::String("yEs".into())),
            ("no", Value::Bool(false)),
            ("on", Value::Bool(true)),
            ("OFF", Value::Bool(false)),
            ("y", Value::String("y".into())),
            ("n", Value::String("n".into())),
            ("True", Value::Bool(true)),
            ("tRue", Value::String("tRue".into())),
            ("~", Value::Null),
            ("Null", Value::Null),
            ("", Value::Null),
            ("010", Value::Number(8.into())),
            ("0o10", Value::String("0o10".into())),
            ("0x1F", Value::Number(31.into())),
            ("0b101", Value::Number(5.into())),
            ("1_000", Value::Number(1000.into())),
            ("-1_0", Value::Number((-10).into())),
            ("+12", Value::Number(12.into())),
            ("1:30", Value::Number(90.into())),
            ("190:20:30", Value::Number(685_230.into())),
            ("0", Value::Number(0.into())),
            ("-0", Value::Number(0.into())),
            ("00", Value::Number(0.into())),
            ("08", Value::String("08".into())),
            ("1:60", Value::String("1:60".into())),
            ("1.5", Value::Number(1.5.into())),
            ("1.", Value::Number(1.0.into())),
            (".5", Value::Number(0.5.into())),
            ("1e3", Value::String("1e3".into())),
            ("1.0e+3", Value::Number(1000.0.into())),
            ("1.0e3", Value::String("1.0e3".into())),
            ("1_0.5", Value::Number(10.5.into())),
            ("-.Inf", Value::Number(f64::NEG_INFINITY.into())),
            ("2020-01-01", Value::String("2020-01-01".into())),
            ("0.1:2", Value::String("0.1:2".into())),
            ("abc", Value::String("abc".into())),
        ];
        for (text, want) in cases {
            let doc = load(&format!("k: {text}")).unwrap();
            assert_eq!(&doc["k"], want, "k: {text}");
        }
        assert!(
            matches!(&load("k: .NaN").unwrap()["k"], Value::Number(n) if n.as_f64().unwrap().is_nan())
        );
    }

    #[test]
    fn quoted_and_block_scalars_stay_strings() {
        let doc = load("a: 'yes'\nb: \"010\"\nc: |\n  on\nd: !!str no\ne: !!int '12'\n").unwrap();
        assert_eq!(doc["a"], Value::String("yes".into()));
        assert_eq!(doc["b"], Value::String("010".into()));
        assert_eq!(doc["c"], Value::String("on\n".into()));
        assert_eq!(doc["d"], Value::String("no".into()));
        assert_eq!(doc["e"], Value::Number(12.into()));
    }

    #[test]
    fn anchors_aliases_and_repeated_keys() {
        let doc = load("base: &b {x: 1, y: [a, b]}\ncopy: *b\nk: 1\nk: 2\n").unwrap();
        assert_eq!(doc["copy"], doc["base"]);
        assert_eq!(doc["k"], Value::Number(2.into()));
        let keys: Vec<&Value> = doc.as_mapping().unwrap().keys().collect();
        assert_eq!(keys.len(), 3);
    }

    #[test]
    fn empty_text_is_null_and_errors_name_the_line() {
        assert_eq!(load("").unwrap(), Value::Null);
        assert_eq!(load("# only a comment\n").unwrap(), Value::Null);
        let err = load("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
        let err = load("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(err.line, 2, "{err:?}");
        let err = load("a: *nowhere\n").unwrap_err();
        assert_eq!(err.line, 1, "{err:?}");
    }
}
