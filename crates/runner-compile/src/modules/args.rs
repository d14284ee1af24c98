//! Python-style argument binding for the module functions: positional and keyword arguments matched
//! against a parameter list, with CPython's `TypeError` messages.

use runner_jinja::{Error, Kwargs, Value};

use super::type_error;

/// Arguments bound to parameter slots, in parameter order.
pub(crate) struct Bound {
    names: &'static [&'static str],
    slots: Vec<Option<Value>>,
}

/// Bind `args`/`kwargs` of `func` to `names`; fails on too many positionals, unknown or duplicate
/// keywords. Missing values stay `None` (see [`Bound::required`]).
pub(crate) fn bind(
    func: &'static str,
    names: &'static [&'static str],
    args: &[Value],
    kwargs: &Kwargs,
) -> Result<Bound, Error> {
    if args.len() > names.len() {
        return Err(type_error(format!(
            "{func}() takes at most {} argument{} ({} given)",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            args.len() + kwargs.len()
        )));
    }
    let mut slots: Vec<Option<Value>> = vec![None; names.len()];
    for (i, a) in args.iter().enumerate() {
        slots[i] = Some(a.clone());
    }
    for (k, v) in kwargs {
        let Some(i) = names.iter().position(|n| n == k) else {
            return Err(type_error(format!(
                "{func}() got an unexpected keyword argument '{k}'"
            )));
        };
        if slots[i].is_some() {
            return Err(type_error(format!(
                "argument for {func}() given by name ('{k}') and position ({})",
                i + 1
            )));
        }
        slots[i] = Some(v.clone());
    }
    Ok(Bound { names, slots })
}

impl Bound {
    /// The value in slot `i`, if given.
    pub fn get(&self, i: usize) -> Option<&Value> {
        self.slots[i].as_ref()
    }

    /// The value in slot `i`, or CPython's "missing required argument" error (C functions say
    /// `function`, not their name).
    pub fn required(&self, i: usize) -> Result<&Value, Error> {
        self.get(i).ok_or_else(|| {
            type_error(format!(
                "function missing required argument '{}' (pos {})",
                self.names[i],
                i + 1
            ))
        })
    }

    /// An integer in slot `i`, or `default` when absent.
    pub fn int_or(&self, i: usize, default: i64) -> Result<i64, Error> {
        self.get(i).map(int_arg).unwrap_or(Ok(default))
    }

    /// A required integer in slot `i`.
    pub fn int(&self, i: usize) -> Result<i64, Error> {
        int_arg(self.required(i)?)
    }

    /// Slot `i` unless absent or `None`.
    pub fn opt(&self, i: usize) -> Option<&Value> {
        self.get(i).filter(|v| !v.is_none())
    }
}

/// An `int` (or `bool`) value; floats and others raise CPython's error.
pub(crate) fn int_arg(v: &Value) -> Result<i64, Error> {
    v.as_int().ok_or_else(|| {
        type_error(format!(
            "'{}' object cannot be interpreted as an integer",
            v.type_name()
        ))
    })
}
