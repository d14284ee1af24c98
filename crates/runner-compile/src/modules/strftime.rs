//! `strftime`: Python's directives (which Python hands to glibc in the C locale, except `%f`, `%z`
//! and `%Z`), including glibc's `%-d`-style unpadded flags. Unknown directives are copied as is.

use chrono::{Datelike, NaiveDateTime, Timelike};

use super::tz::{Tz, offset_text};

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// English month name (1-based).
pub(crate) fn month_name(m: u32) -> &'static str {
    MONTHS[(m as usize + 11) % 12]
}

/// English weekday name (0 = Monday).
pub(crate) fn day_name(d: u32) -> &'static str {
    DAYS[d as usize % 7]
}

/// Week number with weeks starting on `first` (0 = Sunday for `%U`, 1 = Monday for `%W`).
fn week_number(n: &NaiveDateTime, monday_first: bool) -> u32 {
    let wd = if monday_first {
        n.weekday().num_days_from_monday()
    } else {
        n.weekday().num_days_from_sunday()
    };
    (n.ordinal0() + 7 - wd) / 7
}

/// Format `n` (with `tz` for `%z`/`%Z`) per Python's `strftime`.
pub(crate) fn format(n: &NaiveDateTime, tz: Option<&Tz>, fmt: &str) -> String {
    let mut out = String::with_capacity(fmt.len() + 16);
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let pad = chars.next_if_eq(&'-').is_none();
        let Some(d) = chars.next() else {
            out.push('%');
            break;
        };
        let num = |v: i64, width: usize| -> String {
            if pad {
                format!("{v:0width$}")
            } else {
                v.to_string()
            }
        };
        let hour12 = (n.hour() + 11) % 12 + 1;
        let s = match d {
            'a' => day_name(n.weekday().num_days_from_monday())[..3].to_string(),
            'A' => day_name(n.weekday().num_days_from_monday()).to_string(),
            'w' => n.weekday().num_days_from_sunday().to_string(),
            'u' => n.weekday().number_from_monday().to_string(),
            'd' => num(n.day() as i64, 2),
            'e' => format!("{:>2}", n.day()),
            'b' | 'h' => month_name(n.month())[..3].to_string(),
            'B' => month_name(n.month()).to_string(),
            'm' => num(n.month() as i64, 2),
            'y' => num((n.year() % 100) as i64, 2),
            'Y' => n.year().to_string(),
            'C' => num((n.year() / 100) as i64, 2),
            'G' => n.iso_week().year().to_string(),
            'g' => num((n.iso_week().year() % 100) as i64, 2),
            'V' => num(n.iso_week().week() as i64, 2),
            'H' => num(n.hour() as i64, 2),
            'k' => format!("{:>2}", n.hour()),
            'I' => num(hour12 as i64, 2),
            'l' => format!("{hour12:>2}"),
            'p' => if n.hour() < 12 { "AM" } else { "PM" }.to_string(),
            'M' => num(n.minute() as i64, 2),
            'S' => num(n.second() as i64, 2),
            'f' => format!("{:06}", n.nanosecond() / 1000),
            'j' => num(n.ordinal() as i64, 3),
            'U' => num(week_number(n, false) as i64, 2),
            'W' => num(week_number(n, true) as i64, 2),
            'z' => tz
                .map(|t| offset_text(t.offset(), "", true))
                .unwrap_or_default(),
            'Z' => tz
                .map(|t| t.name())
                .filter(|v| !v.is_none())
                .map(|v| v.to_python_str())
                .unwrap_or_default(),
            'c' => format(n, tz, "%a %b %e %H:%M:%S %Y"),
            'x' | 'D' => format(n, tz, "%m/%d/%y"),
            'X' | 'T' => format(n, tz, "%H:%M:%S"),
            'F' => format(n, tz, "%Y-%m-%d"),
            'R' => format(n, tz, "%H:%M"),
            'r' => format(n, tz, "%I:%M:%S %p"),
            'n' => "\n".into(),
            't' => "\t".into(),
            '%' => "%".into(),
            other => {
                out.push('%');
                if !pad {
                    out.push('-');
                }
                out.push(other);
                continue;
            }
        };
        out.push_str(&s);
    }
    out
}
