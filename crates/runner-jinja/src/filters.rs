//! Jinja2's builtin filters on scalars and strings (registration for all
//! filters lives here; sequence filters are in `filters_seq`).

use crate::error::{Error, ErrorKind, Result, type_err};
use crate::eval::{Environment, State};
use crate::methods::{py_capitalize, py_center, py_title};
use crate::value::ops::undefined_error;
use crate::value::{Kwargs, Value};

/// Positional-or-keyword argument access for builtin filters.
pub(crate) struct Args<'a> {
    pub args: &'a [Value],
    pub kwargs: &'a Kwargs,
}

impl<'a> Args<'a> {
    pub fn get(&self, i: usize, name: &str) -> Option<&'a Value> {
        self.args.get(i).or_else(|| self.kwargs.get(name))
    }
    pub fn opt(&self, i: usize, name: &str) -> Option<&'a Value> {
        self.get(i, name)
            .filter(|v| !v.is_none() && !v.is_undefined())
    }
    pub fn bool(&self, i: usize, name: &str, default: bool) -> bool {
        self.get(i, name).map(|v| v.is_true()).unwrap_or(default)
    }
    pub fn int(&self, i: usize, name: &str, default: i64) -> Result<i64> {
        match self.opt(i, name) {
            None => Ok(default),
            Some(v) => v
                .as_int()
                .or_else(|| v.as_f64().map(|f| f as i64))
                .ok_or_else(|| {
                    type_err(format!(
                        "'{}' object cannot be interpreted as an integer",
                        v.type_name()
                    ))
                }),
        }
    }
    pub fn string(&self, i: usize, name: &str, default: &str) -> String {
        self.opt(i, name)
            .map(|v| v.to_python_str())
            .unwrap_or_else(|| default.to_string())
    }
}

type Filter = fn(&State, Value, &Args) -> Result<Value>;

fn reg(env: &mut Environment, names: &[&str], f: Filter) {
    for n in names {
        env.add_filter(n, move |s, v, a, k| f(s, v, &Args { args: a, kwargs: k }));
    }
}

/// Register all builtin filters.
pub(crate) fn register(env: &mut Environment) {
    reg(env, &["abs"], abs);
    reg(env, &["capitalize"], |_, v, _| {
        Ok(py_capitalize(&v.to_python_str()).into())
    });
    reg(env, &["center"], |_, v, a| {
        Ok(py_center(
            &v.to_python_str(),
            a.int(0, "width", 80)?.max(0) as usize,
            ' ',
        )
        .into())
    });
    reg(env, &["default", "d"], default);
    reg(env, &["escape", "e", "forceescape"], |_, v, _| {
        Ok(escape(&v.to_python_str()).into())
    });
    reg(env, &["float"], float);
    reg(env, &["format"], format);
    reg(env, &["indent"], indent);
    reg(env, &["int"], int);
    reg(env, &["lower"], |_, v, _| {
        Ok(v.to_python_str().to_lowercase().into())
    });
    reg(env, &["upper"], |_, v, _| {
        Ok(v.to_python_str().to_uppercase().into())
    });
    reg(env, &["pprint"], |_, v, _| Ok(v.repr().into()));
    reg(env, &["replace"], replace);
    reg(env, &["round"], round);
    reg(env, &["safe"], |_, v, _| {
        Ok(if let Value::Str(_) = v {
            v
        } else {
            v.to_python_str().into()
        })
    });
    reg(env, &["string"], |_, v, _| {
        Ok(if let Value::Str(_) = v {
            v
        } else {
            v.to_python_str().into()
        })
    });
    reg(env, &["striptags"], |_, v, _| {
        Ok(crate::filters_text::striptags(&v.to_python_str()).into())
    });
    reg(env, &["title"], |_, v, _| {
        Ok(title(&v.to_python_str()).into())
    });
    reg(env, &["tojson"], tojson);
    reg(env, &["trim"], |_, v, a| {
        let s = v.to_python_str();
        Ok(match a.opt(0, "chars") {
            Some(c) => {
                let cs = c.to_python_str();
                s.trim_matches(|ch| cs.contains(ch)).into()
            }
            None => s.trim().into(),
        })
    });
    reg(env, &["truncate"], truncate);
    reg(env, &["urlencode"], crate::filters_text::urlencode);
    reg(env, &["wordcount"], |_, v, _| {
        let s = v.to_python_str();
        Ok(Value::from(
            s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .count(),
        ))
    });
    reg(env, &["wordwrap"], crate::filters_text::wordwrap);
    reg(env, &["xmlattr"], crate::filters_text::xmlattr);
    reg(env, &["attr"], |_, v, a| {
        let name = a.string(0, "name", "");
        if let Some(m) = crate::methods::bound_method(&v, &name) {
            return Ok(m);
        }
        Ok(match &v {
            Value::Object(o) => o.get_attr(&name),
            Value::Macro(m) => crate::eval::macro_attr(m, &name),
            _ => None,
        }
        .unwrap_or_else(|| Value::undefined_attr(&v, &Value::from(name))))
    });
    crate::filters_seq::register(env, reg);
}

