//! Expression parsing with Jinja2's precedence rules (ternary, boolean,
//! comparisons, arithmetic, `~`, `**`, unary, postfix, filters and tests).

use std::sync::Arc;

use super::{Parser, describe};
use crate::ast::{CallArgs, CmpOp, Expr, ExprKind, FilterChain};
use crate::error::Result;
use crate::lexer::Tok;
use crate::value::Value;
use crate::value::ops::BinOp;

fn bx(e: Expr) -> Box<Expr> {
    Box::new(e)
}

impl<'a> Parser<'a> {
    fn mk(&self, k: ExprKind, line: usize) -> Expr {
        Expr { k, line }
    }

    pub(crate) fn parse_expression(&mut self) -> Result<Expr> {
        self.parse_condexpr()
    }

    fn parse_condexpr(&mut self) -> Result<Expr> {
        let line = self.line();
        let mut e = self.parse_or()?;
        while self.skip_name("if") {
            let cond = self.parse_or()?;
            let other = if self.skip_name("else") {
                Some(bx(self.parse_condexpr()?))
            } else {
                None
            };
            e = self.mk(ExprKind::Cond(bx(cond), bx(e), other), line);
        }
        Ok(e)
    }

    pub(crate) fn parse_or(&mut self) -> Result<Expr> {
        let mut e = self.parse_and()?;
        while self.skip_name("or") {
            let r = self.parse_and()?;
            e = self.mk(ExprKind::Or(bx(e), bx(r)), self.line());
        }
        Ok(e)
    }

    fn parse_and(&mut self) -> Result<Expr> {
        let mut e = self.parse_not()?;
        while self.skip_name("and") {
            let r = self.parse_not()?;
            e = self.mk(ExprKind::And(bx(e), bx(r)), self.line());
        }
        Ok(e)
    }

    fn parse_not(&mut self) -> Result<Expr> {
        if self.is_name("not") {
            let line = self.line();
            self.i += 1;
            let e = self.parse_not()?;
            return Ok(self.mk(ExprKind::Not(bx(e)), line));
        }
        self.parse_compare()
    }

    fn parse_compare(&mut self) -> Result<Expr> {
        let line = self.line();
        let e = self.parse_math1()?;
        let mut ops = Vec::new();
        loop {
            let op = match self.tok() {
                Tok::Op("==") => CmpOp::Eq,
                Tok::Op("!=") => CmpOp::Ne,
                Tok::Op("<") => CmpOp::Lt,
                Tok::Op("<=") => CmpOp::Le,
                Tok::Op(">") => CmpOp::Gt,
                Tok::Op(">=") => CmpOp::Ge,
                Tok::Name("in") => CmpOp::In,
                Tok::Name("not") if matches!(self.peek_tok(1), Tok::Name("in")) => {
                    self.i += 1;
                    CmpOp::NotIn
                }
                _ => break,
            };
            self.i += 1;
            ops.push((op, self.parse_math1()?));
        }
        if ops.is_empty() {
            Ok(e)
        } else {
            Ok(self.mk(ExprKind::Compare(bx(e), ops), line))
        }
    }

    fn parse_math1(&mut self) -> Result<Expr> {
        let mut e = self.parse_concat()?;
        loop {
            let op = match self.tok() {
                Tok::Op("+") => BinOp::Add,
                Tok::Op("-") => BinOp::Sub,
                _ => break,
            };
            let line = self.line();
            self.i += 1;
            let r = self.parse_concat()?;
            e = self.mk(ExprKind::Bin(op, bx(e), bx(r)), line);
        }
        Ok(e)
    }

    fn parse_concat(&mut self) -> Result<Expr> {
        let line = self.line();
        let first = self.parse_math2()?;
        // Every primary expression passes through here: no vector unless there is a `~`.
        if !self.is_op("~") {
            return Ok(first);
        }
        let mut args = vec![first];
        while self.skip_op("~") {
            args.push(self.parse_math2()?);
        }
        Ok(self.mk(ExprKind::Concat(args), line))
    }

