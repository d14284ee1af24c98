//! Expression evaluation: names, literals, attribute/item access, operators,
//! filters, tests and calls (including method calls on Python values).

use super::call::call_value;
use super::ctx::Ctx;
use super::objects::LoopObject;
use crate::ast::{CallArgs, CmpOp, Expr, ExprKind};
use crate::error::{Result, type_err};
use crate::value::ops::{self, binop, compare, undefined_error};
use crate::value::{Kwargs, Value};

impl<'e> Ctx<'e> {
    /// Fail (lenient) or propagate (chainable) when `v` is undefined.
    fn undefined_guard(&self, v: &Value) -> Result<Option<Value>> {
        if v.is_undefined() {
            if self.chainable() {
                return Ok(Some(Value::UNDEFINED));
            }
            return Err(undefined_error(v));
        }
        Ok(None)
    }

    pub fn eval(&mut self, e: &'e Expr) -> Result<Value> {
        self.eval_inner(e).map_err(|err| err.with_line(e.line))
    }

    fn eval_inner(&mut self, e: &'e Expr) -> Result<Value> {
        Ok(match &e.k {
            ExprKind::Const(v) => v.clone(),
            ExprKind::Name(n) => self.lookup(n),
            ExprKind::List(items) => {
                Value::list(items.iter().map(|x| self.eval(x)).collect::<Result<_>>()?)
            }
            ExprKind::Tuple(items) => {
                Value::tuple(items.iter().map(|x| self.eval(x)).collect::<Result<_>>()?)
            }
            ExprKind::Dict(items) => {
                let mut m = indexmap::IndexMap::with_capacity(items.len());
                for (k, v) in items {
                    let k = self.eval(k)?;
                    let v = self.eval(v)?;
                    m.insert(k, v);
                }
                Value::dict(m)
            }
            ExprKind::Attr(base, name) => {
                let b = self.eval(base)?;
                if let Some(u) = self.undefined_guard(&b)? {
                    return Ok(u);
                }
                b.get_attr(name)
            }
            ExprKind::Item(base, key) => {
                let b = self.eval(base)?;
                if let Some(u) = self.undefined_guard(&b)? {
                    return Ok(u);
                }
                let k = self.eval(key)?;
                b.get_item(&k)
            }
            ExprKind::Slice(base, parts) => {
                let b = self.eval(base)?;
                if let Some(u) = self.undefined_guard(&b)? {
                    return Ok(u);
                }
                let mut idx = [None, None, None];
                for (i, p) in parts.iter().enumerate() {
                    if let Some(p) = p {
                        match self.eval(p)? {
                            Value::None => {}
                            v => {
                                idx[i] = Some(v.as_int().ok_or_else(|| {
                                    type_err("slice indices must be integers or None or have an __index__ method")
                                })?)
                            }
                        }
                    }
                }
                ops::slice(&b, idx[0], idx[1], idx[2])?
            }
            ExprKind::Call(..) => self.eval_call_expr(e, None)?,
            ExprKind::Filter(base, name, args) => {
                let v = self.eval(base)?;
                let (a, k) = self.eval_args(args)?;
                self.line = e.line;
                self.state().apply_filter(name, v, &a, &k)?
            }
            ExprKind::Test(base, name, args, negated) => {
                let v = self.eval(base)?;
                let (a, _) = self.eval_args(args)?;
                let r = self.state().apply_test(name, &v, &a)?;
                Value::Bool(r != *negated)
            }
            ExprKind::Not(x) => Value::Bool(!self.eval(x)?.is_true()),
            ExprKind::Neg(x) | ExprKind::Pos(x) => {
                let v = self.eval(x)?;
                if let Some(u) = self.undefined_guard(&v)? {
                    return Ok(u);
                }
                let neg = matches!(e.k, ExprKind::Neg(_));
                match v {
                    Value::Int(i) => Value::Int(if neg { -i } else { i }),
                    Value::Bool(b) => Value::Int(if neg { -(b as i64) } else { b as i64 }),
                    Value::Float(f) => Value::Float(if neg { -f } else { f }),
                    Value::Object(o) if neg && let Some(r) = o.neg() => r?,
                    Value::Object(o) if !neg && o.neg().is_some() => Value::Object(o),
                    v => {
                        return Err(type_err(format!(
                            "bad operand type for unary {}: '{}'",
                            if neg { "-" } else { "+" },
                            v.type_name()
                        )));
                    }
                }
            }
            ExprKind::Bin(op, l, r) => {
                let a = self.eval(l)?;
                let b = self.eval(r)?;
                if self.chainable() && (a.is_undefined() || b.is_undefined()) {
                    return Ok(Value::UNDEFINED);
                }
                binop(*op, &a, &b)?
            }
            ExprKind::Concat(items) => {
                let mut s = String::new();
                for x in items {
                    match self.eval(x)? {
                        Value::Str(v) => s.push_str(&v),
                        v => s.push_str(&v.to_python_str()),
                    }
                }
                Value::from(s)
            }
            ExprKind::And(l, r) => {
                let a = self.eval(l)?;
                if !a.is_true() { a } else { self.eval(r)? }
            }
            ExprKind::Or(l, r) => {
                let a = self.eval(l)?;
                if a.is_true() { a } else { self.eval(r)? }
            }
            ExprKind::Compare(first, rest) => {
                let mut left = self.eval(first)?;
                for (op, re) in rest {
                    let right = self.eval(re)?;
                    if !self.compare_op(*op, &left, &right)? {
                        return Ok(Value::Bool(false));
                    }
                    left = right;
                }
                Value::Bool(true)
            }
            ExprKind::Cond(test, then, other) => {
                if self.eval(test)?.is_true() {
                    self.eval(then)?
                } else if let Some(o) = other {
                    self.eval(o)?
                } else {
                    Value::Undefined(Some(
                        format!(
                            "the inline if-expression on line {} evaluated to false and no else section was defined.",
                            e.line
                        )
                        .into(),
                    ))
                }
            }
        })
    }

