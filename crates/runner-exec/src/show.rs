//! `show`: previews the rows of one node, or of inline SQL, as `dbt show` does.
//!
//! The node is compiled with a live session (introspective macros see the warehouse, as at run
//! time); inline SQL is rendered as a template in a compile-phase scope, like a hook, so `ref`,
//! `source` and macros work in it. dbt's `get_show_sql` then prepends the node's `sql_header` and
//! appends `limit N` (`default__get_limit_sql`), and the rows are printed the way dbt prints its
//! agate table ([`render_text`]: agate's `print_table`) or as JSON ([`render_json`]).

use std::sync::Arc;

use runner_adapters::{Adapter, AdapterError, Cell, Table};
use runner_artifacts::{InjectedCte, ResourceType};
use runner_compile::context::session::Session;
use runner_compile::context::{NodeScope, Phase, RenderContext};
use runner_compile::relation::Relation;
use runner_compile::{CompileError, ParsedProject};
use serde_json::{Value as Json, json};
use thiserror::Error;

use crate::session::LiveSession;

/// The name dbt gives inline SQL's node.
pub const INLINE_NAME: &str = "inline_query";
/// Where dbt says inline SQL comes from, in its error messages.
const INLINE_PATH: &str = "from remote system.sql";
/// The template name inline SQL is rendered under (shows in Jinja errors).
const INLINE_TEMPLATE: &str = "remote system.sql";

/// What to preview.
#[derive(Debug, Clone)]
pub enum Subject {
    /// A node of the manifest, by unique id.
    Node(String),
    /// SQL given on the command line (`--inline`); may use Jinja.
    Inline(String),
}

/// Rows fetched for a preview.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The name dbt prints: the node's name (`name.v2` for a versioned model) or `inline_query`.
    pub name: String,
    /// True for `--inline` SQL.
    pub inline: bool,
    /// The SQL that ran (header and limit included).
    pub sql: String,
    /// The rows.
    pub table: Table,
}

