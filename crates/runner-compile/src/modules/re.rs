//! `modules.re`: Python's `re` over fancy-regex (backtracking, so lookaround and backreferences
//! work). Python syntax is translated where the engines differ: `\Z`, `$` before a final newline,
//! `{,n}`. Not supported: `(?L)`/`re.LOCALE`, `(?(1)yes|no)` conditionals, possessive
//! quantifiers and atomic groups beyond what fancy-regex accepts, `pos`/`endpos` arguments, and a
//! non-empty match at the position of a previous empty match in `findall`/`sub`/`split`.

use std::sync::Arc;

use runner_jinja::{BinOp, Error, ErrorKind, Kwargs, Object, State, Value};

use super::re_match::{Match, all_matches, expand, find_at, parse_template};
use super::{Class, bind, function, named_error, no_methods, obj, str_arg};

const FLAGS: &[(&str, &str, i64)] = &[
    ("A", "ASCII", 256),
    ("I", "IGNORECASE", 2),
    ("L", "LOCALE", 4),
    ("M", "MULTILINE", 8),
    ("S", "DOTALL", 16),
    ("X", "VERBOSE", 64),
    ("U", "UNICODE", 32),
];

/// A `re.RegexFlag` value; `+` with another flag or int gives an int, as in Python.
#[derive(Debug)]
pub(crate) struct Flag(i64);

fn flag_names(v: i64) -> String {
    let names: Vec<String> = FLAGS
        .iter()
        .filter(|f| v & f.2 != 0)
        .map(|f| format!("re.{}", f.1))
        .collect();
    if names.is_empty() {
        "re.NOFLAG".into()
    } else {
        names.join("|")
    }
}

impl Object for Flag {
    fn type_name(&self) -> &str {
        "re.RegexFlag"
    }
    fn binary_op(&self, op: BinOp, other: &Value, _: bool) -> Option<Result<Value, Error>> {
        let o = flag_value(other)?;
        match op {
            BinOp::Add => Some(Ok(Value::Int(self.0 + o))),
            _ => None,
        }
    }
    fn py_eq(&self, other: &Value) -> Option<bool> {
        Some(flag_value(other) == Some(self.0))
    }
    fn to_str(&self) -> String {
        flag_names(self.0)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn flag_value(v: &Value) -> Option<i64> {
    v.downcast_object::<Flag>()
        .map(|f| f.0)
        .or_else(|| v.as_int())
}

/// A compiled pattern (`re.Pattern`), cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct Pattern(Arc<Compiled>);

impl std::ops::Deref for Pattern {
    type Target = Compiled;
    fn deref(&self) -> &Compiled {
        &self.0
    }
}

/// The compiled regular expressions of a [`Pattern`].
#[derive(Debug)]
pub(crate) struct Compiled {
    source: String,
    flags: i64,
    search: fancy_regex::Regex,
    anchored: fancy_regex::Regex,
    full: fancy_regex::Regex,
    /// Group names by index (index 0 is the whole match).
    pub names: Vec<Option<String>>,
}

/// Python pattern syntax to fancy-regex syntax.
fn translate(p: &str, multiline: bool) -> String {
    let mut out = String::with_capacity(p.len() + 8);
    let mut chars = p.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('Z') => out.push_str(r"\z"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                for lead in ['^', ']'] {
                    if chars.next_if_eq(&lead).is_some() {
                        out.push(lead);
                    }
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '$' if !in_class && !multiline => out.push_str(r"(?=\n?\z)"),
            '{' if !in_class && chars.peek() == Some(&',') => out.push_str("{0"),
            c => out.push(c),
        }
    }
    out
}

fn compile(source: &str, flags: i64) -> Result<Pattern, Error> {
    let inline = source
        .strip_prefix("(?")
        .and_then(|r| r.split_once(')'))
        .filter(|(f, _)| f.chars().all(|c| c.is_ascii_alphabetic()))
        .map_or("", |(f, _)| f);
    let multiline = flags & 8 != 0 || inline.contains('m');
    let mut body = translate(source, multiline);
    if flags & 64 != 0 || inline.contains('x') {
        // a trailing `# comment` must not swallow the groups wrapped around the pattern
        body.push('\n');
    }
    let build = |p: String| {
        let mut b = fancy_regex::RegexBuilder::new(&p);
        b.case_insensitive(flags & 2 != 0)
            .multi_line(flags & 8 != 0)
            .dot_matches_new_line(flags & 16 != 0)
            .verbose_mode(flags & 64 != 0)
            .unicode_mode(flags & 256 == 0);
        b.build().map_err(|e| named_error("re.error", e))
    };
    let search = build(body.clone())?;
    let names = search
        .capture_names()
        .map(|n| n.map(str::to_string))
        .collect();
    Ok(Pattern(Arc::new(Compiled {
        source: source.to_string(),
        flags,
        anchored: build(format!(r"\A(?:{body})"))?,
        full: build(format!(r"\A(?:{body})\z"))?,
        search,
        names,
    })))
}

/// The pattern argument: a compiled pattern or a string (compiled with `flags`).
fn pattern_arg(v: &Value, flags: Option<&Value>) -> Result<Pattern, Error> {
    let flags = flags
        .map(|f| flag_value(f).ok_or_else(|| super::type_error("flags must be an int")))
        .transpose()?
        .unwrap_or(0);
    if let Some(p) = v.downcast_object::<Pattern>() {
        if flags != 0 {
            return Err(super::value_error(
                "cannot process flags argument with a compiled pattern",
            ));
        }
        return Ok(p.clone());
    }
    let s = v
        .as_str()
        .ok_or_else(|| super::type_error("first argument must be string or compiled pattern"))?;
    compile(s, flags)
}

fn text_arg(v: &Value) -> Result<Arc<str>, Error> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        v => Err(super::type_error(format!(
            "expected string or bytes-like object, got '{}'",
            v.type_name()
        ))),
    }
}

