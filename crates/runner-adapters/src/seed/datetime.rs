//! dbt's three date-time types for seeds: agate `Date` with `%Y-%m-%d` and `DateTime` with
//! `%Y-%m-%d %H:%M:%S` (Python's `strptime`: one- or two-digit fields, the space matching any
//! run of whitespace, leap seconds rejected), and dbt's `ISODateTime`, which is
//! `isodate.parse_datetime`: exactly one `T`, any ISO-8601 date form before it (calendar, week,
//! ordinal, year-month, year, century; basic or extended) and a time with an optional fraction on
//! its last field and an optional `Z`/`±hh[:mm]` offset after it.
//!
//! Python's `\d` also matches non-ASCII digits; only ASCII digits are accepted here. Offsets of a
//! day or more, which Python only rejects when the value is used, are rejected at once.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};

use super::iso_time;

/// A date-time as Python's `datetime` holds it: naive, or with a fixed UTC offset in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PyDateTime {
    pub naive: NaiveDateTime,
    pub offset_minutes: Option<i32>,
}

/// Python's `datetime.isoformat()`: `YYYY-MM-DDTHH:MM:SS`, `.ffffff` when there are
/// microseconds, `±HH:MM` when there is an offset (`+00:00` for `Z`).
pub(crate) fn isoformat(value: &PyDateTime) -> String {
    let mut out = value.naive.format("%Y-%m-%dT%H:%M:%S").to_string();
    let micros = value.naive.and_utc().timestamp_subsec_micros();
    if micros != 0 {
        out.push_str(&format!(".{micros:06}"));
    }
    if let Some(offset) = value.offset_minutes {
        let sign = if offset < 0 { '-' } else { '+' };
        let offset = offset.unsigned_abs();
        out.push_str(&format!("{sign}{:02}:{:02}", offset / 60, offset % 60));
    }
    out
}

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// A strptime field that is one digit, or two digits within `lo2..=hi2` (`%m`: 01–12).
fn field(s: &str, lo2: u32, hi2: u32) -> Option<u32> {
    match s.len() {
        1 => digits(s),
        2 => digits(s).filter(|v| (lo2..=hi2).contains(v)),
        _ => None,
    }
}

/// `%d`: `01`–`31`, `1`–`9`, or a space and `1`–`9`.
fn day_field(s: &str) -> Option<u32> {
    match s.strip_prefix(' ') {
        Some(rest) if rest.len() == 1 => digits(rest).filter(|&d| d >= 1),
        _ => field(s, 1, 31).filter(|&d| d >= 1),
    }
}

/// `%Y-%m-%d` up to the day field, which the caller splits off.
fn year_month(s: &str) -> Option<(i32, u32, &str)> {
    let (year, rest) = (s.get(..4)?, s.get(4..)?);
    let year = i32::try_from(digits(year)?).ok()?;
    let rest = rest.strip_prefix('-')?;
    let (month, rest) = rest.split_once('-')?;
    let month = field(month, 1, 12).filter(|&m| m >= 1)?;
    Some((year, month, rest))
}

fn python_date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    (1..=9999)
        .contains(&year)
        .then(|| NaiveDate::from_ymd_opt(year, month, day))
        .flatten()
}

/// agate `Date` with format `%Y-%m-%d` (the value already trimmed).
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    let (year, month, day) = year_month(s)?;
    python_date(year, month, day_field(day)?)
}

fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// agate `DateTime` with format `%Y-%m-%d %H:%M:%S`; the space matches `\s+`.
pub(crate) fn parse_datetime(s: &str) -> Option<PyDateTime> {
    let (year, month, rest) = year_month(s)?;
    // The day is one or two characters (two when it is ` 5`); whitespace must follow it.
    let (day, time) = [2, 1].into_iter().find_map(|len| {
        let day = day_field(rest.get(..len)?)?;
        let after = rest.get(len..)?;
        let time = after.trim_start_matches(is_py_space);
        (time.len() < after.len()).then_some((day, time))
    })?;
    let mut parts = time.split(':');
    let hour = field(parts.next()?, 0, 23)?;
    let minute = field(parts.next()?, 0, 59)?;
    let second = field(parts.next()?, 0, 61)?;
    if parts.next().is_some() || second > 59 {
        return None;
    }
    let naive =
        python_date(year, month, day)?.and_time(NaiveTime::from_hms_opt(hour, minute, second)?);
    Some(PyDateTime {
        naive,
        offset_minutes: None,
    })
}

