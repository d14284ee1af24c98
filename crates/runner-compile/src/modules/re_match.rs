//! `re.Match` objects, Python's iteration over successive matches (empty matches allowed next to a
//! previous match, never twice at one position) and `sub()` replacement templates.

use std::sync::Arc;

use runner_jinja::{Error, ErrorKind, Kwargs, Object, State, Value};

use super::re::Pattern;
use super::{bind, int_arg, named_error};

/// One match: byte spans of every group (`None` when the group did not take part).
#[derive(Debug)]
pub(crate) struct Match {
    pub text: Arc<str>,
    pub spans: Vec<Option<(usize, usize)>>,
    pub pattern: Pattern,
}

/// The first match of `re` at or after byte `pos`; with `not_empty_at`, an empty match there is
/// skipped (the search resumes one character later).
pub(crate) fn find_at(
    re: &fancy_regex::Regex,
    text: &str,
    pos: usize,
    not_empty_at: Option<usize>,
) -> Result<Option<Vec<Option<(usize, usize)>>>, Error> {
    let mut from = pos;
    loop {
        if from > text.len() {
            return Ok(None);
        }
        let caps = re
            .captures_from_pos(text, from)
            .map_err(|e| named_error("re.error", e))?;
        let Some(caps) = caps else { return Ok(None) };
        let spans: Vec<_> = (0..caps.len())
            .map(|i| caps.get(i).map(|m| (m.start(), m.end())))
            .collect();
        let (s, e) = spans[0].unwrap_or((0, 0));
        if s == e && Some(s) == not_empty_at {
            from = s + text[s..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        return Ok(Some(spans));
    }
}

/// All successive matches, as Python's `finditer` yields them (at most `limit`, when non-zero).
pub(crate) fn all_matches(
    re: &fancy_regex::Regex,
    text: &str,
    limit: usize,
) -> Result<Vec<Vec<Option<(usize, usize)>>>, Error> {
    let mut out = Vec::new();
    let (mut pos, mut empty_at) = (0, None);
    while limit == 0 || out.len() < limit {
        let Some(spans) = find_at(re, text, pos, empty_at)? else {
            break;
        };
        let (s, e) = spans[0].unwrap_or((0, 0));
        empty_at = (s == e).then_some(e);
        pos = e;
        out.push(spans);
    }
    Ok(out)
}

fn char_index(text: &str, byte: usize) -> i64 {
    text[..byte].chars().count() as i64
}

impl Match {
    fn group_index(&self, key: &Value) -> Result<usize, Error> {
        let idx = match key {
            Value::Str(name) => self
                .pattern
                .names
                .iter()
                .position(|n| n.as_deref() == Some(&**name)),
            v => int_arg(v).ok().and_then(|i| usize::try_from(i).ok()),
        };
        idx.filter(|i| *i < self.spans.len())
            .ok_or_else(|| Error::new(ErrorKind::Index, "no such group"))
    }
    /// Group `i`'s text, or `default` when it did not participate.
    pub fn group(&self, i: usize, default: &Value) -> Value {
        match self.spans[i] {
            Some((s, e)) => Value::from(&self.text[s..e]),
            None => default.clone(),
        }
    }
    fn groups(&self, default: &Value) -> Value {
        Value::tuple(
            (1..self.spans.len())
                .map(|i| self.group(i, default))
                .collect(),
        )
    }
    fn span_of(&self, args: &[Value], kwargs: &Kwargs) -> Result<(i64, i64), Error> {
        let b = bind("span", &["group"], args, kwargs)?;
        let i = b
            .get(0)
            .map(|g| self.group_index(g))
            .transpose()?
            .unwrap_or(0);
        Ok(match self.spans[i] {
            Some((s, e)) => (char_index(&self.text, s), char_index(&self.text, e)),
            None => (-1, -1),
        })
    }
}

impl Object for Match {
    fn type_name(&self) -> &str {
        "re.Match"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        Some(match name {
            "string" => Value::from(self.text.clone()),
            "re" => super::obj(self.pattern.clone()),
            "pos" => Value::Int(0),
            "endpos" => Value::Int(self.text.chars().count() as i64),
            "lastindex" => (1..self.spans.len())
                .filter(|i| self.spans[*i].is_some())
                .max_by_key(|i| self.spans[*i].map(|(_, e)| e))
                .map(|i| Value::Int(i as i64))
                .unwrap_or(Value::None),
            _ => return None,
        })
    }
    fn get_item(&self, key: &Value) -> Option<Value> {
        self.group_index(key)
            .ok()
            .map(|i| self.group(i, &Value::None))
    }
    fn call_method(
        &self,
        state: &State,
        name: &str,
        args: &[Value],
        kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        match name {
            "group" => {
                let idx: Vec<usize> = args
                    .iter()
                    .map(|a| self.group_index(a))
                    .collect::<Result<_, _>>()?;
                Ok(match idx.as_slice() {
                    [] => self.group(0, &Value::None),
                    [i] => self.group(*i, &Value::None),
                    many => {
                        Value::tuple(many.iter().map(|i| self.group(*i, &Value::None)).collect())
                    }
                })
            }
            "groups" => {
                let b = bind("groups", &["default"], args, kwargs)?;
                Ok(self.groups(b.get(0).unwrap_or(&Value::None)))
            }
            "groupdict" => {
                let b = bind("groupdict", &["default"], args, kwargs)?;
                let default = b.get(0).unwrap_or(&Value::None);
                Ok(Value::dict_from(
                    self.pattern.names.iter().enumerate().filter_map(|(i, n)| {
                        n.as_ref().map(|n| (n.as_str(), self.group(i, default)))
                    }),
                ))
            }
            "start" => Ok(Value::Int(self.span_of(args, kwargs)?.0)),
            "end" => Ok(Value::Int(self.span_of(args, kwargs)?.1)),
            "span" => {
                let (s, e) = self.span_of(args, kwargs)?;
                Ok(Value::tuple(vec![Value::Int(s), Value::Int(e)]))
            }
            "expand" => {
                let b = bind("expand", &["template"], args, kwargs)?;
                let t = super::str_arg(b.required(0)?, "expand()")?;
                Ok(Value::from(expand(
                    &parse_template(t, &self.pattern)?,
                    self,
                )))
            }
            _ => {
                let _ = state;
                Err(Error::new(
                    ErrorKind::Undefined,
                    format!("'re.Match' object has no attribute '{name}'"),
                ))
            }
        }
    }
    fn to_str(&self) -> String {
        let (s, e) = self.spans[0].unwrap_or((0, 0));
        format!(
            "<re.Match object; span=({}, {}), match={}>",
            char_index(&self.text, s),
            char_index(&self.text, e),
            Value::from(&self.text[s..e]).repr()
        )
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A parsed `sub()` template: literal text and group references.
pub(crate) enum Piece {
    Text(String),
    Group(usize),
}

fn bad_escape(c: char, at: usize) -> Error {
    named_error("re.error", format!("bad escape \\{c} at position {at}"))
}

/// Parse a replacement template (`\1`, `\g<1>`, `\g<name>`, `\n` …) against `pattern`'s groups.
pub(crate) fn parse_template(t: &str, pattern: &Pattern) -> Result<Vec<Piece>, Error> {
    let chars: Vec<char> = t.chars().collect();
    let mut out = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    let group = |n: usize, at: usize| {
        if n < pattern.names.len() {
            Ok(n)
        } else {
            Err(named_error(
                "re.error",
                format!("invalid group reference {n} at position {at}"),
            ))
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' {
            text.push(c);
            i += 1;
            continue;
        }
        let Some(&n) = chars.get(i + 1) else {
            return Err(named_error(
                "re.error",
                format!("bad escape (end of pattern) at position {i}"),
            ));
        };
        let mut g = None;
        match n {
            'g' => {
                let close = chars[i..].iter().position(|c| *c == '>').map(|p| p + i);
                let (Some('<'), Some(close)) = (chars.get(i + 2), close) else {
                    return Err(named_error(
                        "re.error",
                        format!("missing < at position {}", i + 2),
                    ));
                };
                let name: String = chars[i + 3..close].iter().collect();
                let idx = match name.parse::<usize>() {
                    Ok(n) => group(n, i + 3)?,
                    Err(_) => pattern
                        .names
                        .iter()
                        .position(|n| n.as_deref() == Some(&name))
                        .ok_or_else(|| {
                            Error::new(ErrorKind::Index, format!("unknown group name '{name}'"))
                        })?,
                };
                g = Some(idx);
                i = close + 1;
            }
            d if d.is_ascii_digit() && d != '0' => {
                let mut num = d.to_digit(10).unwrap_or(0) as usize;
                let at = i + 1;
                i += 2;
                if let Some(d2) = chars.get(i).and_then(|c| c.to_digit(10)) {
                    num = num * 10 + d2 as usize;
                    i += 1;
                }
                g = Some(group(num, at)?);
            }
            _ => {
                let lit = match n {
                    'n' => "\n",
                    't' => "\t",
                    'r' => "\r",
                    'f' => "\x0c",
                    'v' => "\x0b",
                    'a' => "\x07",
                    '0' => "\0",
                    '\\' => "\\",
                    c if c.is_ascii_alphabetic() => return Err(bad_escape(c, i)),
                    _ => "",
                };
                if lit.is_empty() {
                    text.push('\\');
                    text.push(n);
                } else {
                    text.push_str(lit);
                }
                i += 2;
            }
        }
        if let Some(g) = g {
            out.push(Piece::Text(std::mem::take(&mut text)));
            out.push(Piece::Group(g));
        }
    }
    out.push(Piece::Text(text));
    Ok(out)
}

/// Fill a parsed template from a match.
pub(crate) fn expand(pieces: &[Piece], m: &Match) -> String {
    let mut s = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => s.push_str(t),
            Piece::Group(g) => {
                if let Some((a, b)) = m.spans[*g] {
                    s.push_str(&m.text[a..b]);
                }
            }
        }
    }
    s
}