/// Why a preview failed.
#[derive(Debug, Error)]
pub enum ShowError {
    /// The warehouse could not be reached.
    #[error("could not connect to target '{target}': {source}")]
    Connect {
        /// Target name.
        target: String,
        /// The adapter's error (host and reason, never the password).
        source: AdapterError,
    },
    /// The id is not a node of the manifest.
    #[error("no node '{0}' in the project")]
    UnknownNode(String),
    /// The node or the inline SQL did not compile.
    #[error(transparent)]
    Compile(#[from] CompileError),
    /// The warehouse rejected the query: dbt's `Runtime Error in <type> <name> (<path>)`.
    #[error("Runtime Error in {what}\n  {message}")]
    Database {
        /// `model customers (models/customers.sql)`.
        what: String,
        /// The warehouse's message.
        message: String,
    },
}

/// dbt's `default__get_limit_sql`: the SQL, then `limit N` on its own line (a trailing line
/// comment cannot swallow it). A negative `--limit` means no limit. As in dbt, SQL that already
/// ends in a `limit` fails when a limit is added.
pub fn limit_sql(sql: &str, limit: Option<u64>) -> String {
    match limit {
        Some(n) => format!("{sql}\nlimit {n}"),
        None => sql.to_string(),
    }
}

/// dbt's `get_show_sql`: the node's `sql_header` (if any), then the limited SQL.
fn show_sql(sql: &str, header: Option<&str>, limit: Option<u64>) -> String {
    let limited = limit_sql(sql, limit);
    match header {
        Some(h) if !h.trim().is_empty() => format!("{h}\n{limited}"),
        _ => limited,
    }
}

/// The warehouse's words, without the adapter's endpoint and SQL excerpt, every line indented
/// under dbt's `Runtime Error in …` heading.
fn db_message(e: &AdapterError) -> String {
    let text = match e {
        AdapterError::Database {
            message, detail, ..
        } => match detail {
            Some(d) => format!("{message}\n{d}"),
            None => message.clone(),
        },
        other => other.to_string(),
    };
    text.trim_end().replace('\n', "\n  ")
}

/// Renders inline SQL in a compile-phase scope with the session; returns the SQL with the
/// ephemeral models it refs injected as CTEs.
fn render_inline(
    parsed: &ParsedProject,
    sql: &str,
    session: &Arc<dyn Session>,
) -> Result<String, CompileError> {
    let shared = &parsed.shared;
    let mut scope = NodeScope::new(Phase::Compile, &shared.project_name, INLINE_TEMPLATE);
    scope.session = Some(session.clone());
    let database = Some(shared.default_database.clone()).filter(|d| !d.is_empty());
    scope.this = Some(Relation::new(
        database.clone(),
        Some(shared.default_schema.clone()),
        Some(INLINE_NAME.to_string()),
    ));
    // dbt renders inline SQL as a `sql_operation` node; macros reading `model` see its basics.
    scope.model = runner_jinja::Value::from_json(&json!({
        "name": INLINE_NAME,
        "resource_type": "sql_operation",
        "package_name": shared.project_name,
        "unique_id": format!("sql_operation.{}.{INLINE_NAME}", shared.project_name),
        "database": database,
        "schema": shared.default_schema,
        "alias": INLINE_NAME,
        "raw_code": sql,
        "config": {},
    }));
    let scope = Arc::new(scope);
    let ctx = Arc::new(RenderContext {
        shared: shared.clone(),
        scope: scope.clone(),
    });
    let template = runner_jinja::Template::parse(INLINE_TEMPLATE, sql)
        .map_err(|e| CompileError::jinja(INLINE_TEMPLATE, &e))?;
    let rendered = ctx
        .render(&template)
        .map_err(|e| CompileError::jinja(INLINE_TEMPLATE, &e))?;
    // Each ephemeral model the SQL refs becomes a CTE; its own ephemeral upstreams are already
    // injected into its compiled SQL, which nests validly inside the CTE.
    let mut ctes = Vec::new();
    for id in scope.take_captured().ephemerals {
        let (esql, _) = runner_compile::compile::compile_node(parsed, &id, Some(session))?;
        let name = &parsed.manifest.nodes[&id].name;
        ctes.push(InjectedCte {
            id: id.clone(),
            sql: format!(" __dbt__cte__{name} as (\n{esql}\n)"),
        });
    }
    Ok(runner_compile::compile::with_ctes(&rendered, &ctes))
}

/// Compiles `subject` against the warehouse and fetches its first `limit` rows (all when `None`).
pub fn show(
    parsed: &ParsedProject,
    adapter: &Adapter,
    target_name: &str,
    subject: &Subject,
    limit: Option<u64>,
) -> Result<Preview, ShowError> {
    runner_compile::compile::install_resolver(parsed);
    let conn = adapter.connect().map_err(|source| ShowError::Connect {
        target: target_name.to_string(),
        source,
    })?;
    let session = Arc::new(LiveSession::new(conn, None));
    let dyn_session: Arc<dyn Session> = session.clone();
    let (name, what, sql) = match subject {
        Subject::Inline(text) => {
            let sql = render_inline(parsed, text, &dyn_session)?;
            (
                INLINE_NAME.to_string(),
                format!("sql_operation {INLINE_NAME} ({INLINE_PATH})"),
                show_sql(&sql, None, limit),
            )
        }
        Subject::Node(id) => {
            let node = parsed
                .manifest
                .nodes
                .get(id)
                .ok_or_else(|| ShowError::UnknownNode(id.clone()))?;
            let compiled = if node.resource_type == ResourceType::Seed {
                // A seed has no SQL: preview what it loaded.
                let relation = Relation::new(
                    node.database.clone(),
                    Some(node.schema.clone()),
                    Some(node.alias.clone()),
                );
                format!("select * from {}", relation.render())
            } else {
                runner_compile::compile::compile_node(parsed, id, Some(&dyn_session))?.0
            };
            let header = node.config.get("sql_header").and_then(Json::as_str);
            let version = node.version.as_ref().and_then(|v| match v {
                Json::String(s) => Some(s.clone()),
                Json::Number(n) => Some(n.to_string()),
                _ => None,
            });
            (
                match version {
                    Some(v) => format!("{}.v{v}", node.name),
                    None => node.name.clone(),
                },
                format!(
                    "{} {} ({})",
                    node.resource_type.as_str(),
                    node.name,
                    node.original_file_path
                ),
                show_sql(&compiled, header, limit),
            )
        }
    };
    drop(dyn_session);
    let mut conn = session.conn();
    let fetched = conn.fetch(&sql);
    // A preview changes nothing: whatever a macro began is rolled back, as dbt releases it.
    if conn.in_transaction() {
        let _ = conn.rollback();
    }
    let (_, table) = fetched.map_err(|e| ShowError::Database {
        what,
        message: db_message(&e),
    })?;
    Ok(Preview {
        name,
        inline: matches!(subject, Subject::Inline(_)),
        sql,
        table,
    })
}

// ---------------------------------------------------------------------------------------------
// Printing, as agate and dbt's ShowNode event do.

/// agate's `print_table` defaults, as dbt calls it (`max_rows=None`).
const MAX_COLUMNS: usize = 6;
const MAX_COLUMN_WIDTH: usize = 20;
const MAX_PRECISION: u32 = 3;
/// agate's `ellipsis_chars` / `text_truncation_chars`, and `number_truncation_chars`.
const ELLIPSIS: &str = "...";
const NUMBER_ELLIPSIS: &str = "…";

/// The agate type dbt's type tester gives a column (dbt's `Integer` before agate's `Number`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Number,
    Boolean,
    Date,
    DateTime,
    Text,
}

