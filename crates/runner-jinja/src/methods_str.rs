//! Python `str` methods (`split`, `strip`, `format`, `partition`, …) and the
//! string helpers shared with filters.

use crate::error::{Error, ErrorKind, Result, type_err};
use crate::methods::{int_arg, str_arg};
use crate::value::{Kwargs, Value};

fn strip_with<'a>(s: &'a str, chars: &Option<String>, left: bool, right: bool) -> &'a str {
    let pred = |c: char| match chars {
        Some(cs) => cs.contains(c),
        None => c.is_whitespace(),
    };
    let mut r = s;
    if left {
        r = r.trim_start_matches(pred);
    }
    if right {
        r = r.trim_end_matches(pred);
    }
    r
}

fn char_index(s: &str, byte: usize) -> i64 {
    s[..byte].chars().count() as i64
}

pub(crate) fn py_split(
    s: &str,
    sep: Option<&str>,
    maxsplit: i64,
    right: bool,
) -> Result<Vec<String>> {
    let max = if maxsplit < 0 {
        usize::MAX
    } else {
        maxsplit as usize
    };
    let mut out: Vec<String> = Vec::new();
    match sep {
        Some("") => return Err(Error::new(ErrorKind::Value, "empty separator")),
        Some(sep) => {
            if right {
                let mut rest = s;
                while out.len() < max {
                    match rest.rfind(sep) {
                        Some(i) => {
                            out.push(rest[i + sep.len()..].to_string());
                            rest = &rest[..i];
                        }
                        None => break,
                    }
                }
                out.push(rest.to_string());
                out.reverse();
            } else {
                let mut rest = s;
                while out.len() < max {
                    match rest.find(sep) {
                        Some(i) => {
                            out.push(rest[..i].to_string());
                            rest = &rest[i + sep.len()..];
                        }
                        None => break,
                    }
                }
                out.push(rest.to_string());
            }
        }
        None => {
            if right {
                let mut rest = s.trim_end();
                while !rest.is_empty() {
                    if out.len() == max {
                        out.push(rest.to_string());
                        rest = "";
                        break;
                    }
                    match rest.rfind(char::is_whitespace) {
                        Some(i) => {
                            let ch = rest[i..].chars().next().map(|c| c.len_utf8()).unwrap_or(1);
                            out.push(rest[i + ch..].to_string());
                            rest = rest[..i].trim_end();
                        }
                        None => {
                            out.push(rest.to_string());
                            rest = "";
                        }
                    }
                }
                let _ = rest;
                out.reverse();
            } else {
                let mut rest = s.trim_start();
                while !rest.is_empty() {
                    if out.len() == max {
                        out.push(rest.to_string());
                        break;
                    }
                    match rest.find(char::is_whitespace) {
                        Some(i) => {
                            out.push(rest[..i].to_string());
                            rest = rest[i..].trim_start();
                        }
                        None => {
                            out.push(rest.to_string());
                            rest = "";
                        }
                    }
                }
            }
        }
    }
    Ok(out)
}

pub(crate) fn py_title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_cased = false;
    for c in s.chars() {
        if c.is_alphabetic() {
            if prev_cased {
                out.extend(c.to_lowercase());
            } else {
                out.extend(c.to_uppercase());
            }
            prev_cased = c.is_lowercase() || c.is_uppercase();
        } else {
            out.push(c);
            prev_cased = false;
        }
    }
    out
}

pub(crate) fn py_capitalize(s: &str) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(f) => f
            .to_uppercase()
            .chain(cs.flat_map(|c| c.to_lowercase()))
            .collect(),
        None => String::new(),
    }
}

pub(crate) fn py_center(s: &str, width: usize, fill: char) -> String {
    let len = s.chars().count();
    if width <= len {
        return s.to_string();
    }
    let marg = width - len;
    let left = marg / 2 + (marg & width & 1);
    let f = fill.to_string();
    format!("{}{}{}", f.repeat(left), s, f.repeat(marg - left))
}

