//! `datetime.datetime`: naive or aware (with a [`Tz`]) date and time, its class methods (`now`,
//! `strptime`, `fromisoformat`, `fromtimestamp`, `combine`, …), methods, arithmetic and ordering.

use std::cmp::Ordering;

use chrono::{Datelike, NaiveDateTime, TimeZone, Timelike};
use runner_jinja::{BinOp, Error, ErrorKind, Kwargs, Object, State, Value};

use super::date::{Date, date_method, from_ordinal, in_range, make_date};
use super::time::{Time, make_time};
use super::timedelta::TimeDelta;
use super::tz::{Tz, tz_arg};
use super::{
    Bound, Class, bind, date_overflow, isoformat, obj, str_arg, strftime, strptime, type_error,
    value_error,
};

/// A `datetime.datetime`.
#[derive(Debug, Clone)]
pub(crate) struct DateTime {
    /// Local (wall clock) date and time.
    pub naive: NaiveDateTime,
    /// The tzinfo; `None` for naive datetimes.
    pub tz: Option<Tz>,
}

const FIELDS: &[&str] = &[
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "microsecond",
    "tzinfo",
    "fold",
];

fn from_fields(b: &Bound, base: Option<&DateTime>) -> Result<DateTime, Error> {
    let n = base.map(|d| d.naive);
    let def = |i: usize, f: fn(&NaiveDateTime) -> i64| -> Result<i64, Error> {
        match n {
            Some(n) => b.int_or(i, f(&n)),
            None => b.int(i),
        }
    };
    let date = make_date(
        def(0, |n| n.year() as i64)?,
        def(1, |n| n.month() as i64)?,
        def(2, |n| n.day() as i64)?,
    )?;
    let time = make_time(
        b.int_or(3, n.map_or(0, |n| n.hour() as i64))?,
        b.int_or(4, n.map_or(0, |n| n.minute() as i64))?,
        b.int_or(5, n.map_or(0, |n| n.second() as i64))?,
        b.int_or(6, n.map_or(0, |n| (n.nanosecond() / 1000) as i64))?,
    )?;
    let tz = match (b.get(7), base) {
        (None, Some(d)) => d.tz.clone(),
        (v, _) => tz_arg(v)?,
    };
    Ok(DateTime::new(date.and_time(time), tz))
}

fn construct(_: &State, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let b = bind("datetime", FIELDS, args, kwargs)?;
    Ok(from_fields(&b, None)?.value())
}

fn now(tz: Option<Tz>) -> DateTime {
    let utc = chrono::Utc::now().naive_utc();
    match tz {
        Some(tz) => {
            let (local, tz) = tz.at_utc(utc);
            DateTime::new(local, Some(tz))
        }
        None => DateTime::new(chrono::Local::now().naive_local(), None),
    }
}

const METHODS: &[&str] = &[
    "now",
    "today",
    "utcnow",
    "strptime",
    "fromisoformat",
    "fromtimestamp",
    "utcfromtimestamp",
    "combine",
    "fromordinal",
];