fn make_match(p: &Pattern, text: &Arc<str>, spans: Vec<Option<(usize, usize)>>) -> Value {
    obj(Match {
        text: text.clone(),
        spans,
        pattern: p.clone(),
    })
}

/// Run a pattern operation (`match`, `sub`, …) with arguments after the pattern.
fn run(
    state: &State,
    p: &Pattern,
    op: &str,
    args: &[Value],
    kwargs: &Kwargs,
) -> Result<Value, Error> {
    let one = |name: &'static str, args: &[Value], kwargs: &Kwargs| -> Result<Arc<str>, Error> {
        text_arg(bind(name, &["string"], args, kwargs)?.required(0)?)
    };
    Ok(match op {
        "match" | "search" | "fullmatch" => {
            let text = one("match", args, kwargs)?;
            let re = match op {
                "match" => &p.anchored,
                "search" => &p.search,
                _ => &p.full,
            };
            find_at(re, &text, 0, None)?
                .map(|s| make_match(p, &text, s))
                .unwrap_or(Value::None)
        }
        "findall" => {
            let text = one("findall", args, kwargs)?;
            let groups = p.names.len() - 1;
            let items = all_matches(&p.search, &text, 0)?.into_iter().map(|spans| {
                let m = Match {
                    text: text.clone(),
                    spans,
                    pattern: p.clone(),
                };
                let empty = Value::from("");
                match groups {
                    0 => m.group(0, &empty),
                    1 => m.group(1, &empty),
                    n => Value::tuple((1..=n).map(|i| m.group(i, &empty)).collect()),
                }
            });
            Value::list(items.collect())
        }
        "finditer" => {
            let text = one("finditer", args, kwargs)?;
            let items = all_matches(&p.search, &text, 0)?
                .into_iter()
                .map(|s| make_match(p, &text, s))
                .collect();
            super::itertools::iterator("callable_iterator", items)
        }
        "split" => {
            let b = bind("split", &["string", "maxsplit"], args, kwargs)?;
            let text = text_arg(b.required(0)?)?;
            let limit = usize::try_from(b.int_or(1, 0)?).unwrap_or(0);
            let mut out = Vec::new();
            let mut last = 0;
            for spans in all_matches(&p.search, &text, limit)? {
                let (s, e) = spans[0].unwrap_or((0, 0));
                out.push(Value::from(&text[last..s]));
                out.extend(spans[1..].iter().map(|g| {
                    g.map(|(a, b)| Value::from(&text[a..b]))
                        .unwrap_or(Value::None)
                }));
                last = e;
            }
            out.push(Value::from(&text[last..]));
            Value::list(out)
        }
        "sub" | "subn" => {
            let b = bind("sub", &["repl", "string", "count"], args, kwargs)?;
            let repl = b.required(0)?;
            let text = text_arg(b.required(1)?)?;
            let limit = usize::try_from(b.int_or(2, 0)?).unwrap_or(0);
            let template = match repl {
                Value::Str(t) => Some(parse_template(t, p)?),
                _ => None,
            };
            let (mut out, mut last, mut n) = (String::new(), 0, 0);
            for spans in all_matches(&p.search, &text, limit)? {
                let (s, e) = spans[0].unwrap_or((0, 0));
                out.push_str(&text[last..s]);
                let m = Match {
                    text: text.clone(),
                    spans,
                    pattern: p.clone(),
                };
                match &template {
                    Some(t) => out.push_str(&expand(t, &m)),
                    None => out.push_str(
                        &state
                            .call(repl, vec![obj(m)], Kwargs::new())?
                            .to_python_str(),
                    ),
                }
                last = e;
                n += 1;
            }
            out.push_str(&text[last..]);
            if op == "subn" {
                Value::tuple(vec![Value::from(out), Value::Int(n)])
            } else {
                Value::from(out)
            }
        }
        _ => {
            return Err(Error::new(
                ErrorKind::Undefined,
                format!("'re.Pattern' object has no attribute '{op}'"),
            ));
        }
    })
}

