//! Python string formatting: printf-style `'%s' % args` and `str.format()`
//! with basic format specs, plus the number formatting they share.

use crate::error::{Error, ErrorKind, Result, type_err};
use crate::value::{Kwargs, Value};

fn value_err(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Value, msg)
}

/// Python `%e`-style exponent: `1.5e5` → `1.5e+05`.
fn fix_exp(s: &str, upper: bool) -> String {
    let (m, e) = s.split_once('e').unwrap_or((s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let sign = if e < 0 { '-' } else { '+' };
    let out = format!("{m}e{sign}{:02}", e.abs());
    if upper { out.to_uppercase() } else { out }
}

/// Format a non-negative finite-or-not float per a conversion (`f`, `e`, `g`, `%`, or `r` = repr-ish).
pub(crate) fn float_body(x: f64, conv: char, prec: Option<usize>, alt: bool) -> String {
    let upper = conv.is_ascii_uppercase();
    if x.is_nan() {
        return if upper { "NAN".into() } else { "nan".into() };
    }
    if x.is_infinite() {
        return if upper { "INF".into() } else { "inf".into() };
    }
    match conv.to_ascii_lowercase() {
        'f' => {
            let s = format!("{:.*}", prec.unwrap_or(6), x);
            if alt && prec == Some(0) { s + "." } else { s }
        }
        '%' => format!("{:.*}%", prec.unwrap_or(6), x * 100.0),
        'e' => fix_exp(&format!("{:.*e}", prec.unwrap_or(6), x), upper),
        'g' => {
            let p = prec.unwrap_or(6).max(1);
            let sci = format!("{:.*e}", p - 1, x);
            let exp: i32 = sci
                .split_once('e')
                .and_then(|(_, e)| e.parse().ok())
                .unwrap_or(0);
            let mut s = if exp >= -4 && exp < p as i32 {
                format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, x)
            } else {
                fix_exp(&sci, upper)
            };
            if !alt {
                let (m, e) = match s.find(['e', 'E']) {
                    Some(i) => (s[..i].to_string(), s[i..].to_string()),
                    None => (s.clone(), String::new()),
                };
                let m = if m.contains('.') {
                    m.trim_end_matches('0').trim_end_matches('.').to_string()
                } else {
                    m
                };
                s = m + &e;
            }
            s
        }
        _ => {
            // format(float, '') with precision: like 'g' but always keeps a '.0' style marker
            match prec {
                None => crate::value::repr::float_repr(x),
                Some(p) => {
                    let s = float_body(x, 'g', Some(p), false);
                    if s.contains(['.', 'e', 'n', 'i']) {
                        s
                    } else {
                        s + ".0"
                    }
                }
            }
        }
    }
}

fn int_body(i: i64, conv: char, alt: bool) -> String {
    let a = i.unsigned_abs();
    match conv {
        'x' => format!("{}{:x}", if alt { "0x" } else { "" }, a),
        'X' => format!("{}{:X}", if alt { "0X" } else { "" }, a),
        'o' => format!("{}{:o}", if alt { "0o" } else { "" }, a),
        'b' => format!("{}{:b}", if alt { "0b" } else { "" }, a),
        _ => a.to_string(),
    }
}

fn group(digits: &str, sep: char) -> String {
    let (int, rest) = match digits.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (&digits[..i], &digits[i..]),
        None => (digits, ""),
    };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out + rest
}

/// Pad `sign + body` to `width` with alignment `<`, `>`, `^` or `=` (pad after sign).
fn pad(sign: &str, body: &str, width: usize, fill: char, align: char) -> String {
    let len = sign.chars().count() + body.chars().count();
    if len >= width {
        return format!("{sign}{body}");
    }
    let n = width - len;
    let f = |k: usize| fill.to_string().repeat(k);
    match align {
        '<' => format!("{sign}{body}{}", f(n)),
        '^' => format!("{}{sign}{body}{}", f(n / 2), f(n - n / 2)),
        '=' => format!("{sign}{}{body}", f(n)),
        _ => format!("{}{sign}{body}", f(n)),
    }
}

