//! The evaluator's public face: [`Environment`] (options, filters, tests),
//! the [`Globals`] resolver trait, the [`State`] handed to native code, and
//! the render/call entry points.

mod builtins;
mod call;
mod ctx;
mod expr;
mod objects;
mod stmt;

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::template::Template;
use crate::value::{Kwargs, Value};

pub(crate) use call::{call_value, macro_attr};
pub(crate) use ctx::Closure;
pub use objects::Namespace;

/// How undefined values behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UndefinedBehavior {
    /// Jinja2's default `Undefined`: renders empty, errors on attribute/item/call/arithmetic.
    #[default]
    Lenient,
    /// Like `ChainableUndefined`, and never raises: used for parse-time rendering.
    Chainable,
}

/// Resolves free variable names for a render.
pub trait Globals: Send + Sync {
    /// Resolve `name` for code living in `package` (the template's package at top
    /// level, the macro's own package inside a macro body).
    fn lookup(&self, state: &State, package: &str, name: &str) -> Option<Value>;
}

impl Globals for indexmap::IndexMap<String, Value> {
    fn lookup(&self, _state: &State, _package: &str, name: &str) -> Option<Value> {
        self.get(name).cloned()
    }
}

impl Globals for HashMap<String, Value> {
    fn lookup(&self, _state: &State, _package: &str, name: &str) -> Option<Value> {
        self.get(name).cloned()
    }
}

/// Signature of filters registered with [`Environment::add_filter`].
pub type FilterFn = dyn Fn(&State, Value, &[Value], &Kwargs) -> Result<Value> + Send + Sync;
/// Signature of tests registered with [`Environment::add_test`].
pub type TestFn = dyn Fn(&State, &Value, &[Value]) -> Result<bool> + Send + Sync;

/// Render options plus registered filters and tests.
pub struct Environment {
    keep_trailing_newline: bool,
    pub(crate) undefined: UndefinedBehavior,
    filters: HashMap<String, Arc<FilterFn>>,
    tests: HashMap<String, Arc<TestFn>>,
}

impl Default for Environment {
    fn default() -> Self {
        Environment::new()
    }
}

impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Environment")
            .field("keep_trailing_newline", &self.keep_trailing_newline)
            .field("undefined", &self.undefined)
            .finish_non_exhaustive()
    }
}

/// Lookup hook from native code into the running template's scopes.
pub(crate) trait Lookup {
    fn lookup_var(&self, name: &str) -> Value;
}

/// Context handed to native functions, filters and tests.
pub struct State<'a> {
    pub(crate) env: &'a Environment,
    pub(crate) globals: &'a Arc<dyn Globals>,
    pub(crate) package: &'a str,
    pub(crate) template_name: &'a str,
    pub(crate) line: usize,
    pub(crate) depth: usize,
    pub(crate) scope: Option<&'a dyn Lookup>,
}

