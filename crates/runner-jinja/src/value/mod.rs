//! The dynamic [`Value`] type with Python semantics: shared mutable lists/dicts,
//! tuples, macros, native functions and host objects, plus conversions.

mod hash;
pub(crate) mod json;
pub(crate) mod ops;
pub(crate) mod repr;

use std::fmt;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use indexmap::IndexMap;

use crate::Template;
use crate::error::{Error, ErrorKind, Result};
use crate::eval::State;
use crate::template::TemplateInner;

/// Keyword arguments, in call order.
pub type Kwargs = IndexMap<String, Value>;

/// A Python list: shared, mutable, reference semantics.
#[derive(Clone, Default)]
pub struct ListRef(Arc<RwLock<Vec<Value>>>);

impl ListRef {
    /// Wrap a vector.
    pub fn new(v: Vec<Value>) -> ListRef {
        ListRef(Arc::new(RwLock::new(v)))
    }
    /// Read access.
    pub fn read(&self) -> RwLockReadGuard<'_, Vec<Value>> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }
    /// Write access.
    pub fn write(&self) -> RwLockWriteGuard<'_, Vec<Value>> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }
    /// A snapshot copy of the items.
    pub fn to_vec(&self) -> Vec<Value> {
        self.read().clone()
    }
    /// Identity comparison (Python `is`).
    pub fn ptr_eq(&self, o: &ListRef) -> bool {
        Arc::ptr_eq(&self.0, &o.0)
    }
}

/// A Python dict: shared, mutable, insertion ordered.
#[derive(Clone, Default)]
pub struct DictRef(Arc<RwLock<IndexMap<Value, Value>>>);

impl DictRef {
    /// Wrap a map.
    pub fn new(m: IndexMap<Value, Value>) -> DictRef {
        DictRef(Arc::new(RwLock::new(m)))
    }
    /// Read access.
    pub fn read(&self) -> RwLockReadGuard<'_, IndexMap<Value, Value>> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }
    /// Write access.
    pub fn write(&self) -> RwLockWriteGuard<'_, IndexMap<Value, Value>> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }
    /// Identity comparison (Python `is`).
    pub fn ptr_eq(&self, o: &DictRef) -> bool {
        Arc::ptr_eq(&self.0, &o.0)
    }
    /// Look up a string key.
    pub fn get_str(&self, k: &str) -> Option<Value> {
        self.read().get(&Value::from(k)).cloned()
    }
}

/// A macro bound to its template and package.
pub struct MacroValue {
    pub(crate) tmpl: Arc<TemplateInner>,
    pub(crate) node: usize,
    pub(crate) package: Arc<str>,
    pub(crate) closure: Option<Arc<crate::eval::Closure>>,
}

/// A native (Rust) function callable from templates.
pub struct NativeFunction {
    pub(crate) name: String,
    #[allow(clippy::type_complexity)]
    pub(crate) f: Box<dyn Fn(&State, &[Value], &Kwargs) -> Result<Value> + Send + Sync>,
}

/// Host objects (Relation, adapter, target, config, modules.datetime …).
#[allow(clippy::len_without_is_empty)]
pub trait Object: Send + Sync + fmt::Debug {
    /// Type name used in error messages.
    fn type_name(&self) -> &str {
        "object"
    }
    /// Attribute access `o.name`.
    fn get_attr(&self, _name: &str) -> Option<Value> {
        None
    }
    /// Item access `o[key]`.
    fn get_item(&self, _key: &Value) -> Option<Value> {
        None
    }
    /// Call the object itself `o(...)`.
    fn call(&self, _state: &State, _args: &[Value], _kwargs: &Kwargs) -> Result<Value> {
        Err(Error::new(
            ErrorKind::Type,
            format!("'{}' object is not callable", self.type_name()),
        ))
    }
    /// Call a method `o.name(...)`; default: `get_attr(name)` then call it.
    fn call_method(
        &self,
        state: &State,
        name: &str,
        args: &[Value],
        kwargs: &Kwargs,
    ) -> Result<Value> {
        match self.get_attr(name) {
            Some(v) => state.call(&v, args.to_vec(), kwargs.clone()),
            None => Err(Error::new(
                ErrorKind::Undefined,
                format!("'{}' has no attribute '{}'", self.type_name(), name),
            )),
        }
    }
    /// `str(o)`.
    fn to_str(&self) -> String {
        format!("<{} object>", self.type_name())
    }
    /// `repr(o)`.
    fn repr(&self) -> String {
        self.to_str()
    }
    /// Iteration, if iterable.
    fn iter(&self) -> Option<Vec<Value>> {
        None
    }
    /// `len(o)`, if sized.
    fn len(&self) -> Option<usize> {
        None
    }
    /// Truthiness.
    fn is_true(&self) -> bool {
        true
    }
    /// Whether `is mapping` holds (Python objects that implement the mapping protocol, such as
    /// dbt's relations).
    fn is_mapping(&self) -> bool {
        false
    }
    /// Python binary arithmetic (`__add__`, `__sub__`, … and, when `reflected`, `__radd__`, …):
    /// `self op other`, or `other op self` when `reflected`. `None` means "not supported for
    /// these operands" (Python's `NotImplemented`); the caller then tries the other operand and
    /// finally raises `unsupported operand type(s)`.
    fn binary_op(
        &self,
        _op: ops::BinOp,
        _other: &Value,
        _reflected: bool,
    ) -> Option<Result<Value>> {
        None
    }
    /// Python unary minus (`__neg__`); `None` means unsupported (`bad operand type`).
    fn neg(&self) -> Option<Result<Value>> {
        None
    }
    /// Python `self == other` (`__eq__`); `None` falls back to identity.
    fn py_eq(&self, _other: &Value) -> Option<bool> {
        None
    }
    /// Python ordering of `self` relative to `other` (`__lt__` and friends); `None` means the
    /// types are not orderable (the caller raises `'<' not supported between instances of …`),
    /// `Some(Err(_))` is an object-specific error such as comparing naive and aware datetimes.
    fn py_cmp(&self, _other: &Value) -> Option<Result<std::cmp::Ordering>> {
        None
    }
    /// Downcasting support for the host.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// A dynamically typed template value with Python semantics.
#[derive(Clone)]
pub enum Value {
    /// Jinja2 `Undefined`; the payload is the hint used in the error message.
    Undefined(Option<Arc<str>>),
    /// Python `None`.
    None,
    /// Python `bool`.
    Bool(bool),
    /// Python `int` (64-bit).
    Int(i64),
    /// Python `float`.
    Float(f64),
    /// Python `str`.
    Str(Arc<str>),
    /// Python `list` (shared, mutable).
    List(ListRef),
    /// Python `tuple`.
    Tuple(Arc<Vec<Value>>),
    /// Python `dict` (shared, mutable, insertion ordered).
    Dict(DictRef),
    /// A Jinja macro.
    Macro(Arc<MacroValue>),
    /// A native function.
    Function(Arc<NativeFunction>),
    /// A host object.
    Object(Arc<dyn Object>),
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr())
    }
}