fn class_method(
    _: &State,
    name: &str,
    args: &[Value],
    kwargs: &Kwargs,
) -> Result<Option<Value>, Error> {
    let dt = match name {
        "now" => now(tz_arg(bind("now", &["tz"], args, kwargs)?.get(0))?),
        "today" => bind("today", &[], args, kwargs).map(|_| now(None))?,
        "utcnow" => bind("utcnow", &[], args, kwargs)
            .map(|_| DateTime::new(chrono::Utc::now().naive_utc(), None))?,
        "strptime" => {
            let b = bind("strptime", &["date_string", "format"], args, kwargs)?;
            let s = str_arg(b.required(0)?, "strptime()")?;
            let (naive, tz) = strptime::parse(s, str_arg(b.required(1)?, "strptime()")?)?;
            DateTime::new(naive, tz)
        }
        "fromisoformat" => {
            let b = bind("fromisoformat", &["date_string"], args, kwargs)?;
            let s = str_arg(b.required(0)?, "fromisoformat:")?;
            let (naive, tz) = isoformat::parse_datetime(s).ok_or_else(|| {
                value_error(format!(
                    "Invalid isoformat string: {}",
                    Value::from(s).repr()
                ))
            })?;
            DateTime::new(naive, tz)
        }
        "fromtimestamp" => {
            let b = bind("fromtimestamp", &["timestamp", "tz"], args, kwargs)?;
            DateTime::from_timestamp(b.required(0)?, tz_arg(b.get(1))?)?
        }
        "utcfromtimestamp" => {
            let b = bind("utcfromtimestamp", &["timestamp"], args, kwargs)?;
            let d = DateTime::from_timestamp(b.required(0)?, Some(Tz::PytzUtc))?;
            DateTime::new(d.naive, None)
        }
        "combine" => {
            let b = bind("combine", &["date", "time", "tzinfo"], args, kwargs)?;
            let d = match b.required(0)? {
                v if v.downcast_object::<DateTime>().is_some() => {
                    v.downcast_object::<DateTime>().map(|d| d.naive.date())
                }
                v => v.downcast_object::<Date>().map(|d| d.0),
            };
            let d = d.ok_or_else(|| type_error("combine() argument 1 must be datetime.date"))?;
            let t = b
                .required(1)?
                .downcast_object::<Time>()
                .ok_or_else(|| type_error("combine() argument 2 must be datetime.time"))?;
            let tz = match b.get(2) {
                None => t.tz.clone(),
                v => tz_arg(v)?,
            };
            DateTime::new(d.and_time(t.time), tz)
        }
        "fromordinal" => {
            let b = bind("fromordinal", &["ordinal"], args, kwargs)?;
            DateTime::new(
                from_ordinal(b.int(0)?)?
                    .and_hms_opt(0, 0, 0)
                    .unwrap_or_default(),
                None,
            )
        }
        _ => return Ok(None),
    };
    Ok(Some(dt.value()))
}

/// The `datetime.datetime` class.
pub(crate) fn class() -> Value {
    obj(Class {
        name: "datetime.datetime",
        ctor: Some(construct),
        methods: class_method,
        method_names: METHODS,
        attrs: |name| {
            let d = |y, m, d, h, mi, s, us| {
                chrono::NaiveDate::from_ymd_opt(y, m, d)?.and_hms_micro_opt(h, mi, s, us)
            };
            Some(match name {
                "min" => DateTime::new(d(1, 1, 1, 0, 0, 0, 0)?, None).value(),
                "max" => DateTime::new(d(9999, 12, 31, 23, 59, 59, 999_999)?, None).value(),
                "resolution" => TimeDelta(1).value(),
                _ => return None,
            })
        },
    })
}

