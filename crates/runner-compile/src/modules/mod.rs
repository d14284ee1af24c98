//! `modules`: the slice of Python's standard library dbt puts in the Jinja context.
//!
//! dbt-core builds `modules` as a dict of four dicts (`dbt/context/base.py`), and runner mirrors
//! exactly which names each one holds, so a template that works here works in dbt and vice versa:
//!
//! - `modules.datetime`: `date`, `datetime`, `time`, `timedelta`, `tzinfo` (dbt does not export
//!   `timezone`, `MINYEAR` or `MAXYEAR`; `datetime.timezone` values still appear as the `tzinfo` of
//!   parsed datetimes such as `fromisoformat('…+00:00')`).
//! - `modules.pytz`: `pytz.__all__` (`timezone`, `utc`, `FixedOffset`, the exception classes,
//!   `all_timezones`, `common_timezones`, …; no `UTC` alias and no `exceptions` submodule).
//! - `modules.re`: `re.__all__` (functions, flags, `Pattern`, `Match`, `error`).
//! - `modules.itertools`: the fourteen functions dbt exports (no `groupby`).
//!
//! Values are host [`Object`]s whose `str()`/`repr()`, operators and errors follow CPython 3.11.

mod args;
mod date;
mod datetime;
mod isoformat;
mod itertools;
mod pytz;
mod re;
mod re_match;
mod strftime;
mod strptime;
mod time;
mod timedelta;
mod tz;

use std::sync::Arc;

use runner_jinja::{Error, ErrorKind, Kwargs, Object, State, Value};

pub(crate) use args::{Bound, bind, int_arg};

/// The `modules` dict of the dbt context.
pub fn modules_value() -> Value {
    Value::dict_from([
        ("pytz", pytz::module()),
        ("datetime", datetime_module()),
        ("re", re::module()),
        ("itertools", itertools::module()),
    ])
}

/// A timezone-aware (pytz UTC) `datetime`, as dbt's `run_started_at` is.
pub fn utc_datetime(at: chrono::DateTime<chrono::Utc>) -> Value {
    datetime::DateTime::new(at.naive_utc(), Some(tz::Tz::PytzUtc)).value()
}

/// A Python `date` (query results, seed values).
pub fn date_value(d: chrono::NaiveDate) -> Value {
    date::Date(d).value()
}

/// A naive Python `datetime` (a `timestamp without time zone` from a query).
pub fn naive_datetime_value(at: chrono::NaiveDateTime) -> Value {
    datetime::DateTime::new(at, None).value()
}

fn datetime_module() -> Value {
    Value::dict_from([
        ("date", date::class()),
        ("datetime", datetime::class()),
        ("time", time::class()),
        ("timedelta", timedelta::class()),
        ("tzinfo", tz::tzinfo_class()),
    ])
}

/// Wrap a host object.
pub(crate) fn obj<T: Object + 'static>(o: T) -> Value {
    Value::from_object(Arc::new(o))
}

/// A Python `TypeError`.
pub(crate) fn type_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Type, msg.into())
}

/// A Python `ValueError`.
pub(crate) fn value_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Value, msg.into())
}

/// A Python exception without a Jinja counterpart (`OverflowError`, `re.error`, pytz's
/// `UnknownTimeZoneError`): the class name leads the message.
pub(crate) fn named_error(class: &str, msg: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Runtime, format!("{class}: {msg}"))
}

/// `OverflowError: date value out of range`.
pub(crate) fn date_overflow() -> Error {
    named_error("OverflowError", "date value out of range")
}

/// A string argument or a `TypeError` naming what was expected.
pub(crate) fn str_arg<'a>(v: &'a Value, what: &str) -> Result<&'a str, Error> {
    v.as_str().ok_or_else(|| {
        type_error(format!(
            "{what} argument must be str, not {}",
            v.type_name()
        ))
    })
}

type CallFn = fn(&State, &[Value], &Kwargs) -> Result<Value, Error>;
type MethodFn = fn(&State, &str, &[Value], &Kwargs) -> Result<Option<Value>, Error>;

/// A Python class (`<class 'datetime.date'>`): calling it constructs, `call_method` runs its class
/// methods (`date.today()`), `get_attr` serves class attributes (`date.min`, `re.I`).
pub(crate) struct Class {
    /// Qualified name as Python prints it (`datetime.date`).
    pub name: &'static str,
    /// The constructor; `None` for abstract classes (`tzinfo`, exception classes).
    pub ctor: Option<CallFn>,
    /// Class methods by name (`Ok(None)` when there is no such method).
    pub methods: MethodFn,
    /// Names `methods` answers to, so `cls.name` without a call yields a function too.
    pub method_names: &'static [&'static str],
    /// Class attributes by name.
    pub attrs: fn(&str) -> Option<Value>,
}

impl std::fmt::Debug for Class {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<class '{}'>", self.name)
    }
}

/// No class methods.
pub(crate) fn no_methods(
    _: &State,
    _: &str,
    _: &[Value],
    _: &Kwargs,
) -> Result<Option<Value>, Error> {
    Ok(None)
}

/// No class attributes.
pub(crate) fn no_attrs(_: &str) -> Option<Value> {
    None
}

impl Object for Class {
    fn type_name(&self) -> &str {
        "type"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        if let Some(&name) = self.method_names.iter().find(|n| **n == name) {
            let methods = self.methods;
            return Some(Value::from_function(name, move |state, args, kwargs| {
                methods(state, name, args, kwargs)?
                    .ok_or_else(|| type_error(format!("{name}() is not available")))
            }));
        }
        (self.attrs)(name)
    }
    fn call(&self, state: &State, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
        match self.ctor {
            Some(f) => f(state, args, kwargs),
            None => Err(type_error(format!(
                "cannot create '{}' instances",
                self.name
            ))),
        }
    }
    fn call_method(
        &self,
        state: &State,
        name: &str,
        args: &[Value],
        kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        if let Some(v) = (self.methods)(state, name, args, kwargs)? {
            return Ok(v);
        }
        match (self.attrs)(name) {
            Some(v) => state.call(&v, args.to_vec(), kwargs.clone()),
            None => Err(Error::new(
                ErrorKind::Undefined,
                format!(
                    "type object '{}' has no attribute '{name}'",
                    self.short_name()
                ),
            )),
        }
    }
    fn py_eq(&self, other: &Value) -> Option<bool> {
        Some(
            other
                .downcast_object::<Class>()
                .is_some_and(|o| o.name == self.name),
        )
    }
    fn to_str(&self) -> String {
        format!("<class '{}'>", self.name)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Class {
    fn short_name(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(self.name)
    }
}

/// A Python function value for a module-level function.
pub(crate) fn function(name: &'static str, f: CallFn) -> Value {
    Value::from_function(name, f)
}