fn abs(_: &State, v: Value, _: &Args) -> Result<Value> {
    Ok(match v {
        Value::Int(i) => Value::Int(i.abs()),
        Value::Bool(b) => Value::Int(b as i64),
        Value::Float(f) => Value::Float(f.abs()),
        Value::Undefined(_) => return Err(undefined_error(&v)),
        v => {
            return Err(type_err(format!(
                "bad operand type for abs(): '{}'",
                v.type_name()
            )));
        }
    })
}

fn default(_: &State, v: Value, a: &Args) -> Result<Value> {
    let boolean = a.bool(1, "boolean", false);
    if v.is_undefined() || (boolean && !v.is_true()) {
        Ok(a.get(0, "default_value")
            .cloned()
            .unwrap_or_else(|| Value::from("")))
    } else {
        Ok(v)
    }
}

/// HTML-escape like `markupsafe.escape`.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn parse_py_float(s: &str) -> Option<f64> {
    let t = s.trim().replace('_', "");
    match t.to_lowercase().as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => return Some(f64::INFINITY),
        "-inf" | "-infinity" => return Some(f64::NEG_INFINITY),
        "nan" | "+nan" | "-nan" => return Some(f64::NAN),
        _ => {}
    }
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
    {
        return None;
    }
    t.parse().ok()
}

fn float(_: &State, v: Value, a: &Args) -> Result<Value> {
    let default = a.get(0, "default").cloned().unwrap_or(Value::Float(0.0));
    Ok(match &v {
        Value::Float(_) => v,
        Value::Int(_) | Value::Bool(_) => Value::Float(v.as_f64().unwrap_or(0.0)),
        Value::Str(s) => parse_py_float(s).map(Value::Float).unwrap_or(default),
        _ => default,
    })
}

