//! Statement parser: turns the token stream into [`crate::ast`] statements,
//! collecting macros and dbt blocks (materialization, test, snapshot, docs).

mod expr;

use std::sync::Arc;

use crate::ast::{ExprKind, ForLoop, MacroNode, Stmt, StmtKind, Target};
use crate::error::{Error, Result, syntax_err};
use crate::lexer::{Tok, Token};
use crate::template::{Block, BlockKind, MacroDef, MacroKind};
use crate::value::Value;

const USE_VARARGS: u8 = 1;
const USE_KWARGS: u8 = 2;
const USE_CALLER: u8 = 4;
const USE_LOOP: u8 = 8;

/// Parser output.
pub(crate) struct Parsed {
    pub body: Vec<Stmt>,
    pub nodes: Vec<MacroNode>,
    pub macros: Vec<MacroDef>,
    pub blocks: Vec<Block>,
}

pub(crate) struct Parser<'a> {
    toks: Vec<Token<'a>>,
    i: usize,
    src: &'a str,
    nodes: Vec<MacroNode>,
    macros: Vec<MacroDef>,
    blocks: Vec<Block>,
    end_stack: Vec<&'static [&'static str]>,
    tag_stack: Vec<&'static str>,
    used: Vec<u8>,
}

/// Jinja2's `describe_token`.
pub(crate) fn describe(t: &Tok) -> String {
    match t {
        Tok::Name(n) => n.to_string(),
        Tok::Op(o) => o.to_string(),
        Tok::Str(_) => "string".into(),
        Tok::Int(_) => "integer".into(),
        Tok::Float(_) => "float".into(),
        Tok::Data(_) => "template data / text".into(),
        Tok::VarStart => "begin of print statement".into(),
        Tok::VarEnd => "end of print statement".into(),
        Tok::BlockStart => "begin of statement block".into(),
        Tok::BlockEnd => "end of statement block".into(),
        Tok::Eof => "end of template".into(),
    }
}

/// Parse a whole template.
pub(crate) fn parse(src: &str) -> Result<Parsed> {
    let toks = crate::lexer::tokenize(src)?;
    let mut p = Parser {
        toks,
        i: 0,
        src,
        nodes: Vec::new(),
        macros: Vec::new(),
        blocks: Vec::new(),
        end_stack: Vec::new(),
        tag_stack: Vec::new(),
        used: Vec::new(),
    };
    let (body, _) = p.parse_body(&[])?;
    Ok(Parsed {
        body,
        nodes: p.nodes,
        macros: p.macros,
        blocks: p.blocks,
    })
}

