//! ISO 8601 text: `isoformat(timespec=…)` output and the `fromisoformat` parsers, accepting what
//! CPython 3.11 accepts (`YYYY-MM-DD`, `YYYYMMDD`, ISO week dates, any one-character date/time
//! separator, `HH[:MM[:SS[.ffffff]]]` or compact times, `Z` and `±HH[:MM[:SS]]` offsets).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};
use runner_jinja::Error;

use super::time::make_time;
use super::tz::Tz;
use super::value_error;

/// The time part of `isoformat()` for a `timespec`.
pub(crate) fn format_time(t: &NaiveTime, timespec: &str) -> Result<String, Error> {
    let (h, m, s, us) = (t.hour(), t.minute(), t.second(), t.nanosecond() / 1000);
    Ok(match timespec {
        "auto" if us == 0 => format!("{h:02}:{m:02}:{s:02}"),
        "auto" | "microseconds" => format!("{h:02}:{m:02}:{s:02}.{us:06}"),
        "hours" => format!("{h:02}"),
        "minutes" => format!("{h:02}:{m:02}"),
        "seconds" => format!("{h:02}:{m:02}:{s:02}"),
        "milliseconds" => format!("{h:02}:{m:02}:{s:02}.{:03}", us / 1000),
        _ => return Err(value_error("Unknown timespec value")),
    })
}

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Length of the date part at the start of `s` (10 for extended, 8 or 7/8 for basic forms).
fn date_len(s: &str) -> usize {
    let b = s.as_bytes();
    match (b.get(4), b.get(5)) {
        (Some(b'-'), Some(b'W')) if b.get(8) != Some(&b'-') => 8,
        (Some(b'-'), _) => 10,
        (Some(b'W'), _) if b.len() > 7 && b[7].is_ascii_digit() => 8,
        (Some(b'W'), _) => 7,
        _ => 8,
    }
}

/// `date.fromisoformat`.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    if !s.is_ascii() {
        return None;
    }
    let year = digits(s.get(0..4)?)? as i32;
    let rest = &s[4..];
    let (week, rest) = match rest.strip_prefix("-W").or_else(|| rest.strip_prefix('W')) {
        Some(r) => (true, r),
        None => (false, rest.strip_prefix('-').unwrap_or(rest)),
    };
    let extended = s.as_bytes()[4] == b'-';
    if week {
        let w = digits(rest.get(0..2)?)?;
        let d = match rest.get(2..)? {
            "" => 1,
            r => digits(if extended { r.strip_prefix('-')? } else { r })
                .filter(|_| r.len() == 1 + extended as usize)?,
        };
        let wd = Weekday::try_from(u8::try_from(d.checked_sub(1)?).ok()?).ok()?;
        return NaiveDate::from_isoywd_opt(year, w, wd).filter(|_| year >= 1);
    }
    let (m, d) = if extended {
        (
            rest.get(0..2)?,
            rest.get(2..3).filter(|c| *c == "-").and(rest.get(3..))?,
        )
    } else {
        (rest.get(0..2)?, rest.get(2..)?)
    };
    if d.len() != 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, digits(m)?, digits(d)?).filter(|_| year >= 1)
}

/// An offset suffix (`Z`, `±HH`, `±HH:MM`, `±HHMM`, with optional seconds and fraction).
fn parse_offset(s: &str) -> Option<Tz> {
    if s == "Z" {
        return Some(Tz::Fixed {
            offset: 0,
            name: None,
        });
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let t = parse_clock(&s[1..])?;
    if t.nanosecond() != 0 {
        return None;
    }
    Some(Tz::Fixed {
        offset: sign * t.num_seconds_from_midnight() as i64,
        name: None,
    })
}

use chrono::NaiveTime as Clock;

/// `HH[:MM[:SS[.f…]]]` or `HH[MM[SS[.f…]]]`.
fn parse_clock(s: &str) -> Option<Clock> {
    let (main, frac) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let fields: Vec<&str> = if main.contains(':') {
        main.split(':').collect()
    } else {
        (0..main.len())
            .step_by(2)
            .map(|i| main.get(i..i + 2).unwrap_or("x"))
            .collect()
    };
    if fields.is_empty() || fields.len() > 3 || fields.iter().any(|f| f.len() != 2) {
        return None;
    }
    let mut v = [0i64; 3];
    for (i, f) in fields.iter().enumerate() {
        v[i] = digits(f)? as i64;
    }
    let us = match frac {
        None => 0,
        Some(f) if fields.len() == 3 && !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            let f6: String = f.chars().chain(std::iter::repeat('0')).take(6).collect();
            f6.parse::<i64>().ok()?
        }
        Some(_) => return None,
    };
    make_time(v[0], v[1], v[2], us).ok()
}

/// `time.fromisoformat` (a leading `T` is allowed, as in CPython 3.11).
pub(crate) fn parse_time(s: &str) -> Option<(NaiveTime, Option<Tz>)> {
    let s = s.strip_prefix('T').unwrap_or(s);
    if !s.is_ascii() {
        return None;
    }
    let (clock, tz) = match s.find(['+', '-', 'Z']) {
        Some(i) => (&s[..i], Some(parse_offset(&s[i..])?)),
        None => (s, None),
    };
    Some((parse_clock(clock)?, tz))
}

/// `datetime.fromisoformat`.
pub(crate) fn parse_datetime(s: &str) -> Option<(NaiveDateTime, Option<Tz>)> {
    if !s.is_ascii() || s.len() < 7 {
        return None;
    }
    let n = date_len(s).min(s.len());
    let date = parse_date(&s[..n])?;
    if s.len() == n {
        return Some((date.and_time(NaiveTime::MIN), None));
    }
    let (time, tz) = parse_time(s.get(n + 1..)?)?;
    Some((date.and_time(time), tz))
}