/// Python `fmt % args`.
pub(crate) fn percent_format(fmt: &str, args: &Value) -> Result<String> {
    let positional: Vec<Value> = match args {
        Value::Tuple(t) => t.as_ref().clone(),
        v => vec![v.clone()],
    };
    let mut next = 0usize;
    let mut used_mapping = false;
    let mut out = String::with_capacity(fmt.len() + 16);
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut key: Option<String> = None;
        if chars.get(i) == Some(&'(') {
            let end = chars[i..]
                .iter()
                .position(|&c| c == ')')
                .ok_or_else(|| value_err("incomplete format key"))?;
            key = Some(chars[i + 1..i + end].iter().collect());
            i += end + 1;
        }
        let (mut left, mut zero, mut plus, mut space, mut alt) =
            (false, false, false, false, false);
        while let Some(&f) = chars.get(i) {
            match f {
                '-' => left = true,
                '0' => zero = true,
                '+' => plus = true,
                ' ' => space = true,
                '#' => alt = true,
                _ => break,
            }
            i += 1;
        }
        let take_arg = |next: &mut usize| -> Result<Value> {
            let v = positional
                .get(*next)
                .cloned()
                .ok_or_else(|| type_err("not enough arguments for format string"))?;
            *next += 1;
            Ok(v)
        };
        let mut width = 0usize;
        if chars.get(i) == Some(&'*') {
            i += 1;
            width = take_arg(&mut next)?.as_int().unwrap_or(0).max(0) as usize;
        }
        while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
            width = width * 10 + d as usize;
            i += 1;
        }
        let mut prec: Option<usize> = None;
        if chars.get(i) == Some(&'.') {
            i += 1;
            let mut p = 0;
            if chars.get(i) == Some(&'*') {
                i += 1;
                p = take_arg(&mut next)?.as_int().unwrap_or(0).max(0) as usize;
            }
            while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                p = p * 10 + d as usize;
                i += 1;
            }
            prec = Some(p);
        }
        while matches!(chars.get(i), Some('h' | 'l' | 'L')) {
            i += 1;
        }
        let conv = *chars.get(i).ok_or_else(|| value_err("incomplete format"))?;
        i += 1;
        if conv == '%' {
            out.push('%');
            continue;
        }
        let v = match &key {
            Some(k) => {
                used_mapping = true;
                match args {
                    Value::Dict(d) => d
                        .get_str(k)
                        .ok_or_else(|| Error::new(ErrorKind::Key, format!("'{k}'")))?,
                    _ => return Err(type_err("format requires a mapping")),
                }
            }
            None => take_arg(&mut next)?,
        };
        let fill = if zero && !left { '0' } else { ' ' };
        let align = if left {
            '<'
        } else if zero {
            '='
        } else {
            '>'
        };
        let piece = match conv {
            's' | 'r' | 'a' => {
                let mut s = if conv == 's' {
                    v.to_python_str()
                } else {
                    v.repr()
                };
                if let Some(p) = prec {
                    s = s.chars().take(p).collect();
                }
                pad("", &s, width, ' ', if left { '<' } else { '>' })
            }
            'c' => {
                let s = match &v {
                    Value::Str(s) => s.to_string(),
                    v => v
                        .as_int()
                        .and_then(|i| char::from_u32(i as u32))
                        .map(String::from)
                        .unwrap_or_default(),
                };
                pad("", &s, width, ' ', if left { '<' } else { '>' })
            }
            'd' | 'i' | 'u' | 'x' | 'X' | 'o' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                let Some(num) = v.as_f64() else {
                    let what = if matches!(conv, 'd' | 'i' | 'u')
                        || matches!(conv, 'e' | 'E' | 'f' | 'F' | 'g' | 'G')
                    {
                        "a real number is required"
                    } else {
                        "an integer is required"
                    };
                    return Err(type_err(format!(
                        "%{conv} format: {what}, not {}",
                        v.type_name()
                    )));
                };
                let neg = num < 0.0
                    || (num == 0.0 && num.is_sign_negative() && matches!(v, Value::Float(_)));
                let body = match conv {
                    'd' | 'i' | 'u' => {
                        let i = v.as_int().unwrap_or(num.trunc() as i64);
                        let mut b = int_body(i, 'd', false);
                        if let Some(p) = prec {
                            b = format!("{b:0>p$}");
                        }
                        b
                    }
                    'x' | 'X' | 'o' => {
                        let Some(i) = v.as_int() else {
                            return Err(type_err(format!(
                                "%{conv} format: an integer is required, not {}",
                                v.type_name()
                            )));
                        };
                        int_body(i, conv, alt)
                    }
                    _ => float_body(num.abs(), conv, prec, alt),
                };
                let sign = if neg {
                    "-"
                } else if plus {
                    "+"
                } else if space {
                    " "
                } else {
                    ""
                };
                pad(sign, &body, width, fill, align)
            }
            other => {
                return Err(value_err(format!(
                    "unsupported format character '{other}' (0x{:x}) at index {}",
                    other as u32,
                    i - 1
                )));
            }
        };
        out.push_str(&piece);
    }
    if next < positional.len() && !used_mapping && !matches!(args, Value::Dict(_)) {
        return Err(type_err(
            "not all arguments converted during string formatting",
        ));
    }
    Ok(out)
}

