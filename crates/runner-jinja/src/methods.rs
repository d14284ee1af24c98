//! Python methods on built-in values: `str`, `list`, `dict` and `tuple`
//! (e.g. `s.split(',')`, `xs.append(1)`, `d.items()`).

use std::cmp::Ordering;

use crate::error::{Error, ErrorKind, Result, type_err};
use crate::eval::State;
use crate::value::ops::compare;
use crate::value::{Kwargs, Value};

const STR_METHODS: &[&str] = &[
    "upper",
    "lower",
    "strip",
    "lstrip",
    "rstrip",
    "split",
    "rsplit",
    "replace",
    "startswith",
    "endswith",
    "format",
    "join",
    "find",
    "rfind",
    "index",
    "rindex",
    "count",
    "title",
    "capitalize",
    "isdigit",
    "isalpha",
    "isalnum",
    "isspace",
    "isupper",
    "islower",
    "isnumeric",
    "isdecimal",
    "zfill",
    "splitlines",
    "partition",
    "rpartition",
    "ljust",
    "rjust",
    "center",
    "casefold",
    "swapcase",
    "removeprefix",
    "removesuffix",
    "istitle",
    "isidentifier",
];
const LIST_METHODS: &[&str] = &[
    "append", "extend", "insert", "pop", "remove", "index", "count", "reverse", "sort", "copy",
    "clear",
];
const DICT_METHODS: &[&str] = &[
    "items",
    "keys",
    "values",
    "get",
    "update",
    "pop",
    "setdefault",
    "copy",
    "clear",
    "popitem",
];

fn has_method(v: &Value, name: &str) -> bool {
    match v {
        Value::Str(_) => STR_METHODS.contains(&name),
        Value::List(_) => LIST_METHODS.contains(&name),
        Value::Dict(_) => DICT_METHODS.contains(&name),
        Value::Tuple(_) => name == "index" || name == "count",
        _ => false,
    }
}

/// A bound method value for `obj.name` used without a call, if `name` is a method.
pub(crate) fn bound_method(obj: &Value, name: &str) -> Option<Value> {
    if !has_method(obj, name) {
        return None;
    }
    let recv = obj.clone();
    let n = name.to_string();
    Some(Value::from_function(name, move |state, args, kwargs| {
        call_method(state, &recv, &n, args, kwargs).unwrap_or_else(|| Err(type_err("not callable")))
    }))
}

fn arg<'a>(args: &'a [Value], kwargs: &'a Kwargs, i: usize, name: &str) -> Option<&'a Value> {
    args.get(i)
        .or_else(|| kwargs.get(name))
        .filter(|v| !v.is_none())
}

fn str_arg(
    args: &[Value],
    kwargs: &Kwargs,
    i: usize,
    name: &str,
    method: &str,
) -> Result<Option<String>> {
    match arg(args, kwargs, i, name) {
        None => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.to_string())),
        Some(v) => Err(type_err(format!(
            "{method}() argument must be str or None, not {}",
            v.type_name()
        ))),
    }
}

fn int_arg(args: &[Value], kwargs: &Kwargs, i: usize, name: &str, default: i64) -> Result<i64> {
    match arg(args, kwargs, i, name) {
        None => Ok(default),
        Some(v) => v.as_int().ok_or_else(|| {
            type_err(format!(
                "'{}' object cannot be interpreted as an integer",
                v.type_name()
            ))
        }),
    }
}

/// Call a built-in method; `None` if the value has no such method.
pub(crate) fn call_method(
    _state: &State,
    obj: &Value,
    name: &str,
    args: &[Value],
    kwargs: &Kwargs,
) -> Option<Result<Value>> {
    if !has_method(obj, name) {
        return None;
    }
    Some(match obj {
        Value::Str(s) => str_method(s, name, args, kwargs),
        Value::List(_) => list_method(obj, name, args, kwargs),
        Value::Dict(_) => dict_method(obj, name, args, kwargs),
        Value::Tuple(t) => seq_query(t, name, args, "tuple"),
        _ => return None,
    })
}

fn seq_query(items: &[Value], name: &str, args: &[Value], kind: &str) -> Result<Value> {
    let x = args.first().cloned().unwrap_or(Value::None);
    if name == "count" {
        return Ok(Value::from(items.iter().filter(|v| **v == x).count()));
    }
    match items.iter().position(|v| *v == x) {
        Some(i) => Ok(Value::from(i)),
        None => Err(Error::new(
            ErrorKind::Value,
            if kind == "tuple" {
                "tuple.index(x): x not in tuple".to_string()
            } else {
                format!("{} is not in list", x.repr())
            },
        )),
    }
}

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