    fn compare_op(&self, op: CmpOp, a: &Value, b: &Value) -> Result<bool> {
        let ord = |sym: &str| -> Result<Option<std::cmp::Ordering>> {
            if a.is_undefined() || b.is_undefined() {
                if self.chainable() {
                    return Ok(None);
                }
                return Err(undefined_error(if a.is_undefined() { a } else { b }));
            }
            compare(a, b, sym).map(Some)
        };
        Ok(match op {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            CmpOp::Lt => ord("<")?.is_some_and(|o| o.is_lt()),
            CmpOp::Le => ord("<=")?.is_some_and(|o| o.is_le()),
            CmpOp::Gt => ord(">")?.is_some_and(|o| o.is_gt()),
            CmpOp::Ge => ord(">=")?.is_some_and(|o| o.is_ge()),
            CmpOp::In | CmpOp::NotIn => {
                let r = if self.chainable() && b.is_undefined() {
                    false
                } else {
                    ops::contains(b, a)?
                };
                r == (op == CmpOp::In)
            }
        })
    }

    pub fn eval_args(&mut self, ca: &'e CallArgs) -> Result<(Vec<Value>, Kwargs)> {
        let mut args = Vec::with_capacity(ca.args.len());
        for a in &ca.args {
            args.push(self.eval(a)?);
        }
        if let Some(s) = &ca.star {
            let v = self.eval(s)?;
            args.extend(v.try_iter()?);
        }
        let mut kwargs = Kwargs::with_capacity(ca.kwargs.len());
        for (k, v) in &ca.kwargs {
            let v = self.eval(v)?;
            kwargs.insert(k.to_string(), v);
        }
        if let Some(d) = &ca.dstar {
            match self.eval(d)? {
                Value::Dict(m) => {
                    for (k, v) in m.read().iter() {
                        kwargs.insert(k.to_python_str(), v.clone());
                    }
                }
                Value::Undefined(_) => {}
                v => {
                    return Err(type_err(format!(
                        "argument after ** must be a mapping, not {}",
                        v.type_name()
                    )));
                }
            }
        }
        Ok((args, kwargs))
    }

    /// Evaluate a call expression, optionally passing a `caller` (call blocks).
    pub fn eval_call_expr(&mut self, e: &'e Expr, caller: Option<Value>) -> Result<Value> {
        let ExprKind::Call(callee, ca) = &e.k else {
            return self.eval(e);
        };
        if let ExprKind::Attr(base, name) = &callee.k {
            let obj = self.eval(base)?;
            if let Some(u) = self.undefined_guard(&obj)? {
                return Ok(u);
            }
            let (args, mut kwargs) = self.eval_args(ca)?;
            if let Some(c) = caller {
                kwargs.insert("caller".into(), c);
            }
            self.line = e.line;
            return self.call_method(&obj, name, args, kwargs);
        }
        let f = self.eval(callee)?;
        let (args, mut kwargs) = self.eval_args(ca)?;
        if let Some(c) = caller {
            kwargs.insert("caller".into(), c);
        }
        self.line = e.line;
        if let Some(lo) = f.downcast_object::<LoopObject>() {
            return self.recurse_loop(lo, args);
        }
        if f.is_undefined() && self.chainable() {
            return Ok(Value::UNDEFINED);
        }
        call_value(&self.state(), &f, args, kwargs)
    }

    fn call_method(
        &mut self,
        obj: &Value,
        name: &str,
        args: Vec<Value>,
        kwargs: Kwargs,
    ) -> Result<Value> {
        let state = self.state();
        if let Value::Object(o) = obj {
            return o.call_method(&state, name, &args, &kwargs);
        }
        if let Some(r) = crate::methods::call_method(&state, obj, name, &args, &kwargs) {
            return r;
        }
        let f = obj.get_attr(name);
        if f.is_undefined() {
            if self.chainable() {
                return Ok(Value::UNDEFINED);
            }
            return Err(undefined_error(&f));
        }
        call_value(&state, &f, args, kwargs)
    }
}