impl<'a> Parser<'a> {
    pub(crate) fn tok(&self) -> &Tok<'a> {
        &self.toks[self.i.min(self.toks.len() - 1)].tok
    }
    pub(crate) fn peek_tok(&self, n: usize) -> &Tok<'a> {
        &self.toks[(self.i + n).min(self.toks.len() - 1)].tok
    }
    pub(crate) fn line(&self) -> usize {
        self.toks[self.i.min(self.toks.len() - 1)].line
    }
    pub(crate) fn fail(&self, msg: String) -> Error {
        syntax_err(msg).with_line(self.line())
    }
    pub(crate) fn is_op(&self, op: &str) -> bool {
        matches!(self.tok(), Tok::Op(o) if *o == op)
    }
    pub(crate) fn is_name(&self, n: &str) -> bool {
        matches!(self.tok(), Tok::Name(x) if *x == n)
    }
    pub(crate) fn skip_op(&mut self, op: &str) -> bool {
        let r = self.is_op(op);
        if r {
            self.i += 1;
        }
        r
    }
    pub(crate) fn skip_name(&mut self, n: &str) -> bool {
        let r = self.is_name(n);
        if r {
            self.i += 1;
        }
        r
    }
    fn expect_desc(&mut self, ok: bool, what: &str) -> Result<()> {
        if ok {
            self.i += 1;
            return Ok(());
        }
        if matches!(self.tok(), Tok::Eof) {
            return Err(self.fail(format!("unexpected end of template, expected '{what}'.")));
        }
        Err(self.fail(format!(
            "expected token '{what}', got '{}'",
            describe(self.tok())
        )))
    }
    pub(crate) fn expect_op(&mut self, op: &str) -> Result<()> {
        let ok = self.is_op(op);
        self.expect_desc(ok, op)
    }
    pub(crate) fn expect_name(&mut self) -> Result<&'a str> {
        if let Tok::Name(n) = *self.tok() {
            self.i += 1;
            return Ok(n);
        }
        let ok = false;
        self.expect_desc(ok, "name").map(|_| "")
    }
    fn expect_block_end(&mut self) -> Result<()> {
        let ok = matches!(self.tok(), Tok::BlockEnd);
        self.expect_desc(ok, "end of statement block")
    }
    pub(crate) fn note_name(&mut self, n: &str) {
        let bit = match n {
            "varargs" => USE_VARARGS,
            "kwargs" => USE_KWARGS,
            "caller" => USE_CALLER,
            "loop" => USE_LOOP,
            _ => return,
        };
        for u in self.used.iter_mut() {
            *u |= bit;
        }
    }

    fn fail_eof(&self, tag: Option<&str>) -> Error {
        let mut msg = match tag {
            None => "Unexpected end of template.".to_string(),
            Some(t) => format!("Encountered unknown tag '{t}'."),
        };
        if let Some(ends) = self.end_stack.last() {
            let looking = ends
                .iter()
                .map(|e| format!("'{e}'"))
                .collect::<Vec<_>>()
                .join(" or ");
            let expected = self
                .end_stack
                .iter()
                .any(|es| tag.is_some_and(|t| es.contains(&t)));
            if expected {
                msg.push_str(&format!(
                    " You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for {looking}."
                ));
            } else {
                msg.push_str(&format!(
                    " Jinja was looking for the following tags: {looking}."
                ));
            }
        }
        if let Some(t) = self.tag_stack.last() {
            msg.push_str(&format!(
                " The innermost block that needs to be closed is '{t}'."
            ));
        }
        self.fail(msg)
    }

    /// Parse statements until one of `ends` (returned, with the cursor after its name).
    fn parse_body(&mut self, ends: &'static [&'static str]) -> Result<(Vec<Stmt>, &'a str)> {
        let mut out = Vec::new();
        if !ends.is_empty() {
            self.end_stack.push(ends);
        }
        let r = loop {
            let line = self.line();
            match self.tok().clone() {
                Tok::Data(d) => {
                    self.i += 1;
                    out.push(Stmt {
                        k: StmtKind::Data(Arc::from(d)),
                        line,
                    });
                }
                Tok::VarStart => {
                    self.i += 1;
                    let e = self.parse_tuple(true, &[], false)?;
                    let ok = matches!(self.tok(), Tok::VarEnd);
                    self.expect_desc(ok, "end of print statement")?;
                    out.push(Stmt {
                        k: StmtKind::Output(e),
                        line,
                    });
                }
                Tok::BlockStart => {
                    if let Tok::Name(n) = *self.peek_tok(1)
                        && ends.contains(&n)
                    {
                        self.i += 2;
                        break Ok((out, n));
                    }
                    self.i += 1;
                    let s = self.parse_statement()?;
                    out.push(s);
                }
                Tok::Eof => {
                    if ends.is_empty() {
                        break Ok((out, ""));
                    }
                    break Err(self.fail_eof(None));
                }
                t => break Err(self.fail(format!("unexpected '{}'", describe(&t)))),
            }
        };
        if !ends.is_empty() {
            self.end_stack.pop();
        }
        r
    }

    fn body_until(
        &mut self,
        tag: &'static str,
        ends: &'static [&'static str],
    ) -> Result<(Vec<Stmt>, &'a str)> {
        self.tag_stack.push(tag);
        let r = self.parse_body(ends);
        self.tag_stack.pop();
        r
    }

    fn parse_statement(&mut self) -> Result<Stmt> {
        let line = self.line();
        let Tok::Name(tag) = *self.tok() else {
            return Err(self.fail("tag name expected".into()));
        };
        self.i += 1;
        let k = match tag {
            "if" => self.parse_if()?,
            "for" => self.parse_for()?,
            "set" => self.parse_set()?,
            "macro" => {
                let name = self.expect_name()?;
                let params = self.parse_signature()?;
                let idx = self.parse_macro_body(name, params, "macro", &["endmacro"], line)?;
                self.push_def(name, MacroKind::Macro, idx, line);
                StmtKind::Macro(idx)
            }
            "call" => {
                let params = if self.is_op("(") {
                    self.parse_signature()?
                } else {
                    Vec::new()
                };
                let call = self.parse_expression()?;
                if !matches!(call.k, ExprKind::Call(..)) {
                    return Err(self.fail("expected call".into()));
                }
                let idx = self.parse_macro_body("caller", params, "call", &["endcall"], line)?;
                StmtKind::CallBlock(call, idx)
            }
            "filter" => {
                let chain = self.parse_filter_chain(true)?;
                self.expect_block_end()?;
                let (body, _) = self.body_until("filter", &["endfilter"])?;
                self.expect_block_end()?;
                StmtKind::FilterBlock(chain, body)
            }
            "with" => {
                let mut assigns = Vec::new();
                while !matches!(self.tok(), Tok::BlockEnd) {
                    if !assigns.is_empty() {
                        self.expect_op(",")?;
                    }
                    let t = self.parse_target(false, &[])?;
                    self.expect_op("=")?;
                    assigns.push((t, self.parse_expression()?));
                }
                self.expect_block_end()?;
                let (body, _) = self.body_until("with", &["endwith"])?;
                self.expect_block_end()?;
                StmtKind::With(assigns, body)
            }
            "autoescape" => {
                self.parse_expression()?;
                self.expect_block_end()?;
                let (body, _) = self.body_until("autoescape", &["endautoescape"])?;
                self.expect_block_end()?;
                StmtKind::Scope(body)
            }
            "do" => StmtKind::Do(self.parse_tuple(true, &[], false)?),
            "break" => StmtKind::Break,
            "continue" => StmtKind::Continue,
            "materialization" => self.parse_materialization(line)?,
            "test" | "data_test" => {
                let name = self.expect_name()?;
                let params = self.parse_signature()?;
                let full = format!("test_{name}");
                let end: &'static [&'static str] = if tag == "test" {
                    &["endtest"]
                } else {
                    &["enddata_test"]
                };
                let idx = self.parse_macro_body(&full, params, "test", end, line)?;
                self.push_def(&full, MacroKind::Test, idx, line);
                StmtKind::Macro(idx)
            }
            "snapshot" => {
                let name = self.expect_name()?;
                self.expect_block_end()?;
                let start = self.toks[self.i - 1].end;
                self.body_until("snapshot", &["endsnapshot"])?;
                let end = self.toks[self.i - 2].start;
                self.expect_block_end()?;
                self.push_block(BlockKind::Snapshot, name, line, start, end);
                StmtKind::Nothing
            }
            "docs" => {
                let name = self.expect_name()?;
                self.expect_block_end()?;
                let start = self.toks[self.i - 1].end;
                if let Tok::Data(_) = self.tok() {
                    self.i += 1;
                }
                let (_, _) = self.body_until("docs", &["enddocs"])?;
                let end = self.toks[self.i - 2].start;
                self.expect_block_end()?;
                self.push_block(BlockKind::Docs, name, line, start, end);
                StmtKind::Nothing
            }
            "extends" | "include" | "import" | "from" | "block" => {
                return Err(self.fail(format!(
                    "the '{tag}' tag is not supported by this template engine"
                )));
            }
            other => return Err(self.fail_eof(Some(other))),
        };
        if !matches!(
            k,
            StmtKind::Macro(_)
                | StmtKind::CallBlock(..)
                | StmtKind::Nothing
                | StmtKind::FilterBlock(..)
        ) && !matches!(
            k,
            StmtKind::With(..) | StmtKind::Scope(_) | StmtKind::If(..) | StmtKind::For(_)
        ) && !matches!(k, StmtKind::SetBlock(..))
        {
            self.expect_block_end()?;
        }
        Ok(Stmt { k, line })
    }

    fn push_def(&mut self, name: &str, kind: MacroKind, node: usize, line: usize) {
        if self.tag_stack.is_empty() {
            let params = self.nodes[node]
                .params
                .iter()
                .map(|(p, _)| p.to_string())
                .collect();
            self.macros.push(MacroDef {
                name: name.to_string(),
                kind,
                line,
                params,
                node,
            });
        }
    }

    fn push_block(&mut self, kind: BlockKind, name: &str, line: usize, start: usize, end: usize) {
        let body = self
            .src
            .get(start..end.max(start))
            .unwrap_or("")
            .to_string();
        self.blocks.push(Block {
            kind,
            name: name.to_string(),
            line,
            body,
        });
    }

    fn parse_if(&mut self) -> Result<StmtKind> {
        let mut branches = Vec::new();
        let mut else_body = Vec::new();
        let mut cond = self.parse_tuple(false, &[], false)?;
        loop {
            self.expect_block_end()?;
            let (body, end) = self.body_until("if", &["elif", "else", "endif"])?;
            branches.push((cond, body));
            match end {
                "elif" => cond = self.parse_tuple(false, &[], false)?,
                "else" => {
                    self.expect_block_end()?;
                    else_body = self.body_until("if", &["endif"])?.0;
                    break;
                }
                _ => break,
            }
        }
        self.expect_block_end()?;
        Ok(StmtKind::If(branches, else_body))
    }

    fn parse_for(&mut self) -> Result<StmtKind> {
        let target = self.parse_target(false, &["in"])?;
        if !self.skip_name("in") {
            let ok = false;
            self.expect_desc(ok, "in")?;
        }
        let iter = self.parse_tuple(false, &["recursive"], false)?;
        let cond = if self.skip_name("if") {
            Some(self.parse_expression()?)
        } else {
            None
        };
        let recursive = self.skip_name("recursive");
        self.expect_block_end()?;
        self.used.push(0);
        let r = self.body_until("for", &["endfor", "else"]);
        let used = self.used.pop().unwrap_or(0);
        let (body, end) = r?;
        let mut else_body = Vec::new();
        if end == "else" {
            self.expect_block_end()?;
            else_body = self.body_until("for", &["endfor"])?.0;
        }
        self.expect_block_end()?;
        let uses_loop = used & USE_LOOP != 0 || recursive || cond.is_some();
        Ok(StmtKind::For(Box::new(ForLoop {
            target,
            iter,
            cond,
            body,
            else_body,
            recursive,
            uses_loop,
        })))
    }

    fn parse_set(&mut self) -> Result<StmtKind> {
        let target = self.parse_target(true, &[])?;
        if self.skip_op("=") {
            let e = self.parse_tuple(true, &[], false)?;
            return Ok(StmtKind::Set(target, e));
        }
        let chain = self.parse_filter_chain(false)?;
        self.expect_block_end()?;
        let (body, _) = self.body_until("set", &["endset"])?;
        self.expect_block_end()?;
        Ok(StmtKind::SetBlock(target, chain, body))
    }

    fn parse_materialization(&mut self, line: usize) -> Result<StmtKind> {
        let name = self.expect_name()?;
        let mut adapter = "default".to_string();
        while self.skip_op(",") {
            let key = self.expect_name()?;
            if self.skip_op("=") {
                let e = self.parse_expression()?;
                if key == "adapter" {
                    match e.k {
                        ExprKind::Const(Value::Str(s)) => adapter = s.to_string(),
                        _ => {
                            return Err(
                                self.fail("materialization adapter must be a string".into())
                            );
                        }
                    }
                }
            } else if key != "default" {
                return Err(self.fail(format!("unexpected argument '{key}' in materialization")));
            }
        }
        let full = format!("materialization_{name}_{adapter}");
        let idx = self.parse_macro_body(
            &full,
            Vec::new(),
            "materialization",
            &["endmaterialization"],
            line,
        )?;
        self.push_def(&full, MacroKind::Materialization, idx, line);
        Ok(StmtKind::Macro(idx))
    }

    fn parse_macro_body(
        &mut self,
        name: &str,
        params: Vec<(Arc<str>, Option<crate::ast::Expr>)>,
        tag: &'static str,
        ends: &'static [&'static str],
        line: usize,
    ) -> Result<usize> {
        self.expect_block_end()?;
        self.used.push(0);
        let r = self.body_until(tag, ends);
        let used = self.used.pop().unwrap_or(0);
        let (body, _) = r?;
        self.expect_block_end()?;
        self.nodes.push(MacroNode {
            name: Arc::from(name),
            params,
            body,
            uses_varargs: used & USE_VARARGS != 0,
            uses_kwargs: used & USE_KWARGS != 0,
            uses_caller: used & USE_CALLER != 0,
            line,
        });
        Ok(self.nodes.len() - 1)
    }

    fn parse_signature(&mut self) -> Result<Vec<(Arc<str>, Option<crate::ast::Expr>)>> {
        self.expect_op("(")?;
        let mut params: Vec<(Arc<str>, Option<crate::ast::Expr>)> = Vec::new();
        while !self.is_op(")") {
            if !params.is_empty() {
                self.expect_op(",")?;
            }
            let name = self.expect_name()?;
            let default = if self.skip_op("=") {
                Some(self.parse_expression()?)
            } else {
                if params.iter().any(|(_, d)| d.is_some()) {
                    return Err(self.fail("non-default argument follows default argument".into()));
                }
                None
            };
            params.push((Arc::from(name), default));
        }
        self.expect_op(")")?;
        Ok(params)
    }

    /// Assignment target: a name, `ns.attr` (if allowed), or a tuple of names.
    fn parse_target(&mut self, with_ns: bool, extra_end: &[&str]) -> Result<Target> {
        let mut items = Vec::new();
        let mut is_tuple = false;
        let paren = self.skip_op("(");
        loop {
            if with_ns && !paren && matches!(self.peek_tok(1), Tok::Op(".")) {
                let ns = self.expect_name()?;
                self.i += 1;
                let attr = self.expect_name()?;
                return Ok(Target::Attr(Arc::from(ns), Arc::from(attr)));
            }
            let t = if self.is_op("(") {
                self.parse_target(false, extra_end)?
            } else if !matches!(self.tok(), Tok::Name(_)) {
                return Err(self.fail(format!(
                    "Expected an expression, got '{}'",
                    describe(self.tok())
                )));
            } else {
                Target::Name(Arc::from(self.expect_name()?))
            };
            items.push(t);
            if self.skip_op(",") {
                is_tuple = true;
                if matches!(self.tok(), Tok::Name(n) if extra_end.contains(n))
                    || self.is_op(")")
                    || self.is_op("=")
                {
                    break;
                }
            } else {
                break;
            }
        }
        if paren {
            self.expect_op(")")?;
            is_tuple = true;
        }
        if !is_tuple && items.len() == 1 {
            return Ok(items.pop().unwrap_or(Target::Tuple(Vec::new())));
        }
        Ok(Target::Tuple(items))
    }
}