impl<'a> State<'a> {
    /// The environment.
    pub fn env(&self) -> &Environment {
        self.env
    }
    /// The globals resolver of this render/call.
    pub fn globals(&self) -> &Arc<dyn Globals> {
        self.globals
    }
    /// Package of the code being evaluated.
    pub fn package(&self) -> &str {
        self.package
    }
    /// Name of the template being evaluated ("" outside templates).
    pub fn template_name(&self) -> &str {
        self.template_name
    }
    /// Current 1-based line (0 when unknown).
    pub fn line(&self) -> usize {
        self.line
    }
    /// Resolve a name as the running template would (locals, then globals);
    /// returns `None` when undefined.
    pub fn lookup(&self, name: &str) -> Option<Value> {
        let v = match self.scope {
            Some(s) => s.lookup_var(name),
            None => self
                .globals
                .lookup(self, self.package, name)
                .unwrap_or(Value::UNDEFINED),
        };
        if v.is_undefined() { None } else { Some(v) }
    }
    /// Call any callable value (macro, native function, object).
    pub fn call(&self, callee: &Value, args: Vec<Value>, kwargs: Kwargs) -> Result<Value> {
        call_value(self, callee, args, kwargs)
    }
    /// Apply a filter by name.
    pub fn apply_filter(
        &self,
        name: &str,
        value: Value,
        args: &[Value],
        kwargs: &Kwargs,
    ) -> Result<Value> {
        match self.env.filters.get(name) {
            Some(f) => f(self, value, args, kwargs),
            None => Err(Error::new(
                ErrorKind::Assertion,
                format!("No filter named '{name}'."),
            )),
        }
    }
    /// Apply a test by name.
    pub fn apply_test(&self, name: &str, value: &Value, args: &[Value]) -> Result<bool> {
        match self.env.tests.get(name) {
            Some(t) => t(self, value, args),
            None => Err(Error::new(
                ErrorKind::Assertion,
                format!("No test named '{name}'."),
            )),
        }
    }
    /// Is chainable (parse-time) undefined behaviour on?
    pub fn is_chainable(&self) -> bool {
        self.env.undefined == UndefinedBehavior::Chainable
    }
}

impl Environment {
    /// An environment configured like dbt's (do + loopcontrols, no autoescape).
    pub fn new() -> Self {
        let mut env = Environment {
            keep_trailing_newline: false,
            undefined: UndefinedBehavior::Lenient,
            filters: HashMap::new(),
            tests: HashMap::new(),
        };
        crate::filters::register(&mut env);
        crate::tests::register(&mut env);
        env
    }

    /// Keep a single trailing newline of the template source (default: false).
    pub fn set_keep_trailing_newline(&mut self, yes: bool) {
        self.keep_trailing_newline = yes;
    }

    /// Choose the undefined behaviour.
    pub fn set_undefined(&mut self, b: UndefinedBehavior) {
        self.undefined = b;
    }

    /// Register (or replace) a filter.
    pub fn add_filter(
        &mut self,
        name: &str,
        f: impl Fn(&State, Value, &[Value], &Kwargs) -> Result<Value> + Send + Sync + 'static,
    ) {
        self.filters.insert(name.to_string(), Arc::new(f));
    }

    /// Register (or replace) a test.
    pub fn add_test(
        &mut self,
        name: &str,
        f: impl Fn(&State, &Value, &[Value]) -> Result<bool> + Send + Sync + 'static,
    ) {
        self.tests.insert(name.to_string(), Arc::new(f));
    }

    /// Is a filter with this name registered?
    pub fn has_filter(&self, name: &str) -> bool {
        self.filters.contains_key(name)
    }

    /// Render a whole template; free names resolve through `globals` with `package`.
    pub fn render(
        &self,
        tmpl: &Template,
        globals: Arc<dyn Globals>,
        package: &str,
    ) -> Result<String> {
        let mut out = ctx::render_template(self, &tmpl.inner, &globals, package)?;
        if self.keep_trailing_newline && tmpl.inner.trailing_newline {
            out.push('\n');
        }
        Ok(out)
    }

    /// The value, not the text, of a template that is one `{{ expression }}` and nothing else
    /// (`{{ ref('orders') }}` gives the relation itself); `None` for any other template. Free
    /// names resolve as in [`Environment::render`].
    pub fn eval_output(
        &self,
        tmpl: &Template,
        globals: Arc<dyn Globals>,
        package: &str,
    ) -> Result<Option<Value>> {
        ctx::output_value(self, &tmpl.inner, &globals, package)
    }

    /// Call any callable value from Rust, outside a render.
    pub fn call(
        &self,
        globals: Arc<dyn Globals>,
        package: &str,
        callee: &Value,
        args: Vec<Value>,
        kwargs: Kwargs,
    ) -> Result<Value> {
        let state = State {
            env: self,
            globals: &globals,
            package,
            template_name: "",
            line: 0,
            depth: 0,
            scope: None,
        };
        call_value(&state, callee, args, kwargs)
    }
}
