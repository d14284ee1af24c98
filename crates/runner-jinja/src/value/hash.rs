//! Python equality (`==`) and hashing for [`Value`], so values can key dicts
//! (`1 == 1.0 == True` hash alike).

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use super::Value;

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Undefined(_), Undefined(_)) | (None, None) => true,
            (Str(a), Str(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Bool(a), Bool(b)) => a == b,
            (Int(_) | Bool(_) | Float(_), Int(_) | Bool(_) | Float(_)) => {
                match (self.as_int(), other.as_int()) {
                    (Some(a), Some(b)) => a == b,
                    _ => self.as_f64() == other.as_f64(),
                }
            }
            (List(a), List(b)) => a.ptr_eq(b) || *a.read() == *b.read(),
            (Tuple(a), Tuple(b)) => a == b,
            (Dict(a), Dict(b)) => {
                if a.ptr_eq(b) {
                    return true;
                }
                let (a, b) = (a.read(), b.read());
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k) == Some(v))
            }
            (Macro(a), Macro(b)) => Arc::ptr_eq(a, b),
            (Function(a), Function(b)) => Arc::ptr_eq(a, b),
            (Object(a), Object(b)) if std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b)) => true,
            (Object(a), _) => a.py_eq(other).unwrap_or(false),
            (_, Object(b)) => b.py_eq(self).unwrap_or(false),
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Value::Undefined(_) | Value::None => 0u8.hash(state),
            Value::Bool(b) => (*b as i64).hash(state),
            Value::Int(i) => i.hash(state),
            Value::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 9.0e18 {
                    (*f as i64).hash(state)
                } else {
                    f.to_bits().hash(state)
                }
            }
            Value::Str(s) => s.hash(state),
            Value::Tuple(t) => {
                for v in t.iter() {
                    v.hash(state)
                }
            }
            Value::List(_) | Value::Dict(_) => 1u8.hash(state),
            _ => 2u8.hash(state),
        }
    }
}
