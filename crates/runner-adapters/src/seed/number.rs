//! agate's `Number` cast as dbt configures it (`en_US`: `,` groups, `.` decimals) and the parts of
//! Python's `decimal.Decimal` it relies on: parsing, the multiplication by ±1 that rounds to 28
//! significant digits, `str()`, and `normalize()` for agate's `MaxPrecision`.
//!
//! agate trims whitespace, strips `%` from both ends, takes a leading `-` as the sign, strips each
//! currency symbol from both ends (in agate's order), drops every `,`, then hands the rest to
//! `Decimal`, which trims whitespace again, ignores `_` anywhere and accepts `Inf`, `Infinity`,
//! `NaN` (and `sNaN`, which the multiplication rejects). Non-ASCII digits, which `Decimal` also
//! accepts, are not numbers here.

use super::infer::py_trim;

/// agate's default currency symbols, stripped from both ends one after another.
const CURRENCY_SYMBOLS: [char; 19] = [
    '؋', '$', 'ƒ', '៛', '¥', '₡', '₱', '£', '€', '¢', '﷼', '₪', '₩', '₭', '₮', '₦', '฿', '₤', '₫',
];

/// Python's default decimal context: 28 significant digits, exponents within ±999999.
const PRECISION: usize = 28;
const EMAX: i64 = 999_999;

/// A number as agate's cast leaves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decimal {
    /// `(-1)^negative × digits × 10^exponent`; `digits` has no leading zeros (`"0"` for zero).
    Finite {
        negative: bool,
        digits: String,
        exponent: i64,
    },
    /// `Infinity` or `-Infinity`.
    Infinite,
    /// A quiet NaN.
    NaN,
}

/// agate's `Number.cast` for a value that is not a null value; `None` when it is not a number.
pub(crate) fn parse_number(raw: &str) -> Option<Decimal> {
    let mut d = py_trim(raw).trim_matches('%');
    let mut negative = false;
    if let Some(rest) = d.strip_prefix('-') {
        d = rest;
        negative = true;
    }
    for symbol in CURRENCY_SYMBOLS {
        d = d.trim_matches(symbol);
    }
    let d = d.replace(',', "");
    let parsed = parse_decimal(&d)?;
    // `Decimal(d) * sign`: the sign flips and the context rounds to 28 digits.
    match parsed {
        Decimal::Finite {
            negative: n,
            digits,
            exponent,
        } => round_to_context(n != negative, digits, exponent),
        other => Some(other),
    }
}

/// Python's `Decimal(str)`: surrounding whitespace and every `_` ignored, then the decimal
/// string syntax (sign, digits with an optional point, exponent; or inf/infinity/nan/snan).
fn parse_decimal(text: &str) -> Option<Decimal> {
    let text: String = py_trim(text).chars().filter(|&c| c != '_').collect();
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text.as_str()),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(Decimal::Infinite);
    }
    if let Some(payload) = lower.strip_prefix("nan") {
        return payload
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then_some(Decimal::NaN);
    }
    if lower.starts_with("snan") {
        // A signalling NaN: the multiplication raises InvalidOperation, so not a number.
        return None;
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], parse_exponent(&body[i + 1..])?),
        None => (body, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty())
        || !all_digits(int_part)
        || !all_digits(frac_part)
    {
        return None;
    }
    let joined = format!("{int_part}{frac_part}");
    let digits = joined.trim_start_matches('0');
    let frac_len = i64::try_from(frac_part.len()).ok()?;
    Some(Decimal::Finite {
        negative,
        digits: if digits.is_empty() { "0" } else { digits }.to_string(),
        exponent: exponent.checked_sub(frac_len)?,
    })
}

fn parse_exponent(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Exponents this large overflow the context anyway; treat them as not numbers.
    let value: i64 = digits.parse().ok().filter(|v: &i64| *v < 1 << 40)?;
    Some(if text.starts_with('-') { -value } else { value })
}

/// Rounds to 28 significant digits (half-even), as any arithmetic in the default context does.
/// Results beyond the exponent limits are not numbers (Python raises, dbt then fails).
fn round_to_context(negative: bool, mut digits: String, mut exponent: i64) -> Option<Decimal> {
    if digits.len() > PRECISION {
        let dropped = digits.split_off(PRECISION);
        exponent += i64::try_from(dropped.len()).ok()?;
        let first = dropped.as_bytes()[0];
        let rest_nonzero = dropped.bytes().skip(1).any(|b| b != b'0');
        let last_odd = (digits.as_bytes()[PRECISION - 1] - b'0') % 2 == 1;
        let round_up = first > b'5' || (first == b'5' && (rest_nonzero || last_odd));
        if round_up {
            digits = increment(&digits);
            if digits.len() > PRECISION {
                digits.pop();
                exponent += 1;
            }
        }
    }
    let adjusted = exponent + i64::try_from(digits.len()).ok()? - 1;
    if digits != "0" && !(-EMAX..=EMAX).contains(&adjusted) {
        return None;
    }
    Some(Decimal::Finite {
        negative,
        digits,
        exponent,
    })
}

/// Adds one to a string of decimal digits.
fn increment(digits: &str) -> String {
    let mut bytes = digits.as_bytes().to_vec();
    for b in bytes.iter_mut().rev() {
        if *b == b'9' {
            *b = b'0';
        } else {
            *b += 1;
            return String::from_utf8(bytes).unwrap_or_default();
        }
    }
    let mut out = String::from("1");
    out.push_str(&String::from_utf8(bytes).unwrap_or_default());
    out
}

