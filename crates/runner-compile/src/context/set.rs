//! dbt's `set()` and `set_strict()` context functions and the Python `set` they return: equality
//! ignores order (`set(a) != set(b)` is how packages compare column lists), `in`, `len`, iteration,
//! `-` for the difference and the mutating and set-algebra methods. Iteration follows insertion order
//! (Python's is hash order, which for strings differs between runs, so nothing can depend on it).

use std::sync::{Arc, RwLock};

use runner_jinja::{BinOp, Error, ErrorKind, Kwargs, Object, State, Value};

/// A Python `set`: unique items (by Python equality), shared and mutable like a list.
#[derive(Debug, Default)]
pub struct PySet {
    items: RwLock<Vec<Value>>,
}

fn type_err(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Type, msg.into())
}

/// Whether Python could hash `v` (lists, dicts and sets cannot be set members).
fn hashable(v: &Value) -> bool {
    match v {
        Value::List(_) | Value::Dict(_) => false,
        Value::Tuple(items) => items.iter().all(hashable),
        Value::Object(o) => o.as_any().downcast_ref::<PySet>().is_none(),
        _ => true,
    }
}

impl PySet {
    /// A set of `items`' distinct members; a `TypeError` when one is unhashable.
    pub fn from_items(items: Vec<Value>) -> Result<PySet, Error> {
        let set = PySet::default();
        set.extend(items)?;
        Ok(set)
    }

    fn snapshot(&self) -> Vec<Value> {
        self.items.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn has(&self, v: &Value) -> bool {
        self.items
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|x| x == v)
    }

    fn extend(&self, items: Vec<Value>) -> Result<(), Error> {
        let mut own = self.items.write().unwrap_or_else(|e| e.into_inner());
        for item in items {
            if !hashable(&item) {
                return Err(type_err(format!("unhashable type: '{}'", item.type_name())));
            }
            if !own.iter().any(|x| x == &item) {
                own.push(item);
            }
        }
        Ok(())
    }

    fn value(items: Vec<Value>) -> Value {
        Value::from_object(Arc::new(PySet {
            items: RwLock::new(items),
        }))
    }

    /// The members of every argument (each an iterable), for the set-algebra methods.
    fn others(args: &[Value]) -> Result<Vec<Vec<Value>>, Error> {
        args.iter().map(Value::try_iter).collect()
    }
}

/// `set(value, default=None)`: the set of `value`'s items, or `default` when `value` is not iterable
/// or holds unhashable items (dbt catches the `TypeError`).
pub fn set_function() -> Value {
    Value::from_function("set", |_, args, kwargs| {
        let default = args
            .get(1)
            .or_else(|| kwargs.get("default"))
            .cloned()
            .unwrap_or(Value::None);
        let Some(value) = args.first().or_else(|| kwargs.get("value")) else {
            return Ok(PySet::value(Vec::new()));
        };
        match value.try_iter().and_then(PySet::from_items) {
            Ok(set) => Ok(Value::from_object(Arc::new(set))),
            Err(_) => Ok(default),
        }
    })
}

/// `set_strict(value)`: like `set` but a non-iterable or unhashable value is an error.
pub fn set_strict_function() -> Value {
    Value::from_function("set_strict", |_, args, kwargs| {
        let value = args
            .first()
            .or_else(|| kwargs.get("value"))
            .cloned()
            .unwrap_or_else(|| Value::list(Vec::new()));
        let set = value.try_iter().and_then(PySet::from_items)?;
        Ok(Value::from_object(Arc::new(set)))
    })
}

impl Object for PySet {
    fn type_name(&self) -> &str {
        "set"
    }

