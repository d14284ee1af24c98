//! agate's `print_table` as dbt's `show` prints it: kinds of columns, Python's number and date
//! spellings, truncation and alignment.

use runner_adapters::{Cell, Table};

/// agate's `print_table` defaults, as dbt calls it (`max_rows=None`).
pub(super) const MAX_COLUMNS: usize = 6;
pub(super) const MAX_COLUMN_WIDTH: usize = 20;
pub(super) const MAX_PRECISION: u32 = 3;
/// agate's `ellipsis_chars` / `text_truncation_chars`, and `number_truncation_chars`.
pub(super) const ELLIPSIS: &str = "...";
pub(super) const NUMBER_ELLIPSIS: &str = "…";

/// The agate type dbt's type tester gives a column (dbt's `Integer` before agate's `Number`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Integer,
    Number,
    Boolean,
    Date,
    DateTime,
    Text,
}

/// True for engine type names of integers (`BIGINT`, `HUGEINT`, `int8`, …): Python drivers hand
/// those back as `int`, even beyond 64 bits where the adapter keeps them as decimal text.
pub(super) fn integral_type(type_name: &str) -> bool {
    let t = type_name.to_ascii_lowercase();
    (t.starts_with("int") && !t.starts_with("interval")) || t.ends_with("int")
}

pub(super) fn cell_kind(cell: &Cell, type_name: &str) -> Option<Kind> {
    Some(match cell {
        Cell::Null => return None,
        Cell::Integer(_) => Kind::Integer,
        Cell::Decimal(_) if integral_type(type_name) => Kind::Integer,
        Cell::Decimal(_) | Cell::Float(_) => Kind::Number,
        Cell::Bool(_) => Kind::Boolean,
        Cell::Date(_) => Kind::Date,
        Cell::Timestamp(_) | Cell::TimestampTz(_) => Kind::DateTime,
        // Python drivers give times, JSON, arrays and bytes as values agate keeps as text.
        Cell::Text(_) | Cell::Json(_) | Cell::Time(_) | Cell::Bytes(_) => Kind::Text,
    })
}

/// A column's kind from its first value; an all-NULL column is dbt's `Integer`.
pub(super) fn column_kind(table: &Table, i: usize) -> Kind {
    let type_name = table.columns.get(i).map_or("", |c| c.type_name.as_str());
    table
        .rows
        .iter()
        .find_map(|r| r.get(i).and_then(|c| cell_kind(c, type_name)))
        .unwrap_or(Kind::Integer)
}

/// A finite decimal as Python's `Decimal` holds it: `digits × 10^exp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Dec {
    neg: bool,
    digits: Vec<u8>,
    exp: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Num {
    Finite(Dec),
    NaN,
    Inf { neg: bool },
}

