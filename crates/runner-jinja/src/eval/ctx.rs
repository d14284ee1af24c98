//! The evaluation context: scope frames, closures, module (top-level) variables
//! and Jinja2's name-resolution order.

use std::sync::{Arc, RwLock};

use super::{Environment, Globals, Lookup, State, UndefinedBehavior};
use crate::ast::{ForLoop, StmtKind};
use crate::error::Result;
use crate::template::TemplateInner;
use crate::value::{MacroValue, Value};

/// A scope frame: a short list of name → value bindings.
#[derive(Default, Clone)]
pub(crate) struct Frame {
    pub vars: Vec<(Arc<str>, Value)>,
}

impl Frame {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.vars
            .iter()
            .rev()
            .find(|(k, _)| &**k == name)
            .map(|(_, v)| v)
    }
    pub fn set(&mut self, name: Arc<str>, v: Value) {
        if let Some(slot) = self.vars.iter_mut().find(|(k, _)| *k == name) {
            slot.1 = v;
        } else {
            self.vars.push((name, v));
        }
    }
}

/// Top-level variables of one render, shared with macros defined in it.
pub(crate) type Module = Arc<RwLock<Frame>>;

/// Variables captured by a macro defined inside another scope.
pub(crate) struct Closure {
    pub vars: Frame,
    pub module: Option<Module>,
}

/// The evaluator state for one template body or macro activation.
pub(crate) struct Ctx<'e> {
    pub env: &'e Environment,
    pub globals: &'e Arc<dyn Globals>,
    pub package: &'e str,
    pub tmpl: &'e Arc<TemplateInner>,
    pub frames: Vec<Frame>,
    pub closure: Option<Arc<Closure>>,
    pub module: Module,
    pub in_macro: bool,
    pub depth: usize,
    pub line: usize,
    pub loops: Vec<&'e ForLoop>,
}

pub(crate) fn render_template(
    env: &Environment,
    tmpl: &Arc<TemplateInner>,
    globals: &Arc<dyn Globals>,
    package: &str,
) -> Result<String> {
    let mut ctx = Ctx::top_level(env, tmpl, globals, package);
    let mut out = String::with_capacity(tmpl.source.len());
    ctx.exec_block(&tmpl.body, &mut out)?;
    Ok(out)
}

/// The value of the one `{{ expression }}` that is all of `tmpl`; `None` for any other template.
pub(crate) fn output_value(
    env: &Environment,
    tmpl: &Arc<TemplateInner>,
    globals: &Arc<dyn Globals>,
    package: &str,
) -> Result<Option<Value>> {
    let [stmt] = tmpl.body.as_slice() else {
        return Ok(None);
    };
    let StmtKind::Output(expr) = &stmt.k else {
        return Ok(None);
    };
    let mut ctx = Ctx::top_level(env, tmpl, globals, package);
    ctx.line = stmt.line;
    ctx.eval(expr).map(Some)
}

impl<'e> Ctx<'e> {
    /// A context for a template's top level: no frames, no macro, a fresh module namespace.
    fn top_level(
        env: &'e Environment,
        tmpl: &'e Arc<TemplateInner>,
        globals: &'e Arc<dyn Globals>,
        package: &'e str,
    ) -> Ctx<'e> {
        Ctx {
            env,
            globals,
            package,
            tmpl,
            frames: Vec::new(),
            closure: None,
            module: Arc::new(RwLock::new(Frame::default())),
            in_macro: false,
            depth: 0,
            line: 0,
            loops: Vec::new(),
        }
    }

    pub fn chainable(&self) -> bool {
        self.env.undefined == UndefinedBehavior::Chainable
    }

    pub fn state(&self) -> State<'_> {
        State {
            env: self.env,
            globals: self.globals,
            package: self.package,
            template_name: &self.tmpl.name,
            line: self.line,
            depth: self.depth,
            scope: Some(self),
        }
    }

    fn module(&self) -> Option<&Module> {
        match &self.closure {
            Some(c) => c.module.as_ref(),
            None if !self.in_macro => Some(&self.module),
            None => None,
        }
    }

    /// Resolve a free name following Jinja2's order (locals, closure, module,
    /// globals, same-template macros, builtins).
    pub fn lookup(&self, name: &str) -> Value {
        for f in self.frames.iter().rev() {
            if let Some(v) = f.get(name) {
                return v.clone();
            }
        }
        if let Some(c) = &self.closure
            && let Some(v) = c.vars.get(name)
        {
            return v.clone();
        }
        if let Some(m) = self.module()
            && let Some(v) = m.read().unwrap_or_else(|e| e.into_inner()).get(name)
        {
            return v.clone();
        }
        let state = self.state();
        if let Some(v) = self.globals.lookup(&state, self.package, name) {
            return v;
        }
        if self.in_macro
            && let Some(def) = self.tmpl.macros.iter().find(|m| m.name == name)
        {
            return Value::Macro(Arc::new(MacroValue {
                tmpl: self.tmpl.clone(),
                node: def.node,
                package: Arc::from(self.package),
                closure: None,
            }));
        }
        if let Some(v) = super::builtins::lookup(name) {
            return v;
        }
        Value::undefined_name(name)
    }

    /// Assign in the innermost scope (module at top level).
    pub fn set(&mut self, name: Arc<str>, v: Value) {
        match self.frames.last_mut() {
            Some(f) => f.set(name, v),
            None => self
                .module
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .set(name, v),
        }
    }

    /// Capture the visible local scopes for a nested macro/caller.
    pub fn capture(&self) -> Arc<Closure> {
        let mut vars = match &self.closure {
            Some(c) => c.vars.clone(),
            None => Frame::default(),
        };
        for f in &self.frames {
            for (k, v) in &f.vars {
                vars.set(k.clone(), v.clone());
            }
        }
        Arc::new(Closure {
            vars,
            module: self.module().cloned(),
        })
    }
}

impl Lookup for Ctx<'_> {
    fn lookup_var(&self, name: &str) -> Value {
        self.lookup(name)
    }
}