/// Matches `s` against a shape where `d` is an ASCII digit and other characters are literal;
/// returns the digit runs.
fn shape<'a>(s: &'a str, pattern: &str) -> Option<Vec<&'a str>> {
    if s.len() != pattern.len() {
        return None;
    }
    let mut runs = Vec::new();
    let mut start = None;
    for (i, (c, p)) in s.bytes().zip(pattern.bytes()).enumerate() {
        if p == b'd' {
            if !c.is_ascii_digit() {
                return None;
            }
            start.get_or_insert(i);
        } else {
            if c != p {
                return None;
            }
            if let Some(from) = start.take() {
                runs.push(&s[from..i]);
            }
        }
    }
    if let Some(from) = start {
        runs.push(&s[from..]);
    }
    Some(runs)
}

/// `isodate.parse_date` with 4-digit years: the first matching form decides, and a form whose
/// values are out of range fails the whole parse. Week and ordinal numbers are not range-checked
/// (isodate adds them as offsets).
fn iso_date(s: &str) -> Option<NaiveDate> {
    let num = |s: &str| digits(s);
    let year = |s: &str| i32::try_from(digits(s)?).ok();
    let week_date = |y: &str, w: &str, day: u32| {
        let jan1 = python_date(year(y)?, 1, 1)?;
        let iso_week = jan1.iso_week().week();
        let weekday = i64::from(jan1.weekday().number_from_monday());
        let weeks = i64::from(num(w)?) - i64::from(iso_week == 1);
        let result = jan1 + Duration::weeks(weeks) + Duration::days(i64::from(day) - weekday);
        (1..=9999).contains(&result.year()).then_some(result)
    };
    let ordinal = |y: &str, d: &str| {
        let result = python_date(year(y)?, 1, 1)? + Duration::days(i64::from(num(d)?) - 1);
        (1..=9999).contains(&result.year()).then_some(result)
    };
    // A month of `00` means January (isodate's `int(month) or 1`); a day of `00` is an error.
    let calendar = |y: &str, m: &str, d: Option<&str>| {
        let day = d.map_or(Some(1), num)?;
        python_date(year(y)?, num(m)?.max(1), day)
    };
    if let Some(r) = shape(s, "dddd-dd-dd").or_else(|| shape(s, "dddddddd")) {
        let (y, m, d) = if r.len() == 3 {
            (r[0], r[1], r[2])
        } else {
            (&r[0][..4], &r[0][4..6], &r[0][6..])
        };
        return calendar(y, m, Some(d));
    }
    if let Some(r) = shape(s, "dddd-Wdd-d").or_else(|| shape(s, "ddddWddd")) {
        let (y, w, d) = if r.len() == 3 {
            (r[0], r[1], r[2])
        } else {
            (r[0], &r[1][..2], &r[1][2..])
        };
        return week_date(y, w, num(d)?);
    }
    if let Some(r) = shape(s, "dddd-ddd").or_else(|| shape(s, "ddddddd")) {
        let (y, d) = if r.len() == 2 {
            (r[0], r[1])
        } else {
            (&r[0][..4], &r[0][4..])
        };
        return ordinal(y, d);
    }
    if let Some(r) = shape(s, "dddd-Wdd").or_else(|| shape(s, "ddddWdd")) {
        return week_date(r[0], r[1], 1);
    }
    if let Some(r) = shape(s, "dddd-dd").or_else(|| shape(s, "dddddd")) {
        let (y, m) = if r.len() == 2 {
            (r[0], r[1])
        } else {
            (&r[0][..4], &r[0][4..])
        };
        return calendar(y, m, None);
    }
    if shape(s, "dddd").is_some() {
        return python_date(year(s)?, 1, 1);
    }
    if shape(s, "dd").is_some() {
        return python_date(i32::try_from(num(s)?).ok()? * 100 + 1, 1, 1);
    }
    None
}

/// dbt's `ISODateTime`: `isodate.parse_datetime` (the value already trimmed).
pub(crate) fn parse_iso_datetime(s: &str) -> Option<PyDateTime> {
    let (date, time) = s.split_once('T')?;
    if time.contains('T') {
        return None;
    }
    let date = iso_date(date)?;
    let (time, offset_minutes) = iso_time::parse(time)?;
    Some(PyDateTime {
        naive: date.and_time(time),
        offset_minutes,
    })
}