impl Num {
    /// Parses `-123.4500`, `1e+20`, `NaN`, `Infinity`.
    pub(super) fn parse(text: &str) -> Option<Num> {
        let t = text.trim();
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let lower = body.to_ascii_lowercase();
        if lower == "nan" {
            return Some(Num::NaN);
        }
        if lower == "inf" || lower == "infinity" {
            return Some(Num::Inf { neg });
        }
        let (mantissa, exp) = match lower.split_once('e') {
            Some((m, e)) => (m.to_string(), e.parse::<i64>().ok()?),
            None => (lower.clone(), 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((&mantissa, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let mut digits = Vec::with_capacity(int.len() + frac.len());
        for c in int.chars().chain(frac.chars()) {
            digits.push(u8::try_from(c.to_digit(10)?).ok()?);
        }
        let exp = exp - i64::try_from(frac.len()).ok()?;
        let first = digits
            .iter()
            .position(|d| *d != 0)
            .unwrap_or(digits.len() - 1);
        digits.drain(..first);
        Some(Num::Finite(Dec { neg, digits, exp }))
    }

    /// A float as agate casts it: `Decimal(repr(f))`.
    pub(super) fn from_f64(f: f64) -> Num {
        if f.is_nan() {
            Num::NaN
        } else if f.is_infinite() {
            Num::Inf { neg: f < 0.0 }
        } else {
            // `{:e}` prints the shortest digits that round-trip, as Python's repr does.
            Num::parse(&format!("{f:e}")).unwrap_or(Num::NaN)
        }
    }

    pub(super) fn of_cell(cell: &Cell) -> Option<Num> {
        match cell {
            Cell::Float(f) => Some(Num::from_f64(*f)),
            Cell::Decimal(s) => Num::parse(s),
            Cell::Integer(i) => Num::parse(&i.to_string()),
            _ => None,
        }
    }
}

impl Dec {
    /// Decimal places after `normalize()` (trailing zeros dropped), as agate's `max_precision`.
    pub(super) fn places(&self) -> u32 {
        if self.digits.iter().all(|d| *d == 0) {
            return 0;
        }
        let trailing = self.digits.iter().rev().take_while(|d| **d == 0).count();
        let exp = self.exp + i64::try_from(trailing).unwrap_or(0);
        u32::try_from(-exp).unwrap_or(0)
    }

    /// babel's `format_decimal` with agate's `#,##0.000` pattern: rounded half-even to `places`,
    /// thousands grouped with `,`.
    pub(super) fn format(&self, places: u32) -> String {
        let places_i = i64::from(places);
        let mut digits = self.digits.clone();
        if self.exp >= -places_i {
            let pad = usize::try_from(self.exp + places_i).unwrap_or(0);
            digits.extend(std::iter::repeat_n(0, pad));
        } else {
            let drop = usize::try_from(-places_i - self.exp).unwrap_or(0);
            // Keep at least one digit before the cut so the carry has a place to go.
            if digits.len() <= drop {
                let mut padded = vec![0; drop + 1 - digits.len()];
                padded.extend(digits);
                digits = padded;
            }
            let cut = digits.len() - drop;
            let first_dropped = digits[cut];
            let rest_nonzero = digits[cut + 1..].iter().any(|d| *d != 0);
            digits.truncate(cut);
            let last_odd = digits.last().is_some_and(|d| d % 2 == 1);
            let up = first_dropped > 5 || (first_dropped == 5 && (rest_nonzero || last_odd));
            if up {
                let mut i = digits.len();
                loop {
                    if i == 0 {
                        digits.insert(0, 1);
                        break;
                    }
                    i -= 1;
                    if digits[i] == 9 {
                        digits[i] = 0;
                    } else {
                        digits[i] += 1;
                        break;
                    }
                }
            }
        }
        let places_u = usize::try_from(places).unwrap_or(0);
        while digits.len() <= places_u {
            digits.insert(0, 0);
        }
        let (int, frac) = digits.split_at(digits.len() - places_u);
        let first = int.iter().position(|d| *d != 0).unwrap_or(int.len() - 1);
        let int: String = int[first..].iter().map(|d| char::from(b'0' + d)).collect();
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let mut out = String::new();
        if self.neg {
            out.push('-');
        }
        out.push_str(&grouped);
        if places > 0 {
            out.push('.');
            out.extend(frac.iter().map(|d| char::from(b'0' + d)));
        }
        out
    }
}

/// Python's `str()` of a time, datetime or date.
pub(super) fn micros_suffix(nanos: u32) -> String {
    let micros = nanos / 1000;
    if micros == 0 {
        String::new()
    } else {
        format!(".{micros:06}")
    }
}

pub(super) fn offset_suffix(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    format!("{sign}{:02}:{:02}", s / 3600, (s % 3600) / 60)
}

/// A date/time value as Python's `str()` (`sep` ' ') or `isoformat()` (`sep` 'T') prints it.
pub(super) fn datetime_text(cell: &Cell, sep: char) -> Option<String> {
    use chrono::Timelike;
    Some(match cell {
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        Cell::Time(t) => format!("{}{}", t.format("%H:%M:%S"), micros_suffix(t.nanosecond())),
        Cell::Timestamp(t) => format!(
            "{}{sep}{}{}",
            t.format("%Y-%m-%d"),
            t.format("%H:%M:%S"),
            micros_suffix(t.nanosecond())
        ),
        Cell::TimestampTz(t) => format!(
            "{}{sep}{}{}{}",
            t.format("%Y-%m-%d"),
            t.format("%H:%M:%S"),
            micros_suffix(t.nanosecond()),
            offset_suffix(t.offset().local_minus_utc())
        ),
        _ => return None,
    })
}

/// `text` cut to agate's column width, ending in `...`.
pub(super) fn truncate(text: String) -> String {
    if text.chars().count() > MAX_COLUMN_WIDTH {
        let keep: String = text
            .chars()
            .take(MAX_COLUMN_WIDTH - ELLIPSIS.len())
            .collect();
        format!("{keep}{ELLIPSIS}")
    } else {
        text
    }
}

/// How a Number column prints: the decimal places of its most precise value (at most 3, then
/// with `…`), as agate's `print_table` decides.
pub(super) fn number_format(table: &Table, i: usize) -> (u32, bool) {
    let places = table
        .rows
        .iter()
        .filter_map(|r| r.get(i).and_then(Num::of_cell))
        .filter_map(|n| match n {
            Num::Finite(d) => Some(d.places()),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    if places > MAX_PRECISION {
        (MAX_PRECISION, true)
    } else {
        (places, false)
    }
}

pub(super) fn cell_text(cell: &Cell, kind: Kind, number: (u32, bool)) -> String {
    if cell.is_null() {
        return String::new();
    }
    if kind == Kind::Number {
        return match Num::of_cell(cell) {
            Some(Num::Finite(d)) => {
                let mut s = d.format(number.0);
                if number.1 {
                    s.push_str(NUMBER_ELLIPSIS);
                }
                s
            }
            Some(Num::NaN) => "NaN".into(),
            Some(Num::Inf { neg: true }) => "-Infinity".into(),
            Some(Num::Inf { neg: false }) => "Infinity".into(),
            None => cell.to_string(),
        };
    }
    match cell {
        Cell::Bool(true) => "True".into(),
        Cell::Bool(false) => "False".into(),
        other => datetime_text(other, ' ').unwrap_or_else(|| other.to_string()),
    }
}

/// The table as agate's `print_table(max_rows=None)` prints it: GitHub-flavoured Markdown, at
/// most 6 columns (then a `...` column), values cut at 20 characters, text left-aligned and
/// everything else right-aligned, numbers to the column's precision with thousands separators.
/// Ends with a newline.
pub fn render_text(table: &Table) -> String {
    let shown = table.columns.len().min(MAX_COLUMNS);
    let columns_truncated = table.columns.len() > MAX_COLUMNS;
    // agate aligns the `...` column by the type of the first hidden column.
    let kinds: Vec<Kind> = (0..table.columns.len().min(MAX_COLUMNS + 1))
        .map(|i| column_kind(table, i))
        .collect();
    let formats: Vec<(u32, bool)> = (0..shown).map(|i| number_format(table, i)).collect();
    let mut header: Vec<String> = table.columns[..shown]
        .iter()
        .map(|c| truncate(c.name.clone()))
        .collect();
    if columns_truncated {
        header.push(ELLIPSIS.into());
    }
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|row| {
            let mut out: Vec<String> = (0..shown)
                .map(|j| {
                    let cell = row.get(j).unwrap_or(&Cell::Null);
                    truncate(cell_text(cell, kinds[j], formats[j]))
                })
                .collect();
            if columns_truncated {
                out.push(ELLIPSIS.into());
            }
            out
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, v) in widths.iter_mut().zip(row) {
            *w = (*w).max(v.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(j, d)| {
                let w = widths[j];
                if kinds.get(j) == Some(&Kind::Text) {
                    format!(" {d:<w$} ")
                } else {
                    format!(" {d:>w$} ")
                }
            })
            .collect();
        format!("|{}|\n", parts.join("|"))
    };
    let mut out = line(&header);
    let dashes: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&format!("| {} |\n", dashes.join(" | ")));
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}