    fn call_method(
        &self,
        _state: &State,
        name: &str,
        args: &[Value],
        _kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        let one = || {
            args.first()
                .cloned()
                .ok_or_else(|| type_err(format!("{name}() takes exactly one argument (0 given)")))
        };
        let mine = self.snapshot();
        match name {
            "add" => {
                self.extend(vec![one()?])?;
                Ok(Value::None)
            }
            "update" => {
                for other in PySet::others(args)? {
                    self.extend(other)?;
                }
                Ok(Value::None)
            }
            "discard" | "remove" => {
                let item = one()?;
                let mut own = self.items.write().unwrap_or_else(|e| e.into_inner());
                match own.iter().position(|x| x == &item) {
                    Some(i) => {
                        own.remove(i);
                        Ok(Value::None)
                    }
                    None if name == "discard" => Ok(Value::None),
                    None => Err(Error::new(ErrorKind::Key, item.repr())),
                }
            }
            "pop" => {
                let mut own = self.items.write().unwrap_or_else(|e| e.into_inner());
                if own.is_empty() {
                    return Err(Error::new(ErrorKind::Key, "'pop from an empty set'"));
                }
                Ok(own.remove(0))
            }
            "clear" => {
                self.items
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .clear();
                Ok(Value::None)
            }
            "copy" => Ok(PySet::value(mine)),
            "union" => {
                let out = PySet::from_items(mine)?;
                for other in PySet::others(args)? {
                    out.extend(other)?;
                }
                Ok(Value::from_object(Arc::new(out)))
            }
            "intersection" => {
                let others = PySet::others(args)?;
                Ok(PySet::value(
                    mine.into_iter()
                        .filter(|x| others.iter().all(|o| o.contains(x)))
                        .collect(),
                ))
            }
            "difference" => {
                let others = PySet::others(args)?;
                Ok(PySet::value(
                    mine.into_iter()
                        .filter(|x| !others.iter().any(|o| o.contains(x)))
                        .collect(),
                ))
            }
            "symmetric_difference" => {
                let other = PySet::from_items(one()?.try_iter()?)?.snapshot();
                let mut out: Vec<Value> = mine
                    .iter()
                    .filter(|x| !other.contains(x))
                    .cloned()
                    .collect();
                out.extend(other.into_iter().filter(|x| !mine.contains(x)));
                Ok(PySet::value(out))
            }
            "issubset" => {
                let other = one()?.try_iter()?;
                Ok(Value::Bool(mine.iter().all(|x| other.contains(x))))
            }
            "issuperset" => {
                let other = one()?.try_iter()?;
                Ok(Value::Bool(other.iter().all(|x| mine.contains(x))))
            }
            "isdisjoint" => {
                let other = one()?.try_iter()?;
                Ok(Value::Bool(!other.iter().any(|x| mine.contains(x))))
            }
            _ => Err(Error::new(
                ErrorKind::Undefined,
                format!("'set' object has no attribute '{name}'"),
            )),
        }
    }

    fn to_str(&self) -> String {
        self.repr()
    }

    fn repr(&self) -> String {
        let items = self.snapshot();
        if items.is_empty() {
            return "set()".into();
        }
        let shown: Vec<String> = items.iter().map(Value::repr).collect();
        format!("{{{}}}", shown.join(", "))
    }

    fn iter(&self) -> Option<Vec<Value>> {
        Some(self.snapshot())
    }

    fn len(&self) -> Option<usize> {
        Some(self.items.read().unwrap_or_else(|e| e.into_inner()).len())
    }

    fn is_true(&self) -> bool {
        self.len().unwrap_or(0) > 0
    }

    fn binary_op(&self, op: BinOp, other: &Value, reflected: bool) -> Option<Result<Value, Error>> {
        let Value::Object(o) = other else {
            return None;
        };
        let other = o.as_any().downcast_ref::<PySet>()?.snapshot();
        let mine = self.snapshot();
        let (left, right) = if reflected {
            (other, mine)
        } else {
            (mine, other)
        };
        match op {
            BinOp::Sub => Some(Ok(PySet::value(
                left.into_iter().filter(|x| !right.contains(x)).collect(),
            ))),
            _ => None,
        }
    }

    fn py_eq(&self, other: &Value) -> Option<bool> {
        let Value::Object(o) = other else {
            return Some(false);
        };
        let Some(other) = o.as_any().downcast_ref::<PySet>() else {
            return Some(false);
        };
        let (mine, theirs) = (self.snapshot(), other.snapshot());
        Some(mine.len() == theirs.len() && mine.iter().all(|x| other.has(x)))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_of(items: &[&str]) -> Value {
        let items = items.iter().map(|s| Value::from(*s)).collect();
        Value::from_object(Arc::new(PySet::from_items(items).unwrap()))
    }

    #[test]
    fn equality_ignores_order_and_duplicates() {
        assert!(set_of(&["a", "b", "a"]) == set_of(&["b", "a"]));
        assert!(set_of(&["a", "b"]) != set_of(&["a", "c"]));
        assert!(set_of(&["a"]) != Value::list(vec![Value::from("a")]));
        assert_eq!(set_of(&["x", "y", "x"]).len(), Some(2));
    }

    #[test]
    fn difference_operator_and_repr() {
        let d = set_of(&["a", "b"])
            .binary_op(BinOp::Sub, &set_of(&["b"]))
            .unwrap();
        assert!(d == set_of(&["a"]));
        assert_eq!(d.repr(), "{'a'}");
        assert_eq!(set_of(&[]).repr(), "set()");
    }
}