impl Value {
    /// A plain undefined value without hint.
    pub const UNDEFINED: Value = Value::Undefined(None);

    /// Undefined with the hint `'name' is undefined`.
    pub fn undefined_name(name: &str) -> Value {
        Value::Undefined(Some(format!("'{name}' is undefined").into()))
    }

    /// Undefined for a missing attribute/item of `obj`.
    pub fn undefined_attr(obj: &Value, attr: &Value) -> Value {
        let what = match obj {
            Value::None => "None".to_string(),
            o => format!("{} object", o.type_name()),
        };
        Value::Undefined(Some(
            format!("{} has no attribute {}", repr::str_repr(&what), attr.repr()).into(),
        ))
    }

    /// Bind a top-level macro of `tmpl` (index into [`Template::macros`]) to `package`.
    pub fn from_macro(tmpl: Arc<Template>, macro_index: usize, package: &str) -> Value {
        let inner = tmpl.inner.clone();
        let node = inner.macros[macro_index].node;
        Value::Macro(Arc::new(MacroValue {
            tmpl: inner,
            node,
            package: package.into(),
            closure: None,
        }))
    }

    /// Wrap a native function.
    pub fn from_function(
        name: &str,
        f: impl Fn(&State, &[Value], &Kwargs) -> Result<Value> + Send + Sync + 'static,
    ) -> Value {
        Value::Function(Arc::new(NativeFunction {
            name: name.to_string(),
            f: Box::new(f),
        }))
    }

    /// Wrap a host object.
    pub fn from_object(o: Arc<dyn Object>) -> Value {
        Value::Object(o)
    }

    /// A new list.
    pub fn list(v: Vec<Value>) -> Value {
        Value::List(ListRef::new(v))
    }

    /// A new tuple.
    pub fn tuple(v: Vec<Value>) -> Value {
        Value::Tuple(Arc::new(v))
    }

    /// A new dict.
    pub fn dict(m: IndexMap<Value, Value>) -> Value {
        Value::Dict(DictRef::new(m))
    }

