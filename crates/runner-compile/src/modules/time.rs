//! `datetime.time`: a time of day with an optional tzinfo; construction, `fromisoformat`,
//! `isoformat`/`strftime`/`replace` and ordering.

use std::cmp::Ordering;

use chrono::{NaiveDate, NaiveTime, Timelike};
use runner_jinja::{Error, ErrorKind, Kwargs, Object, State, Value};

use super::timedelta::TimeDelta;
use super::tz::{Tz, offset_text, tz_arg};
use super::{Bound, Class, bind, isoformat, obj, str_arg, strftime, type_error, value_error};

/// A `datetime.time`.
#[derive(Debug, Clone)]
pub(crate) struct Time {
    /// The time of day.
    pub time: NaiveTime,
    /// The tzinfo; `None` for naive times.
    pub tz: Option<Tz>,
}

/// A validated time of day, with CPython's messages.
pub(crate) fn make_time(h: i64, m: i64, s: i64, us: i64) -> Result<NaiveTime, Error> {
    for (v, hi, name) in [
        (h, 23, "hour"),
        (m, 59, "minute"),
        (s, 59, "second"),
        (us, 999_999, "microsecond"),
    ] {
        if !(0..=hi).contains(&v) {
            return Err(value_error(format!("{name} must be in 0..{hi}")));
        }
    }
    NaiveTime::from_hms_micro_opt(h as u32, m as u32, s as u32, us as u32)
        .ok_or_else(|| value_error("invalid time"))
}

const FIELDS: &[&str] = &["hour", "minute", "second", "microsecond", "tzinfo", "fold"];

fn from_fields(b: &Bound, base: Option<&Time>) -> Result<Time, Error> {
    let t = base.map(|t| t.time).unwrap_or(NaiveTime::MIN);
    let time = make_time(
        b.int_or(0, t.hour() as i64)?,
        b.int_or(1, t.minute() as i64)?,
        b.int_or(2, t.second() as i64)?,
        b.int_or(3, (t.nanosecond() / 1000) as i64)?,
    )?;
    let tz = match (b.get(4), base) {
        (None, Some(t)) => t.tz.clone(),
        (v, _) => tz_arg(v)?,
    };
    Ok(Time { time, tz })
}

fn construct(_: &State, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    Ok(obj(from_fields(
        &bind("time", FIELDS, args, kwargs)?,
        None,
    )?))
}

const METHODS: &[&str] = &["fromisoformat"];

fn class_method(
    _: &State,
    name: &str,
    args: &[Value],
    kwargs: &Kwargs,
) -> Result<Option<Value>, Error> {
    if name != "fromisoformat" {
        return Ok(None);
    }
    let b = bind("fromisoformat", &["time_string"], args, kwargs)?;
    let s = str_arg(b.required(0)?, "fromisoformat:")?;
    let (time, tz) = isoformat::parse_time(s).ok_or_else(|| {
        value_error(format!(
            "Invalid isoformat string: {}",
            Value::from(s).repr()
        ))
    })?;
    Ok(Some(obj(Time { time, tz })))
}

/// The `datetime.time` class.
pub(crate) fn class() -> Value {
    obj(Class {
        name: "datetime.time",
        ctor: Some(construct),
        methods: class_method,
        method_names: METHODS,
        attrs: |name| {
            let t = |time| obj(Time { time, tz: None });
            Some(match name {
                "min" => t(NaiveTime::MIN),
                "max" => t(NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999)?),
                "resolution" => TimeDelta(1).value(),
                _ => return None,
            })
        },
    })
}

impl Time {
    fn isoformat(&self, timespec: &str) -> Result<String, Error> {
        let mut s = isoformat::format_time(&self.time, timespec)?;
        if let Some(tz) = &self.tz {
            s.push_str(&offset_text(tz.offset(), ":", true));
        }
        Ok(s)
    }
    fn utc_key(&self) -> i64 {
        let secs =
            self.time.num_seconds_from_midnight() as i64 - self.tz.as_ref().map_or(0, Tz::offset);
        secs * 1_000_000 + (self.time.nanosecond() / 1000) as i64
    }
}

impl Object for Time {
    fn type_name(&self) -> &str {
        "datetime.time"
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        let t = &self.time;
        Some(Value::Int(match name {
            "hour" => t.hour() as i64,
            "minute" => t.minute() as i64,
            "second" => t.second() as i64,
            "microsecond" => (t.nanosecond() / 1000) as i64,
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
        match name {
            "isoformat" => {
                let b = bind("isoformat", &["timespec"], args, kwargs)?;
                let spec = b
                    .get(0)
                    .map(|v| str_arg(v, "isoformat()"))
                    .transpose()?
                    .unwrap_or("auto");
                Ok(Value::from(self.isoformat(spec)?))
            }
            "strftime" => {
                let b = bind("strftime", &["format"], args, kwargs)?;
                let base = NaiveDate::from_ymd_opt(1900, 1, 1)
                    .unwrap_or_default()
                    .and_time(self.time);
                let f = str_arg(b.required(0)?, "strftime()")?;
                Ok(Value::from(strftime::format(&base, self.tz.as_ref(), f)))
            }
            "replace" => Ok(obj(from_fields(
                &bind("replace", FIELDS, args, kwargs)?,
                Some(self),
            )?)),
            "utcoffset" => Ok(self
                .tz
                .as_ref()
                .map(|t| TimeDelta::seconds(t.offset()).value())
                .unwrap_or(Value::None)),
            "tzname" => Ok(self.tz.as_ref().map(Tz::name).unwrap_or(Value::None)),
            "dst" => Ok(self.tz.as_ref().map(Tz::dst).unwrap_or(Value::None)),
            _ => Err(Error::new(
                ErrorKind::Undefined,
                format!("'datetime.time' object has no attribute '{name}'"),
            )),
        }
    }
    fn py_eq(&self, other: &Value) -> Option<bool> {
        Some(matches!(self.py_cmp(other), Some(Ok(Ordering::Equal))))
    }
    fn py_cmp(&self, other: &Value) -> Option<Result<Ordering, Error>> {
        let o = other.downcast_object::<Time>()?;
        Some(match (&self.tz, &o.tz) {
            (None, None) => Ok(self.time.cmp(&o.time)),
            (Some(_), Some(_)) => Ok(self.utc_key().cmp(&o.utc_key())),
            _ => Err(type_error(
                "can't compare offset-naive and offset-aware times",
            )),
        })
    }
    fn is_true(&self) -> bool {
        true
    }
    fn to_str(&self) -> String {
        self.isoformat("auto").unwrap_or_default()
    }
    fn repr(&self) -> String {
        let t = &self.time;
        let (s, us) = (t.second(), t.nanosecond() / 1000);
        let tail = if us != 0 {
            format!(", {s}, {us}")
        } else if s != 0 {
            format!(", {s}")
        } else {
            String::new()
        };
        let tz = self
            .tz
            .as_ref()
            .map(|z| format!(", tzinfo={}", z.repr()))
            .unwrap_or_default();
        format!("datetime.time({}, {}{tail}{tz})", t.hour(), t.minute())
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
