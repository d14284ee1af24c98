//! Python operators on values: arithmetic, comparison/ordering, `in`, slicing.

use std::cmp::Ordering;

use super::Value;
use crate::error::{Error, ErrorKind, Result, type_err};

/// The error raised when an undefined value is used.
pub(crate) fn undefined_error(v: &Value) -> Error {
    match v {
        Value::Undefined(Some(h)) => Error::new(ErrorKind::Undefined, h.to_string()),
        _ => Error::new(ErrorKind::Undefined, "'Undefined' is undefined"),
    }
}

/// Binary arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `//`
    FloorDiv,
    /// `%`
    Mod,
    /// `**`
    Pow,
}

impl BinOp {
    fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "** or pow()",
        }
    }
}

fn unsupported(op: BinOp, a: &Value, b: &Value) -> Error {
    type_err(format!(
        "unsupported operand type(s) for {}: '{}' and '{}'",
        op.symbol(),
        a.type_name(),
        b.type_name()
    ))
}

fn is_num(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Bool(_) | Value::Float(_))
}

fn overflow() -> Error {
    Error::new(ErrorKind::Value, "integer overflow")
}

/// Apply a binary arithmetic operator with Python semantics.
pub fn binop(op: BinOp, a: &Value, b: &Value) -> Result<Value> {
    if a.is_undefined() {
        return Err(undefined_error(a));
    }
    if b.is_undefined() {
        return Err(undefined_error(b));
    }
    if let Value::Object(o) = a
        && let Some(r) = o.binary_op(op, b, false)
    {
        return r;
    }
    if let Value::Object(o) = b
        && let Some(r) = o.binary_op(op, a, true)
    {
        return r;
    }
    if let (Some(x), Some(y)) = (a.as_int(), b.as_int()) {
        return int_op(op, x, y);
    }
    if is_num(a) && is_num(b) {
        let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
        return float_op(op, x, y);
    }
    match (op, a, b) {
        (BinOp::Add, Value::Str(x), Value::Str(y)) => {
            let mut s = String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            Ok(Value::from(s))
        }
        (BinOp::Add, Value::List(x), Value::List(y)) => {
            let mut v = x.to_vec();
            v.extend(y.to_vec());
            Ok(Value::list(v))
        }
        (BinOp::Add, Value::Tuple(x), Value::Tuple(y)) => {
            let mut v = x.as_ref().clone();
            v.extend(y.iter().cloned());
            Ok(Value::tuple(v))
        }
        (
            BinOp::Mul,
            Value::Str(_) | Value::List(_) | Value::Tuple(_),
            Value::Int(_) | Value::Bool(_),
        ) => repeat(a, b.as_int().unwrap_or(0)),
        (
            BinOp::Mul,
            Value::Int(_) | Value::Bool(_),
            Value::Str(_) | Value::List(_) | Value::Tuple(_),
        ) => repeat(b, a.as_int().unwrap_or(0)),
        (BinOp::Mod, Value::Str(fmt), _) => crate::format::percent_format(fmt, b).map(Value::from),
        (BinOp::Add, Value::Str(_) | Value::List(_) | Value::Tuple(_), _) => {
            Err(type_err(format!(
                "can only concatenate {} (not \"{}\") to {}",
                a.type_name(),
                b.type_name(),
                a.type_name()
            )))
        }
        _ => Err(unsupported(op, a, b)),
    }
}

fn repeat(v: &Value, n: i64) -> Result<Value> {
    let n = n.max(0) as usize;
    Ok(match v {
        Value::Str(s) => Value::from(s.repeat(n)),
        Value::List(l) => {
            let items = l.to_vec();
            Value::list((0..n).flat_map(|_| items.iter().cloned()).collect())
        }
        Value::Tuple(t) => Value::tuple((0..n).flat_map(|_| t.iter().cloned()).collect()),
        _ => Value::None,
    })
}

fn int_op(op: BinOp, x: i64, y: i64) -> Result<Value> {
    Ok(match op {
        BinOp::Add => Value::Int(x.checked_add(y).ok_or_else(overflow)?),
        BinOp::Sub => Value::Int(x.checked_sub(y).ok_or_else(overflow)?),
        BinOp::Mul => Value::Int(x.checked_mul(y).ok_or_else(overflow)?),
        BinOp::Div => {
            if y == 0 {
                return Err(Error::new(ErrorKind::ZeroDivision, "division by zero"));
            }
            Value::Float(x as f64 / y as f64)
        }
        BinOp::FloorDiv => {
            if y == 0 {
                return Err(Error::new(
                    ErrorKind::ZeroDivision,
                    "integer division or modulo by zero",
                ));
            }
            Value::Int(x.div_euclid(y) - if y < 0 && x.rem_euclid(y) != 0 { 1 } else { 0 })
        }
        BinOp::Mod => {
            if y == 0 {
                return Err(Error::new(
                    ErrorKind::ZeroDivision,
                    "integer division or modulo by zero",
                ));
            }
            let r = x % y;
            Value::Int(if r != 0 && ((r < 0) != (y < 0)) {
                r + y
            } else {
                r
            })
        }
        BinOp::Pow => {
            if y < 0 {
                Value::Float((x as f64).powf(y as f64))
            } else {
                let e = u32::try_from(y).map_err(|_| overflow())?;
                Value::Int(x.checked_pow(e).ok_or_else(overflow)?)
            }
        }
    })
}