    /// A new dict from string-keyed entries.
    pub fn dict_from<K: Into<Value>>(it: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::dict(it.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// True for `Undefined`.
    pub fn is_undefined(&self) -> bool {
        matches!(self, Value::Undefined(_))
    }

    /// True for `None`.
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// Python truthiness.
    pub fn is_true(&self) -> bool {
        match self {
            Value::Undefined(_) | Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.read().is_empty(),
            Value::Tuple(t) => !t.is_empty(),
            Value::Dict(d) => !d.read().is_empty(),
            Value::Macro(_) | Value::Function(_) => true,
            Value::Object(o) => o.is_true(),
        }
    }

    /// The string slice, for `Str` values.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, for `Int`/`Bool` values.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }

    /// The number as float, for numeric values.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Bool(b) => Some(*b as i64 as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// Downcast a host object.
    pub fn downcast_object<T: 'static>(&self) -> Option<&T> {
        match self {
            Value::Object(o) => o.as_any().downcast_ref::<T>(),
            _ => None,
        }
    }

    /// Python type name (`str`, `int`, `dict`, …).
    pub fn type_name(&self) -> &str {
        match self {
            Value::Undefined(_) => "Undefined",
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Dict(_) => "dict",
            Value::Macro(_) => "Macro",
            Value::Function(_) => "function",
            Value::Object(o) => o.type_name(),
        }
    }

    /// Python `str(self)`.
    pub fn to_python_str(&self) -> String {
        match self {
            Value::Str(s) => s.to_string(),
            _ => repr::to_str(self),
        }
    }

    /// Python `repr(self)`.
    pub fn repr(&self) -> String {
        repr::repr(self)
    }

    /// Python `len(self)`.
    pub fn len(&self) -> Option<usize> {
        match self {
            Value::Str(s) => Some(s.chars().count()),
            Value::List(l) => Some(l.read().len()),
            Value::Tuple(t) => Some(t.len()),
            Value::Dict(d) => Some(d.read().len()),
            Value::Undefined(_) => Some(0),
            Value::Object(o) => o.len().or_else(|| o.iter().map(|v| v.len())),
            _ => None,
        }
    }

    /// Python `len(self) == 0` (false for unsized values).
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Iterate (Python `list(self)`); undefined iterates as empty.
    pub fn try_iter(&self) -> Result<Vec<Value>> {
        match self {
            Value::List(l) => Ok(l.to_vec()),
            Value::Tuple(t) => Ok(t.as_ref().clone()),
            Value::Dict(d) => Ok(d.read().keys().cloned().collect()),
            Value::Str(s) => Ok(s.chars().map(|c| Value::from(c.to_string())).collect()),
            Value::Undefined(_) => Ok(Vec::new()),
            Value::Object(o) => o.iter().ok_or_else(|| {
                Error::new(
                    ErrorKind::Type,
                    format!("'{}' object is not iterable", o.type_name()),
                )
            }),
            v => Err(Error::new(
                ErrorKind::Type,
                format!("'{}' object is not iterable", v.type_name()),
            )),
        }
    }

    /// Jinja2 attribute lookup `a.b`: attribute (methods) first, then item.
    /// Returns `Undefined` (with hint) when missing.
    pub fn get_attr(&self, name: &str) -> Value {
        if let Some(v) = crate::methods::bound_method(self, name) {
            return v;
        }
        match self {
            Value::Dict(d) => d
                .get_str(name)
                .unwrap_or_else(|| Value::undefined_attr(self, &Value::from(name))),
            Value::Macro(m) => crate::eval::macro_attr(m, name)
                .unwrap_or_else(|| Value::undefined_attr(self, &name.into())),
            Value::Tuple(t) if t.len() == 2 && (name == "grouper" || name == "list") => {
                t[if name == "grouper" { 0 } else { 1 }].clone()
            }
            Value::Object(o) => o
                .get_attr(name)
                .or_else(|| o.get_item(&Value::from(name)))
                .unwrap_or_else(|| Value::undefined_attr(self, &name.into())),
            Value::Undefined(_) => self.clone(),
            _ => Value::undefined_attr(self, &Value::from(name)),
        }
    }

    /// Jinja2 subscription `a[key]`: item first, then attribute (for string keys).
    pub fn get_item(&self, key: &Value) -> Value {
        let found = match (self, key) {
            (Value::Dict(d), k) => d.read().get(k).cloned(),
            (Value::List(l), Value::Int(_) | Value::Bool(_)) => index(&l.read(), key),
            (Value::Tuple(t), Value::Int(_) | Value::Bool(_)) => index(t, key),
            (Value::Str(s), Value::Int(_) | Value::Bool(_)) => {
                let chars: Vec<Value> = s.chars().map(|c| Value::from(c.to_string())).collect();
                index(&chars, key)
            }
            (Value::Object(o), k) => o
                .get_item(k)
                .or_else(|| k.as_str().and_then(|n| o.get_attr(n))),
            (Value::Undefined(_), _) => return self.clone(),
            _ => None,
        };
        if let Some(v) = found {
            return v;
        }
        if let Value::Str(n) = key {
            let v = self.get_attr(n);
            if !v.is_undefined() {
                return v;
            }
        }
        Value::undefined_attr(self, key)
    }
}

fn index(items: &[Value], key: &Value) -> Option<Value> {
    let i = key.as_int()?;
    let n = items.len() as i64;
    let i = if i < 0 { i + n } else { i };
    if i < 0 || i >= n {
        None
    } else {
        Some(items[i as usize].clone())
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(Arc::from(s))
    }
}
impl From<Arc<str>> for Value {
    fn from(s: Arc<str>) -> Value {
        Value::Str(s)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}
impl From<i32> for Value {
    fn from(i: i32) -> Value {
        Value::Int(i as i64)
    }
}
impl From<usize> for Value {
    fn from(i: usize) -> Value {
        Value::Int(i as i64)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Value {
        Value::list(v)
    }
}
impl From<()> for Value {
    fn from(_: ()) -> Value {
        Value::None
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Value {
        o.map(Into::into).unwrap_or(Value::None)
    }
}