/// True for engine type names of integers (`BIGINT`, `HUGEINT`, `int8`, …): Python drivers hand
/// those back as `int`, even beyond 64 bits where the adapter keeps them as decimal text.
fn integral_type(type_name: &str) -> bool {
    let t = type_name.to_ascii_lowercase();
    (t.starts_with("int") && !t.starts_with("interval")) || t.ends_with("int")
}

fn cell_kind(cell: &Cell, type_name: &str) -> Option<Kind> {
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
fn column_kind(table: &Table, i: usize) -> Kind {
    let type_name = table.columns.get(i).map_or("", |c| c.type_name.as_str());
    table
        .rows
        .iter()
        .find_map(|r| r.get(i).and_then(|c| cell_kind(c, type_name)))
        .unwrap_or(Kind::Integer)
}

/// A finite decimal as Python's `Decimal` holds it: `digits × 10^exp`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Dec {
    neg: bool,
    digits: Vec<u8>,
    exp: i64,
}

#[derive(Debug, Clone, PartialEq)]
enum Num {
    Finite(Dec),
    NaN,
    Inf { neg: bool },
}

impl Num {
    /// Parses `-123.4500`, `1e+20`, `NaN`, `Infinity`.
    fn parse(text: &str) -> Option<Num> {
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
    fn from_f64(f: f64) -> Num {
        if f.is_nan() {
            Num::NaN
        } else if f.is_infinite() {
            Num::Inf { neg: f < 0.0 }
        } else {
            // `{:e}` prints the shortest digits that round-trip, as Python's repr does.
            Num::parse(&format!("{f:e}")).unwrap_or(Num::NaN)
        }
    }

    fn of_cell(cell: &Cell) -> Option<Num> {
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
    fn places(&self) -> u32 {
        if self.digits.iter().all(|d| *d == 0) {
            return 0;
        }
        let trailing = self.digits.iter().rev().take_while(|d| **d == 0).count();
        let exp = self.exp + i64::try_from(trailing).unwrap_or(0);
        u32::try_from(-exp).unwrap_or(0)
    }

    /// babel's `format_decimal` with agate's `#,##0.000` pattern: rounded half-even to `places`,
    /// thousands grouped with `,`.
    fn format(&self, places: u32) -> String {
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
fn micros_suffix(nanos: u32) -> String {
    let micros = nanos / 1000;
    if micros == 0 {
        String::new()
    } else {
        format!(".{micros:06}")
    }
}

fn offset_suffix(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    format!("{sign}{:02}:{:02}", s / 3600, (s % 3600) / 60)
}

/// A date/time value as Python's `str()` (`sep` ' ') or `isoformat()` (`sep` 'T') prints it.
fn datetime_text(cell: &Cell, sep: char) -> Option<String> {
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
fn truncate(text: String) -> String {
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
fn number_format(table: &Table, i: usize) -> (u32, bool) {
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

fn cell_text(cell: &Cell, kind: Kind, number: (u32, bool)) -> String {
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

/// JSON as Python's `json.dumps(…, indent=2)` writes it (ASCII only, `NaN`, floats as `repr`).
#[derive(Debug, Clone)]
enum PyJson {
    Null,
    Bool(bool),
    /// A number already in Python's spelling.
    Number(String),
    Str(String),
    List(Vec<PyJson>),
    Object(Vec<(String, PyJson)>),
}

/// Python's `repr(float)`: the shortest round-trip digits, positional from 1e-4 up to 1e16,
/// otherwise `1e+20`, `1.5e-07`.
fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-Infinity" } else { "Infinity" }.into();
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let int_len = usize::try_from(exp + 1).unwrap_or(1);
            if digits.len() <= int_len {
                format!("{sign}{digits}{}.0", "0".repeat(int_len - digits.len()))
            } else {
                format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
            }
        } else {
            let zeros = usize::try_from(-exp - 1).unwrap_or(0);
            format!("{sign}0.{}{digits}", "0".repeat(zeros))
        }
    } else {
        let m = if digits.len() == 1 {
            digits.clone()
        } else {
            format!("{}.{}", &digits[..1], &digits[1..])
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{esign}{:02}", exp.unsigned_abs())
    }
}

fn py_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

impl PyJson {
    fn write(&self, indent: usize, out: &mut String) {
        let pad = |n: usize| "  ".repeat(n);
        match self {
            PyJson::Null => out.push_str("null"),
            PyJson::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            PyJson::Number(n) => out.push_str(n),
            PyJson::Str(s) => py_string(s, out),
            PyJson::List(items) if items.is_empty() => out.push_str("[]"),
            PyJson::Object(items) if items.is_empty() => out.push_str("{}"),
            PyJson::List(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&pad(indent + 1));
                    item.write(indent + 1, out);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push(']');
            }
            PyJson::Object(items) => {
                out.push_str("{\n");
                for (i, (k, v)) in items.iter().enumerate() {
                    out.push_str(&pad(indent + 1));
                    py_string(k, out);
                    out.push_str(": ");
                    v.write(indent + 1, out);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                out.push_str(&pad(indent));
                out.push('}');
            }
        }
    }
}

/// A value as agate's `to_json` gives it: numbers as floats (`Decimal` → `float`), integers as
/// integers, dates and datetimes in ISO format, everything else as text.
fn cell_json(cell: &Cell, kind: Kind) -> PyJson {
    match (cell, kind) {
        (Cell::Null, _) => PyJson::Null,
        (Cell::Bool(b), _) => PyJson::Bool(*b),
        (Cell::Integer(i), _) => PyJson::Number(i.to_string()),
        (Cell::Decimal(s), Kind::Integer) => PyJson::Number(s.clone()),
        (Cell::Decimal(s), _) => PyJson::Number(py_float(s.parse::<f64>().unwrap_or(f64::NAN))),
        (Cell::Float(f), _) => PyJson::Number(py_float(*f)),
        (Cell::Time(_), _) => PyJson::Str(datetime_text(cell, ' ').unwrap_or_default()),
        (Cell::Date(_) | Cell::Timestamp(_) | Cell::TimestampTz(_), _) => {
            PyJson::Str(datetime_text(cell, 'T').unwrap_or_default())
        }
        (other, _) => PyJson::Str(other.to_string()),
    }
}

/// dbt's `--output json` preview: `{"node": name, "show": [rows]}` (no `node` for inline SQL),
/// indented by 2 as Python's `json.dumps` does. No trailing newline.
pub fn render_json(preview: &Preview) -> String {
    let table = &preview.table;
    let kinds: Vec<Kind> = (0..table.columns.len())
        .map(|i| column_kind(table, i))
        .collect();
    let rows = table
        .rows
        .iter()
        .map(|row| {
            PyJson::Object(
                table
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(j, c)| {
                        let cell = row.get(j).unwrap_or(&Cell::Null);
                        (c.name.clone(), cell_json(cell, kinds[j]))
                    })
                    .collect(),
            )
        })
        .collect();
    let mut doc = Vec::new();
    if !preview.inline {
        doc.push(("node".to_string(), PyJson::Str(preview.name.clone())));
    }
    doc.push(("show".to_string(), PyJson::List(rows)));
    let mut out = String::new();
    PyJson::Object(doc).write(0, &mut out);
    out
}

/// dbt's ShowNode message: the JSON document, or the table under `Previewing node 'x':` /
/// `Previewing inline node:` (the bare table when quiet).
pub fn message(preview: &Preview, json: bool, quiet: bool) -> String {
    if json {
        return render_json(preview);
    }
    let table = render_text(&preview.table);
    if quiet {
        table
    } else if preview.inline {
        format!("Previewing inline node:\n{table}")
    } else {
        format!("Previewing node '{}':\n{table}", preview.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runner_adapters::Column;

    fn col(name: &str, type_name: &str) -> Column {
        Column {
            name: name.into(),
            type_name: type_name.into(),
        }
    }

    fn dec(s: &str) -> Dec {
        match Num::parse(s) {
            Some(Num::Finite(d)) => d,
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn numbers_format_as_babel_does() {
        assert_eq!(dec("1234567").format(0), "1,234,567");
        assert_eq!(dec("-9876543").format(0), "-9,876,543");
        assert_eq!(dec("600.00").format(2), "600.00");
        assert_eq!(dec("600.00").places(), 0);
        assert_eq!(dec("0.0005").format(3), "0.000");
        assert_eq!(dec("0.0015").format(3), "0.002");
        assert_eq!(dec("-0.0001").format(3), "-0.000");
        assert_eq!(dec("0.9996").format(3), "1.000");
        assert_eq!(dec("-12345.678").format(3), "-12,345.678");
        assert_eq!(dec("1e+20").format(1), "100,000,000,000,000,000,000.0");
        assert_eq!(dec("0.0").format(3), "0.000");
        match Num::from_f64(1.0 / 3.0) {
            Num::Finite(d) => assert_eq!(d.places(), 16),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn floats_print_as_python_repr() {
        assert_eq!(py_float(1e20), "1e+20");
        assert_eq!(py_float(2.0), "2.0");
        assert_eq!(py_float(-2.5), "-2.5");
        assert_eq!(py_float(1.0 / 3.0), "0.3333333333333333");
        assert_eq!(py_float(1.5e-7), "1.5e-07");
        assert_eq!(py_float(0.0001), "0.0001");
        assert_eq!(py_float(1e16), "1e+16");
        assert_eq!(py_float(1e15), "1000000000000000.0");
        assert_eq!(py_float(680.77), "680.77");
    }

    /// The shape `dbt show` printed for the same values (dbt-core 1.12.6, dbt-duckdb 1.11).
    #[test]
    fn table_matches_agate() {
        let table = Table {
            columns: vec![
                col("big", "BIGINT"),
                col("dec", "DECIMAL(10,2)"),
                col("third", "DOUBLE"),
                col("dbl", "DOUBLE"),
                col("txt", "VARCHAR"),
                col("flag", "BOOLEAN"),
                col("hidden", "INTEGER"),
            ],
            rows: vec![
                vec![
                    Cell::Integer(1234567),
                    Cell::Decimal("600.00".into()),
                    Cell::Float(1.0 / 3.0),
                    Cell::Float(-2.5),
                    Cell::Text("a very long text value over twenty chars".into()),
                    Cell::Bool(true),
                    Cell::Integer(1),
                ],
                vec![
                    Cell::Integer(2),
                    Cell::Decimal("1.50".into()),
                    Cell::Float(2.0),
                    Cell::Float(1e20),
                    Cell::Text("b".into()),
                    Cell::Null,
                    Cell::Null,
                ],
            ],
        };
        let want = "\
|     big |   dec |  third |                  dbl | txt                  | flag | ... |
| ------- | ----- | ------ | -------------------- | -------------------- | ---- | --- |
| 1234567 | 600.0 | 0.333… |                 -2.5 | a very long text ... | True | ... |
|       2 |   1.5 | 2.000… | 100,000,000,000,0... | b                    |      | ... |
";
        assert_eq!(render_text(&table), want);
    }

    #[test]
    fn json_matches_dbt() {
        let preview = Preview {
            name: "customers".into(),
            inline: false,
            sql: String::new(),
            table: Table {
                columns: vec![col("id", "INTEGER"), col("name", "VARCHAR")],
                rows: vec![vec![Cell::Integer(1), Cell::Text("Zoë".into())]],
            },
        };
        assert_eq!(
            render_json(&preview),
            "{\n  \"node\": \"customers\",\n  \"show\": [\n    {\n      \"id\": 1,\n      \"name\": \"Zo\\u00eb\"\n    }\n  ]\n}"
        );
        let empty = Preview {
            inline: true,
            table: Table {
                columns: vec![col("a", "INTEGER")],
                rows: vec![],
            },
            ..preview
        };
        assert_eq!(render_json(&empty), "{\n  \"show\": []\n}");
        assert_eq!(render_text(&empty.table), "| a |\n| - |\n");
    }

    #[test]
    fn limit_is_appended_as_dbt_does() {
        assert_eq!(limit_sql("select 1", Some(5)), "select 1\nlimit 5");
        assert_eq!(limit_sql("select 1 -- note", None), "select 1 -- note");
        assert_eq!(
            show_sql("select 1", Some("set x = 1;"), Some(2)),
            "set x = 1;\nselect 1\nlimit 2"
        );
    }
}