impl DateTime {
    /// A datetime value.
    pub fn new(naive: NaiveDateTime, tz: Option<Tz>) -> DateTime {
        DateTime { naive, tz }
    }
    /// Wrap as a template value.
    pub fn value(self) -> Value {
        obj(self)
    }
    /// `fromtimestamp(ts, tz)`: local time of the machine when `tz` is `None`.
    pub fn from_timestamp(ts: &Value, tz: Option<Tz>) -> Result<DateTime, Error> {
        let us: i128 = match ts {
            Value::Float(f) => (f * 1e6).round_ties_even() as i128,
            v => v.as_int().map(|i| i as i128 * 1_000_000).ok_or_else(|| {
                type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    v.type_name()
                ))
            })?,
        };
        let utc = chrono::DateTime::from_timestamp_micros(
            i64::try_from(us).map_err(|_| date_overflow())?,
        )
        .ok_or_else(|| value_error("year is out of range"))?
        .naive_utc();
        Ok(match tz {
            Some(tz) => {
                let (local, tz) = tz.at_utc(utc);
                DateTime::new(local, Some(tz))
            }
            None => DateTime::new(chrono::Local.from_utc_datetime(&utc).naive_local(), None),
        })
    }
    /// The UTC instant of an aware datetime; naive ones are taken as machine-local time.
    pub fn utc(&self) -> NaiveDateTime {
        match &self.tz {
            Some(tz) => self.naive - chrono::Duration::seconds(tz.offset()),
            None => chrono::Local
                .from_local_datetime(&self.naive)
                .earliest()
                .map(|d| d.naive_utc())
                .unwrap_or(self.naive),
        }
    }
    fn isoformat(&self, sep: &str, timespec: &str) -> Result<String, Error> {
        let t = isoformat::format_time(&self.naive.time(), timespec)?;
        let mut s = format!("{}{sep}{t}", Date(self.naive.date()).to_str());
        if let Some(tz) = &self.tz {
            s.push_str(&super::tz::offset_text(tz.offset(), ":", true));
        }
        Ok(s)
    }
    fn shifted(&self, us: i128) -> Result<Value, Error> {
        let d = chrono::Duration::microseconds(i64::try_from(us).map_err(|_| date_overflow())?);
        let naive = self.naive.checked_add_signed(d).ok_or_else(date_overflow)?;
        in_range(Some(naive.date()))?;
        Ok(DateTime::new(naive, self.tz.clone()).value())
    }
    fn method(&self, name: &str, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
        let none = |f: &'static str| bind(f, &[], args, kwargs).map(|_| ());
        Ok(match name {
            "date" => none("date").map(|_| Date(self.naive.date()).value())?,
            "time" => none("time").map(|_| {
                obj(Time {
                    time: self.naive.time(),
                    tz: None,
                })
            })?,
            "timetz" => none("timetz").map(|_| {
                obj(Time {
                    time: self.naive.time(),
                    tz: self.tz.clone(),
                })
            })?,
            "replace" => from_fields(&bind("replace", FIELDS, args, kwargs)?, Some(self))?.value(),
            "strftime" => {
                let b = bind("strftime", &["format"], args, kwargs)?;
                Value::from(strftime::format(
                    &self.naive,
                    self.tz.as_ref(),
                    str_arg(b.required(0)?, "strftime()")?,
                ))
            }
            "isoformat" => {
                let b = bind("isoformat", &["sep", "timespec"], args, kwargs)?;
                let sep = b
                    .get(0)
                    .map(|v| str_arg(v, "isoformat()"))
                    .transpose()?
                    .unwrap_or("T");
                let spec = b
                    .get(1)
                    .map(|v| str_arg(v, "isoformat()"))
                    .transpose()?
                    .unwrap_or("auto");
                Value::from(self.isoformat(sep, spec)?)
            }
            "ctime" => Value::from(strftime::format(&self.naive, None, "%c")),
            "timestamp" => {
                none("timestamp")?;
                let us = self.utc().and_utc().timestamp_micros();
                Value::Float(us as f64 / 1e6)
            }
            "astimezone" => {
                let b = bind("astimezone", &["tz"], args, kwargs)?;
                let utc = self.utc();
                let tz = tz_arg(b.get(0))?.unwrap_or_else(|| {
                    let off = chrono::Local
                        .from_utc_datetime(&utc)
                        .offset()
                        .local_minus_utc() as i64;
                    Tz::Fixed {
                        offset: off,
                        name: (off == 0).then(|| "UTC".to_string()),
                    }
                });
                let (local, tz) = tz.at_utc(utc);
                DateTime::new(local, Some(tz)).value()
            }
            "utcoffset" => none("utcoffset").map(|_| {
                self.tz
                    .as_ref()
                    .map(|t| TimeDelta::seconds(t.offset()).value())
                    .unwrap_or(Value::None)
            })?,
            "tzname" => {
                none("tzname").map(|_| self.tz.as_ref().map(Tz::name).unwrap_or(Value::None))?
            }
            "dst" => none("dst").map(|_| self.tz.as_ref().map(Tz::dst).unwrap_or(Value::None))?,
            _ => {
                return Err(Error::new(
                    ErrorKind::Undefined,
                    format!("'datetime.datetime' object has no attribute '{name}'"),
                ));
            }
        })
    }
}

