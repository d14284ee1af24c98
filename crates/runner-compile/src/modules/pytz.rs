//! `modules.pytz`: the names of `pytz.__all__` over chrono-tz's IANA database. `country_timezones`
//! and `country_names` are not provided (chrono-tz has no country table); `common_timezones` is
//! approximated by the canonical `Area/City` names.

use runner_jinja::{Error, Kwargs, State, Value};

use super::tz::{Tz, zone};
use super::{Class, bind, function, int_arg, named_error, no_attrs, no_methods, obj, str_arg};

fn timezone(_: &State, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let b = bind("timezone", &["zone"], args, kwargs)?;
    let name = b.required(0)?;
    let name = str_arg(name, "timezone()")
        .map_err(|_| named_error("UnknownTimeZoneError", name.repr()))?;
    zone(name)
        .map(|t| t.value())
        .ok_or_else(|| named_error("UnknownTimeZoneError", Value::from(name).repr()))
}

fn fixed_offset(_: &State, args: &[Value], kwargs: &Kwargs) -> Result<Value, Error> {
    let b = bind("FixedOffset", &["offset"], args, kwargs)?;
    Ok(match int_arg(b.required(0)?)? {
        0 => Tz::PytzUtc.value(),
        m => Tz::PytzFixed(m).value(),
    })
}

fn exception(name: &'static str) -> Value {
    obj(Class {
        name,
        ctor: None,
        methods: no_methods,
        method_names: &[],
        attrs: no_attrs,
    })
}

fn all_names(common: bool) -> Value {
    let mut names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    if common {
        const AREAS: &[&str] = &[
            "Africa/",
            "America/",
            "Antarctica/",
            "Arctic/",
            "Asia/",
            "Atlantic/",
            "Australia/",
            "Europe/",
            "Indian/",
            "Pacific/",
        ];
        names.retain(|n| {
            AREAS.iter().any(|a| n.starts_with(a))
                || *n == "UTC"
                || n.starts_with("Canada/")
                || n.starts_with("US/")
        });
    }
    names.sort_unstable();
    Value::list(names.into_iter().map(Value::from).collect())
}

/// The `modules.pytz` dict.
pub(crate) fn module() -> Value {
    Value::dict_from([
        ("timezone", function("timezone", timezone)),
        ("utc", Tz::PytzUtc.value()),
        (
            "AmbiguousTimeError",
            exception("pytz.exceptions.AmbiguousTimeError"),
        ),
        (
            "InvalidTimeError",
            exception("pytz.exceptions.InvalidTimeError"),
        ),
        (
            "NonExistentTimeError",
            exception("pytz.exceptions.NonExistentTimeError"),
        ),
        (
            "UnknownTimeZoneError",
            exception("pytz.exceptions.UnknownTimeZoneError"),
        ),
        ("all_timezones", all_names(false)),
        ("all_timezones_set", all_names(false)),
        ("common_timezones", all_names(true)),
        ("common_timezones_set", all_names(true)),
        ("BaseTzInfo", exception("pytz.tzinfo.BaseTzInfo")),
        ("FixedOffset", function("FixedOffset", fixed_offset)),
    ])
}
