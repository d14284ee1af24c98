//! Built-in object types: `namespace()`, the `loop` variable, `cycler`, `joiner`.

use std::any::Any;
use std::sync::{Arc, Mutex, RwLock};

use indexmap::IndexMap;

use super::State;
use crate::error::{Error, ErrorKind, Result};
use crate::value::{Kwargs, Object, Value};

/// Jinja2's `namespace()`: an object with assignable attributes.
#[derive(Debug, Default)]
pub struct Namespace {
    attrs: RwLock<IndexMap<String, Value>>,
}

impl Namespace {
    /// Create from initial attributes.
    pub fn new(attrs: IndexMap<String, Value>) -> Namespace {
        Namespace {
            attrs: RwLock::new(attrs),
        }
    }
    /// Set an attribute (`{% set ns.attr = v %}`).
    pub fn set(&self, name: &str, v: Value) {
        self.attrs
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_string(), v);
    }
}

impl Object for Namespace {
    fn type_name(&self) -> &str {
        "Namespace"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        self.attrs
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
    }
    fn get_item(&self, key: &Value) -> Option<Value> {
        key.as_str().and_then(|k| self.get_attr(k))
    }
    fn to_str(&self) -> String {
        let d = Value::dict(
            self.attrs
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .map(|(k, v)| (Value::from(k.as_str()), v.clone()))
                .collect(),
        );
        format!("<Namespace {}>", d.repr())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// State shared by all iterations of one loop (for `loop.changed`).
#[derive(Debug, Default)]
pub(crate) struct LoopState {
    last_changed: Mutex<Option<Vec<Value>>>,
}

/// The `loop` variable inside `for` bodies.
#[derive(Debug)]
pub(crate) struct LoopObject {
    pub items: Arc<Vec<Value>>,
    pub index0: usize,
    pub depth0: usize,
    pub recursive: bool,
    pub loop_id: usize,
    pub shared: Arc<LoopState>,
}

impl Object for LoopObject {
    fn type_name(&self) -> &str {
        "LoopContext"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        let n = self.items.len();
        let i = self.index0;
        Some(match name {
            "index" => Value::from(i + 1),
            "index0" => Value::from(i),
            "revindex" => Value::from(n - i),
            "revindex0" => Value::from(n - i - 1),
            "first" => Value::Bool(i == 0),
            "last" => Value::Bool(i + 1 == n),
            "length" => Value::from(n),
            "depth" => Value::from(self.depth0 + 1),
            "depth0" => Value::from(self.depth0),
            "previtem" => {
                if i == 0 {
                    Value::Undefined(Some("there is no previous item".into()))
                } else {
                    self.items[i - 1].clone()
                }
            }
            "nextitem" => match self.items.get(i + 1) {
                Some(v) => v.clone(),
                None => Value::Undefined(Some("there is no next item".into())),
            },
            _ => return None,
        })
    }
    fn call_method(
        &self,
        _state: &State,
        name: &str,
        args: &[Value],
        _kwargs: &Kwargs,
    ) -> Result<Value> {
        match name {
            "cycle" => {
                if args.is_empty() {
                    return Err(Error::new(ErrorKind::Type, "no items for cycling given"));
                }
                Ok(args[self.index0 % args.len()].clone())
            }
            "changed" => {
                let mut last = self
                    .shared
                    .last_changed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                let now = args.to_vec();
                if last.as_ref() != Some(&now) {
                    *last = Some(now);
                    Ok(Value::Bool(true))
                } else {
                    Ok(Value::Bool(false))
                }
            }
            _ => match self.get_attr(name) {
                Some(v) => Err(Error::new(
                    ErrorKind::Type,
                    format!("'{}' object is not callable", v.type_name()),
                )),
                None => Err(Error::new(
                    ErrorKind::Undefined,
                    format!("'LoopContext object' has no attribute '{name}'"),
                )),
            },
        }
    }
    fn to_str(&self) -> String {
        format!("<LoopContext {}/{}>", self.index0 + 1, self.items.len())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Jinja2's `cycler(*items)`.
#[derive(Debug)]
pub(crate) struct Cycler {
    pub items: Vec<Value>,
    pub pos: Mutex<usize>,
}

impl Object for Cycler {
    fn type_name(&self) -> &str {
        "Cycler"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        match name {
            "current" => {
                let p = *self.pos.lock().unwrap_or_else(|e| e.into_inner());
                self.items.get(p).cloned()
            }
            "items" => Some(Value::list(self.items.clone())),
            _ => None,
        }
    }
    fn call_method(
        &self,
        _state: &State,
        name: &str,
        _args: &[Value],
        _kwargs: &Kwargs,
    ) -> Result<Value> {
        let mut p = self.pos.lock().unwrap_or_else(|e| e.into_inner());
        match name {
            "next" => {
                let v = self.items.get(*p).cloned().unwrap_or(Value::None);
                *p = (*p + 1) % self.items.len().max(1);
                Ok(v)
            }
            "reset" => {
                *p = 0;
                Ok(Value::None)
            }
            _ => Err(Error::new(
                ErrorKind::Undefined,
                format!("'Cycler object' has no attribute '{name}'"),
            )),
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Jinja2's `joiner(sep)`.
#[derive(Debug)]
pub(crate) struct Joiner {
    pub sep: String,
    pub used: Mutex<bool>,
}

impl Object for Joiner {
    fn type_name(&self) -> &str {
        "Joiner"
    }
    fn call(&self, _state: &State, _args: &[Value], _kwargs: &Kwargs) -> Result<Value> {
        let mut u = self.used.lock().unwrap_or_else(|e| e.into_inner());
        if *u {
            Ok(Value::from(self.sep.as_str()))
        } else {
            *u = true;
            Ok(Value::from(""))
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