    fn parse_math2(&mut self) -> Result<Expr> {
        let mut e = self.parse_pow()?;
        loop {
            let op = match self.tok() {
                Tok::Op("*") => BinOp::Mul,
                Tok::Op("/") => BinOp::Div,
                Tok::Op("//") => BinOp::FloorDiv,
                Tok::Op("%") => BinOp::Mod,
                _ => break,
            };
            let line = self.line();
            self.i += 1;
            let r = self.parse_pow()?;
            e = self.mk(ExprKind::Bin(op, bx(e), bx(r)), line);
        }
        Ok(e)
    }

    fn parse_pow(&mut self) -> Result<Expr> {
        let mut e = self.parse_unary(true)?;
        while self.is_op("**") {
            let line = self.line();
            self.i += 1;
            let r = self.parse_unary(true)?;
            e = self.mk(ExprKind::Bin(BinOp::Pow, bx(e), bx(r)), line);
        }
        Ok(e)
    }

    fn parse_unary(&mut self, with_filter: bool) -> Result<Expr> {
        let line = self.line();
        let mut e = if self.skip_op("-") {
            let inner = self.parse_unary(false)?;
            self.mk(ExprKind::Neg(bx(inner)), line)
        } else if self.skip_op("+") {
            let inner = self.parse_unary(false)?;
            self.mk(ExprKind::Pos(bx(inner)), line)
        } else {
            self.parse_primary()?
        };
        e = self.parse_postfix(e)?;
        if with_filter {
            e = self.parse_filter_expr(e)?;
        }
        Ok(e)
    }

    fn parse_primary(&mut self) -> Result<Expr> {
        let line = self.line();
        let tok = self.tok().clone();
        let k = match tok {
            Tok::Name(n) => {
                self.i += 1;
                match n {
                    "true" | "True" => ExprKind::Const(Value::Bool(true)),
                    "false" | "False" => ExprKind::Const(Value::Bool(false)),
                    "none" | "None" => ExprKind::Const(Value::None),
                    _ => {
                        self.note_name(n);
                        ExprKind::Name(Arc::from(n))
                    }
                }
            }
            Tok::Str(s) => {
                self.i += 1;
                let mut s = s;
                while let Tok::Str(more) = self.tok() {
                    s.push_str(more);
                    self.i += 1;
                }
                ExprKind::Const(Value::from(s))
            }
            Tok::Int(v) => {
                self.i += 1;
                ExprKind::Const(Value::Int(v))
            }
            Tok::Float(v) => {
                self.i += 1;
                ExprKind::Const(Value::Float(v))
            }
            Tok::Op("(") => {
                self.i += 1;
                let e = self.parse_tuple(true, &[], true)?;
                self.expect_op(")")?;
                return Ok(e);
            }
            Tok::Op("[") => {
                self.i += 1;
                let mut items = Vec::new();
                while !self.is_op("]") {
                    if !items.is_empty() {
                        self.expect_op(",")?;
                    }
                    if self.is_op("]") {
                        break;
                    }
                    items.push(self.parse_expression()?);
                }
                self.expect_op("]")?;
                ExprKind::List(items)
            }
            Tok::Op("{") => {
                self.i += 1;
                let mut items = Vec::new();
                while !self.is_op("}") {
                    if !items.is_empty() {
                        self.expect_op(",")?;
                    }
                    if self.is_op("}") {
                        break;
                    }
                    let k = self.parse_expression()?;
                    self.expect_op(":")?;
                    let v = self.parse_expression()?;
                    items.push((k, v));
                }
                self.expect_op("}")?;
                ExprKind::Dict(items)
            }
            _ => return Err(self.fail(format!("unexpected {}", describe_q(self.tok())))),
        };
        Ok(self.mk(k, line))
    }

