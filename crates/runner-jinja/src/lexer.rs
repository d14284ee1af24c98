//! Hand-written tokenizer: splits template source into data and tag tokens,
//! applies whitespace control (`-`), `raw` blocks, and decodes literals.

use crate::error::{Result, syntax_err};

/// A token kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok<'a> {
    Data(&'a str),
    VarStart,
    VarEnd,
    BlockStart,
    BlockEnd,
    Name(&'a str),
    Str(String),
    Int(i64),
    Float(f64),
    Op(&'static str),
    Eof,
}

/// A token with position info.
#[derive(Debug, Clone)]
pub(crate) struct Token<'a> {
    pub tok: Tok<'a>,
    pub line: usize,
    pub start: usize,
    pub end: usize,
}

const OPS2: [&str; 6] = ["//", "**", "==", "!=", "<=", ">="];
const OPS1: [&str; 20] = [
    "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|",
    ";",
];

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    line: usize,
    out: Vec<Token<'a>>,
    lstrip_next: bool,
}

/// Tokenize a (newline-normalized) source.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token<'_>>> {
    let mut lx = Lexer {
        src,
        b: src.as_bytes(),
        pos: 0,
        line: 1,
        out: Vec::with_capacity(src.len() / 6 + 4),
        lstrip_next: false,
    };
    lx.run()?;
    Ok(lx.out)
}

fn count_nl(s: &str) -> usize {
    s.bytes().filter(|&c| c == b'\n').count()
}

impl<'a> Lexer<'a> {
    fn err(&self, msg: String) -> crate::Error {
        syntax_err(msg).with_line(self.line)
    }

    fn push(&mut self, tok: Tok<'a>, start: usize, end: usize, line: usize) {
        self.out.push(Token {
            tok,
            line,
            start,
            end,
        });
    }

    fn emit_data(&mut self, start: usize, end: usize, rstrip: bool) {
        let mut s = start;
        let mut e = end;
        let line = self.line;
        if self.lstrip_next {
            let t = self.src[s..e].trim_start();
            s = e - t.len();
            self.lstrip_next = false;
        }
        if rstrip {
            e = s + self.src[s..e].trim_end().len();
        }
        // line of the token = line at start offset `start` plus skipped newlines
        let tline = line + count_nl(&self.src[start..s]);
        if s < e {
            self.push(Tok::Data(&self.src[s..e]), s, e, tline);
        }
        self.line += count_nl(&self.src[start..end]);
    }

    fn find_tag(&self, from: usize) -> Option<usize> {
        let mut i = from;
        while let Some(off) = self.src[i..].find('{') {
            let p = i + off;
            match self.b.get(p + 1) {
                Some(b'{') | Some(b'%') | Some(b'#') => return Some(p),
                _ => i = p + 1,
            }
        }
        None
    }

    fn run(&mut self) -> Result<()> {
        loop {
            let Some(p) = self.find_tag(self.pos) else {
                self.emit_data(self.pos, self.src.len(), false);
                break;
            };
            let strip = self.b.get(p + 2) == Some(&b'-');
            let kind = self.b[p + 1];
            if kind == b'%'
                && let Some((content_start, after_open)) = self.match_raw_open(p)
            {
                self.emit_data(self.pos, p, strip);
                self.lex_raw(p, content_start, after_open, "endraw")?;
                continue;
            }
            self.emit_data(self.pos, p, strip);
            let mut q = p + 2;
            if matches!(self.b.get(q), Some(b'-') | Some(b'+')) {
                q += 1;
            }
            match kind {
                b'#' => {
                    let Some(off) = self.src[q..].find("#}") else {
                        return Err(self.err("Missing end of comment tag".into()));
                    };
                    let end = q + off;
                    if end > q && self.b[end - 1] == b'-' {
                        self.lstrip_next = true;
                    }
                    self.line += count_nl(&self.src[p..end + 2]);
                    self.pos = end + 2;
                }
                b'{' => {
                    self.push(Tok::VarStart, p, q, self.line);
                    self.pos = q;
                    self.lex_tag(false)?;
                }
                _ => {
                    self.push(Tok::BlockStart, p, q, self.line);
                    self.pos = q;
                    let first = self.out.len();
                    self.lex_tag(true)?;
                    let is_docs = matches!(
                        self.out.get(first),
                        Some(Token {
                            tok: Tok::Name("docs"),
                            ..
                        })
                    );
                    if is_docs {
                        let body_start = self.pos;
                        self.lex_docs_body(body_start)?;
                    }
                }
            }
        }
        let end = self.src.len();
        self.push(Tok::Eof, end, end, self.line);
        Ok(())
    }

