//! The time half of an ISO-8601 date-time as `isodate.parse_time` reads it: `hh:mm:ss`,
//! `hhmmss`, `hh:mm`, `hhmm` or `hh`, the last field optionally with a `.`/`,` fraction, then an
//! optional `Z`, `±hh`, `±hhmm` or `±hh:mm`.
//!
//! isodate turns fractions into microseconds differently per field, and this keeps its rounding:
//! a fraction of a second is truncated to 6 digits, a fraction of a minute is converted to
//! seconds and truncated, a fraction of an hour is split into minutes and seconds and the
//! microseconds rounded half-even (a result of 1,000,000 µs is an error in Python too).

use chrono::NaiveTime;

/// Fraction digits kept: enough for exact results at microsecond resolution, small enough that
/// the arithmetic fits in `u128`.
const MAX_FRACTION_DIGITS: usize = 28;

/// The time and the UTC offset in minutes (`None` for a naive time).
pub(crate) fn parse(s: &str) -> Option<(NaiveTime, Option<i32>)> {
    let (body, offset) = split_offset(s)?;
    let (main, fraction) = match body.find(['.', ',']) {
        Some(i) => {
            let fraction = &body[i + 1..];
            if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (&body[..i], Some(fraction))
        }
        None => (body, None),
    };
    if !main.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return None;
    }
    let compact: String = main.chars().filter(|&c| c != ':').collect();
    let colons = main.len() - compact.len();
    // The forms, in isodate's order: hh:mm:ss / hhmmss, hh:mm / hhmm, hh.
    let well_formed = match (compact.len(), colons) {
        (6, 2) => main.as_bytes()[2] == b':' && main.as_bytes()[5] == b':',
        (4, 1) => main.as_bytes()[2] == b':',
        (6 | 4 | 2, 0) => true,
        _ => false,
    };
    if !well_formed {
        return None;
    }
    let number = |range: std::ops::Range<usize>| compact.get(range)?.parse::<u32>().ok();
    let hour = number(0..2)?;
    let (minute, second, micros) = match compact.len() {
        6 => (number(2..4)?, number(4..6)?, second_fraction(fraction)),
        4 => {
            let micros = minute_fraction(fraction);
            (number(2..4)?, micros / 1_000_000, micros % 1_000_000)
        }
        _ => hour_fraction(fraction)?,
    };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let time = NaiveTime::from_hms_micro_opt(hour, minute, second, micros)?;
    Some((time, offset))
}

/// Splits the offset off the end. The time body has only digits, `:`, `.` and `,`, so an offset
/// starts at the first `+`/`-`, or is a final `Z`.
fn split_offset(s: &str) -> Option<(&str, Option<i32>)> {
    if let Some(body) = s.strip_suffix('Z') {
        return Some((body, Some(0)));
    }
    let Some(start) = s.find(['+', '-']) else {
        return Some((s, None));
    };
    let (body, tz) = s.split_at(start);
    let sign = if tz.starts_with('-') { -1 } else { 1 };
    let rest = &tz[1..];
    let two = |s: &str| {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i32>().ok())
            .flatten()
    };
    let (hours, minutes) = match rest.len() {
        2 => (two(rest)?, 0),
        4 => (two(&rest[..2])?, two(&rest[2..])?),
        5 if rest.as_bytes()[2] == b':' => (two(&rest[..2])?, two(&rest[3..])?),
        _ => return None,
    };
    let offset = sign * (hours * 60 + minutes);
    // Python builds such an offset but refuses to use it (it must be under a day).
    (offset.abs() < 24 * 60).then_some((body, Some(offset)))
}

/// The fraction as an integer and its power of ten, cut to `MAX_FRACTION_DIGITS`.
fn fraction_parts(fraction: &str) -> (u128, u128) {
    let kept = &fraction[..fraction.len().min(MAX_FRACTION_DIGITS)];
    let scale = 10u128.pow(u32::try_from(kept.len()).unwrap_or(0));
    (kept.parse().unwrap_or(0), scale)
}

/// Seconds' fraction: `quantize(1e-6, ROUND_FLOOR)`, i.e. the first six digits.
fn second_fraction(fraction: Option<&str>) -> u32 {
    fraction.map_or(0, |f| {
        let six: String = f.chars().chain(std::iter::repeat('0')).take(6).collect();
        six.parse().unwrap_or(0)
    })
}

/// Minutes' fraction in microseconds: `(fraction × 60).quantize(1e-6, ROUND_FLOOR)`.
fn minute_fraction(fraction: Option<&str>) -> u32 {
    fraction.map_or(0, |f| {
        let (value, scale) = fraction_parts(f);
        u32::try_from(value * 60_000_000 / scale).unwrap_or(0)
    })
}

/// Hours' fraction as (minute, second, microsecond): whole minutes, whole seconds, then the
/// remaining microseconds rounded half-even; `None` when they round up to a full second.
fn hour_fraction(fraction: Option<&str>) -> Option<(u32, u32, u32)> {
    let Some(f) = fraction else {
        return Some((0, 0, 0));
    };
    let (value, scale) = fraction_parts(f);
    let total = value * 3_600_000_000;
    let (whole, remainder) = (total / scale, total % scale);
    let mut micros = whole % 1_000_000;
    if remainder * 2 > scale || (remainder * 2 == scale && micros % 2 == 1) {
        micros += 1;
    }
    if micros == 1_000_000 {
        return None;
    }
    let seconds = whole / 1_000_000;
    let narrow = |v: u128| u32::try_from(v).ok();
    Some((
        narrow(seconds / 60)?,
        narrow(seconds % 60)?,
        narrow(micros)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn text(s: &str) -> Option<String> {
        parse(s).map(|(t, o)| format!("{} {o:?}", t.format("%H:%M:%S%.6f")))
    }

    #[test]
    fn reads_isodate_times() {
        let cases = [
            ("10:11:12", "10:11:12.000000 None"),
            ("101112", "10:11:12.000000 None"),
            ("10:11:12.1234567", "10:11:12.123456 None"),
            ("10:11:12,5", "10:11:12.500000 None"),
            ("10:11", "10:11:00.000000 None"),
            ("10:11.5", "10:11:30.000000 None"),
            ("1011", "10:11:00.000000 None"),
            ("10", "10:00:00.000000 None"),
            ("10.5", "10:30:00.000000 None"),
            ("10:11:12Z", "10:11:12.000000 Some(0)"),
            ("10:11:12+05:30", "10:11:12.000000 Some(330)"),
            ("10:11:12+0530", "10:11:12.000000 Some(330)"),
            ("23:59:59-08", "23:59:59.000000 Some(-480)"),
        ];
        for (input, want) in cases {
            assert_eq!(text(input).as_deref(), Some(want), "{input}");
        }
        for bad in [
            "24:00:00",
            "10:60",
            "10:11:60",
            "1:2:3",
            "10:11:12+5",
            "10:11:12+05:",
            "10.",
            "101",
        ] {
            assert_eq!(text(bad), None, "{bad}");
        }
    }
}
