//! Text-oriented builtin filters: `striptags`, `urlencode`, `wordwrap`, `xmlattr`.

use crate::error::{Error, ErrorKind, Result, type_err};
use crate::eval::State;
use crate::filters::{Args, escape};
use crate::value::Value;

pub(crate) fn striptags(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let r = &rest[i..];
        let end = if r.starts_with("<!--") {
            r.find("-->").map(|e| e + 3)
        } else {
            r.find('>').map(|e| e + 1)
        };
        match end {
            Some(e) => rest = &r[e..],
            None => {
                out.push_str(r);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    let joined = out.split_whitespace().collect::<Vec<_>>().join(" ");
    joined
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn quote(s: &str, safe: &str, plus: bool) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        let c = b as char;
        if c.is_ascii_alphanumeric() || "_.-~".contains(c) || safe.contains(c) {
            out.push(c);
        } else if plus && c == ' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) fn urlencode(_: &State, v: Value, _: &Args) -> Result<Value> {
    Ok(match &v {
        Value::Str(s) => quote(s, "/", false),
        Value::Dict(d) => d
            .read()
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    quote(&k.to_python_str(), "", true),
                    quote(&v.to_python_str(), "", true)
                )
            })
            .collect::<Vec<_>>()
            .join("&"),
        Value::List(_) | Value::Tuple(_) => v
            .try_iter()?
            .iter()
            .map(|kv| {
                let p = kv.try_iter().unwrap_or_default();
                let k = p.first().map(|x| x.to_python_str()).unwrap_or_default();
                let val = p.get(1).map(|x| x.to_python_str()).unwrap_or_default();
                format!("{}={}", quote(&k, "", true), quote(&val, "", true))
            })
            .collect::<Vec<_>>()
            .join("&"),
        other => quote(&other.to_python_str(), "/", false),
    }
    .into())
}

fn wrap_line(line: &str, width: usize, break_long: bool) -> Vec<String> {
    let mut chunks: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_ws = None;
    for c in line.chars() {
        let ws = c.is_whitespace();
        if cur_ws.is_some_and(|w| w != ws) {
            chunks.push(std::mem::take(&mut cur));
        }
        cur.push(c);
        cur_ws = Some(ws);
    }
    if !cur.is_empty() {
        chunks.push(cur);
    }
    chunks.reverse();
    let mut lines = Vec::new();
    let width = width.max(1);
    while !chunks.is_empty() {
        let mut line: Vec<String> = Vec::new();
        let mut len = 0;
        if !lines.is_empty() && chunks.last().is_some_and(|c| c.trim().is_empty()) {
            chunks.pop();
        }
        while let Some(c) = chunks.last() {
            let l = c.chars().count();
            if len + l <= width {
                len += l;
                line.push(chunks.pop().unwrap_or_default());
            } else {
                break;
            }
        }
        if let Some(c) = chunks.last()
            && c.chars().count() > width
        {
            if break_long {
                let space = (width - len).max(if line.is_empty() { 1 } else { 0 });
                let c = chunks.pop().unwrap_or_default();
                let head: String = c.chars().take(space).collect();
                let tail: String = c.chars().skip(space).collect();
                len += head.chars().count();
                line.push(head);
                chunks.push(tail);
            } else if line.is_empty() {
                line.push(chunks.pop().unwrap_or_default());
            }
        }
        if line.last().is_some_and(|c| c.trim().is_empty()) {
            line.pop();
        }
        let _ = len;
        if !line.is_empty() {
            lines.push(line.concat());
        }
    }
    lines
}

pub(crate) fn wordwrap(_: &State, v: Value, a: &Args) -> Result<Value> {
    let s = v.to_python_str();
    let width = a.int(0, "width", 79)?.max(1) as usize;
    let break_long = a.bool(1, "break_long_words", true);
    let wrapstring = a.string(2, "wrapstring", "\n");
    let out: Vec<String> = s
        .lines()
        .map(|l| wrap_line(l, width, break_long).join(&wrapstring))
        .collect();
    Ok(out.join(&wrapstring).into())
}

pub(crate) fn xmlattr(_: &State, v: Value, a: &Args) -> Result<Value> {
    let autospace = a.bool(0, "autospace", true);
    let Value::Dict(d) = &v else {
        return Err(type_err("xmlattr requires a mapping"));
    };
    let mut items = Vec::new();
    for (k, val) in d.read().iter() {
        if val.is_none() || val.is_undefined() {
            continue;
        }
        let key = k.to_python_str();
        if key
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '/' | '>' | '='))
        {
            return Err(Error::new(
                ErrorKind::Value,
                format!("Invalid character in attribute name: {}", k.repr()),
            ));
        }
        items.push(format!(
            "{}=\"{}\"",
            escape(&key),
            escape(&val.to_python_str())
        ));
    }
    let rv = items.join(" ");
    Ok(if autospace && !rv.is_empty() {
        format!(" {rv}")
    } else {
        rv
    }
    .into())
}