impl Decimal {
    /// Decimal places after `normalize()` (trailing zeros dropped); 0 for zero and non-finite
    /// values, which agate's `MaxPrecision` skips.
    pub(crate) fn places(&self) -> u32 {
        match self {
            Decimal::Finite {
                digits, exponent, ..
            } if digits != "0" => {
                let trailing = digits.bytes().rev().take_while(|&b| b == b'0').count();
                let normalized = exponent + i64::try_from(trailing).unwrap_or(0);
                u32::try_from(-normalized.min(0)).unwrap_or(u32::MAX)
            }
            _ => 0,
        }
    }

    /// The text dbt-postgres sends: psycopg2 writes a finite `Decimal` as `str()` and any other as
    /// `'NaN'::numeric`. In an integer column (`integer_column`, no value has decimals) the value
    /// is written as plain digits, which the integer input of Postgres COPY and DuckDB accept.
    /// Zero loses its sign: Postgres `numeric` has no negative zero.
    pub(crate) fn to_sql_text(&self, integer_column: bool) -> String {
        let Decimal::Finite {
            negative,
            digits,
            exponent,
        } = self
        else {
            return "NaN".into();
        };
        let sign = if *negative && digits != "0" { "-" } else { "" };
        if integer_column && digits != "0" {
            let trailing = digits.bytes().rev().take_while(|&b| b == b'0').count();
            let exponent = exponent + i64::try_from(trailing).unwrap_or(0);
            let digits = &digits[..digits.len() - trailing];
            if let Ok(zeros) = usize::try_from(exponent) {
                return format!("{sign}{digits}{}", "0".repeat(zeros));
            }
        }
        if integer_column && digits == "0" {
            return "0".into();
        }
        format!("{sign}{}", sci_string(digits, *exponent))
    }
}

/// Python's `Decimal.__str__` for a finite value without its sign: plain notation when the
/// exponent is not positive and the value is not tiny, else one digit before the point and `E±n`.
fn sci_string(digits: &str, exponent: i64) -> String {
    let len = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    let left_digits = exponent + len;
    let dot = if exponent <= 0 && left_digits > -6 {
        left_digits
    } else {
        1
    };
    let mut out = if dot <= 0 {
        format!(
            "0.{}{digits}",
            "0".repeat(usize::try_from(-dot).unwrap_or(0))
        )
    } else if dot >= len {
        format!(
            "{digits}{}",
            "0".repeat(usize::try_from(dot - len).unwrap_or(0))
        )
    } else {
        let split = usize::try_from(dot).unwrap_or(0);
        format!("{}.{}", &digits[..split], &digits[split..])
    };
    if left_digits != dot {
        out.push_str(&format!("E{:+}", left_digits - dot));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Decimal, parse_number};

    fn text(raw: &str) -> Option<String> {
        parse_number(raw).map(|d| d.to_sql_text(false))
    }

    #[test]
    fn casts_like_agate_number() {
        let cases = [
            ("1", "1"),
            (" 42 ", "42"),
            ("1.50", "1.50"),
            ("1e3", "1E+3"),
            ("2.5E2", "2.5E+2"),
            ("+5", "5"),
            ("007", "7"),
            ("-0.25", "-0.25"),
            ("1,000", "1000"),
            ("$5", "5"),
            ("-$3", "-3"),
            ("€7.50", "7.50"),
            ("12.5%", "12.5"),
            ("--5", "5"),
            ("1_000", "1000"),
            (".5", "0.5"),
            ("5.", "5"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1E-7"),
            ("0e-5", "0.00000"),
            ("1E+20", "1E+20"),
            (
                "1234567890123456789012345678901234.5",
                "1.234567890123456789012345679E+33",
            ),
            ("NaN", "NaN"),
            ("-inf", "NaN"),
        ];
        for (raw, want) in cases {
            assert_eq!(text(raw).as_deref(), Some(want), "{raw}");
        }
        for raw in ["", "abc", "1.2.3", "e5", "sNaN", "1e", "%", "$", "_ 5", "٣"] {
            assert_eq!(text(raw), None, "{raw}");
        }
    }

    #[test]
    fn precision_and_integer_text() {
        let places = |raw: &str| parse_number(raw).map(|d| d.places());
        assert_eq!(places("1.50"), Some(1));
        assert_eq!(places("2.00"), Some(0));
        assert_eq!(places("2.5E2"), Some(0));
        assert_eq!(places("1e-3"), Some(3));
        assert_eq!(places("NaN"), Some(0));
        let int = |raw: &str| parse_number(raw).map(|d| d.to_sql_text(true));
        assert_eq!(int("1.0").as_deref(), Some("1"));
        assert_eq!(int("2.5E2").as_deref(), Some("250"));
        assert_eq!(int("-0.0").as_deref(), Some("0"));
        assert_eq!(int("-40").as_deref(), Some("-40"));
        assert_eq!(
            parse_number("-0").map(|d| d.to_sql_text(false)).as_deref(),
            Some("0")
        );
        assert_eq!(parse_number("Infinity"), Some(Decimal::Infinite));
    }
}