fn str_method(s: &str, name: &str, args: &[Value], kwargs: &Kwargs) -> Result<Value> {
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

/// Python-style sort of values (stable), optionally reversed.
pub(crate) fn sort_values(
    items: &mut [Value],
    reverse: bool,
    key: impl Fn(&Value) -> Value,
) -> Result<()> {
    let mut err = None;
    items.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        let o = compare(&ka, &kb, "<").unwrap_or_else(|e| {
            err.get_or_insert(e);
            Ordering::Equal
        });
        if reverse { o.reverse() } else { o }
    });
    match err {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn list_method(obj: &Value, name: &str, args: &[Value], kwargs: &Kwargs) -> Result<Value> {
    let Value::List(l) = obj else {
        return Ok(Value::None);
    };
    let a0 = || args.first().cloned().unwrap_or(Value::None);
    Ok(match name {
        "append" => {
            l.write().push(a0());
            Value::None
        }
        "extend" => {
            let items = a0().try_iter()?;
            l.write().extend(items);
            Value::None
        }
        "insert" => {
            let i = int_arg(args, kwargs, 0, "index", 0)?;
            let v = args.get(1).cloned().unwrap_or(Value::None);
            let mut w = l.write();
            let n = w.len() as i64;
            let i = if i < 0 { (i + n).max(0) } else { i.min(n) };
            w.insert(i as usize, v);
            Value::None
        }
        "pop" => {
            let mut w = l.write();
            if w.is_empty() {
                return Err(Error::new(ErrorKind::Index, "pop from empty list"));
            }
            let n = w.len() as i64;
            let i = int_arg(args, kwargs, 0, "index", -1)?;
            let i = if i < 0 { i + n } else { i };
            if i < 0 || i >= n {
                return Err(Error::new(ErrorKind::Index, "pop index out of range"));
            }
            w.remove(i as usize)
        }
        "remove" => {
            let x = a0();
            let mut w = l.write();
            match w.iter().position(|v| *v == x) {
                Some(i) => {
                    w.remove(i);
                    Value::None
                }
                None => {
                    return Err(Error::new(
                        ErrorKind::Value,
                        "list.remove(x): x not in list",
                    ));
                }
            }
        }
        "index" | "count" => seq_query(&l.to_vec(), name, args, "list")?,
        "reverse" => {
            l.write().reverse();
            Value::None
        }
        "sort" => {
            let reverse = kwargs.get("reverse").is_some_and(|v| v.is_true());
            let mut items = l.to_vec();
            sort_values(&mut items, reverse, |v| v.clone())?;
            *l.write() = items;
            Value::None
        }
        "copy" => Value::list(l.to_vec()),
        "clear" => {
            l.write().clear();
            Value::None
        }
        _ => Value::None,
    })
}

fn dict_method(obj: &Value, name: &str, args: &[Value], kwargs: &Kwargs) -> Result<Value> {
    let Value::Dict(d) = obj else {
        return Ok(Value::None);
    };
    let a0 = || args.first().cloned().unwrap_or(Value::None);
    Ok(match name {
        "items" => Value::list(
            d.read()
                .iter()
                .map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()]))
                .collect(),
        ),
        "keys" => Value::list(d.read().keys().cloned().collect()),
        "values" => Value::list(d.read().values().cloned().collect()),
        "get" => {
            let default = args.get(1).cloned().unwrap_or(Value::None);
            d.read().get(&a0()).cloned().unwrap_or(default)
        }
        "update" => {
            let mut new: Vec<(Value, Value)> = Vec::new();
            match args.first() {
                Some(Value::Dict(o)) => {
                    new.extend(o.read().iter().map(|(k, v)| (k.clone(), v.clone())))
                }
                Some(v) => new.extend(crate::value::json::pairs_to_dict(v.try_iter()?)?),
                None => {}
            }
            new.extend(
                kwargs
                    .iter()
                    .map(|(k, v)| (Value::from(k.as_str()), v.clone())),
            );
            let mut w = d.write();
            for (k, v) in new {
                w.insert(k, v);
            }
            Value::None
        }
        "pop" => {
            let k = a0();
            match d.write().shift_remove(&k) {
                Some(v) => v,
                None => match args.get(1) {
                    Some(def) => def.clone(),
                    None => return Err(Error::new(ErrorKind::Key, k.repr())),
                },
            }
        }
        "setdefault" => {
            let k = a0();
            let def = args.get(1).cloned().unwrap_or(Value::None);
            d.write().entry(k).or_insert(def).clone()
        }
        "copy" => Value::dict(d.read().clone()),
        "clear" => {
            d.write().clear();
            Value::None
        }
        "popitem" => match d.write().pop() {
            Some((k, v)) => Value::tuple(vec![k, v]),
            None => {
                return Err(Error::new(
                    ErrorKind::Key,
                    "'popitem(): dictionary is empty'",
                ));
            }
        },
        _ => Value::None,
    })
}

/// `s.splitlines()` as a list value (used by the `indent` filter).
pub(crate) fn call_method_splitlines(s: &str) -> Value {
    Value::list(splitlines(s, false))
}