    /// Jinja2 `parse_tuple`: comma-separated expressions, a tuple if any comma.
    pub(crate) fn parse_tuple(
        &mut self,
        with_condexpr: bool,
        extra_end: &[&str],
        explicit_parens: bool,
    ) -> Result<Expr> {
        let line = self.line();
        let mut args = Vec::new();
        let mut is_tuple = false;
        loop {
            if !args.is_empty() {
                self.expect_op(",")?;
            }
            if self.is_tuple_end(extra_end) {
                break;
            }
            args.push(if with_condexpr {
                self.parse_expression()?
            } else {
                self.parse_or()?
            });
            if self.is_op(",") {
                is_tuple = true;
            } else {
                break;
            }
        }
        if !is_tuple {
            if let Some(e) = args.pop() {
                return Ok(e);
            }
            if !explicit_parens {
                return Err(self.fail(format!(
                    "Expected an expression, got {}",
                    describe_q(self.tok())
                )));
            }
        }
        Ok(self.mk(ExprKind::Tuple(args), line))
    }

    fn is_tuple_end(&self, extra_end: &[&str]) -> bool {
        match self.tok() {
            Tok::VarEnd | Tok::BlockEnd | Tok::Op(")") | Tok::Eof => true,
            Tok::Name(n) => extra_end.contains(n),
            _ => false,
        }
    }

    fn parse_postfix(&mut self, mut e: Expr) -> Result<Expr> {
        loop {
            let line = self.line();
            if self.skip_op(".") {
                match self.tok().clone() {
                    Tok::Name(n) => {
                        self.i += 1;
                        e = self.mk(ExprKind::Attr(bx(e), Arc::from(n)), line);
                    }
                    Tok::Int(i) => {
                        self.i += 1;
                        let key = self.mk(ExprKind::Const(Value::Int(i)), line);
                        e = self.mk(ExprKind::Item(bx(e), bx(key)), line);
                    }
                    _ => return Err(self.fail("expected name or number".into())),
                }
            } else if self.skip_op("[") {
                let mut args = Vec::new();
                while !self.is_op("]") {
                    if !args.is_empty() {
                        self.expect_op(",")?;
                        if self.is_op("]") {
                            break;
                        }
                    }
                    args.push(self.parse_subscribed()?);
                }
                self.expect_op("]")?;
                if args.len() == 1 {
                    let a = args
                        .pop()
                        .unwrap_or_else(|| self.mk(ExprKind::Const(Value::None), line));
                    e = match a.k {
                        ExprKind::Slice(_, parts) if matches!(a.line, usize::MAX) => {
                            self.mk(ExprKind::Slice(bx(e), parts), line)
                        }
                        _ => self.mk(ExprKind::Item(bx(e), bx(a)), line),
                    };
                } else {
                    let t = self.mk(ExprKind::Tuple(args), line);
                    e = self.mk(ExprKind::Item(bx(e), bx(t)), line);
                }
            } else if self.is_op("(") {
                let args = self.parse_call_args()?;
                e = self.mk(ExprKind::Call(bx(e), Box::new(args)), line);
            } else {
                return Ok(e);
            }
        }
    }

    /// Parses a subscript; slices are returned as `Slice` with the marker line `usize::MAX`.
    fn parse_subscribed(&mut self) -> Result<Expr> {
        let mut parts: [Option<Box<Expr>>; 3] = [None, None, None];
        if !self.is_op(":") {
            let e = self.parse_expression()?;
            if !self.is_op(":") {
                return Ok(e);
            }
            parts[0] = Some(bx(e));
        }
        self.expect_op(":")?;
        if !self.is_op("]") && !self.is_op(",") && !self.is_op(":") {
            parts[1] = Some(bx(self.parse_expression()?));
        }
        if self.skip_op(":") && !self.is_op("]") && !self.is_op(",") {
            parts[2] = Some(bx(self.parse_expression()?));
        }
        let placeholder = self.mk(ExprKind::Const(Value::None), 0);
        Ok(Expr {
            k: ExprKind::Slice(bx(placeholder), parts),
            line: usize::MAX,
        })
    }