fn splitlines(s: &str, keepends: bool) -> Vec<Value> {
    let mut out = Vec::new();
    let mut start = 0;
    let b: Vec<(usize, char)> = s.char_indices().collect();
    let mut i = 0;
    while i < b.len() {
        let (pos, c) = b[i];
        if matches!(
            c,
            '\n' | '\r'
                | '\u{b}'
                | '\u{c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        ) {
            let mut end = pos + c.len_utf8();
            if c == '\r' && b.get(i + 1).map(|x| x.1) == Some('\n') {
                end += 1;
                i += 1;
            }
            out.push(Value::from(if keepends {
                &s[start..end]
            } else {
                &s[start..pos]
            }));
            start = end;
        }
        i += 1;
    }
    if start < s.len() {
        out.push(Value::from(&s[start..]));
    }
    out
}

pub(crate) fn str_method(s: &str, name: &str, args: &[Value], kwargs: &Kwargs) -> Result<Value> {
    let sv = |x: String| Value::from(x);
    Ok(match name {
        "upper" => sv(s.to_uppercase()),
        "lower" | "casefold" => sv(s.to_lowercase()),
        "strip" | "lstrip" | "rstrip" => {
            let chars = str_arg(args, kwargs, 0, "chars", name)?;
            Value::from(strip_with(s, &chars, name != "rstrip", name != "lstrip"))
        }
        "split" | "rsplit" => {
            let sep = str_arg(args, kwargs, 0, "sep", name)?;
            let max = int_arg(args, kwargs, 1, "maxsplit", -1)?;
            Value::list(
                py_split(s, sep.as_deref(), max, name == "rsplit")?
                    .into_iter()
                    .map(Value::from)
                    .collect(),
            )
        }
        "replace" => {
            let old = str_arg(args, kwargs, 0, "old", name)?.unwrap_or_default();
            let new = str_arg(args, kwargs, 1, "new", name)?.unwrap_or_default();
            let count = int_arg(args, kwargs, 2, "count", -1)?;
            if count < 0 {
                sv(s.replace(&old, &new))
            } else {
                sv(s.replacen(&old, &new, count as usize))
            }
        }
        "startswith" | "endswith" => {
            let pats: Vec<Value> = match args.first() {
                Some(Value::Tuple(t)) => t.as_ref().clone(),
                Some(v) => vec![v.clone()],
                None => {
                    return Err(type_err(format!(
                        "{name}() takes at least 1 argument (0 given)"
                    )));
                }
            };
            let mut hit = false;
            for p in pats {
                let Value::Str(p) = p else {
                    return Err(type_err(format!(
                        "{name} first arg must be str or a tuple of str, not {}",
                        p.type_name()
                    )));
                };
                hit |= if name == "startswith" {
                    s.starts_with(&*p)
                } else {
                    s.ends_with(&*p)
                };
            }
            Value::Bool(hit)
        }
        "format" => sv(crate::format::str_format(s, args, kwargs)?),
        "join" => {
            let items = args.first().cloned().unwrap_or(Value::None).try_iter()?;
            let mut out = String::new();
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(s);
                }
                match it {
                    Value::Str(x) => out.push_str(x),
                    v => {
                        return Err(type_err(format!(
                            "sequence item {i}: expected str instance, {} found",
                            v.type_name()
                        )));
                    }
                }
            }
            sv(out)
        }
        "find" | "rfind" | "index" | "rindex" | "count" => {
            let sub = str_arg(args, kwargs, 0, "sub", name)?.unwrap_or_default();
            if name == "count" {
                return Ok(Value::from(if sub.is_empty() {
                    s.chars().count() + 1
                } else {
                    s.matches(&*sub).count()
                }));
            }
            let pos = if name.starts_with('r') {
                s.rfind(&*sub)
            } else {
                s.find(&*sub)
            };
            match pos {
                Some(b) => Value::Int(char_index(s, b)),
                None if name.contains("index") => {
                    return Err(Error::new(ErrorKind::Value, "substring not found"));
                }
                None => Value::Int(-1),
            }
        }
        "title" => sv(py_title(s)),
        "capitalize" => sv(py_capitalize(s)),
        "isdigit" | "isnumeric" | "isdecimal" => {
            Value::Bool(!s.is_empty() && s.chars().all(|c| c.is_numeric()))
        }
        "isalpha" => Value::Bool(!s.is_empty() && s.chars().all(char::is_alphabetic)),
        "isalnum" => Value::Bool(!s.is_empty() && s.chars().all(char::is_alphanumeric)),
        "isspace" => Value::Bool(!s.is_empty() && s.chars().all(char::is_whitespace)),
        "isupper" => {
            Value::Bool(s.chars().any(char::is_uppercase) && !s.chars().any(char::is_lowercase))
        }
        "islower" => {
            Value::Bool(s.chars().any(char::is_lowercase) && !s.chars().any(char::is_uppercase))
        }
        "istitle" => {
            Value::Bool(!s.is_empty() && py_title(s) == s && s.chars().any(char::is_alphabetic))
        }
        "isidentifier" => Value::Bool(
            s.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && s.chars().all(|c| c.is_alphanumeric() || c == '_'),
        ),
        "zfill" => {
            let w = int_arg(args, kwargs, 0, "width", 0)?.max(0) as usize;
            let len = s.chars().count();
            if len >= w {
                sv(s.to_string())
            } else {
                let (sign, rest) = match s.chars().next() {
                    Some(c @ ('+' | '-')) => (c.to_string(), &s[1..]),
                    _ => (String::new(), s),
                };
                sv(format!("{sign}{}{rest}", "0".repeat(w - len)))
            }
        }
        "splitlines" => Value::list(splitlines(
            s,
            args.first()
                .or(kwargs.get("keepends"))
                .is_some_and(|v| v.is_true()),
        )),
        "partition" | "rpartition" => {
            let sep = str_arg(args, kwargs, 0, "sep", name)?.unwrap_or_default();
            if sep.is_empty() {
                return Err(Error::new(ErrorKind::Value, "empty separator"));
            }
            let pos = if name == "partition" {
                s.find(&*sep)
            } else {
                s.rfind(&*sep)
            };
            let parts = match pos {
                Some(i) => [&s[..i], &sep[..], &s[i + sep.len()..]],
                None if name == "partition" => [s, "", ""],
                None => ["", "", s],
            };
            Value::tuple(parts.iter().map(|p| Value::from(*p)).collect())
        }
        "ljust" | "rjust" | "center" => {
            let w = int_arg(args, kwargs, 0, "width", 0)?.max(0) as usize;
            let fill = str_arg(args, kwargs, 1, "fillchar", name)?
                .and_then(|f| f.chars().next())
                .unwrap_or(' ');
            let len = s.chars().count();
            let n = w.saturating_sub(len);
            let f = fill.to_string();
            match name {
                "ljust" => sv(format!("{s}{}", f.repeat(n))),
                "rjust" => sv(format!("{}{s}", f.repeat(n))),
                _ => sv(py_center(s, w, fill)),
            }
        }
        "swapcase" => sv(s
            .chars()
            .flat_map(|c| -> Vec<char> {
                if c.is_uppercase() {
                    c.to_lowercase().collect()
                } else {
                    c.to_uppercase().collect()
                }
            })
            .collect()),
        "removeprefix" => {
            let p = str_arg(args, kwargs, 0, "prefix", name)?.unwrap_or_default();
            Value::from(s.strip_prefix(&*p).unwrap_or(s))
        }
        "removesuffix" => {
            let p = str_arg(args, kwargs, 0, "suffix", name)?.unwrap_or_default();
            Value::from(s.strip_suffix(&*p).unwrap_or(s))
        }
        _ => return Err(type_err(format!("unknown str method {name}"))),
    })
}

/// `s.splitlines()` as a list value (used by the `indent` filter).
pub(crate) fn call_method_splitlines(s: &str) -> Value {
    Value::list(splitlines(s, false))
}
