//! `runner-jinja`: a Jinja2 interpreter with Python value semantics, matching
//! Jinja2 3.1 output as dbt configures it (`do` + `loopcontrols` extensions,
//! no autoescape, standard `Undefined`), plus dbt's block tags.
//!
//! Pipeline: [`lexer`](crate) → parser → AST → tree-walking evaluator.
#![deny(missing_docs)]

mod ast;
mod error;
mod eval;
mod filters;
mod filters_seq;
mod filters_text;
mod format;
mod lexer;
mod methods;
mod methods_str;
mod parser;
mod template;
mod tests;
mod value;

pub use error::{Error, ErrorKind, return_value};
pub use eval::{Environment, FilterFn, Globals, Namespace, State, TestFn, UndefinedBehavior};
pub use template::{Block, BlockKind, MacroDef, MacroKind, Template};
pub use value::ops::BinOp;
/// Python's `repr()` of a string, as Jinja2 (and so dbt) prints one inside a list or dict.
pub use value::repr::str_repr as python_str_repr;
pub use value::{DictRef, Kwargs, ListRef, MacroValue, NativeFunction, Object, Value};

/// Python's `repr()` of a float: shortest round-trip digits, scientific outside [1e-4, 1e16).
pub fn python_float_repr(f: f64) -> String {
    value::repr::float_repr(f)
}

/// A string as Python's `json.dumps` writes it (`ensure_ascii`), quotes included.
pub fn python_json_string(s: &str) -> String {
    let mut out = String::new();
    value::json::write_str(s, &mut out);
    out
}