    /// `{%-? raw -?%}` → (content start, whether `-%}` was used)
    fn match_raw_open(&self, p: usize) -> Option<(usize, bool)> {
        let mut q = p + 2;
        if matches!(self.b.get(q), Some(b'-') | Some(b'+')) {
            q += 1;
        }
        while self.b.get(q).is_some_and(|c| c.is_ascii_whitespace()) {
            q += 1;
        }
        if !self.src[q..].starts_with("raw") {
            return None;
        }
        q += 3;
        while self.b.get(q).is_some_and(|c| c.is_ascii_whitespace()) {
            q += 1;
        }
        if self.src[q..].starts_with("-%}") {
            Some((q + 3, true))
        } else if self.src[q..].starts_with("%}") {
            Some((q + 2, false))
        } else {
            None
        }
    }

    /// Find `{%-? <endname> -?%}` from `from`: (tag start, content end, tag end, lstrip after)
    fn find_end_tag(&self, from: usize, endname: &str) -> Option<(usize, usize, bool, bool)> {
        let mut i = from;
        while let Some(off) = self.src[i..].find("{%") {
            let p = i + off;
            let mut q = p + 2;
            let strip = matches!(self.b.get(q), Some(b'-'));
            if matches!(self.b.get(q), Some(b'-') | Some(b'+')) {
                q += 1;
            }
            while self.b.get(q).is_some_and(|c| c.is_ascii_whitespace()) {
                q += 1;
            }
            if self.src[q..].starts_with(endname) {
                let mut r = q + endname.len();
                while self.b.get(r).is_some_and(|c| c.is_ascii_whitespace()) {
                    r += 1;
                }
                if self.src[r..].starts_with("-%}") {
                    return Some((p, r + 3, strip, true));
                } else if self.src[r..].starts_with("%}") {
                    return Some((p, r + 2, strip, false));
                }
            }
            i = p + 2;
        }
        None
    }

    fn lex_raw(
        &mut self,
        p: usize,
        content_start: usize,
        lstrip: bool,
        endname: &str,
    ) -> Result<()> {
        let Some((tag, end, rstrip, lstrip_after)) = self.find_end_tag(content_start, endname)
        else {
            return Err(self.err("Missing end of raw directive".into()));
        };
        self.line += count_nl(&self.src[p..content_start]);
        self.lstrip_next = lstrip;
        self.pos = content_start;
        self.emit_data(content_start, tag, rstrip);
        self.line += count_nl(&self.src[tag..end]);
        self.pos = end;
        self.lstrip_next = lstrip_after;
        Ok(())
    }

    fn lex_docs_body(&mut self, start: usize) -> Result<()> {
        let Some((tag, _, _, _)) = self.find_end_tag(start, "enddocs") else {
            return Err(self.err("Unexpected end of template. Jinja was looking for the following tags: 'enddocs'. The innermost block that needs to be closed is 'docs'.".into()));
        };
        self.lstrip_next = false;
        if tag > start {
            self.push(Tok::Data(&self.src[start..tag]), start, tag, self.line);
        }
        self.line += count_nl(&self.src[start..tag]);
        self.pos = tag;
        Ok(())
    }