fn float_op(op: BinOp, x: f64, y: f64) -> Result<Value> {
    Ok(Value::Float(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => {
            if y == 0.0 {
                return Err(Error::new(
                    ErrorKind::ZeroDivision,
                    "float division by zero",
                ));
            }
            x / y
        }
        BinOp::FloorDiv => {
            if y == 0.0 {
                return Err(Error::new(
                    ErrorKind::ZeroDivision,
                    "float floor division by zero",
                ));
            }
            (x / y).floor()
        }
        BinOp::Mod => {
            if y == 0.0 {
                return Err(Error::new(ErrorKind::ZeroDivision, "float modulo"));
            }
            let r = x % y;
            if r != 0.0 && ((r < 0.0) != (y < 0.0)) {
                r + y
            } else {
                r
            }
        }
        BinOp::Pow => x.powf(y),
    }))
}

/// Python ordering (`<` etc.); errors for incomparable types.
pub fn compare(a: &Value, b: &Value, op: &str) -> Result<Ordering> {
    let err = || {
        type_err(format!(
            "'{op}' not supported between instances of '{}' and '{}'",
            a.type_name(),
            b.type_name()
        ))
    };
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Ok(x.cmp(y)),
        _ if is_num(a) && is_num(b) => match (a.as_int(), b.as_int()) {
            (Some(x), Some(y)) => Ok(x.cmp(&y)),
            _ => a
                .as_f64()
                .unwrap_or(0.0)
                .partial_cmp(&b.as_f64().unwrap_or(0.0))
                .ok_or_else(err),
        },
        (Value::List(x), Value::List(y)) => seq_cmp(&x.to_vec(), &y.to_vec(), op),
        (Value::Tuple(x), Value::Tuple(y)) => seq_cmp(x, y, op),
        (Value::Object(o), _) => o.py_cmp(b).unwrap_or_else(|| Err(err())),
        (_, Value::Object(o)) => match o.py_cmp(a) {
            Some(r) => r.map(Ordering::reverse),
            None => Err(err()),
        },
        _ => Err(err()),
    }
}

fn seq_cmp(a: &[Value], b: &[Value], op: &str) -> Result<Ordering> {
    for (x, y) in a.iter().zip(b.iter()) {
        if x != y {
            return compare(x, y, op);
        }
    }
    Ok(a.len().cmp(&b.len()))
}

/// Python `item in container`.
pub fn contains(container: &Value, item: &Value) -> Result<bool> {
    match container {
        Value::Str(s) => match item {
            Value::Str(i) => Ok(s.contains(&**i)),
            Value::Undefined(_) => Err(undefined_error(item)),
            _ => Err(type_err(format!(
                "'in <string>' requires string as left operand, not {}",
                item.type_name()
            ))),
        },
        Value::List(l) => Ok(l.read().iter().any(|x| x == item)),
        Value::Tuple(t) => Ok(t.iter().any(|x| x == item)),
        Value::Dict(d) => Ok(d.read().contains_key(item)),
        Value::Undefined(_) => Ok(false),
        Value::Object(o) => Ok(o.iter().map(|v| v.contains(item)).unwrap_or(false) || {
            item.as_str()
                .is_some_and(|n| o.get_attr(n).is_some() || o.get_item(item).is_some())
        }),
        _ => Err(type_err(format!(
            "argument of type '{}' is not iterable",
            container.type_name()
        ))),
    }
}

/// Python slicing `v[start:stop:step]`.
pub fn slice(v: &Value, start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Result<Value> {
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(Error::new(ErrorKind::Value, "slice step cannot be zero"));
    }
    let pick = |n: usize| -> Vec<usize> {
        let n = n as i64;
        let norm = |i: i64, lo: i64, hi: i64| {
            let i = if i < 0 { i + n } else { i };
            i.clamp(lo, hi)
        };
        let mut out = Vec::new();
        if step > 0 {
            let s = start.map(|i| norm(i, 0, n)).unwrap_or(0);
            let e = stop.map(|i| norm(i, 0, n)).unwrap_or(n);
            let mut i = s;
            while i < e {
                out.push(i as usize);
                i += step;
            }
        } else {
            let s = start.map(|i| norm(i, -1, n - 1)).unwrap_or(n - 1);
            let e = stop.map(|i| norm(i, -1, n - 1)).unwrap_or(-1);
            let mut i = s;
            while i > e {
                out.push(i as usize);
                i += step;
            }
        }
        out
    };
    Ok(match v {
        Value::Str(s) => {
            let chars: Vec<char> = s.chars().collect();
            Value::from(
                pick(chars.len())
                    .into_iter()
                    .map(|i| chars[i])
                    .collect::<String>(),
            )
        }
        Value::List(l) => {
            let items = l.read();
            Value::list(
                pick(items.len())
                    .into_iter()
                    .map(|i| items[i].clone())
                    .collect(),
            )
        }
        Value::Tuple(t) => Value::tuple(pick(t.len()).into_iter().map(|i| t[i].clone()).collect()),
        Value::Undefined(_) => return Err(undefined_error(v)),
        _ => {
            return Err(type_err(format!(
                "'{}' object is not subscriptable",
                v.type_name()
            )));
        }
    })
}

impl Value {
    /// Python `self <op> other` (the `+`, `-`, … operators), for hosts implementing Python
    /// functions such as `itertools.accumulate`.
    pub fn binary_op(&self, op: BinOp, other: &Value) -> Result<Value> {
        binop(op, self, other)
    }

    /// Python `item in self`, false on type errors.
    pub fn contains(&self, item: &Value) -> bool {
        contains(self, item).unwrap_or(false)
    }
}
