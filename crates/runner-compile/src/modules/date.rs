//! `datetime.date`: construction and validation shared with `datetime`, class methods, methods,
//! arithmetic with timedeltas and ordering.

use std::cmp::Ordering;

use chrono::{Datelike, NaiveDate};
use runner_jinja::{BinOp, Error, ErrorKind, Kwargs, Object, State, Value};

use super::datetime::DateTime;
use super::timedelta::TimeDelta;
use super::{
    Bound, Class, bind, date_overflow, int_arg, isoformat, obj, str_arg, strftime, value_error,
};

/// A `datetime.date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Date(pub NaiveDate);

/// A validated date, with CPython's messages.
pub(crate) fn make_date(y: i64, m: i64, d: i64) -> Result<NaiveDate, Error> {
    if !(1..=9999).contains(&y) {
        return Err(value_error(format!("year {y} is out of range")));
    }
    if !(1..=12).contains(&m) {
        return Err(value_error("month must be in 1..12"));
    }
    NaiveDate::from_ymd_opt(y as i32, m as u32, d.clamp(0, 99) as u32)
        .filter(|_| d >= 1)
        .ok_or_else(|| value_error("day is out of range for month"))
}

/// A date within Python's range (years 1..=9999) or `OverflowError`.
pub(crate) fn in_range(d: Option<NaiveDate>) -> Result<NaiveDate, Error> {
    d.filter(|d| (1..=9999).contains(&d.year()))
        .ok_or_else(date_overflow)
}

/// The ISO calendar triple as CPython's `IsoCalendarDate` (a named tuple).
pub(crate) fn iso_calendar(d: NaiveDate) -> Value {
    let w = d.iso_week();
    obj(IsoCalendar([
        w.year() as i64,
        w.week() as i64,
        d.weekday().number_from_monday() as i64,
    ]))
}

/// Methods shared by `date` and `datetime` (on the date part); `Ok(None)` for other names.
pub(crate) fn date_method(
    d: NaiveDate,
    name: &str,
    args: &[Value],
    kwargs: &Kwargs,
) -> Result<Option<Value>, Error> {
    let f: &'static str = match name {
        "weekday" => "weekday",
        "isoweekday" => "isoweekday",
        "isocalendar" => "isocalendar",
        "toordinal" => "toordinal",
        _ => return Ok(None),
    };
    bind(f, &[], args, kwargs)?;
    Ok(Some(match f {
        "weekday" => Value::Int(d.weekday().num_days_from_monday() as i64),
        "isoweekday" => Value::Int(d.weekday().number_from_monday() as i64),
        "isocalendar" => iso_calendar(d),
        _ => Value::Int(d.num_days_from_ce() as i64),
    }))
}

fn construct(_: &State, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let b = bind("date", &["year", "month", "day"], args, kwargs)?;
    Ok(Date(make_date(b.int(0)?, b.int(1)?, b.int(2)?)?).value())
}

const METHODS: &[&str] = &[
    "today",
    "fromisoformat",
    "fromordinal",
    "fromtimestamp",
    "fromisocalendar",
];

fn class_method(
    _: &State,
    name: &str,
    args: &[Value],
    kwargs: &Kwargs,
) -> Result<Option<Value>, Error> {
    let v = match name {
        "today" => bind("today", &[], args, kwargs)
            .map(|_| Date(chrono::Local::now().date_naive()).value()),
        "fromisoformat" => {
            let b = bind("fromisoformat", &["date_string"], args, kwargs)?;
            let s = str_arg(b.required(0)?, "fromisoformat:")?;
            return isoformat::parse_date(s)
                .map(|d| Date(d).value())
                .ok_or_else(|| {
                    value_error(format!(
                        "Invalid isoformat string: {}",
                        Value::from(s).repr()
                    ))
                })
                .map(Some);
        }
        "fromordinal" => {
            let b = bind("fromordinal", &["ordinal"], args, kwargs)?;
            Ok(Date(from_ordinal(b.int(0)?)?).value())
        }
        "fromtimestamp" => {
            let b = bind("fromtimestamp", &["timestamp"], args, kwargs)?;
            let dt = DateTime::from_timestamp(b.required(0)?, None)?;
            Ok(Date(dt.naive.date()).value())
        }
        "fromisocalendar" => {
            let b = bind("fromisocalendar", &["year", "week", "day"], args, kwargs)?;
            from_iso_calendar(&b).map(|d| Date(d).value())
        }
        _ => return Ok(None),
    };
    v.map(Some)
}

fn from_iso_calendar(b: &Bound) -> Result<NaiveDate, Error> {
    let (y, w, d) = (b.int(0)?, b.int(1)?, b.int(2)?);
    if !(1..=7).contains(&d) {
        return Err(value_error(format!(
            "Invalid weekday: {d} (range is [1, 7])"
        )));
    }
    let wd = chrono::Weekday::try_from((d - 1) as u8).unwrap_or(chrono::Weekday::Mon);
    NaiveDate::from_isoywd_opt(y as i32, w as u32, wd)
        .ok_or_else(|| value_error(format!("Invalid week: {w}")))
}

/// The proleptic Gregorian ordinal (day 1 = 0001-01-01).
pub(crate) fn from_ordinal(n: i64) -> Result<NaiveDate, Error> {
    let d = i32::try_from(n)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt);
    d.filter(|d| (1..=9999).contains(&d.year()))
        .ok_or_else(|| value_error("ordinal must be >= 1"))
}

