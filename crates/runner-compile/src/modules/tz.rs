//! Time zones attached to datetimes: `datetime.timezone` (fixed offsets), `pytz.utc`,
//! `pytz.FixedOffset` and pytz zones backed by chrono-tz's IANA database.
//!
//! pytz zones follow pytz's model: a zone object is a tzinfo for *one* period of the zone (offset,
//! DST and abbreviation), `timezone(name)` returns the zone's first period (usually local mean time,
//! e.g. `LMT-1 day, 19:04:00` for New York), and `localize`/`normalize`/`astimezone` pick the period
//! that applies. Like pytz, offsets are rounded to whole minutes.

use chrono::{NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::{OffsetComponents, OffsetName};
use runner_jinja::{Error, ErrorKind, Kwargs, Object, State, Value};

use super::datetime::DateTime;
use super::timedelta::TimeDelta;
use super::{Class, bind, named_error, no_attrs, no_methods, obj, type_error, value_error};

/// One period of a pytz zone.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Period {
    /// Total UTC offset in seconds (rounded to minutes).
    pub offset: i64,
    /// DST part in seconds.
    pub dst: i64,
    /// Abbreviation (`EST`, `LMT`, `+0530`).
    pub abbr: String,
}

/// A tzinfo.
#[derive(Debug, Clone)]
pub(crate) enum Tz {
    /// `datetime.timezone(offset, name)`.
    Fixed { offset: i64, name: Option<String> },
    /// `pytz.utc`.
    PytzUtc,
    /// `pytz.FixedOffset(minutes)`.
    PytzFixed(i64),
    /// A pytz zone at one of its periods; `fixed` for zones without transitions (`StaticTzInfo`).
    Zone {
        zone: chrono_tz::Tz,
        period: Period,
        fixed: bool,
    },
}

fn round_minute(s: i64) -> i64 {
    (s + 30).div_euclid(60) * 60
}

/// The period of `zone` in force at the UTC instant `utc`.
pub(crate) fn period_at(zone: chrono_tz::Tz, utc: &NaiveDateTime) -> Period {
    let off = zone.offset_from_utc_datetime(utc);
    let total = off.fix().local_minus_utc() as i64;
    Period {
        offset: round_minute(total),
        dst: round_minute(off.dst_offset().num_seconds()),
        abbr: off
            .abbreviation()
            .map(str::to_string)
            .unwrap_or_else(|| offset_text(total, "", false)),
    }
}

/// `+HH:MM` style text of an offset in seconds (`sep` between fields, seconds when non-zero).
pub(crate) fn offset_text(secs: i64, sep: &str, always_minutes: bool) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    let mut s = format!("{sign}{:02}", a / 3600);
    if always_minutes || a % 3600 != 0 || sep.is_empty() {
        s.push_str(&format!("{sep}{:02}", a / 60 % 60));
    }
    if a % 60 != 0 {
        s.push_str(&format!("{sep}{:02}", a % 60));
    }
    s
}

/// A pytz zone by name (case-insensitive, like pytz), at its first period.
pub(crate) fn zone(name: &str) -> Option<Tz> {
    if name.eq_ignore_ascii_case("utc") {
        return Some(Tz::PytzUtc);
    }
    let zone = chrono_tz::TZ_VARIANTS
        .iter()
        .find(|z| z.name().eq_ignore_ascii_case(name))
        .copied()?;
    let at = |y: i32, m: u32| {
        let d = NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default();
        period_at(zone, &d.and_hms_opt(0, 0, 0).unwrap_or_default())
    };
    let first = at(1000, 1);
    let samples = [
        (1850, 1),
        (1900, 1),
        (1950, 1),
        (1980, 7),
        (2000, 1),
        (2024, 1),
        (2024, 7),
    ];
    let fixed = samples.iter().all(|&(y, m)| at(y, m) == first);
    Some(Tz::Zone {
        zone,
        period: first,
        fixed,
    })
}