    fn lex_tag(&mut self, block: bool) -> Result<()> {
        let mut depth: Vec<u8> = Vec::new();
        loop {
            while let Some(&c) = self.b.get(self.pos) {
                if c == b'\n' {
                    self.line += 1;
                } else if !(c == b' ' || c == b'\t' || c == b'\r') {
                    break;
                }
                self.pos += 1;
            }
            let start = self.pos;
            let rest = &self.src[start..];
            if rest.is_empty() {
                return Ok(());
            }
            if depth.is_empty() {
                let (close, tok) = if block {
                    ("%}", Tok::BlockEnd)
                } else {
                    ("}}", Tok::VarEnd)
                };
                if rest.starts_with('-') && rest[1..].starts_with(close) {
                    self.push(tok, start, start + 3, self.line);
                    self.pos += 3;
                    self.lstrip_next = true;
                    return Ok(());
                }
                if rest.starts_with(close)
                    || (rest.starts_with('+') && rest[1..].starts_with(close))
                {
                    let n = if rest.starts_with('+') { 3 } else { 2 };
                    self.push(tok, start, start + n, self.line);
                    self.pos += n;
                    return Ok(());
                }
            }
            let c = self.b[start];
            if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
                let len = rest
                    .char_indices()
                    .find(|&(_, ch)| !(ch.is_alphanumeric() || ch == '_'))
                    .map(|(i, _)| i)
                    .unwrap_or(rest.len());
                if len == 0 {
                    return Err(self.err(format!(
                        "unexpected char {} at {}",
                        crate::value::repr::str_repr(
                            &rest.chars().next().unwrap_or(' ').to_string()
                        ),
                        start
                    )));
                }
                self.push(Tok::Name(&rest[..len]), start, start + len, self.line);
                self.pos += len;
            } else if c.is_ascii_digit() {
                self.lex_number()?;
            } else if c == b'\'' || c == b'"' {
                self.lex_string(c)?;
            } else {
                let op = OPS2
                    .iter()
                    .find(|o| rest.starts_with(**o))
                    .or_else(|| OPS1.iter().find(|o| rest.starts_with(**o)))
                    .copied();
                let Some(op) = op else {
                    return Err(self.err(format!(
                        "unexpected char {} at {}",
                        crate::value::repr::str_repr(
                            &rest.chars().next().unwrap_or(' ').to_string()
                        ),
                        start
                    )));
                };
                match op {
                    "(" | "[" | "{" => depth.push(op.as_bytes()[0]),
                    ")" | "]" | "}" => {
                        let want = match op {
                            ")" => b'(',
                            "]" => b'[',
                            _ => b'{',
                        };
                        match depth.pop() {
                            Some(d) if d == want => {}
                            Some(d) => {
                                let exp = match d {
                                    b'(' => ")",
                                    b'[' => "]",
                                    _ => "}",
                                };
                                return Err(
                                    self.err(format!("unexpected '{op}', expected '{exp}'"))
                                );
                            }
                            None => return Err(self.err(format!("unexpected '{op}'"))),
                        }
                    }
                    _ => {}
                }
                self.push(Tok::Op(op), start, start + op.len(), self.line);
                self.pos += op.len();
            }
        }
    }

    fn lex_number(&mut self) -> Result<()> {
        let start = self.pos;
        let b = self.b;
        let after_dot = matches!(
            self.out.last(),
            Some(Token {
                tok: Tok::Op("."),
                ..
            })
        );
        let digits = |mut i: usize, radix: u32| {
            while i < b.len() && ((b[i] as char).is_digit(radix) || b[i] == b'_') {
                i += 1;
            }
            i
        };
        if b[start] == b'0'
            && matches!(
                b.get(start + 1),
                Some(b'x' | b'X' | b'o' | b'O' | b'b' | b'B')
            )
        {
            let radix = match b[start + 1] | 0x20 {
                b'x' => 16,
                b'o' => 8,
                _ => 2,
            };
            let end = digits(start + 2, radix);
            let text: String = self.src[start + 2..end]
                .chars()
                .filter(|&c| c != '_')
                .collect();
            let v = i64::from_str_radix(&text, radix)
                .map_err(|_| self.err("invalid integer literal".into()))?;
            self.push(Tok::Int(v), start, end, self.line);
            self.pos = end;
            return Ok(());
        }
        let mut end = digits(start, 10);
        let mut is_float = false;
        if !after_dot {
            if b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(|c| c.is_ascii_digit()) {
                end = digits(end + 1, 10);
                is_float = true;
            }
            if matches!(b.get(end), Some(b'e' | b'E')) {
                let mut j = end + 1;
                if matches!(b.get(j), Some(b'+' | b'-')) {
                    j += 1;
                }
                if b.get(j).is_some_and(|c| c.is_ascii_digit()) {
                    end = digits(j, 10);
                    is_float = true;
                }
            }
        }
        let text: String = self.src[start..end].chars().filter(|&c| c != '_').collect();
        let tok = if is_float {
            Tok::Float(
                text.parse()
                    .map_err(|_| self.err("invalid float literal".into()))?,
            )
        } else {
            Tok::Int(
                text.parse()
                    .map_err(|_| self.err("integer literal too large".into()))?,
            )
        };
        self.push(tok, start, end, self.line);
        self.pos = end;
        Ok(())
    }

    fn lex_string(&mut self, q: u8) -> Result<()> {
        let start = self.pos;
        let mut i = start + 1;
        let b = self.b;
        while i < b.len() && b[i] != q {
            if b[i] == b'\\' {
                i += 1;
            }
            i += 1;
        }
        if i >= b.len() {
            return Err(self.err(format!(
                "unexpected char {} at {}",
                crate::value::repr::str_repr(&(q as char).to_string()),
                start
            )));
        }
        let raw = &self.src[start + 1..i];
        let line = self.line;
        self.line += count_nl(raw);
        self.push(Tok::Str(unescape(raw)), start, i + 1, line);
        self.pos = i + 1;
        Ok(())
    }
}

/// Python `unicode-escape` decoding (unknown escapes are kept verbatim).
pub(crate) fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(n) = it.next() else {
            out.push('\\');
            break;
        };
        let hex = |it: &mut std::iter::Peekable<std::str::Chars>, n: usize| -> Option<char> {
            let h: String = (0..n).filter_map(|_| it.next()).collect();
            u32::from_str_radix(&h, 16).ok().and_then(char::from_u32)
        };
        match n {
            '\n' => {}
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            'x' => out.extend(hex(&mut it, 2)),
            'u' => out.extend(hex(&mut it, 4)),
            'U' => out.extend(hex(&mut it, 8)),
            '0'..='7' => {
                let mut v = n.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match it.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            it.next();
                        }
                        None => break,
                    }
                }
                out.extend(char::from_u32(v));
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}