/// The `datetime.date` class.
pub(crate) fn class() -> Value {
    obj(Class {
        name: "datetime.date",
        ctor: Some(construct),
        methods: class_method,
        method_names: METHODS,
        attrs: |name| {
            Some(match name {
                "min" => Date(NaiveDate::from_ymd_opt(1, 1, 1)?).value(),
                "max" => Date(NaiveDate::from_ymd_opt(9999, 12, 31)?).value(),
                "resolution" => TimeDelta(86_400_000_000).value(),
                _ => return None,
            })
        },
    })
}

impl Date {
    /// Wrap as a template value.
    pub fn value(self) -> Value {
        obj(self)
    }
    fn replace(&self, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
        let b = bind("replace", &["year", "month", "day"], args, kwargs)?;
        let d = self.0;
        let y = b.int_or(0, d.year() as i64)?;
        let m = b.int_or(1, d.month() as i64)?;
        Ok(Date(make_date(y, m, b.int_or(2, d.day() as i64)?)?).value())
    }
}

impl Object for Date {
    fn type_name(&self) -> &str {
        "datetime.date"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        Some(Value::Int(match name {
            "year" => self.0.year() as i64,
            "month" => self.0.month() as i64,
            "day" => self.0.day() as i64,
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
        if let Some(v) = date_method(self.0, name, args, kwargs)? {
            return Ok(v);
        }
        let midnight = self.0.and_hms_opt(0, 0, 0).unwrap_or_default();
        match name {
            "strftime" => {
                let b = bind("strftime", &["format"], args, kwargs)?;
                let f = str_arg(b.required(0)?, "strftime()")?;
                Ok(Value::from(strftime::format(&midnight, None, f)))
            }
            "isoformat" => {
                bind("isoformat", &[], args, kwargs)?;
                Ok(Value::from(self.to_str()))
            }
            "ctime" => Ok(Value::from(strftime::format(&midnight, None, "%c"))),
            "replace" => self.replace(args, kwargs),
            _ => Err(Error::new(
                ErrorKind::Undefined,
                format!("'datetime.date' object has no attribute '{name}'"),
            )),
        }
    }
    fn binary_op(&self, op: BinOp, other: &Value, reflected: bool) -> Option<Result<Value, Error>> {
        if let Some(td) = other.downcast_object::<TimeDelta>() {
            let days = chrono::Duration::days(td.days());
            return match (op, reflected) {
                (BinOp::Add, _) => {
                    Some(in_range(self.0.checked_add_signed(days)).map(|d| Date(d).value()))
                }
                (BinOp::Sub, false) => {
                    Some(in_range(self.0.checked_sub_signed(days)).map(|d| Date(d).value()))
                }
                _ => None,
            };
        }
        if let (BinOp::Sub, Some(o)) = (op, other.downcast_object::<Date>()) {
            let (a, b) = if reflected {
                (o.0, self.0)
            } else {
                (self.0, o.0)
            };
            return Some(
                TimeDelta::from_us((a - b).num_days() as i128 * 86_400_000_000)
                    .map(TimeDelta::value),
            );
        }
        None
    }
    fn py_eq(&self, other: &Value) -> Option<bool> {
        Some(other.downcast_object::<Date>() == Some(self))
    }
    fn py_cmp(&self, other: &Value) -> Option<Result<Ordering, Error>> {
        if other.downcast_object::<DateTime>().is_some() {
            return Some(Err(super::type_error(
                "can't compare datetime.datetime to datetime.date",
            )));
        }
        other.downcast_object::<Date>().map(|o| Ok(self.cmp(o)))
    }
    fn to_str(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }
    fn repr(&self) -> String {
        format!(
            "datetime.date({}, {}, {})",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// CPython's `IsoCalendarDate(year, week, weekday)` named tuple.
#[derive(Debug)]
pub(crate) struct IsoCalendar([i64; 3]);

impl Object for IsoCalendar {
    fn type_name(&self) -> &str {
        "datetime.IsoCalendarDate"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        let i = ["year", "week", "weekday"]
            .iter()
            .position(|n| *n == name)?;
        Some(Value::Int(self.0[i]))
    }
    fn get_item(&self, key: &Value) -> Option<Value> {
        let i = int_arg(key).ok()?;
        let i = if i < 0 { i + 3 } else { i };
        self.0.get(usize::try_from(i).ok()?).map(|v| Value::Int(*v))
    }
    fn iter(&self) -> Option<Vec<Value>> {
        Some(self.0.iter().map(|v| Value::Int(*v)).collect())
    }
    fn len(&self) -> Option<usize> {
        Some(3)
    }
    fn py_eq(&self, other: &Value) -> Option<bool> {
        let o = other.downcast_object::<IsoCalendar>().map(|o| o.0.to_vec());
        let t = match other {
            Value::Tuple(t) => Some(t.iter().map(|v| v.as_int().unwrap_or(i64::MIN)).collect()),
            _ => o,
        };
        Some(t.as_deref() == Some(&self.0[..]))
    }
    fn to_str(&self) -> String {
        let [y, w, d] = self.0;
        format!("datetime.IsoCalendarDate(year={y}, week={w}, weekday={d})")
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