    pub(crate) fn parse_call_args(&mut self) -> Result<CallArgs> {
        self.expect_op("(")?;
        let mut ca = CallArgs::default();
        let mut first = true;
        while !self.is_op(")") {
            if !first {
                self.expect_op(",")?;
                if self.is_op(")") {
                    break;
                }
            }
            first = false;
            if self.skip_op("*") {
                ca.star = Some(bx(self.parse_expression()?));
            } else if self.skip_op("**") {
                ca.dstar = Some(bx(self.parse_expression()?));
            } else if let (Tok::Name(n), Tok::Op("=")) = (self.tok().clone(), self.peek_tok(1)) {
                self.i += 2;
                let v = self.parse_expression()?;
                ca.kwargs.push((Arc::from(n), v));
            } else {
                if !ca.kwargs.is_empty() || ca.star.is_some() || ca.dstar.is_some() {
                    return Err(self.fail("Invalid argument syntax".into()));
                }
                ca.args.push(self.parse_expression()?);
            }
        }
        self.expect_op(")")?;
        Ok(ca)
    }

    fn parse_filter_expr(&mut self, mut e: Expr) -> Result<Expr> {
        loop {
            let line = self.line();
            if self.is_op("|") {
                for (name, args, line) in self.parse_filter_chain(false)? {
                    e = self.mk(ExprKind::Filter(bx(e), name, Box::new(args)), line);
                }
            } else if self.is_name("is") {
                self.i += 1;
                let negated = self.skip_name("not");
                let name = self.parse_dotted_name()?;
                let args = if self.is_op("(") {
                    self.parse_call_args()?
                } else if matches!(
                    self.tok(),
                    Tok::Name(_)
                        | Tok::Str(_)
                        | Tok::Int(_)
                        | Tok::Float(_)
                        | Tok::Op("(")
                        | Tok::Op("[")
                        | Tok::Op("{")
                ) && !matches!(self.tok(), Tok::Name("else" | "or" | "and"))
                {
                    if self.is_name("is") {
                        return Err(self.fail("You cannot chain multiple tests with is".into()));
                    }
                    let a = self.parse_primary()?;
                    let a = self.parse_postfix(a)?;
                    CallArgs {
                        args: vec![a],
                        ..CallArgs::default()
                    }
                } else {
                    CallArgs::default()
                };
                e = self.mk(ExprKind::Test(bx(e), name, Box::new(args), negated), line);
            } else if self.is_op("(") {
                let args = self.parse_call_args()?;
                e = self.mk(ExprKind::Call(bx(e), Box::new(args)), line);
            } else {
                return Ok(e);
            }
        }
    }

    fn parse_dotted_name(&mut self) -> Result<Arc<str>> {
        let mut name = self.expect_name()?.to_string();
        while self.is_op(".") {
            if let Tok::Name(n) = self.peek_tok(1).clone() {
                self.i += 2;
                name.push('.');
                name.push_str(n);
            } else {
                break;
            }
        }
        Ok(Arc::from(name))
    }

    /// `|f(args)|g` (or `f|g` when `start_inline`).
    pub(crate) fn parse_filter_chain(&mut self, start_inline: bool) -> Result<FilterChain> {
        let mut chain = Vec::new();
        let mut inline = start_inline;
        while inline || self.skip_op("|") {
            inline = false;
            let line = self.line();
            let name = self.parse_dotted_name()?;
            let args = if self.is_op("(") {
                self.parse_call_args()?
            } else {
                CallArgs::default()
            };
            chain.push((name, args, line));
        }
        Ok(chain)
    }
}

/// `'describe'` quoted as Jinja2 does with `!r`.
pub(crate) fn describe_q(t: &Tok) -> String {
    format!("'{}'", describe(t))
}
