//! Jinja2's builtin tests (`is defined`, `is divisibleby(3)`, `is sameas`, …).

use crate::error::{Result, type_err};
use crate::eval::{Environment, State};
use crate::value::Value;
use crate::value::ops::{compare, contains, undefined_error};

type Test = fn(&State, &Value, &[Value]) -> Result<bool>;

fn reg(env: &mut Environment, names: &[&str], t: Test) {
    for n in names {
        env.add_test(n, t);
    }
}

fn arg(a: &[Value]) -> Value {
    a.first().cloned().unwrap_or(Value::UNDEFINED)
}

fn num_int(v: &Value) -> Result<i64> {
    match v {
        Value::Undefined(_) => Err(undefined_error(v)),
        v => v
            .as_int()
            .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .ok_or_else(|| {
                type_err(format!(
                    "unsupported operand type(s) for %: '{}' and 'int'",
                    v.type_name()
                ))
            }),
    }
}

fn cmp(v: &Value, a: &[Value], sym: &str) -> Result<std::cmp::Ordering> {
    let o = arg(a);
    if v.is_undefined() {
        return Err(undefined_error(v));
    }
    if o.is_undefined() {
        return Err(undefined_error(&o));
    }
    compare(v, &o, sym)
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::List(x), Value::List(y)) => x.ptr_eq(y),
        (Value::Dict(x), Value::Dict(y)) => x.ptr_eq(y),
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::None, Value::None) => true,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::Undefined(_), Value::Undefined(_)) => false,
        _ => a == b && std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

/// Register all builtin tests.
pub(crate) fn register(env: &mut Environment) {
    reg(env, &["boolean"], |_, v, _| Ok(matches!(v, Value::Bool(_))));
    reg(env, &["callable"], |_, v, _| {
        Ok(matches!(
            v,
            Value::Macro(_) | Value::Function(_) | Value::Object(_)
        ))
    });
    reg(env, &["defined"], |_, v, _| Ok(!v.is_undefined()));
    reg(env, &["undefined"], |_, v, _| Ok(v.is_undefined()));
    reg(env, &["divisibleby"], |_, v, a| {
        let n = num_int(&arg(a))?;
        let x = num_int(v)?;
        if n == 0 {
            return Err(crate::Error::new(
                crate::ErrorKind::ZeroDivision,
                "integer division or modulo by zero",
            ));
        }
        Ok(x.rem_euclid(n) == 0)
    });
    reg(env, &["eq", "equalto", "=="], |_, v, a| Ok(*v == arg(a)));
    reg(env, &["ne", "!="], |_, v, a| Ok(*v != arg(a)));
    reg(env, &["escaped"], |_, _, _| Ok(false));
    reg(env, &["even"], |_, v, _| Ok(num_int(v)? % 2 == 0));
    reg(env, &["odd"], |_, v, _| Ok(num_int(v)?.rem_euclid(2) == 1));
    reg(env, &["false"], |_, v, _| {
        Ok(matches!(v, Value::Bool(false)))
    });
    reg(env, &["true"], |_, v, _| Ok(matches!(v, Value::Bool(true))));
    reg(env, &["filter"], |s, v, _| {
        Ok(v.as_str().is_some_and(|n| s.env().has_filter(n)))
    });
    reg(env, &["test"], |s, v, _| {
        Ok(v.as_str().is_some_and(|n| {
            s.apply_test(n, &Value::None, &[])
                .map(|_| true)
                .unwrap_or_else(|e| e.kind() != crate::ErrorKind::Assertion)
        }))
    });
    reg(env, &["float"], |_, v, _| Ok(matches!(v, Value::Float(_))));
    reg(env, &["integer"], |_, v, _| Ok(matches!(v, Value::Int(_))));
    reg(env, &["number"], |_, v, _| {
        Ok(matches!(
            v,
            Value::Int(_) | Value::Float(_) | Value::Bool(_)
        ))
    });
    reg(env, &["ge", ">="], |_, v, a| Ok(cmp(v, a, ">=")?.is_ge()));
    reg(env, &["gt", "greaterthan", ">"], |_, v, a| {
        Ok(cmp(v, a, ">")?.is_gt())
    });
    reg(env, &["le", "<="], |_, v, a| Ok(cmp(v, a, "<=")?.is_le()));
    reg(env, &["lt", "lessthan", "<"], |_, v, a| {
        Ok(cmp(v, a, "<")?.is_lt())
    });
    reg(env, &["in"], |_, v, a| contains(&arg(a), v));
    reg(env, &["iterable"], |_, v, _| {
        Ok(match v {
            Value::Str(_)
            | Value::List(_)
            | Value::Tuple(_)
            | Value::Dict(_)
            | Value::Undefined(_) => true,
            Value::Object(o) => o.iter().is_some(),
            _ => false,
        })
    });
    reg(env, &["lower"], |_, v, _| {
        let s = v.to_python_str();
        Ok(s.chars().any(char::is_lowercase) && !s.chars().any(char::is_uppercase))
    });
    reg(env, &["upper"], |_, v, _| {
        let s = v.to_python_str();
        Ok(s.chars().any(char::is_uppercase) && !s.chars().any(char::is_lowercase))
    });
    reg(env, &["mapping"], |_, v, _| {
        Ok(match v {
            Value::Dict(_) => true,
            Value::Object(o) => o.is_mapping(),
            _ => false,
        })
    });
    reg(env, &["none"], |_, v, _| Ok(v.is_none()));
    reg(env, &["sameas"], |_, v, a| Ok(same(v, &arg(a))));
    reg(env, &["sequence"], |_, v, _| {
        Ok(match v {
            Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Dict(_) => true,
            Value::Object(o) => o.len().is_some(),
            _ => false,
        })
    });
    reg(env, &["string"], |_, v, _| Ok(matches!(v, Value::Str(_))));
}