impl Tz {
    /// `utcoffset()` in seconds (`None` never happens for these tzinfos).
    pub fn offset(&self) -> i64 {
        match self {
            Tz::Fixed { offset, .. } => *offset,
            Tz::PytzUtc => 0,
            Tz::PytzFixed(m) => m * 60,
            Tz::Zone { period, .. } => period.offset,
        }
    }
    /// `tzname()`.
    pub fn name(&self) -> Value {
        match self {
            Tz::Fixed { name: Some(n), .. } => Value::from(n.as_str()),
            Tz::Fixed { offset: 0, .. } => Value::from("UTC"),
            Tz::Fixed { offset, .. } => {
                Value::from(format!("UTC{}", offset_text(*offset, ":", true)))
            }
            Tz::PytzUtc => Value::from("UTC"),
            Tz::PytzFixed(_) => Value::None,
            Tz::Zone { period, .. } => Value::from(period.abbr.as_str()),
        }
    }
    /// `dst()`.
    pub fn dst(&self) -> Value {
        match self {
            Tz::Fixed { .. } => Value::None,
            Tz::PytzUtc | Tz::PytzFixed(_) => TimeDelta(0).value(),
            Tz::Zone { period, .. } => TimeDelta::seconds(period.dst).value(),
        }
    }
    /// `fromutc()`: the local time and the tzinfo for the UTC instant `utc`.
    pub fn at_utc(&self, utc: NaiveDateTime) -> (NaiveDateTime, Tz) {
        let tz = match self {
            Tz::Zone {
                zone, fixed: false, ..
            } => Tz::Zone {
                zone: *zone,
                period: period_at(*zone, &utc),
                fixed: false,
            },
            other => other.clone(),
        };
        (utc + chrono::Duration::seconds(tz.offset()), tz)
    }
    /// pytz `localize`: the tzinfo for the naive local time `local`.
    pub fn localize(&self, local: &NaiveDateTime, is_dst: Option<bool>) -> Result<Tz, Error> {
        let Tz::Zone {
            zone, fixed: false, ..
        } = self
        else {
            return Ok(self.clone());
        };
        let result = zone.offset_from_local_datetime(local);
        let ambiguous = matches!(result, chrono::LocalResult::Ambiguous(..));
        let candidates: Vec<Period> = match result {
            chrono::LocalResult::Single(_) => {
                let utc = zone
                    .from_local_datetime(local)
                    .single()
                    .map(|d| d.naive_utc());
                return Ok(self.with_period(period_at(*zone, &utc.unwrap_or(*local))));
            }
            chrono::LocalResult::Ambiguous(a, b) => [a, b]
                .iter()
                .map(|o| {
                    period_at(
                        *zone,
                        &(*local - chrono::Duration::seconds(o.fix().local_minus_utc() as i64)),
                    )
                })
                .collect(),
            chrono::LocalResult::None => [-6, 6]
                .iter()
                .map(|h| {
                    let probe = *local + chrono::Duration::hours(*h);
                    let off = zone.offset_from_local_datetime(&probe).earliest();
                    let secs = off.map(|o| o.fix().local_minus_utc() as i64).unwrap_or(0);
                    period_at(*zone, &(probe - chrono::Duration::seconds(secs)))
                })
                .collect(),
        };
        let Some(want_dst) = is_dst else {
            let class = if ambiguous {
                "AmbiguousTimeError"
            } else {
                "NonExistentTimeError"
            };
            return Err(named_error(class, local.format("%Y-%m-%d %H:%M:%S")));
        };
        let pick = candidates
            .iter()
            .find(|p| (p.dst != 0) == want_dst)
            .or(candidates.first())
            .cloned();
        Ok(pick
            .map(|p| self.with_period(p))
            .unwrap_or_else(|| self.clone()))
    }
    fn with_period(&self, period: Period) -> Tz {
        match self {
            Tz::Zone { zone, fixed, .. } => Tz::Zone {
                zone: *zone,
                period,
                fixed: *fixed,
            },
            other => other.clone(),
        }
    }
    /// The tzinfo as a template value.
    pub fn value(&self) -> Value {
        obj(self.clone())
    }
    /// pytz's `zone` attribute.
    fn zone_name(&self) -> Value {
        match self {
            Tz::PytzUtc => Value::from("UTC"),
            Tz::Zone { zone, .. } => Value::from(zone.name()),
            Tz::PytzFixed(_) => Value::None,
            Tz::Fixed { .. } => Value::UNDEFINED,
        }
    }
}

fn aware_arg(v: &Value) -> Result<&DateTime, Error> {
    v.downcast_object::<DateTime>()
        .ok_or_else(|| type_error(format!("expected a datetime, got {}", v.type_name())))
}