impl Object for DateTime {
    fn type_name(&self) -> &str {
        "datetime.datetime"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        let n = &self.naive;
        Some(Value::Int(match name {
            "year" => n.year() as i64,
            "month" => n.month() as i64,
            "day" => n.day() as i64,
            "hour" => n.hour() as i64,
            "minute" => n.minute() as i64,
            "second" => n.second() as i64,
            "microsecond" => (n.nanosecond() / 1000) as i64,
            "fold" => 0,
            "tzinfo" => return Some(self.tz.as_ref().map(Tz::value).unwrap_or(Value::None)),
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
        if let Some(v) = date_method(self.naive.date(), name, args, kwargs)? {
            return Ok(v);
        }
        self.method(name, args, kwargs)
    }
    fn binary_op(&self, op: BinOp, other: &Value, reflected: bool) -> Option<Result<Value, Error>> {
        if let Some(td) = other.downcast_object::<TimeDelta>() {
            return match (op, reflected) {
                (BinOp::Add, _) => Some(self.shifted(td.0)),
                (BinOp::Sub, false) => Some(self.shifted(-td.0)),
                _ => None,
            };
        }
        let o = other.downcast_object::<DateTime>()?;
        if op != BinOp::Sub {
            return None;
        }
        let (a, b) = if reflected { (o, self) } else { (self, o) };
        if a.tz.is_some() != b.tz.is_some() {
            return Some(Err(type_error(
                "can't subtract offset-naive and offset-aware datetimes",
            )));
        }
        let (x, y) = if a.tz.is_some() {
            (a.utc(), b.utc())
        } else {
            (a.naive, b.naive)
        };
        let us = (x - y).num_microseconds().unwrap_or(0);
        Some(TimeDelta::from_us(us as i128).map(TimeDelta::value))
    }
    fn py_eq(&self, other: &Value) -> Option<bool> {
        let o = other.downcast_object::<DateTime>();
        Some(o.is_some_and(|o| {
            matches!(self.py_cmp(other), Some(Ok(Ordering::Equal)))
                && o.tz.is_some() == self.tz.is_some()
        }))
    }
    fn py_cmp(&self, other: &Value) -> Option<Result<Ordering, Error>> {
        if other.downcast_object::<Date>().is_some() {
            return Some(Err(type_error(
                "can't compare datetime.datetime to datetime.date",
            )));
        }
        let o = other.downcast_object::<DateTime>()?;
        Some(match (&self.tz, &o.tz) {
            (None, None) => Ok(self.naive.cmp(&o.naive)),
            (Some(_), Some(_)) => Ok(self.utc().cmp(&o.utc())),
            _ => Err(type_error(
                "can't compare offset-naive and offset-aware datetimes",
            )),
        })
    }
    fn to_str(&self) -> String {
        self.isoformat(" ", "auto").unwrap_or_default()
    }
    fn repr(&self) -> String {
        let n = &self.naive;
        let mut parts = vec![
            n.year() as i64,
            n.month() as i64,
            n.day() as i64,
            n.hour() as i64,
            n.minute() as i64,
        ];
        let (s, us) = (n.second() as i64, (n.nanosecond() / 1000) as i64);
        if us != 0 {
            parts.extend([s, us]);
        } else if s != 0 {
            parts.push(s);
        }
        let mut out = format!(
            "datetime.datetime({}",
            parts
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        if let Some(tz) = &self.tz {
            out.push_str(&format!(", tzinfo={}", tz.repr()));
        }
        out.push(')');
        out
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