impl Object for Pattern {
    fn type_name(&self) -> &str {
        "re.Pattern"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        Some(match name {
            "pattern" => Value::from(self.source.as_str()),
            "flags" => Value::Int(self.flags | if self.flags & 256 == 0 { 32 } else { 0 }),
            "groups" => Value::Int(self.names.len() as i64 - 1),
            "groupindex" => Value::dict_from(
                self.names
                    .iter()
                    .enumerate()
                    .filter_map(|(i, n)| n.as_ref().map(|n| (n.as_str(), Value::Int(i as i64)))),
            ),
            _ => return None,
        })
    }
    fn call_method(
        &self,
        state: &State,
        name: &str,
        args: &[Value],
        kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        run(state, self, name, args, kwargs)
    }
    fn py_eq(&self, other: &Value) -> Option<bool> {
        Some(
            other
                .downcast_object::<Pattern>()
                .is_some_and(|o| o.source == self.source && o.flags == self.flags),
        )
    }
    fn to_str(&self) -> String {
        let src = Value::from(self.source.as_str()).repr();
        match self.flags {
            0 => format!("re.compile({src})"),
            f => format!("re.compile({src}, {})", flag_names(f)),
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// `re.escape`: backslash before Python's special characters.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "()[]{}?*+-|^$\\.&~# \t\n\r\x0b\x0c".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

macro_rules! module_fn {
    ($op:literal, $n:literal) => {
        function($op, |state: &State, args: &[Value], kwargs: &Kwargs| {
            let mut kw = kwargs.clone();
            let flags = kw.shift_remove("flags");
            let (head, rest) = args.split_at(args.len().min(1));
            let mut rest = rest.to_vec();
            let flags = flags.or_else(|| (rest.len() > $n).then(|| rest.remove($n)));
            let pattern = head
                .first()
                .cloned()
                .or_else(|| kw.shift_remove("pattern"))
                .ok_or_else(|| {
                    super::type_error(format!(
                        "{}() missing required argument 'pattern' (pos 1)",
                        $op
                    ))
                })?;
            run(
                state,
                &pattern_arg(&pattern, flags.as_ref())?,
                $op,
                &rest,
                &kw,
            )
        })
    };
}

/// The `modules.re` dict.
pub(crate) fn module() -> Value {
    let mut entries = vec![
        ("match", module_fn!("match", 1)),
        ("fullmatch", module_fn!("fullmatch", 1)),
        ("search", module_fn!("search", 1)),
        ("sub", module_fn!("sub", 3)),
        ("subn", module_fn!("subn", 3)),
        ("split", module_fn!("split", 2)),
        ("findall", module_fn!("findall", 1)),
        ("finditer", module_fn!("finditer", 1)),
        (
            "compile",
            function("compile", |_, args, kwargs| {
                let b = bind("compile", &["pattern", "flags"], args, kwargs)?;
                Ok(obj(pattern_arg(b.required(0)?, b.get(1))?))
            }),
        ),
        ("purge", function("purge", |_, _, _| Ok(Value::None))),
        (
            "template",
            function("template", |_, _, _| {
                Err(named_error(
                    "re.error",
                    "re.template() (deprecated in Python 3.11) is not supported by runner",
                ))
            }),
        ),
        (
            "escape",
            function("escape", |_, args, kwargs| {
                let b = bind("escape", &["pattern"], args, kwargs)?;
                Ok(Value::from(escape(str_arg(b.required(0)?, "escape()")?)))
            }),
        ),
        ("error", class("re.error")),
        ("Pattern", class("re.Pattern")),
        ("Match", class("re.Match")),
    ];
    entries.extend(FLAGS.iter().map(|(short, _, v)| (*short, obj(Flag(*v)))));
    entries.extend(FLAGS.iter().map(|(_, long, v)| (*long, obj(Flag(*v)))));
    entries.push(("NOFLAG", obj(Flag(0))));
    entries.push(("RegexFlag", class("re.RegexFlag")));
    Value::dict_from(entries)
}

fn class(name: &'static str) -> Value {
    obj(Class {
        name,
        ctor: None,
        methods: no_methods,
        method_names: &[],
        attrs: super::no_attrs,
    })
}
