//! Error type for parsing and rendering: kind, message, template location and a
//! source excerpt, plus the `return()` control-flow carrier used by dbt macros.

use std::fmt;

use crate::value::Value;

/// The category of an [`Error`], named after the Python exception Jinja2 raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Template syntax is invalid (`TemplateSyntaxError`).
    Syntax,
    /// An undefined value was used in a way that requires a value (`UndefinedError`).
    Undefined,
    /// Wrong operand or argument types (`TypeError`).
    Type,
    /// Right type but invalid value (`ValueError`).
    Value,
    /// Missing key for methods such as `dict.pop` (`KeyError`).
    Key,
    /// Index out of range (`IndexError`).
    Index,
    /// Division or modulo by zero (`ZeroDivisionError`).
    ZeroDivision,
    /// Unknown filter or test, unsupported construct (`TemplateAssertionError`).
    Assertion,
    /// Missing attribute/method on a Python value (`AttributeError`).
    Attribute,
    /// Generic runtime failure (`TemplateRuntimeError`).
    Runtime,
    /// Not an error: carries the value of dbt's `return(x)` up to the macro call.
    Return,
}

impl ErrorKind {
    /// The Python exception class name Jinja2 would raise for this kind.
    pub fn python_name(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "TemplateSyntaxError",
            ErrorKind::Undefined => "UndefinedError",
            ErrorKind::Type => "TypeError",
            ErrorKind::Value => "ValueError",
            ErrorKind::Key => "KeyError",
            ErrorKind::Index => "IndexError",
            ErrorKind::ZeroDivision => "ZeroDivisionError",
            ErrorKind::Assertion => "TemplateAssertionError",
            ErrorKind::Attribute => "AttributeError",
            ErrorKind::Runtime => "TemplateRuntimeError",
            ErrorKind::Return => "Return",
        }
    }
}

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    message: String,
    name: Option<String>,
    line: Option<usize>,
    excerpt: Option<String>,
    value: Option<Value>,
}

/// A template error (or the `return()` carrier, see [`return_value`]).
#[derive(Debug, thiserror::Error)]
#[error("{inner}")]
pub struct Error {
    inner: Box<Inner>,
}

impl fmt::Display for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.name, self.line) {
            (Some(n), Some(l)) => write!(f, "{n}:{l}: {}", self.message)?,
            (Some(n), None) => write!(f, "{n}: {}", self.message)?,
            _ => write!(f, "{}", self.message)?,
        }
        if let Some(ex) = &self.excerpt {
            write!(f, "\n{ex}")?;
        }
        Ok(())
    }
}

impl Error {
    /// Create an error of the given kind with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                name: None,
                line: None,
                excerpt: None,
                value: None,
            }),
        }
    }

    /// The error kind.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The bare message, without location.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Name of the template the error occurred in, if known.
    pub fn template_name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    /// 1-based line of the error, if known.
    pub fn line(&self) -> Option<usize> {
        self.inner.line
    }

    /// For [`ErrorKind::Return`]: the returned value.
    pub fn return_value(&self) -> Option<&Value> {
        self.inner.value.as_ref()
    }

    /// Consume a `Return` error and yield its value.
    pub fn into_return_value(self) -> Option<Value> {
        self.inner.value
    }

    /// True when the error already carries a location.
    pub fn has_location(&self) -> bool {
        self.inner.name.is_some()
    }

    /// Attach a template name, line and source excerpt unless already present.
    pub fn with_location(mut self, name: &str, line: usize, source: &str) -> Error {
        if self.inner.kind == ErrorKind::Return || self.inner.name.is_some() {
            return self;
        }
        self.inner.name = Some(name.to_string());
        let line = self.inner.line.unwrap_or(line);
        if line > 0 {
            self.inner.line = Some(line);
            self.inner.excerpt = Some(excerpt(name, line, source));
        }
        self
    }

    /// Set the line if none is known yet (used before the template name is known).
    pub(crate) fn with_line(mut self, line: usize) -> Error {
        if self.inner.line.is_none() && line > 0 && self.inner.kind != ErrorKind::Return {
            self.inner.line = Some(line);
        }
        self
    }
}

fn excerpt(name: &str, line: usize, source: &str) -> String {
    let mut out = String::new();
    let title = format!(" {name} ");
    let pad = 78usize.saturating_sub(title.len()) / 2;
    out.push_str(&"-".repeat(pad));
    out.push_str(&title);
    out.push_str(&"-".repeat(pad));
    out.push('\n');
    let first = line.saturating_sub(3).max(1);
    for (i, text) in source.lines().enumerate() {
        let n = i + 1;
        if n < first {
            continue;
        }
        if n > line + 2 {
            break;
        }
        let marker = if n == line { '>' } else { '|' };
        out.push_str(&format!("{n:>4} {marker} {text}\n"));
    }
    out.push_str(&"-".repeat(pad * 2 + title.len()));
    out
}

/// dbt's `return(x)`: a native function returns `Err(return_value(x))`; the enclosing
/// macro call catches it and evaluates to `x`.
pub fn return_value(v: Value) -> Error {
    let mut e = Error::new(ErrorKind::Return, "return() called outside of a macro");
    e.inner.value = Some(v);
    e
}

/// Shorthand constructors used throughout the crate.
pub(crate) fn type_err(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Type, msg)
}

pub(crate) fn syntax_err(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Syntax, msg)
}

/// Crate result alias.
pub type Result<T> = std::result::Result<T, Error>;