fn parse_py_int(s: &str, base: u32) -> Option<i64> {
    let t = s.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = t.to_ascii_lowercase();
    let (base, digits) = match (base, lower.get(..2)) {
        (16 | 0, Some("0x")) => (16, &t[2..]),
        (8 | 0, Some("0o")) => (8, &t[2..]),
        (2 | 0, Some("0b")) => (2, &t[2..]),
        (0, _) => (10, t),
        (b, _) => (b, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let clean: String = digits.chars().filter(|&c| c != '_').collect();
    let v = i64::from_str_radix(&clean, base).ok()?;
    Some(if neg { -v } else { v })
}

fn int(_: &State, v: Value, a: &Args) -> Result<Value> {
    let default = a.get(0, "default").cloned().unwrap_or(Value::Int(0));
    let base = a.int(1, "base", 10)? as u32;
    Ok(match &v {
        Value::Int(_) => v,
        Value::Bool(b) => Value::Int(*b as i64),
        Value::Float(f) if f.is_finite() => Value::Int(f.trunc() as i64),
        Value::Str(s) => match parse_py_int(s, base) {
            Some(i) => Value::Int(i),
            None => match parse_py_float(s) {
                Some(f) if f.is_finite() => Value::Int(f.trunc() as i64),
                _ => default,
            },
        },
        _ => default,
    })
}

fn format(_: &State, v: Value, a: &Args) -> Result<Value> {
    if !a.args.is_empty() && !a.kwargs.is_empty() {
        return Err(Error::new(
            ErrorKind::Runtime,
            "can't handle positional and keyword arguments at the same time",
        ));
    }
    let fmt = v.to_python_str();
    let args = if !a.kwargs.is_empty() {
        Value::dict(
            a.kwargs
                .iter()
                .map(|(k, v)| (Value::from(k.as_str()), v.clone()))
                .collect(),
        )
    } else {
        Value::tuple(a.args.to_vec())
    };
    Ok(crate::format::percent_format(&fmt, &args)?.into())
}

fn indent(_: &State, v: Value, a: &Args) -> Result<Value> {
    let ind = match a.get(0, "width") {
        Some(Value::Str(s)) => s.to_string(),
        _ => " ".repeat(a.int(0, "width", 4)?.max(0) as usize),
    };
    let first = a.bool(1, "first", false);
    let blank = a.bool(2, "blank", false);
    let s = match &v {
        Value::Str(s) => format!("{s}\n"),
        Value::Undefined(_) => "\n".to_string(),
        other => {
            return Err(Error::new(
                ErrorKind::Attribute,
                format!(
                    "'{}' object has no attribute 'splitlines'",
                    other.type_name()
                ),
            ));
        }
    };
    let lines: Vec<String> = match crate::methods::call_method_splitlines(&s) {
        Value::List(l) => l.to_vec().iter().map(|x| x.to_python_str()).collect(),
        _ => Vec::new(),
    };
    let mut rv = if blank {
        lines.join(&format!("\n{ind}"))
    } else {
        let mut it = lines.into_iter();
        let mut rv = it.next().unwrap_or_default();
        let rest: Vec<String> = it
            .map(|l| if l.is_empty() { l } else { format!("{ind}{l}") })
            .collect();
        if !rest.is_empty() {
            rv.push('\n');
            rv.push_str(&rest.join("\n"));
        }
        rv
    };
    if first {
        rv = format!("{ind}{rv}");
    }
    Ok(rv.into())
}

fn replace(_: &State, v: Value, a: &Args) -> Result<Value> {
    let s = v.to_python_str();
    let old = a.string(0, "old", "");
    let new = a.string(1, "new", "");
    Ok(match a.opt(2, "count") {
        Some(c) => s.replacen(&old, &new, c.as_int().unwrap_or(0).max(0) as usize),
        None => s.replace(&old, &new),
    }
    .into())
}

/// Python `round(x, ndigits)` (correctly rounded, ties to even on the binary value).
pub(crate) fn py_round(x: f64, p: i64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    if p >= 0 {
        format!("{:.*}", p as usize, x).parse().unwrap_or(x)
    } else {
        let m = 10f64.powi((-p) as i32);
        let q = x / m;
        let r = q.round();
        let r = if (q - q.trunc()).abs() == 0.5 {
            2.0 * (q / 2.0).round()
        } else {
            r
        };
        r * m
    }
}

fn round(_: &State, v: Value, a: &Args) -> Result<Value> {
    let p = a.int(0, "precision", 0)?;
    let method = a.string(1, "method", "common");
    let x = match &v {
        Value::Int(_) | Value::Bool(_) if method == "common" => {
            return Ok(Value::Int(v.as_int().unwrap_or(0)));
        }
        v => v.as_f64().ok_or_else(|| {
            type_err(format!(
                "type {} doesn't define __round__ method",
                v.type_name()
            ))
        })?,
    };
    let m = 10f64.powi(p as i32);
    Ok(Value::Float(match method.as_str() {
        "common" => py_round(x, p),
        "ceil" => (x * m).ceil() / m,
        "floor" => (x * m).floor() / m,
        _ => {
            return Err(Error::new(
                ErrorKind::Assertion,
                "method must be common, ceil or floor",
            ));
        }
    }))
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut at_start = true;
    for c in s.chars() {
        if c == '-' || c.is_whitespace() || matches!(c, '(' | '{' | '[' | '<') {
            out.push(c);
            at_start = true;
        } else if at_start {
            out.extend(c.to_uppercase());
            at_start = false;
        } else {
            out.extend(c.to_lowercase());
        }
    }
    let _ = py_title;
    out
}

fn tojson(_: &State, v: Value, a: &Args) -> Result<Value> {
    let ind = a.opt(0, "indent").map(|i| match i {
        Value::Str(s) => s.to_string(),
        v => " ".repeat(v.as_int().unwrap_or(0).max(0) as usize),
    });
    let s = crate::value::json::dumps(&v, true, ind.as_deref())?;
    Ok(s.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\'', "\\u0027")
        .into())
}

fn truncate(_: &State, v: Value, a: &Args) -> Result<Value> {
    let s = v.to_python_str();
    let length = a.int(0, "length", 255)?.max(0) as usize;
    let killwords = a.bool(1, "killwords", false);
    let end = a.string(2, "end", "...");
    let leeway = a.int(3, "leeway", 5)?.max(0) as usize;
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= length + leeway {
        return Ok(s.into());
    }
    let cut: String = chars[..length.saturating_sub(end.chars().count())]
        .iter()
        .collect();
    if killwords {
        return Ok(format!("{cut}{end}").into());
    }
    let base = match cut.rfind(' ') {
        Some(i) => cut[..i].to_string(),
        None => cut,
    };
    Ok(format!("{base}{end}").into())
}
