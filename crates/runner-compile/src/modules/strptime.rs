//! `datetime.strptime`: the format becomes a case-insensitive regular expression with one group per
//! directive (the same alternatives, in the same order, as CPython's `_strptime`), matched from the
//! start of the text; leftover text is "unconverted data". `%U`/`%W` week numbers are matched but,
//! unlike CPython, not used to compute the date.

use chrono::{NaiveDate, NaiveDateTime};
use runner_jinja::{Error, Value};

use super::date::make_date;
use super::strftime::{day_name, month_name};
use super::time::make_time;
use super::tz::Tz;
use super::value_error;

fn names(long: impl Fn(u32) -> &'static str, range: std::ops::Range<u32>, short: bool) -> String {
    let mut v: Vec<String> = range
        .map(|i| {
            let n = long(i).to_lowercase();
            if short { n[..3].to_string() } else { n }
        })
        .collect();
    v.sort_by_key(|s| std::cmp::Reverse(s.len()));
    v.join("|")
}

/// The pattern of one directive, or `None` for a bad directive.
fn directive(d: char) -> Option<String> {
    Some(match d {
        'd' => r"3[01]|[12]\d|0[1-9]|[1-9]| [1-9]".into(),
        'f' => r"[0-9]{1,6}".into(),
        'H' => r"2[0-3]|[0-1]\d|\d".into(),
        'I' => r"1[0-2]|0[1-9]|[1-9]".into(),
        'G' | 'Y' => r"\d\d\d\d".into(),
        'j' => r"36[0-6]|3[0-5]\d|[12]\d\d|0[1-9]\d|00[1-9]|[1-9]\d|0[1-9]|[1-9]".into(),
        'm' => r"1[0-2]|0[1-9]|[1-9]".into(),
        'M' => r"[0-5]\d|\d".into(),
        'S' => r"6[0-1]|[0-5]\d|\d".into(),
        'U' | 'W' => r"5[0-3]|[0-4]\d|\d".into(),
        'w' => r"[0-6]".into(),
        'u' => r"[1-7]".into(),
        'V' => r"5[0-3]|0[1-9]|[1-4]\d|\d".into(),
        'y' => r"\d\d".into(),
        'z' => r"[+-]\d\d:?[0-5]\d(?::?[0-5]\d(?:\.\d{1,6})?)?|(?-i:Z)".into(),
        'A' => names(day_name, 0..7, false),
        'a' => names(day_name, 0..7, true),
        'B' => names(month_name, 1..13, false),
        'b' => names(month_name, 1..13, true),
        'p' => "am|pm".into(),
        'Z' => "utc|gmt".into(),
        _ => return None,
    })
}

fn bad_format(s: &str, fmt: &str) -> Error {
    value_error(format!(
        "time data {} does not match format {}",
        Value::from(s).repr(),
        Value::from(fmt).repr()
    ))
}

/// Parse `s` with `fmt`: the naive date and time and, for `%z`, a fixed-offset tzinfo.
pub(crate) fn parse(s: &str, fmt: &str) -> Result<(NaiveDateTime, Option<Tz>), Error> {
    let expanded = fmt
        .replace("%c", "%a %b %d %H:%M:%S %Y")
        .replace("%x", "%m/%d/%y")
        .replace("%X", "%H:%M:%S");
    let mut pattern = String::from(r"(?i)\A");
    let mut order = Vec::new();
    let mut chars = expanded.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '%' => {
                let Some(d) = chars.next() else {
                    return Err(value_error(format!(
                        "stray % in format {}",
                        Value::from(fmt).repr()
                    )));
                };
                if d == '%' {
                    pattern.push('%');
                    continue;
                }
                let p = directive(d).ok_or_else(|| {
                    value_error(format!(
                        "'{d}' is a bad directive in format {}",
                        Value::from(fmt).repr()
                    ))
                })?;
                pattern.push_str(&format!("({p})"));
                order.push(d);
            }
            c if c.is_whitespace() => {
                while chars.next_if(|c| c.is_whitespace()).is_some() {}
                pattern.push_str(r"\s+");
            }
            c => pattern.push_str(&regex::escape(&c.to_string())),
        }
    }
    let re = regex::Regex::new(&pattern).map_err(|e| value_error(e.to_string()))?;
    let caps = re.captures(s).ok_or_else(|| bad_format(s, fmt))?;
    let end = caps.get(0).map_or(0, |m| m.end());
    if end != s.len() {
        return Err(value_error(format!(
            "unconverted data remains: {}",
            &s[end..]
        )));
    }
    let (mut y, mut mo, mut d, mut h, mut mi, mut sec, mut us) =
        (1900i64, 1i64, 1i64, 0i64, 0i64, 0i64, 0i64);
    let (mut hour12, mut pm, mut yday, mut tz) = (None, None, None, None);
    for (i, dir) in order.iter().enumerate() {
        let text = caps.get(i + 1).map_or("", |m| m.as_str());
        let lower = text.to_lowercase();
        let int = || text.trim().parse::<i64>().unwrap_or(0);
        match dir {
            'Y' | 'G' => y = int(),
            'y' => y = int() + if int() < 69 { 2000 } else { 1900 },
            'm' => mo = int(),
            'd' => d = int(),
            'H' => h = int(),
            'I' => hour12 = Some(int()),
            'M' => mi = int(),
            'S' => sec = int(),
            'f' => us = format!("{text:0<6}").parse().unwrap_or(0),
            'p' => pm = Some(lower == "pm"),
            'j' => yday = Some(int()),
            'b' | 'B' => {
                mo = (1..=12)
                    .find(|m| month_name(*m).to_lowercase().starts_with(&lower))
                    .unwrap_or(1) as i64
            }
            'z' => tz = Some(parse_z(text)),
            _ => {}
        }
    }
    if let Some(h12) = hour12 {
        h = match pm {
            Some(true) => h12 % 12 + 12,
            _ => h12 % 12,
        };
    }
    let date = match yday {
        Some(j) if !order.contains(&'m') && !order.contains(&'d') => {
            NaiveDate::from_yo_opt(y as i32, j as u32)
                .ok_or_else(|| value_error("day of year is out of range"))?
        }
        _ => make_date(y, mo, d)?,
    };
    Ok((date.and_time(make_time(h, mi, sec, us)?), tz))
}

fn parse_z(text: &str) -> Tz {
    if text.eq_ignore_ascii_case("z") {
        return Tz::Fixed {
            offset: 0,
            name: None,
        };
    }
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let digits: String = text[1..]
        .chars()
        .filter(|c| *c != ':')
        .take_while(|c| *c != '.')
        .collect();
    let field = |i: usize| {
        digits
            .get(i..i + 2)
            .and_then(|f| f.parse::<i64>().ok())
            .unwrap_or(0)
    };
    Tz::Fixed {
        offset: sign * (field(0) * 3600 + field(2) * 60 + field(4)),
        name: None,
    }
}
