//! Statement execution: output, control flow, loops, assignments, macro
//! definitions, call/filter/set blocks.

use std::sync::Arc;

use super::ctx::{Ctx, Frame};
use super::objects::{LoopObject, LoopState, Namespace};
use crate::ast::{FilterChain, ForLoop, Stmt, StmtKind, Target};
use crate::error::{Error, ErrorKind, Result};
use crate::value::{MacroValue, Value};

/// Loop control signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Normal,
    Break,
    Continue,
}

impl<'e> Ctx<'e> {
    pub fn exec_block(&mut self, stmts: &'e [Stmt], out: &mut String) -> Result<Flow> {
        for s in stmts {
            let f = self
                .exec(s, out)
                .map_err(|e| e.with_location(&self.tmpl.name, s.line, &self.tmpl.source))?;
            if f != Flow::Normal {
                return Ok(f);
            }
        }
        Ok(Flow::Normal)
    }

    fn exec(&mut self, s: &'e Stmt, out: &mut String) -> Result<Flow> {
        self.line = s.line;
        match &s.k {
            StmtKind::Data(d) => out.push_str(d),
            StmtKind::Output(e) => {
                let v = self.eval(e)?;
                match v {
                    Value::Str(s) => out.push_str(&s),
                    Value::Undefined(_) => {}
                    v => out.push_str(&v.to_python_str()),
                }
            }
            StmtKind::If(branches, else_body) => {
                for (cond, body) in branches {
                    if self.eval(cond)?.is_true() {
                        return self.exec_block(body, out);
                    }
                }
                return self.exec_block(else_body, out);
            }
            StmtKind::For(f) => {
                let iter = self.eval(&f.iter)?;
                self.run_for(f, iter, 0, out)?;
            }
            StmtKind::Set(t, e) => {
                let v = self.eval(e)?;
                self.assign(t, v)?;
            }
            StmtKind::SetBlock(t, chain, body) => {
                let mut buf = String::new();
                self.frames.push(Frame::default());
                let r = self.exec_block(body, &mut buf);
                self.frames.pop();
                r?;
                let v = self.apply_chain(chain, Value::from(buf))?;
                self.assign(t, v)?;
            }
            StmtKind::Macro(idx) => {
                let node = &self.tmpl.nodes[*idx];
                let m = self.make_macro(*idx);
                self.set(node.name.clone(), m);
            }
            StmtKind::CallBlock(call, idx) => {
                let caller = self.make_macro(*idx);
                let v = self.eval_call_expr(call, Some(caller))?;
                out.push_str(&v.to_python_str());
            }
            StmtKind::FilterBlock(chain, body) => {
                let mut buf = String::new();
                self.frames.push(Frame::default());
                let r = self.exec_block(body, &mut buf);
                self.frames.pop();
                r?;
                let v = self.apply_chain(chain, Value::from(buf))?;
                out.push_str(&v.to_python_str());
            }
            StmtKind::With(assigns, body) => {
                self.frames.push(Frame::default());
                let r = (|| {
                    for (t, e) in assigns {
                        let v = self.eval(e)?;
                        self.assign(t, v)?;
                    }
                    self.exec_block(body, out)
                })();
                self.frames.pop();
                return r;
            }
            StmtKind::Scope(body) => {
                self.frames.push(Frame::default());
                let r = self.exec_block(body, out);
                self.frames.pop();
                return r;
            }
            StmtKind::Do(e) => {
                self.eval(e)?;
            }
            StmtKind::Break => return Ok(Flow::Break),
            StmtKind::Continue => return Ok(Flow::Continue),
            StmtKind::Nothing => {}
        }
        Ok(Flow::Normal)
    }

    pub fn make_macro(&self, idx: usize) -> Value {
        Value::Macro(Arc::new(MacroValue {
            tmpl: self.tmpl.clone(),
            node: idx,
            package: Arc::from(self.package),
            closure: Some(self.capture()),
        }))
    }

