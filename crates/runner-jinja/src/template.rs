//! Parsed, immutable templates and the metadata dbt needs from them:
//! top-level macros (incl. tests/materializations) and raw docs/snapshot blocks.

use std::sync::Arc;

use crate::ast::{MacroNode, Stmt};
use crate::error::Result;

/// What kind of definition a [`MacroDef`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacroKind {
    /// `{% macro name(...) %}`
    Macro,
    /// `{% materialization name, adapter='x' %}` → `materialization_<name>_<adapter>`
    Materialization,
    /// `{% test name(...) %}` → `test_<name>`
    Test,
}

/// A top-level macro-like definition.
#[derive(Debug, Clone)]
pub struct MacroDef {
    /// Macro name (`test_` / `materialization_..._` prefixed for dbt kinds).
    pub name: String,
    /// Definition kind.
    pub kind: MacroKind,
    /// 1-based line of the opening tag.
    pub line: usize,
    /// Parameter names, in order.
    pub params: Vec<String>,
    pub(crate) node: usize,
}

/// Kinds of raw dbt blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// `{% docs name %}…{% enddocs %}`
    Docs,
    /// `{% snapshot name %}…{% endsnapshot %}`
    Snapshot,
}

/// A raw dbt block.
#[derive(Debug, Clone)]
pub struct Block {
    /// Block kind.
    pub kind: BlockKind,
    /// Block name.
    pub name: String,
    /// 1-based line of the opening tag.
    pub line: usize,
    /// Raw source text between the opening and closing tags.
    pub body: String,
}

#[derive(Debug)]
pub(crate) struct TemplateInner {
    pub name: String,
    pub source: String,
    pub body: Vec<Stmt>,
    pub nodes: Vec<MacroNode>,
    pub macros: Vec<MacroDef>,
    pub blocks: Vec<Block>,
    /// Whether the stripped trailing newline would have been emitted.
    pub trailing_newline: bool,
}

/// A parsed template: immutable, `Send + Sync`, cheap to clone and share.
#[derive(Debug, Clone)]
pub struct Template {
    pub(crate) inner: Arc<TemplateInner>,
}

impl Template {
    /// Parse `source`; errors carry `name` and the line.
    pub fn parse(name: &str, source: &str) -> Result<Template> {
        let normalized;
        let mut src: &str = source;
        if src.contains('\r') {
            normalized = src.replace("\r\n", "\n").replace('\r', "\n");
            src = &normalized;
        }
        let mut trailing_newline = false;
        if let Some(stripped) = src.strip_suffix('\n') {
            src = stripped;
            trailing_newline = !ends_with_strip_tag(src);
        }
        let parsed = crate::parser::parse(src).map_err(|e| e.with_location(name, 0, src))?;
        Ok(Template {
            inner: Arc::new(TemplateInner {
                name: name.to_string(),
                source: source.to_string(),
                body: parsed.body,
                nodes: parsed.nodes,
                macros: parsed.macros,
                blocks: parsed.blocks,
                trailing_newline,
            }),
        })
    }

    /// Template name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Original source text.
    pub fn source(&self) -> &str {
        &self.inner.source
    }

    /// Top-level macro definitions (incl. dbt tests/materializations), in file order.
    pub fn macros(&self) -> &[MacroDef] {
        &self.inner.macros
    }

    /// dbt docs/snapshot blocks, in file order.
    pub fn blocks(&self) -> &[Block] {
        &self.inner.blocks
    }
}

/// Does the text end with a tag using `-` whitespace control on its right side?
fn ends_with_strip_tag(src: &str) -> bool {
    src.ends_with("-%}") || src.ends_with("-}}") || src.ends_with("-#}")
}
