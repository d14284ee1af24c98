//! Jinja2's default global functions: `range`, `dict`, `namespace`, `cycler`, `joiner`.

use std::sync::{Arc, Mutex, OnceLock};

use indexmap::IndexMap;

use super::objects::{Cycler, Joiner, Namespace};
use crate::error::{Error, ErrorKind, Result, type_err};
use crate::value::{Kwargs, Value};

struct Builtins {
    range: Value,
    dict: Value,
    namespace: Value,
    cycler: Value,
    joiner: Value,
}

fn builtins() -> &'static Builtins {
    static B: OnceLock<Builtins> = OnceLock::new();
    B.get_or_init(|| Builtins {
        range: Value::from_function("range", |_, a, _| range(a)),
        dict: Value::from_function("dict", |_, a, k| dict(a, k)),
        namespace: Value::from_function("namespace", |_, a, k| {
            let mut attrs = IndexMap::new();
            if let Some(Value::Dict(d)) = a.first() {
                for (k, v) in d.read().iter() {
                    attrs.insert(k.to_python_str(), v.clone());
                }
            }
            for (k, v) in k {
                attrs.insert(k.clone(), v.clone());
            }
            Ok(Value::from_object(Arc::new(Namespace::new(attrs))))
        }),
        cycler: Value::from_function("cycler", |_, a, _| {
            Ok(Value::from_object(Arc::new(Cycler {
                items: a.to_vec(),
                pos: Mutex::new(0),
            })))
        }),
        joiner: Value::from_function("joiner", |_, a, k| {
            let sep = k
                .get("sep")
                .or(a.first())
                .map(|v| v.to_python_str())
                .unwrap_or_else(|| ", ".into());
            Ok(Value::from_object(Arc::new(Joiner {
                sep,
                used: Mutex::new(false),
            })))
        }),
    })
}

/// Resolve a builtin global by name.
pub(crate) fn lookup(name: &str) -> Option<Value> {
    let b = builtins();
    Some(match name {
        "range" => b.range.clone(),
        "dict" => b.dict.clone(),
        "namespace" => b.namespace.clone(),
        "cycler" => b.cycler.clone(),
        "joiner" => b.joiner.clone(),
        _ => return None,
    })
}

fn int_arg(v: &Value) -> Result<i64> {
    v.as_int().ok_or_else(|| {
        type_err(format!(
            "'{}' object cannot be interpreted as an integer",
            v.type_name()
        ))
    })
}

fn range(a: &[Value]) -> Result<Value> {
    let (start, stop, step) = match a.len() {
        1 => (0, int_arg(&a[0])?, 1),
        2 => (int_arg(&a[0])?, int_arg(&a[1])?, 1),
        3 => (int_arg(&a[0])?, int_arg(&a[1])?, int_arg(&a[2])?),
        n => {
            return Err(type_err(format!(
                "range expected at most 3 arguments, got {n}"
            )));
        }
    };
    if step == 0 {
        return Err(Error::new(
            ErrorKind::Value,
            "range() arg 3 must not be zero",
        ));
    }
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(Value::Int(i));
        if out.len() > 10_000_000 {
            return Err(Error::new(ErrorKind::Runtime, "range too big"));
        }
        i += step;
    }
    Ok(Value::list(out))
}

fn dict(a: &[Value], k: &Kwargs) -> Result<Value> {
    let mut m = match a.first() {
        Some(Value::Dict(d)) => d.read().clone(),
        Some(v) => crate::value::json::pairs_to_dict(v.try_iter()?)?,
        None => IndexMap::new(),
    };
    for (key, v) in k {
        m.insert(Value::from(key.as_str()), v.clone());
    }
    Ok(Value::dict(m))
}