impl Object for Tz {
    fn type_name(&self) -> &str {
        match self {
            Tz::Fixed { .. } => "datetime.timezone",
            Tz::PytzUtc => "UTC",
            Tz::PytzFixed(_) => "_FixedOffset",
            Tz::Zone { fixed: true, .. } => "StaticTzInfo",
            Tz::Zone { .. } => "DstTzInfo",
        }
    }
    fn get_attr(&self, name: &str) -> Option<Value> {
        match name {
            "zone" => Some(self.zone_name()).filter(|v| !v.is_undefined()),
            _ => None,
        }
    }
    fn call_method(
        &self,
        _: &State,
        name: &str,
        args: &[Value],
        kwargs: &Kwargs,
    ) -> Result<Value, Error> {
        let pytz = !matches!(self, Tz::Fixed { .. });
        match name {
            "utcoffset" | "tzname" | "dst" => {
                let b = bind("utcoffset", &["dt"], args, kwargs)?;
                let tz = match b.opt(0).and_then(|v| v.downcast_object::<DateTime>()) {
                    Some(dt) if dt.tz.is_none() && pytz => self.localize(&dt.naive, Some(false))?,
                    _ => self.clone(),
                };
                Ok(match name {
                    "utcoffset" => TimeDelta::seconds(tz.offset()).value(),
                    "tzname" => tz.name(),
                    _ => tz.dst(),
                })
            }
            "fromutc" => {
                let b = bind("fromutc", &["dt"], args, kwargs)?;
                let dt = aware_arg(b.required(0)?)?;
                let (local, tz) = self.at_utc(dt.naive);
                Ok(DateTime::new(local, Some(tz)).value())
            }
            "localize" if pytz => {
                let b = bind("localize", &["dt", "is_dst"], args, kwargs)?;
                let dt = aware_arg(b.required(0)?)?;
                if dt.tz.is_some() {
                    return Err(value_error("Not naive datetime (tzinfo is already set)"));
                }
                let is_dst = match b.get(1) {
                    None => Some(false),
                    Some(Value::None) => None,
                    Some(v) => Some(v.is_true()),
                };
                let tz = self.localize(&dt.naive, is_dst)?;
                Ok(DateTime::new(dt.naive, Some(tz)).value())
            }
            "normalize" if pytz => {
                let b = bind("normalize", &["dt", "is_dst"], args, kwargs)?;
                let dt = aware_arg(b.required(0)?)?;
                let Some(tz) = &dt.tz else {
                    return Err(value_error("Naive time - no tzinfo set"));
                };
                let utc = dt.naive - chrono::Duration::seconds(tz.offset());
                let (local, tz) = self.at_utc(utc);
                Ok(DateTime::new(local, Some(tz)).value())
            }
            _ => Err(Error::new(
                ErrorKind::Undefined,
                format!("'{}' object has no attribute '{name}'", self.type_name()),
            )),
        }
    }
    fn py_eq(&self, other: &Value) -> Option<bool> {
        let o = other.downcast_object::<Tz>()?;
        Some(match (self, o) {
            (Tz::Fixed { offset: a, .. }, Tz::Fixed { offset: b, .. }) => a == b,
            (Tz::PytzUtc, Tz::PytzUtc) => true,
            (Tz::PytzFixed(a), Tz::PytzFixed(b)) => a == b,
            (
                Tz::Zone {
                    zone: a, period: p, ..
                },
                Tz::Zone {
                    zone: b, period: q, ..
                },
            ) => a == b && p == q,
            _ => false,
        })
    }
    fn to_str(&self) -> String {
        match self {
            Tz::Fixed { .. } => self.name().to_python_str(),
            Tz::PytzUtc => "UTC".into(),
            Tz::Zone { zone, .. } => zone.name().into(),
            Tz::PytzFixed(_) => self.repr(),
        }
    }
    fn repr(&self) -> String {
        match self {
            Tz::Fixed {
                offset: 0,
                name: None,
            } => "datetime.timezone.utc".into(),
            Tz::Fixed { offset, name } => {
                let td = TimeDelta::seconds(*offset).value().repr();
                match name {
                    Some(n) => format!(
                        "datetime.timezone({td}, {})",
                        Value::from(n.as_str()).repr()
                    ),
                    None => format!("datetime.timezone({td})"),
                }
            }
            Tz::PytzUtc => "<UTC>".into(),
            Tz::PytzFixed(m) => format!("pytz.FixedOffset({m})"),
            Tz::Zone {
                zone, fixed: true, ..
            } => format!("<StaticTzInfo '{}'>", zone.name()),
            Tz::Zone { zone, period, .. } => format!(
                "<DstTzInfo '{}' {}{} {}>",
                zone.name(),
                period.abbr,
                signed_delta(period.offset),
                if period.dst != 0 { "DST" } else { "STD" }
            ),
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A timedelta's `str()` with a leading `+` when non-negative (pytz's repr of offsets).
fn signed_delta(secs: i64) -> String {
    let s = TimeDelta::seconds(secs).to_string();
    if secs >= 0 { format!("+{s}") } else { s }
}

/// The abstract `datetime.tzinfo` class.
pub(crate) fn tzinfo_class() -> Value {
    obj(Class {
        name: "datetime.tzinfo",
        ctor: None,
        methods: no_methods,
        method_names: &[],
        attrs: no_attrs,
    })
}

/// A tzinfo argument: `None` or a tzinfo object.
pub(crate) fn tz_arg(v: Option<&Value>) -> Result<Option<Tz>, Error> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(v) => v.downcast_object::<Tz>().cloned().map(Some).ok_or_else(|| {
            type_error(format!(
                "tzinfo argument must be None or of a tzinfo subclass, not type '{}'",
                v.type_name()
            ))
        }),
    }
}