/// Python `format(value, spec)`.
pub(crate) fn format_value(v: &Value, spec: &str) -> Result<String> {
    if spec.is_empty() {
        return Ok(v.to_python_str());
    }
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let (mut fill, mut align) = (' ', None);
    if chars.len() >= 2 && matches!(chars[1], '<' | '>' | '^' | '=') {
        fill = chars[0];
        align = Some(chars[1]);
        i = 2;
    } else if matches!(chars.first(), Some('<' | '>' | '^' | '=')) {
        align = Some(chars[0]);
        i = 1;
    }
    let mut sign = '-';
    if let Some(&c @ ('+' | '-' | ' ')) = chars.get(i) {
        sign = c;
        i += 1;
    }
    let mut alt = false;
    if chars.get(i) == Some(&'#') {
        alt = true;
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        if align.is_none() {
            fill = '0';
            align = Some('=');
        }
        i += 1;
    }
    let mut width = 0usize;
    while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
        width = width * 10 + d as usize;
        i += 1;
    }
    let mut grouping = None;
    if let Some(&c @ (',' | '_')) = chars.get(i) {
        grouping = Some(c);
        i += 1;
    }
    let mut prec = None;
    if chars.get(i) == Some(&'.') {
        i += 1;
        let mut p = 0;
        while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
            p = p * 10 + d as usize;
            i += 1;
        }
        prec = Some(p);
    }
    let ty = chars.get(i).copied();
    if i + ty.map_or(0, |_| 1) != chars.len() {
        return Err(value_err("Invalid format specifier"));
    }
    match v {
        Value::Int(_) | Value::Bool(_) | Value::Float(_) if !matches!(ty, Some('s')) => {
            let num = v.as_f64().unwrap_or(0.0);
            let neg = num < 0.0 || (num == 0.0 && num.is_sign_negative());
            let mut body = match (v, ty) {
                (
                    Value::Int(_) | Value::Bool(_),
                    None | Some('d' | 'x' | 'X' | 'o' | 'b' | 'n'),
                ) => int_body(v.as_int().unwrap_or(0), ty.unwrap_or('d'), alt),
                (Value::Float(_), Some('d' | 'x' | 'X' | 'o' | 'b')) => {
                    return Err(value_err(format!(
                        "Unknown format code '{}' for object of type 'float'",
                        ty.unwrap_or('d')
                    )));
                }
                (_, t) => float_body(num.abs(), t.unwrap_or('r'), prec, alt),
            };
            if let Some(g) = grouping {
                body = group(&body, g);
            }
            let s = if neg {
                "-"
            } else {
                match sign {
                    '+' => "+",
                    ' ' => " ",
                    _ => "",
                }
            };
            Ok(pad(s, &body, width, fill, align.unwrap_or('>')))
        }
        _ => {
            if ty.is_some_and(|t| t != 's') {
                return Err(value_err(format!(
                    "Unknown format code '{}' for object of type '{}'",
                    ty.unwrap_or('s'),
                    v.type_name()
                )));
            }
            let mut s = v.to_python_str();
            if let Some(p) = prec {
                s = s.chars().take(p).collect();
            }
            Ok(pad("", &s, width, fill, align.unwrap_or('<')))
        }
    }
}