    pub fn apply_chain(&mut self, chain: &'e FilterChain, mut v: Value) -> Result<Value> {
        for (name, args, line) in chain {
            let (a, k) = self.eval_args(args)?;
            self.line = *line;
            v = self.state().apply_filter(name, v, &a, &k)?;
        }
        Ok(v)
    }

    pub fn assign(&mut self, t: &Target, v: Value) -> Result<()> {
        match t {
            Target::Name(n) => self.set(n.clone(), v),
            Target::Tuple(ts) => {
                let items = v.try_iter()?;
                if items.len() < ts.len() {
                    return Err(Error::new(
                        ErrorKind::Value,
                        format!(
                            "not enough values to unpack (expected {}, got {})",
                            ts.len(),
                            items.len()
                        ),
                    ));
                }
                if items.len() > ts.len() {
                    return Err(Error::new(
                        ErrorKind::Value,
                        format!("too many values to unpack (expected {})", ts.len()),
                    ));
                }
                for (t, v) in ts.iter().zip(items) {
                    self.assign(t, v)?;
                }
            }
            Target::Attr(ns, attr) => {
                let obj = self.lookup(ns);
                match obj.downcast_object::<Namespace>() {
                    Some(n) => n.set(attr, v),
                    None => {
                        return Err(Error::new(
                            ErrorKind::Runtime,
                            "cannot assign attribute on non-namespace object",
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Run a `for` loop over `iter` (also used for recursive `loop(...)` calls).
    pub fn run_for(
        &mut self,
        f: &'e ForLoop,
        iter: Value,
        depth: usize,
        out: &mut String,
    ) -> Result<()> {
        let mut items = iter.try_iter()?;
        if let Some(cond) = &f.cond {
            let mut kept = Vec::with_capacity(items.len());
            for it in items {
                self.frames.push(Frame::default());
                let r = self
                    .assign(&f.target, it.clone())
                    .and_then(|_| self.eval(cond));
                self.frames.pop();
                if r?.is_true() {
                    kept.push(it);
                }
            }
            items = kept;
        }
        if items.is_empty() {
            self.exec_block(&f.else_body, out)?;
            return Ok(());
        }
        let items = Arc::new(items);
        let shared = Arc::new(LoopState::default());
        self.loops.push(f);
        let loop_id = self.loops.len() - 1;
        let mut result = Ok(());
        for i in 0..items.len() {
            let mut frame = Frame::default();
            if f.uses_loop {
                let lo = LoopObject {
                    items: items.clone(),
                    index0: i,
                    depth0: depth,
                    recursive: f.recursive,
                    loop_id,
                    shared: shared.clone(),
                };
                frame
                    .vars
                    .push((Arc::from("loop"), Value::Object(Arc::new(lo))));
            }
            self.frames.push(frame);
            let r = self
                .assign(&f.target, items[i].clone())
                .and_then(|_| self.exec_block(&f.body, out));
            self.frames.pop();
            match r {
                Ok(Flow::Break) => break,
                Ok(_) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.loops.pop();
        result
    }

    /// Execute a recursive `loop(items)` call and return its rendered output.
    pub fn recurse_loop(&mut self, lo: &LoopObject, args: Vec<Value>) -> Result<Value> {
        let Some(f) = self.loops.get(lo.loop_id).copied() else {
            return Err(Error::new(
                ErrorKind::Type,
                "'LoopContext' object is not callable",
            ));
        };
        if !lo.recursive {
            return Err(Error::new(
                ErrorKind::Type,
                "The loop must have the 'recursive' marker to be called recursively.",
            ));
        }
        let iter = args.into_iter().next().unwrap_or(Value::UNDEFINED);
        let mut buf = String::new();
        let saved = self.loops.split_off(lo.loop_id);
        let r = self.run_for(f, iter, lo.depth0 + 1, &mut buf);
        self.loops.extend(saved);
        r?;
        Ok(Value::from(buf))
    }
}
