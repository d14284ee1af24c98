//! The syntax tree produced by the parser and walked by the evaluator.

use std::sync::Arc;

use crate::value::Value;
use crate::value::ops::BinOp;

/// An expression with its source line.
#[derive(Debug)]
pub(crate) struct Expr {
    pub k: ExprKind,
    pub line: usize,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
}

/// Call arguments.
#[derive(Debug, Default)]
pub(crate) struct CallArgs {
    pub args: Vec<Expr>,
    pub kwargs: Vec<(Arc<str>, Expr)>,
    pub star: Option<Box<Expr>>,
    pub dstar: Option<Box<Expr>>,
}

/// Expression kinds.
#[derive(Debug)]
pub(crate) enum ExprKind {
    Const(Value),
    Name(Arc<str>),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    Attr(Box<Expr>, Arc<str>),
    Item(Box<Expr>, Box<Expr>),
    Slice(Box<Expr>, [Option<Box<Expr>>; 3]),
    Call(Box<Expr>, Box<CallArgs>),
    Filter(Box<Expr>, Arc<str>, Box<CallArgs>),
    Test(Box<Expr>, Arc<str>, Box<CallArgs>, bool),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Pos(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Concat(Vec<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    Cond(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
}

/// Assignment targets.
#[derive(Debug)]
pub(crate) enum Target {
    Name(Arc<str>),
    Tuple(Vec<Target>),
    Attr(Arc<str>, Arc<str>),
}

/// A statement with its source line.
#[derive(Debug)]
pub(crate) struct Stmt {
    pub k: StmtKind,
    pub line: usize,
}

/// A `for` loop.
#[derive(Debug)]
pub(crate) struct ForLoop {
    pub target: Target,
    pub iter: Expr,
    pub cond: Option<Expr>,
    pub body: Vec<Stmt>,
    pub else_body: Vec<Stmt>,
    pub recursive: bool,
    pub uses_loop: bool,
}

/// A filter chain (`|a(1)|b`) used by filter blocks and block sets.
pub(crate) type FilterChain = Vec<(Arc<str>, CallArgs, usize)>;

/// Statement kinds.
#[derive(Debug)]
pub(crate) enum StmtKind {
    Data(Arc<str>),
    Output(Expr),
    If(Vec<(Expr, Vec<Stmt>)>, Vec<Stmt>),
    For(Box<ForLoop>),
    Set(Target, Expr),
    SetBlock(Target, FilterChain, Vec<Stmt>),
    Macro(usize),
    CallBlock(Expr, usize),
    FilterBlock(FilterChain, Vec<Stmt>),
    With(Vec<(Target, Expr)>, Vec<Stmt>),
    Do(Expr),
    Break,
    Continue,
    Scope(Vec<Stmt>),
    Nothing,
}

/// A macro (also test/materialization definitions and call-block callers).
#[derive(Debug)]
pub(crate) struct MacroNode {
    pub name: Arc<str>,
    pub params: Vec<(Arc<str>, Option<Expr>)>,
    pub body: Vec<Stmt>,
    pub uses_varargs: bool,
    pub uses_kwargs: bool,
    pub uses_caller: bool,
    pub line: usize,
}
