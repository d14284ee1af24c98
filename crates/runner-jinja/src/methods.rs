//! Python methods on built-in values: `str`, `list`, `dict` and `tuple`
//! (e.g. `s.split(',')`, `xs.append(1)`, `d.items()`).

use std::cmp::Ordering;

use crate::error::{Error, ErrorKind, Result, type_err};
use crate::eval::State;
pub(crate) use crate::methods_str::{call_method_splitlines, py_capitalize, py_center, py_title};
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

pub(crate) fn arg<'a>(
    args: &'a [Value],
    kwargs: &'a Kwargs,
    i: usize,
    name: &str,
) -> Option<&'a Value> {
    args.get(i)
        .or_else(|| kwargs.get(name))
        .filter(|v| !v.is_none())
}

pub(crate) fn str_arg(
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

pub(crate) fn int_arg(
    args: &[Value],
    kwargs: &Kwargs,
    i: usize,
    name: &str,
    default: i64,
) -> Result<i64> {
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
        Value::Str(s) => crate::methods_str::str_method(s, name, args, kwargs),
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
