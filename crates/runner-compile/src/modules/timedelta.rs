//! `datetime.timedelta`: a duration normalised like CPython's (days, seconds in 0..86400,
//! microseconds in 0..10⁶), with its arithmetic, ordering and `str()`/`repr()`.

use std::cmp::Ordering;

use runner_jinja::{BinOp, Error, ErrorKind, Kwargs, Object, State, Value};

use super::{Class, bind, named_error, no_methods, obj, type_error};

const US_PER_DAY: i128 = 86_400_000_000;
const MAX_DAYS: i128 = 999_999_999;

/// A `datetime.timedelta`, kept as total microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct TimeDelta(pub i128);

impl TimeDelta {
    /// From total microseconds, with CPython's range check.
    pub fn from_us(us: i128) -> Result<TimeDelta, Error> {
        let days = us.div_euclid(US_PER_DAY);
        if days.abs() > MAX_DAYS {
            return Err(named_error(
                "OverflowError",
                format!("days={days}; must have magnitude <= 999999999"),
            ));
        }
        Ok(TimeDelta(us))
    }
    /// From whole seconds (offsets).
    pub fn seconds(s: i64) -> TimeDelta {
        TimeDelta(s as i128 * 1_000_000)
    }
    /// The `days` attribute.
    pub fn days(self) -> i64 {
        self.0.div_euclid(US_PER_DAY) as i64
    }
    /// The `seconds` attribute (0..86400).
    pub fn secs(self) -> i64 {
        (self.0.rem_euclid(US_PER_DAY) / 1_000_000) as i64
    }
    /// The `microseconds` attribute.
    pub fn micros(self) -> i64 {
        self.0.rem_euclid(1_000_000) as i64
    }
    /// Wrap as a template value.
    pub fn value(self) -> Value {
        obj(self)
    }
}

impl std::fmt::Display for TimeDelta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let days = self.days();
        if days != 0 {
            let plural = if days.abs() != 1 { "s" } else { "" };
            write!(f, "{days} day{plural}, ")?;
        }
        let s = self.secs();
        write!(f, "{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)?;
        if self.micros() != 0 {
            write!(f, ".{:06}", self.micros())?;
        }
        Ok(())
    }
}

/// Round half to even of `n / d` (d > 0), as CPython's `_divide_and_round`.
fn div_round(n: i128, d: i128) -> i128 {
    let (q, r) = (n.div_euclid(d), n.rem_euclid(d));
    match (2 * r).cmp(&d) {
        Ordering::Greater => q + 1,
        Ordering::Equal if q % 2 != 0 => q + 1,
        _ => q,
    }
}

fn floor_div(x: i128, y: i128) -> i128 {
    let q = x / y;
    if x % y != 0 && ((x < 0) != (y < 0)) {
        q - 1
    } else {
        q
    }
}

fn round_half_even(x: f64) -> i128 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 && (r as i128) % 2 != 0 {
        (r - x.signum()) as i128
    } else {
        r as i128
    }
}

/// `timedelta(days=0, seconds=0, microseconds=0, milliseconds=0, minutes=0, hours=0, weeks=0)`.
fn construct(_: &State, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    const NAMES: &[&str] = &[
        "days",
        "seconds",
        "microseconds",
        "milliseconds",
        "minutes",
        "hours",
        "weeks",
    ];
    const UNIT_US: [i128; 7] = [
        US_PER_DAY,
        1_000_000,
        1,
        1_000,
        60_000_000,
        3_600_000_000,
        7 * US_PER_DAY,
    ];
    let b = bind("timedelta", NAMES, args, kwargs)?;
    let (mut exact, mut frac) = (0i128, 0f64);
    for (i, unit) in UNIT_US.iter().enumerate() {
        match b.get(i) {
            None => {}
            Some(Value::Float(f)) => {
                let whole = f.trunc();
                exact += whole as i128 * unit;
                frac += (f - whole) * *unit as f64;
            }
            Some(v) => match v.as_int() {
                Some(n) => exact += n as i128 * unit,
                None => {
                    return Err(type_error(format!(
                        "unsupported type for timedelta {} component: {}",
                        NAMES[i],
                        v.type_name()
                    )));
                }
            },
        }
    }
    Ok(TimeDelta::from_us(exact + round_half_even(frac))?.value())
}

/// The `datetime.timedelta` class.
pub(crate) fn class() -> Value {
    obj(Class {
        name: "datetime.timedelta",
        ctor: Some(construct),
        methods: no_methods,
        method_names: &[],
        attrs: |name| {
            let max = (MAX_DAYS + 1) * US_PER_DAY - 1;
            Some(match name {
                "min" => TimeDelta(-MAX_DAYS * US_PER_DAY).value(),
                "max" => TimeDelta(max).value(),
                "resolution" => TimeDelta(1).value(),
                _ => return None,
            })
        },
    })
}

