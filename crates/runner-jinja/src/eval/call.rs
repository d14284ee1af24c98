//! Calling values: macro invocation (argument binding, `varargs`/`kwargs`/
//! `caller`, `return()` catching), native functions and host objects.

use std::sync::{Arc, RwLock};

use super::State;
use super::ctx::{Ctx, Frame};
use crate::error::{Error, ErrorKind, Result, type_err};
use crate::value::ops::undefined_error;
use crate::value::{Kwargs, MacroValue, Value};

const MAX_DEPTH: usize = 400;

/// Call any callable value.
pub(crate) fn call_value(
    state: &State,
    callee: &Value,
    args: Vec<Value>,
    kwargs: Kwargs,
) -> Result<Value> {
    match callee {
        Value::Macro(m) => invoke_macro(state, m, args, kwargs),
        Value::Function(f) => (f.f)(state, &args, &kwargs),
        Value::Object(o) => o.call(state, &args, &kwargs),
        Value::Undefined(_) => {
            if state.is_chainable() {
                Ok(Value::UNDEFINED)
            } else {
                Err(undefined_error(callee))
            }
        }
        v => Err(type_err(format!(
            "'{}' object is not callable",
            v.type_name()
        ))),
    }
}

fn invoke_macro(
    state: &State,
    m: &Arc<MacroValue>,
    args: Vec<Value>,
    mut kwargs: Kwargs,
) -> Result<Value> {
    if state.depth >= MAX_DEPTH {
        return Err(Error::new(
            ErrorKind::Runtime,
            "maximum recursion depth exceeded",
        ));
    }
    let tmpl = m.tmpl.clone();
    let node = &tmpl.nodes[m.node];
    let mut ctx = Ctx {
        env: state.env,
        globals: state.globals,
        package: &m.package,
        tmpl: &tmpl,
        frames: vec![Frame::default()],
        closure: m.closure.clone(),
        module: Arc::new(RwLock::new(Frame::default())),
        in_macro: true,
        depth: state.depth + 1,
        line: node.line,
        loops: Vec::new(),
    };
    let name = &node.name;
    let nparams = node.params.len();
    if args.len() > nparams && !node.uses_varargs {
        return Err(type_err(format!(
            "macro '{name}' takes not more than {nparams} argument(s)"
        )));
    }
    let caller = kwargs.shift_remove("caller");
    if caller.is_some() && !node.uses_caller {
        return Err(type_err(format!(
            "macro '{name}' was invoked with two values for the special caller argument. This is most likely a bug."
        )));
    }
    let npos = args.len().min(nparams);
    let mut extra = args;
    let positional: Vec<Value> = extra.drain(..npos).collect();
    for (i, v) in positional.into_iter().enumerate() {
        ctx.frames[0].vars.push((node.params[i].0.clone(), v));
    }
    for (i, (pname, default)) in node.params.iter().enumerate().skip(npos) {
        let v = match kwargs.shift_remove(&**pname) {
            Some(v) => v,
            None => match default {
                Some(d) => ctx.eval(d)?,
                None => {
                    Value::Undefined(Some(format!("parameter '{pname}' was not provided").into()))
                }
            },
        };
        let _ = i;
        ctx.frames[0].vars.push((pname.clone(), v));
    }
    if !kwargs.is_empty() && !node.uses_kwargs {
        let first = kwargs.keys().next().cloned().unwrap_or_default();
        return Err(type_err(format!(
            "macro '{name}' takes no keyword argument '{first}'"
        )));
    }
    if node.uses_varargs {
        ctx.frames[0]
            .vars
            .push((Arc::from("varargs"), Value::tuple(extra)));
    }
    if node.uses_kwargs {
        let d = kwargs
            .into_iter()
            .map(|(k, v)| (Value::from(k), v))
            .collect();
        ctx.frames[0]
            .vars
            .push((Arc::from("kwargs"), Value::dict(d)));
    }
    if node.uses_caller {
        ctx.frames[0].vars.push((
            Arc::from("caller"),
            caller.unwrap_or(Value::undefined_name("caller")),
        ));
    }
    let mut out = String::new();
    match ctx.exec_block(&node.body, &mut out) {
        Ok(_) => Ok(Value::from(out)),
        Err(e) if e.kind() == ErrorKind::Return => Ok(e.into_return_value().unwrap_or(Value::None)),
        Err(e) => Err(e),
    }
}

/// Attributes of macro values (`name`, `arguments`, `catch_kwargs`, …).
pub(crate) fn macro_attr(m: &MacroValue, name: &str) -> Option<Value> {
    let node = &m.tmpl.nodes[m.node];
    Some(match name {
        "name" => Value::from(node.name.clone()),
        "arguments" => Value::tuple(
            node.params
                .iter()
                .map(|(p, _)| Value::from(p.clone()))
                .collect(),
        ),
        "catch_kwargs" => Value::Bool(node.uses_kwargs),
        "catch_varargs" => Value::Bool(node.uses_varargs),
        "caller" => Value::Bool(node.uses_caller),
        "package_name" => Value::from(m.package.clone()),
        _ => return None,
    })
}