/// Python `fmt.format(*args, **kwargs)`.
pub(crate) fn str_format(fmt: &str, args: &[Value], kwargs: &Kwargs) -> Result<String> {
    let mut out = String::with_capacity(fmt.len() + 16);
    let mut auto = 0usize;
    let mut it = fmt.char_indices().peekable();
    while let Some((pos, c)) = it.next() {
        match c {
            '{' if it.peek().map(|x| x.1) == Some('{') => {
                it.next();
                out.push('{');
            }
            '}' if it.peek().map(|x| x.1) == Some('}') => {
                it.next();
                out.push('}');
            }
            '}' => return Err(value_err("Single '}' encountered in format string")),
            '{' => {
                let rest = &fmt[pos + 1..];
                let mut depth = 1;
                let mut end = None;
                for (j, ch) in rest.char_indices() {
                    match ch {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = Some(j);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let end =
                    end.ok_or_else(|| value_err("Single '{' encountered in format string"))?;
                let field = &rest[..end];
                for _ in 0..field.chars().count() + 1 {
                    it.next();
                }
                let (field, spec) = match field.find(':') {
                    Some(k) => (&field[..k], &field[k + 1..]),
                    None => (field, ""),
                };
                let (field, conv) = match field.find('!') {
                    Some(k) => (&field[..k], field[k + 1..].chars().next()),
                    None => (field, None),
                };
                let name_end = field.find(['.', '[']).unwrap_or(field.len());
                let name = &field[..name_end];
                let mut v = if name.is_empty() {
                    let v = args.get(auto).cloned();
                    auto += 1;
                    v.ok_or_else(|| {
                        Error::new(
                            ErrorKind::Index,
                            format!(
                                "Replacement index {} out of range for positional args tuple",
                                auto - 1
                            ),
                        )
                    })?
                } else if let Ok(n) = name.parse::<usize>() {
                    args.get(n).cloned().ok_or_else(|| {
                        Error::new(
                            ErrorKind::Index,
                            format!("Replacement index {n} out of range for positional args tuple"),
                        )
                    })?
                } else {
                    kwargs
                        .get(name)
                        .cloned()
                        .ok_or_else(|| Error::new(ErrorKind::Key, format!("'{name}'")))?
                };
                let mut path = &field[name_end..];
                while !path.is_empty() {
                    if let Some(p) = path.strip_prefix('.') {
                        let e = p.find(['.', '[']).unwrap_or(p.len());
                        v = v.get_attr(&p[..e]);
                        path = &p[e..];
                    } else if let Some(p) = path.strip_prefix('[') {
                        let e = p
                            .find(']')
                            .ok_or_else(|| value_err("Missing ']' in format string"))?;
                        let key = &p[..e];
                        let k = key
                            .parse::<i64>()
                            .map(Value::Int)
                            .unwrap_or_else(|_| Value::from(key));
                        v = v.get_item(&k);
                        path = &p[e + 1..];
                    } else {
                        break;
                    }
                }
                let v = match conv {
                    Some('r') | Some('a') => Value::from(v.repr()),
                    Some('s') => Value::from(v.to_python_str()),
                    _ => v,
                };
                out.push_str(&format_value(&v, spec)?);
            }
            c => out.push(c),
        }
    }
    Ok(out)
}