fn arith(a: TimeDelta, op: BinOp, other: &Value, reflected: bool) -> Option<Result<Value, Error>> {
    if let Some(b) = other.downcast_object::<TimeDelta>() {
        let (x, y) = if reflected { (b.0, a.0) } else { (a.0, b.0) };
        let zero = || {
            Error::new(
                ErrorKind::ZeroDivision,
                "integer division or modulo by zero",
            )
        };
        return Some(match op {
            BinOp::Add => TimeDelta::from_us(x + y).map(TimeDelta::value),
            BinOp::Sub => TimeDelta::from_us(x - y).map(TimeDelta::value),
            BinOp::Div if y == 0 => Err(Error::new(ErrorKind::ZeroDivision, "division by zero")),
            BinOp::Div => Ok(Value::Float(x as f64 / y as f64)),
            BinOp::FloorDiv if y == 0 => Err(zero()),
            BinOp::FloorDiv => Ok(Value::Int(floor_div(x, y) as i64)),
            BinOp::Mod if y == 0 => Err(zero()),
            BinOp::Mod => TimeDelta::from_us(x - floor_div(x, y) * y).map(TimeDelta::value),
            _ => return None,
        });
    }
    match (op, other) {
        (BinOp::Mul, Value::Int(_) | Value::Bool(_)) => {
            let n = other.as_int().unwrap_or(0) as i128;
            Some(TimeDelta::from_us(a.0 * n).map(TimeDelta::value))
        }
        (BinOp::Mul, Value::Float(f)) => {
            Some(TimeDelta::from_us(round_half_even(a.0 as f64 * f)).map(TimeDelta::value))
        }
        (BinOp::Div | BinOp::FloorDiv, Value::Int(_) | Value::Bool(_)) if !reflected => {
            let n = other.as_int().unwrap_or(0) as i128;
            if n == 0 {
                let msg = if op == BinOp::Div {
                    "division by zero"
                } else {
                    "integer division or modulo by zero"
                };
                return Some(Err(Error::new(ErrorKind::ZeroDivision, msg)));
            }
            let (n, d) = if n < 0 { (-a.0, -n) } else { (a.0, n) };
            let us = if op == BinOp::Div {
                div_round(n, d)
            } else {
                n.div_euclid(d)
            };
            Some(TimeDelta::from_us(us).map(TimeDelta::value))
        }
        (BinOp::Div, Value::Float(f)) if !reflected => {
            if *f == 0.0 {
                return Some(Err(Error::new(ErrorKind::ZeroDivision, "division by zero")));
            }
            Some(TimeDelta::from_us(round_half_even(a.0 as f64 / f)).map(TimeDelta::value))
        }
        _ => None,
    }
}

impl Object for TimeDelta {
    fn type_name(&self) -> &str {
        "datetime.timedelta"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        Some(Value::Int(match name {
            "days" => self.days(),
            "seconds" => self.secs(),
            "microseconds" => self.micros(),
            _ => return None,
        }))
    }
    fn call_method(
        &self,
        _: &State,
        name: &str,
        args: &[Value],
        kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        match name {
            "total_seconds" => {
                bind("total_seconds", &[], args, kwargs)?;
                Ok(Value::Float(self.0 as f64 / 1e6))
            }
            _ => Err(Error::new(
                ErrorKind::Undefined,
                format!("'datetime.timedelta' object has no attribute '{name}'"),
            )),
        }
    }
    fn binary_op(&self, op: BinOp, other: &Value, reflected: bool) -> Option<Result<Value, Error>> {
        arith(*self, op, other, reflected)
    }
    fn neg(&self) -> Option<Result<Value, Error>> {
        Some(TimeDelta::from_us(-self.0).map(TimeDelta::value))
    }
    fn py_eq(&self, other: &Value) -> Option<bool> {
        Some(other.downcast_object::<TimeDelta>() == Some(self))
    }
    fn py_cmp(&self, other: &Value) -> Option<Result<Ordering, Error>> {
        other
            .downcast_object::<TimeDelta>()
            .map(|o| Ok(self.cmp(o)))
    }
    fn is_true(&self) -> bool {
        self.0 != 0
    }
    fn to_str(&self) -> String {
        self.to_string()
    }
    fn repr(&self) -> String {
        let mut parts = Vec::new();
        for (name, v) in [
            ("days", self.days()),
            ("seconds", self.secs()),
            ("microseconds", self.micros()),
        ] {
            if v != 0 {
                parts.push(format!("{name}={v}"));
            }
        }
        if parts.is_empty() {
            parts.push("0".into());
        }
        format!("datetime.timedelta({})", parts.join(", "))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
